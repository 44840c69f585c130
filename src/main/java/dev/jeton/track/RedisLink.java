package dev.jeton.track;

import io.netty.handler.flush.FlushConsolidationHandler;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.impl.PooledRedisConnection;
import io.vertx.redis.client.impl.RedisStandaloneConnection;
import java.lang.reflect.Field;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Redis connection, shared by every request of its owner and pipelined: requests go out as they
 * come and answers are matched in order, instead of each request taking a pooled connection.
 * Connects on first use; when the connection fails or Redis closes it, the next request connects
 * again (at most one attempt at a time; after a failed attempt, none for {@value #RETRY_MILLIS} ms
 * rather than piling up connects).
 *
 * <p>A connection one of whose sockets closed is replaced, not dropped: requests wait for the first
 * attempt to replace it, and when that attempt fails the old connection serves them until a later
 * one succeeds. In Redis Cluster the connection holds a socket to every node, and the client makes
 * a new one only when every node of its slot map answers: one dead node (a master until its replica
 * is promoted, or a replica until the cluster flags it) would otherwise cut every shard off. On the
 * old connection only the dead node's requests fail, at once ("Connection is closed"), and slots
 * that moved are reached on new sockets. With one Redis or Sentinel the connection has one socket,
 * so its requests fail at once, as they did while the connects failed.
 *
 * <p>Flushes are coalesced: the Redis client flushes the socket after every command, which at the
 * login rush meant two {@code write} system calls per login on the event loop (and as many wake-ups
 * of Redis). A Netty {@link FlushConsolidationHandler} on the connection defers each flush to the
 * end of the event loop's current turn, so that the commands issued in one turn (every login read
 * from the HTTP connections at once, then every commit) leave in one write. Commands still go out
 * in order, each with its own answer. The measurements are in
 * docs/2026-12-05-performance-history.md.
 *
 * <p>The client gives no public access to its socket, so this is an internal hook
 * (docs/internal-hooks.md): the private field {@code netSocket} of vertx-redis-client's {@code
 * RedisStandaloneConnection}, read by reflection, behind {@code PooledRedisConnection.actual()},
 * and Vert.x's internal {@code NetSocketInternal} for the Netty pipeline. When it cannot be reached
 * (another client version), the link warns once and works as before, unconsolidated; {@code
 * RedisLinkTest} fails then.
 *
 * <p>Meant for one event loop (a tracking verticle instance); the few fields are guarded so that
 * tests may call it from other threads too.
 */
final class RedisLink {

  private static final Logger LOG = LoggerFactory.getLogger(RedisLink.class);

  static final long RETRY_MILLIS = 100;

  /** Flushes deferred at most this many times in a row before one goes out anyway. */
  static final int MAX_DEFERRED_FLUSHES = 256;

  private static final Field SOCKET = socketField();

  private final Redis client;
  private final Runnable onReconnect;
  private RedisConnection connection;

  /** A socket of {@link #connection} closed: it serves until a replacement is made. */
  private boolean broken;

  private Future<RedisConnection> connecting;
  private long failedAt;
  private Throwable lastFailure;
  private boolean everConnected;

  RedisLink(Vertx vertx, RedisOptions options) {
    this(vertx, options, () -> {});
  }

  /**
   * @param onReconnect told each time a connection is made after an earlier one was lost or dropped
   *     (a failover, a restart, a network cut): what the reconnect meter counts
   */
  RedisLink(Vertx vertx, RedisOptions options, Runnable onReconnect) {
    this.client = Redis.createClient(vertx, options);
    this.onReconnect = onReconnect;
  }

  /**
   * Connects now rather than on first use, unless connected or connecting already; never fails (a
   * failed attempt is retried by the next request, as ever). In Redis Cluster the client makes a
   * connection only when every node of its slot map answers, so a link left to connect on first use
   * would, if that use came while one node hangs (a replica in a long pause, say), wait for that
   * node, and every request on it would time out although its own shard is healthy.
   */
  Future<Void> open() {
    return connection().<Void>mapEmpty().recover(e -> Future.succeededFuture());
  }

  Future<Response> send(Request request) {
    return connection().compose(c -> c.send(request));
  }

  Future<List<Response>> batch(List<Request> requests) {
    return connection().compose(c -> c.batch(requests));
  }

  Future<Void> close() {
    RedisConnection c;
    synchronized (this) {
      c = connection;
      connection = null;
    }
    Future<Void> closed =
        c == null ? Future.succeededFuture() : c.close().recover(e -> Future.succeededFuture());
    return closed.eventually(client::close);
  }

  private synchronized Future<RedisConnection> connection() {
    if (connection != null && !broken) {
      return Future.succeededFuture(connection);
    }
    Future<RedisConnection> attempt = connecting != null ? connecting : connect();
    if (connection != null && lastFailure != null) {
      // Broken, and not replaced at the first attempt: it serves while the attempts go on.
      return Future.succeededFuture(connection);
    }
    return attempt;
  }

  /** A new connection, unless an attempt failed less than {@value #RETRY_MILLIS} ms ago. */
  private Future<RedisConnection> connect() {
    if (lastFailure != null && System.currentTimeMillis() - failedAt < RETRY_MILLIS) {
      return Future.failedFuture(lastFailure);
    }
    Future<RedisConnection> attempt = client.connect();
    connecting = attempt;
    attempt.onComplete(ar -> connected(ar.result(), ar.cause()));
    return attempt;
  }

  private synchronized void connected(RedisConnection c, Throwable failure) {
    connecting = null;
    if (c == null) {
      failedAt = System.currentTimeMillis();
      lastFailure = failure;
      return;
    }
    RedisConnection replaced = connection;
    connection = c;
    broken = false;
    lastFailure = null;
    if (everConnected) {
      onReconnect.run();
    }
    everConnected = true;
    consolidateFlushes(c);
    c.exceptionHandler(e -> broke(c));
    c.endHandler(v -> broke(c));
    if (replaced != null) {
      replaced.close();
    }
  }

  private synchronized void broke(RedisConnection c) {
    if (connection == c) {
      broken = true;
    }
  }

  /**
   * Whether the connection's flushes are coalesced (false until connected, or when the socket was
   * out of reach).
   */
  synchronized boolean consolidated() {
    return connection != null
        && socket(connection) instanceof NetSocketInternal s
        && s.channelHandlerContext().pipeline().get(FlushConsolidationHandler.class) != null;
  }

  private static void consolidateFlushes(RedisConnection c) {
    if (socket(c) instanceof NetSocketInternal s) {
      // First in the pipeline, next to the socket: it sees every flush the client makes.
      s.channelHandlerContext()
          .pipeline()
          .addFirst(new FlushConsolidationHandler(MAX_DEFERRED_FLUSHES, true));
    }
  }

  private static Object socket(RedisConnection c) {
    Object actual = c instanceof PooledRedisConnection p ? p.actual() : c;
    if (SOCKET == null || !(actual instanceof RedisStandaloneConnection)) {
      return null;
    }
    try {
      return SOCKET.get(actual);
    } catch (IllegalAccessException e) {
      return null;
    }
  }

  private static Field socketField() {
    try {
      Field f = RedisStandaloneConnection.class.getDeclaredField("netSocket");
      f.setAccessible(true);
      return f;
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.atWarn()
          .setMessage("redis_flushes_not_consolidated")
          .addKeyValue("detail", e.toString())
          .log();
      return null;
    }
  }

  /**
   * Drops the current connection, so that the next request connects again: after Redis answered
   * that the node is no longer the master ({@code READONLY}, {@code MASTERDOWN}). With Sentinel the
   * new connection asks the sentinels where the master is now; a demoted master would otherwise
   * keep this connection, and every write would fail on it, for as long as it stays up.
   */
  synchronized void reconnect() {
    if (connection != null) {
      RedisConnection c = connection;
      connection = null;
      broken = false;
      c.close();
    }
  }
}
