package dev.jeton.track;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.List;

/**
 * One Redis connection, shared by every request of its owner and pipelined: requests go out as they come and
 * answers are matched in order, instead of each request taking a pooled connection. Connects on first use; when the
 * connection fails or Redis closes it, the next request connects again (at most one attempt at a time; after a
 * failed attempt, requests fail at once for {@value #RETRY_MILLIS} ms rather than piling up connects).
 *
 * <p>Meant for one event loop (a tracking verticle instance); the few fields are guarded so that tests may call it
 * from other threads too.
 */
final class RedisLink {

  static final long RETRY_MILLIS = 100;

  private final Redis client;
  private RedisConnection connection;
  private Future<RedisConnection> connecting;
  private long failedAt;
  private Throwable lastFailure;

  RedisLink(Vertx vertx, RedisOptions options) {
    this.client = Redis.createClient(vertx, options);
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
    Future<Void> closed = c == null ? Future.succeededFuture() : c.close().recover(e -> Future.succeededFuture());
    return closed.eventually(client::close);
  }

  private synchronized Future<RedisConnection> connection() {
    if (connection != null) {
      return Future.succeededFuture(connection);
    }
    if (connecting != null) {
      return connecting;
    }
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
    connection = c;
    lastFailure = null;
    c.exceptionHandler(e -> drop(c));
    c.endHandler(v -> drop(c));
  }

  private synchronized void drop(RedisConnection c) {
    if (connection == c) {
      connection = null;
      c.close();
    }
  }
}
