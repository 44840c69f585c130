package dev.jeton.track;

import dev.jeton.bus.Deadline;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts into the users' search index ({@link RedisUserIndex}) the users that a Jeton without the
 * index wrote: when the mark {@link RedisKeys#userIndexBuilt} is absent, scans every user hash
 * ({@code SCAN … MATCH NS:{u:*} COUNT 1000 TYPE hash}, page by page), reads each one's generation
 * id and display name ({@code HMGET}, pipelined), adds both members of each user ({@code ZADD}),
 * and once every key has been scanned sets the mark, so that later starts do nothing.
 *
 * <p>Safe to run at any time, and on several nodes at once: adding a member twice changes nothing,
 * and what a race with a write of users may leave (the member of a user deleted or renamed between
 * its read and its {@code ZADD}) is a stale member, which the search never answers ({@link
 * RedisUserIndex}). A user with no generation id is no user to the search either, and is skipped. A
 * failure (Redis down, the store closed) ends the run with a warning and leaves the mark unset: the
 * next start scans again, and users written meanwhile are indexed by their own writes.
 *
 * <p>On one Redis or Sentinel, the master is scanned through the store's link. On Redis Cluster a
 * keyless command goes to any one node, so the masters are read from {@code CLUSTER SLOTS} and each
 * is scanned on a short-lived connection of its own (same options, scheme and credentials as the
 * seeds), one after the other; the reads and writes of users still go through the store's link,
 * which routes each to its slot.
 *
 * <p>One run per namespace at a time on a node: the stores of the other event loops, started
 * together, leave it to the first. Used on the event loop of the store's verticle, like {@link
 * RedisCalls}.
 */
final class RedisIndexBackfill {

  /** Keys asked of each {@code SCAN} page: a hint to Redis, which may answer more or fewer. */
  static final int SCAN_COUNT = 1_000;

  /** Under the store's name: operators filter its events by it. */
  private static final Logger LOG = LoggerFactory.getLogger(RedisStore.class);

  /** The node-wide table of the namespaces whose backfill is running. */
  private static final String RUNNING = "jeton.track.index-backfill";

  /** What one run did. */
  record Result(boolean scanned, long users) {
    /** Not scanned: the mark was set, or another store of this node was at it. */
    static final Result SKIPPED = new Result(false, 0);
  }

  private final Vertx vertx;
  private final RedisOptions options;
  private final RedisKeys keys;
  private final RedisCalls calls;
  private final RedisUserIndex index;
  private final long timeoutMillis;

  /**
   * @param options those of the store's link: their type says whether there are masters to find
   * @param timeoutMillis the deadline of each command sent on a connection to a cluster master
   */
  RedisIndexBackfill(
      Vertx vertx,
      RedisOptions options,
      RedisKeys keys,
      RedisCalls calls,
      RedisUserIndex index,
      long timeoutMillis) {
    this.vertx = vertx;
    this.options = options;
    this.keys = keys;
    this.calls = calls;
    this.index = index;
    this.timeoutMillis = timeoutMillis;
  }

  /**
   * Scans, unless the mark is set or a run of this namespace is already going on this node. Never
   * fails: a failure is logged, and answered as what it had indexed, not scanned.
   */
  Future<Result> run() {
    LocalMap<String, Boolean> running = vertx.sharedData().getLocalMap(RUNNING);
    if (running.putIfAbsent(keys.namespace(), Boolean.TRUE) != null) {
      return Future.succeededFuture(Result.SKIPPED);
    }
    long start = System.nanoTime();
    long[] users = {0};
    return calls
        .send(Request.cmd(Command.EXISTS).arg(keys.userIndexBuilt()))
        .compose(
            built ->
                built.toInteger() == 1
                    ? Future.succeededFuture(Result.SKIPPED)
                    : scanAll(users).map(v -> new Result(true, users[0])))
        .onSuccess(
            r -> {
              if (r.scanned()) {
                LOG.atInfo()
                    .setMessage("redis_index_backfill_done")
                    .addKeyValue("count", r.users())
                    .addKeyValue("duration_ms", millisSince(start))
                    .log();
              }
            })
        .recover(
            e -> {
              LOG.atWarn()
                  .setMessage("redis_index_backfill_failed")
                  .addKeyValue("detail", e.getMessage())
                  .addKeyValue("count", users[0])
                  .addKeyValue("duration_ms", millisSince(start))
                  .log();
              return Future.succeededFuture(new Result(false, users[0]));
            })
        .onComplete(ar -> running.remove(keys.namespace()));
  }

  /** Every master scanned, then the mark set. */
  private Future<Void> scanAll(long[] users) {
    Future<Void> scanned;
    if (options.getType() == RedisClientType.CLUSTER) {
      scanned =
          masters()
              .compose(
                  masters -> {
                    started(masters.size());
                    Future<Void> each = Future.succeededFuture();
                    for (String master : masters) {
                      each = each.compose(v -> scanMaster(master, users));
                    }
                    return each;
                  });
    } else {
      started(1);
      scanned = scan(calls::send, users);
    }
    return scanned.compose(
        v ->
            calls
                .send(
                    Request.cmd(Command.SET)
                        .arg(keys.userIndexBuilt())
                        .arg(Long.toString(System.currentTimeMillis())))
                .mapEmpty());
  }

  private static void started(int masters) {
    LOG.atInfo().setMessage("redis_index_backfill_started").addKeyValue("masters", masters).log();
  }

  /**
   * The URLs of the cluster's masters, from the slot map of whichever node the cluster link asks.
   */
  private Future<List<String>> masters() {
    URI seed = URI.create(options.getEndpoints().get(0));
    return calls
        .send(Request.cmd(Command.CLUSTER).arg("SLOTS"))
        .map(
            slots -> {
              Set<String> masters = new LinkedHashSet<>();
              for (Response range : slots) {
                // [first slot, last slot, [host, port, id, …] of the master, then the replicas]
                Response master = range.get(2);
                String host = master.get(0).toString();
                if (host.isEmpty()) {
                  host = seed.getHost(); // a node that knows no address of its own: a lone node
                } else if (host.indexOf(':') >= 0) {
                  host = "[" + host + "]";
                }
                String userInfo = seed.getRawUserInfo() == null ? "" : seed.getRawUserInfo() + "@";
                masters.add(
                    seed.getScheme() + "://" + userInfo + host + ":" + master.get(1).toInteger());
              }
              return List.copyOf(masters);
            });
  }

  /**
   * One master scanned on a connection of its own, closed whatever happens. The closes are not
   * waited for: their futures may complete on a thread of no context, and the run goes on where the
   * scan's answers come.
   */
  private Future<Void> scanMaster(String url, long[] users) {
    RedisOptions own =
        new RedisOptions(options).setType(RedisClientType.STANDALONE).setEndpoints(List.of(url));
    Redis client = Redis.createClient(vertx, own);
    return Deadline.within(vertx, timeoutMillis, client.connect())
        .compose(
            c ->
                scan(r -> Deadline.within(vertx, timeoutMillis, c.send(r)), users)
                    .onComplete(ar -> c.close()))
        .onComplete(ar -> client.close());
  }

  /** Every page of one node, each indexed before the next is asked. */
  private Future<Void> scan(Function<Request, Future<Response>> node, long[] users) {
    Promise<Void> done = Promise.promise();
    page(node, "0", users, done);
    return done.future();
  }

  /**
   * One page, then the next from its cursor: a loop over callbacks rather than a chain of futures,
   * which would grow by one future a page.
   */
  private void page(
      Function<Request, Future<Response>> node, String cursor, long[] users, Promise<Void> done) {
    Request page =
        Request.cmd(Command.SCAN)
            .arg(cursor)
            .arg("MATCH")
            .arg(keys.userPattern())
            .arg("COUNT")
            .arg(SCAN_COUNT)
            .arg("TYPE")
            .arg("hash");
    node.apply(page)
        .compose(
            r -> {
              List<String> found = new ArrayList<>();
              for (Response key : r.get(1)) {
                String username = keys.scannedUser(key.toString());
                if (username != null) {
                  found.add(username);
                }
              }
              return indexUsers(found, users).map(r.get(0).toString());
            })
        .onSuccess(
            next -> {
              if ("0".equals(next)) {
                done.complete();
              } else {
                page(node, next, users, done);
              }
            })
        .onFailure(done::fail);
  }

  /** The members of the users of one page (each user's read on its own: they live in any slot). */
  private Future<Void> indexUsers(List<String> usernames, long[] users) {
    if (usernames.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Request> reads = new ArrayList<>(usernames.size());
    usernames.forEach(
        u -> reads.add(Request.cmd(Command.HMGET).arg(keys.user(u)).arg("gen").arg("dn")));
    return calls
        .sendEach(reads)
        .compose(
            read -> {
              List<RedisUserIndex.Change> changes = new ArrayList<>(usernames.size());
              for (int i = 0; i < usernames.size(); i++) {
                Response user = read.get(i);
                if (user.get(0) != null) {
                  String name = user.get(1) == null ? null : user.get(1).toString();
                  changes.add(new RedisUserIndex.Change(usernames.get(i), null, name));
                }
              }
              return index.updateAll(changes).onSuccess(v -> users[0] += changes.size());
            });
  }

  private static long millisSince(long start) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
  }
}
