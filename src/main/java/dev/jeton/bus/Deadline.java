package dev.jeton.bus;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import java.util.concurrent.TimeoutException;

/**
 * Fails a future that has not completed in time, with a timer on the calling event loop that is no
 * close hook of the caller's deployment: it is cancelled with the answer, or fires once and fails a
 * future that nothing may wait for any more.
 *
 * <p>Not the public {@code Future.timeout}: for a future of no context (what the Redis link's
 * answers are once it is connected) Vert.x 5 schedules that timer on Netty's global executor, which
 * woke that other thread twice a request, and completes the timed-out future there. Not the public
 * {@code vertx.setTimer} either: from a verticle it adds and removes a close hook per timer in the
 * deployment's synchronized table; and {@code vertx.timer}, which has no close hook, measured no
 * cheaper than that. Hence Vert.x's internal {@link ContextInternal#setTimer}, guarded by {@code
 * DeadlineTest}; the measurements are in docs/2026-12-05-performance-history.md, the upgrade steps
 * in docs/internal-hooks.md.
 */
public final class Deadline {

  private Deadline() {}

  /**
   * {@code f}, or a failure with a {@link TimeoutException} when it has not completed after {@code
   * millis}.
   */
  public static <T> Future<T> within(Vertx vertx, long millis, Future<T> f) {
    if (f.isComplete()) {
      return f;
    }
    Promise<T> result = Promise.promise();
    ContextInternal context = ((VertxInternal) vertx).getOrCreateContext();
    long timer =
        context.setTimer(
            millis,
            id -> result.tryFail(new TimeoutException("no answer within " + millis + " ms")));
    f.onComplete(
        ar -> {
          vertx.cancelTimer(timer);
          if (ar.succeeded()) {
            result.tryComplete(ar.result());
          } else {
            result.tryFail(ar.cause());
          }
        });
    return result.future();
  }
}
