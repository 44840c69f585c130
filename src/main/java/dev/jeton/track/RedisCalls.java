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

  private final Vertx vertx;
  private final RedisLink redis;
  private final long timeoutMillis;

  RedisCalls(Vertx vertx, RedisLink redis, long timeoutMillis) {
    this.vertx = vertx;
    this.redis = redis;
    this.timeoutMillis = timeoutMillis;
  }

  /**
   * Loads every script once. Succeeds even when Redis is down (scripts are then sent on first use),
   * so that Jeton starts, reports not ready, and recovers by itself.
   */
  Future<Void> loadScripts() {
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

  /** One plain command. */
  Future<Response> send(Request r) {
    return timed(redis.send(r));
  }

  /** Plain commands, pipelined in one round trip; no script among them. */
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
    return timed(redis.batch(requests.apply(false)))
        .recover(
            e -> {
              if (noScript(e)) {
                return timed(redis.batch(requests.apply(true)));
              }
              return Future.failedFuture(e);
            });
  }

  Future<Void> close() {
    return redis.close();
  }

  private static boolean noScript(Throwable e) {
    return e.getMessage() != null && e.getMessage().contains("NOSCRIPT");
  }

  private <T> Future<T> timed(Future<T> f) {
    return Deadline.within(vertx, timeoutMillis, f)
        .recover(
            e -> {
              if (noScript(e)) {
                return Future.failedFuture(e);
              }
              return Future.failedFuture(
                  new StoreUnavailableException("redis: " + e.getMessage(), e));
            });
  }
}
