package dev.jeton.track;

import dev.jeton.bus.Deadline;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the Redis store talks to Redis: over its one pipelined connection ({@link RedisLink}), every
 * call under the store's deadline, failing with {@link StoreUnavailableException} after it so that
 * callers fail closed; scripts by SHA, sent whole once after a NOSCRIPT (which also caches them
 * again in a Redis that restarted or was flushed). Used on the event loop of the store's verticle
 * only.
 */
final class RedisCalls {

  /** Under the store's name: operators filter its warnings by it. */
  private static final Logger LOG = LoggerFactory.getLogger(RedisStore.class);

  /**
   * Replica-acknowledged writes waiting on one of the {@code ackLinks} before the next ones are
   * refused (503) rather than queued behind them: while the replicas do not answer, each {@code
   * WAIT} holds its connection for the whole ack timeout.
   */
  static final int ACK_LINK_DEPTH = 32;

  private final Vertx vertx;
  private final RedisLink redis;
  private final List<RedisLink> ackLinks;
  private final int[] ackInFlight;
  private int nextAckLink;
  private final long timeoutMillis;
  private final int replicaAcks;
  private final int ackTimeoutMillis;
  private final Runnable onAckFailure;

  RedisCalls(Vertx vertx, RedisLink redis, long timeoutMillis) {
    this(vertx, redis, List.of(), timeoutMillis, 0, 1, () -> {});
  }

  /**
   * @param ackLinks the connections that carry the writes of {@link #evalReplicated} and their
   *     {@code WAIT} (at least one when {@code replicaAcks} is above 0). Not {@code redis}: Redis
   *     reads nothing more from a connection while a {@code WAIT} on it is pending, so on the
   *     shared connection every read and every other write would queue behind each replica round
   *     trip (and behind the whole ack timeout when the replicas are down). Several, so that as
   *     many {@code WAIT}s are answered by one acknowledgement of the replicas.
   * @param replicaAcks replicas that must confirm a write sent by {@link #evalReplicated} (0: none)
   * @param ackTimeoutMillis how long Redis waits for them ({@code WAIT}'s timeout; never 0, which
   *     would wait for ever)
   * @param onAckFailure told of every write the replicas did not confirm in time
   */
  RedisCalls(
      Vertx vertx,
      RedisLink redis,
      List<RedisLink> ackLinks,
      long timeoutMillis,
      int replicaAcks,
      int ackTimeoutMillis,
      Runnable onAckFailure) {
    if (replicaAcks > 0 && ackTimeoutMillis < 1) {
      throw new IllegalArgumentException(
          "a replica acknowledgement needs a timeout of 1 ms or more");
    }
    if (replicaAcks > 0 && ackLinks.isEmpty()) {
      throw new IllegalArgumentException("a replica acknowledgement needs a connection of its own");
    }
    this.vertx = vertx;
    this.redis = redis;
    this.ackLinks = List.copyOf(ackLinks);
    this.ackInFlight = new int[ackLinks.size()];
    this.timeoutMillis = timeoutMillis;
    this.replicaAcks = replicaAcks;
    this.ackTimeoutMillis = ackTimeoutMillis;
    this.onAckFailure = onAckFailure;
  }

  /**
   * Loads every script once. Succeeds even when Redis is down (scripts are then sent on first use),
   * so that Jeton starts, reports not ready, and recovers by itself. The replica-acknowledged
   * connections are opened at the same time ({@link RedisLink#open}), in the background: the first
   * commit that needs them must not be the one that waits for every node of a Cluster to answer.
   */
  Future<Void> loadScripts() {
    ackLinks.forEach(RedisLink::open);
    List<Request> loads = new ArrayList<>();
    RedisScripts.ALL.forEach(
        s -> loads.add(Request.cmd(Command.SCRIPT).arg("LOAD").arg(s.source())));
    return timed(redis.batch(loads))
        .<Void>mapEmpty()
        .recover(
            e -> {
              LOG.atWarn()
                  .setMessage("redis_unreachable_at_start")
                  .addKeyValue("detail", e.getMessage())
                  .log();
              return Future.succeededFuture();
            });
  }

  /** One script, one round trip (two after a NOSCRIPT). */
  Future<Response> eval(LuaScript s, List<String> keys, List<String> args) {
    return batch(retry -> List.of(s.request(retry, keys, args))).map(r -> r.get(0));
  }

  /**
   * One script whose write must survive a failover before its caller may act on it: when {@code
   * needsAck} says its answer is such a write, the answer is given only once {@code replicaAcks}
   * replicas hold it, else the call fails with {@link StoreUnavailableException} (and the write
   * stays on the master: a consumed code stays consumed).
   *
   * <p>The {@code WAIT} goes in the same batch as the script, so on the same connection: Redis
   * counts the replicas that reached that connection's last write. Sent on its own, it could leave
   * on another connection (after a reconnect, or, in Cluster, to another node) that wrote nothing,
   * and be confirmed at once for a write no replica has.
   */
  Future<Response> evalReplicated(
      LuaScript s, List<String> keys, List<String> args, Predicate<Response> needsAck) {
    if (replicaAcks == 0) {
      return eval(s, keys, args);
    }
    int link = ackLink();
    if (link < 0) {
      onAckFailure.run();
      return Future.failedFuture(
          new StoreUnavailableException(
              "redis: every replica-acknowledged connection has "
                  + ACK_LINK_DEPTH
                  + " writes waiting for the replicas",
              null));
    }
    Request wait =
        Request.cmd(Command.WAIT)
            .arg(Integer.toString(replicaAcks))
            .arg(Integer.toString(ackTimeoutMillis));
    return batchOn(ackLinks.get(link), link, retry -> List.of(s.request(retry, keys, args), wait))
        .compose(
            r -> {
              Response answer = r.get(0);
              if (!needsAck.test(answer) || r.get(1).toLong() >= replicaAcks) {
                return Future.succeededFuture(answer);
              }
              onAckFailure.run();
              LOG.atWarn()
                  .setMessage("redis_replicas_did_not_confirm")
                  .addKeyValue("required", replicaAcks)
                  .addKeyValue("confirmed", r.get(1).toLong())
                  .addKeyValue("timeout_ms", ackTimeoutMillis)
                  .log();
              return Future.failedFuture(
                  new StoreUnavailableException(
                      "redis: "
                          + r.get(1).toLong()
                          + " of "
                          + replicaAcks
                          + " replicas confirmed the write in "
                          + ackTimeoutMillis
                          + " ms",
                      null));
            });
  }

  /**
   * The same script once per key set, each call on its own (in Redis Cluster the key sets may live
   * on different nodes; on one Redis they still share the one pipelined connection). Answers in
   * order; fails when any call fails.
   */
  Future<List<Response>> evalEach(LuaScript s, List<List<String>> keys, List<List<String>> args) {
    List<Future<Response>> each = new ArrayList<>(keys.size());
    for (int i = 0; i < keys.size(); i++) {
      each.add(eval(s, keys.get(i), args.get(i)));
    }
    return Future.all(each).map(all -> each.stream().map(Future::result).toList());
  }

  /** Plain commands that may touch different slots, each on its own; answers in order. */
  Future<List<Response>> sendEach(List<Request> requests) {
    List<Future<Response>> each = requests.stream().map(this::send).toList();
    return Future.all(each).map(all -> each.stream().map(Future::result).toList());
  }

  /** One plain command. */
  Future<Response> send(Request r) {
    return timed(redis.send(r));
  }

  /**
   * Plain commands, pipelined in one round trip; no script among them. In Redis Cluster, all their
   * keys must be in one slot.
   */
  Future<List<Response>> pipeline(List<Request> requests) {
    return timed(redis.batch(requests));
  }

  /**
   * Sends the requests pipelined, scripts by SHA. After a NOSCRIPT (Redis restarted or was flushed)
   * the builder is called again with {@code retry} true and the scripts go whole, which also caches
   * them again. The other commands of the first pipeline did run: a builder whose extra commands
   * are not idempotent must leave them out on retry.
   */
  Future<List<Response>> batch(Function<Boolean, List<Request>> requests) {
    return batchOn(redis, -1, requests);
  }

  /** {@link #batch} on {@code link}, counted in {@link #ackInFlight} when {@code ackLink >= 0}. */
  private Future<List<Response>> batchOn(
      RedisLink link, int ackLink, Function<Boolean, List<Request>> requests) {
    return timed(link, counted(ackLink, link.batch(requests.apply(false))))
        .recover(
            e -> {
              if (noScript(e)) {
                return timed(link, counted(ackLink, link.batch(requests.apply(true))));
              }
              return Future.failedFuture(e);
            });
  }

  /**
   * The ack link with the fewest writes in flight (taken in turn when several have as few), or -1
   * when every one has {@link #ACK_LINK_DEPTH}.
   */
  private int ackLink() {
    int best = -1;
    int n = ackLinks.size();
    for (int i = 0; i < n; i++) {
      int j = (nextAckLink + i) % n;
      if (ackInFlight[j] < ACK_LINK_DEPTH && (best < 0 || ackInFlight[j] < ackInFlight[best])) {
        best = j;
      }
    }
    nextAckLink = (nextAckLink + 1) % n;
    return best;
  }

  /**
   * Counts the batch in flight on its ack link until Redis answers it (not until the deadline: a
   * batch given up on still holds its place on the connection).
   */
  private <T> Future<T> counted(int ackLink, Future<T> f) {
    if (ackLink >= 0) {
      ackInFlight[ackLink]++;
      f.onComplete(ar -> ackInFlight[ackLink]--);
    }
    return f;
  }

  Future<Void> close() {
    List<Future<Void>> closing = new ArrayList<>();
    closing.add(redis.close());
    ackLinks.forEach(l -> closing.add(l.close()));
    return Future.join(closing).mapEmpty();
  }

  private static boolean noScript(Throwable e) {
    return e.getMessage() != null && e.getMessage().contains("NOSCRIPT");
  }

  /**
   * The node answered that it is no longer the master (demoted by a failover while this connection
   * stayed open), or that its own master is gone.
   */
  private static boolean notMaster(Throwable e) {
    String m = e.getMessage();
    return m != null && (m.startsWith("READONLY") || m.startsWith("MASTERDOWN"));
  }

  private <T> Future<T> timed(Future<T> f) {
    return timed(redis, f);
  }

  private <T> Future<T> timed(RedisLink link, Future<T> f) {
    return Deadline.within(vertx, timeoutMillis, f)
        .recover(
            e -> {
              if (noScript(e)) {
                return Future.failedFuture(e);
              }
              if (notMaster(e)) {
                link.reconnect();
              }
              return Future.failedFuture(
                  new StoreUnavailableException("redis: " + e.getMessage(), e));
            });
  }
}
