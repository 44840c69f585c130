package dev.jeton.bus;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;

import java.util.concurrent.TimeoutException;

/**
 * Fails a future that has not completed in time, with a Vert.x timer. Unlike {@code Future.timeout}, whose timer
 * lives on Netty's global executor (a schedule and a cancel wake that other thread for every request: a tenth of the
 * event loops' time at the login rush), the timer runs on the calling event loop. Nor is it a close hook of the
 * caller's deployment ({@code vertx.setTimer} adds one per timer to a synchronized table, and removes it): it is
 * cancelled with the answer, or fires once and fails a future that nothing may wait for any more.
 */
public final class Deadline {

  private Deadline() {}

  /** {@code f}, or a failure with a {@link TimeoutException} when it has not completed after {@code millis}. */
  public static <T> Future<T> within(Vertx vertx, long millis, Future<T> f) {
    if (f.isComplete()) {
      return f;
    }
    Promise<T> result = Promise.promise();
    ContextInternal context = ((VertxInternal) vertx).getOrCreateContext();
    long timer = context.setTimer(millis, id -> result.tryFail(new TimeoutException("no answer within " + millis + " ms")));
    f.onComplete(ar -> {
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
