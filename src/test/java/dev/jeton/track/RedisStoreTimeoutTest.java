package dev.jeton.track;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.testsupport.RedisServer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A Redis that does not answer (paused with {@code CLIENT PAUSE}): every store call fails with
 * {@link StoreUnavailableException} at the store's timeout, long before Redis would have answered,
 * so that callers fail closed. On a Redis of its own, since the pause stops every client.
 */
class RedisStoreTimeoutTest {

  private static final long TIMEOUT_MILLIS = 200;
  private static Vertx vertx;
  private static RedisServer redis;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    redis = RedisServer.start();
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
    redis.close();
  }

  private static <T> Future<T> on(Context context, Supplier<Future<T>> action) {
    Promise<T> done = Promise.promise();
    context.runOnContext(v -> action.get().onComplete(done));
    return done.future();
  }

  @Test
  void callsFailWithStoreUnavailableWhileRedisDoesNotAnswer() throws Exception {
    Context context = vertx.getOrCreateContext();
    RedisStore store =
        on(
                context,
                () -> Future.succeededFuture(new RedisStore(vertx, redis.url(), TIMEOUT_MILLIS)))
            .await(10, TimeUnit.SECONDS);
    on(context, () -> store.loadScripts().compose(v -> store.ping())).await(10, TimeUnit.SECONDS);

    Redis admin = Redis.createClient(vertx, redis.url());
    admin
        .send(Request.cmd(Command.CLIENT).arg("PAUSE").arg(3_000).arg("ALL"))
        .await(10, TimeUnit.SECONDS);
    try {
      Throwable read =
          failureOf(
              on(
                  context,
                  () ->
                      store.loadLogin(
                          new Store.LoadLogin(
                              "someone", "192.0.2.1", null, System.currentTimeMillis(), 300))));
      Throwable ping = failureOf(on(context, store::ping));

      assertThat(read).isInstanceOf(StoreUnavailableException.class);
      assertThat(ping).isInstanceOf(StoreUnavailableException.class);
    } finally {
      admin.send(Request.cmd(Command.CLIENT).arg("UNPAUSE")).await(10, TimeUnit.SECONDS);
      admin.close();
    }
    // Redis answers again: so does the store.
    on(context, store::ping).await(10, TimeUnit.SECONDS);
    on(context, store::close).await(10, TimeUnit.SECONDS);
  }

  /**
   * The failure of a call that must fail before the pause ends (a success after it would mean no
   * deadline).
   */
  private static Throwable failureOf(Future<?> call) throws Exception {
    try {
      call.await(2_500, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("no answer within 2.5 s: the store's deadline did not fire", e);
    } catch (Exception e) {
      return e;
    }
    throw new AssertionError("the call succeeded while Redis was paused");
  }
}
