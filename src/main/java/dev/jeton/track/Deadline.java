package dev.jeton.track;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Timer;
import io.vertx.core.Vertx;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Fails a future that has not completed in time, with a timer on the calling event loop. Unlike
 * {@code Future.timeout}, whose timer lives on Netty's global executor (a schedule and a cancel wake that other thread
 * for every request: a tenth of the event loops' time at the login rush), the timer runs on the calling event loop.
 * It is a {@link io.vertx.core.Timer} rather than {@code vertx.setTimer}: the latter also registers each timer as a
 * close hook of the verticle, which took the timer's identity hash under the hook list's lock, inflating a monitor
 * per timer (two a login; GC then spent a quarter of each young pause clearing the dead monitors).
 */
public final class Deadline {

  private Deadline() {}

  /** {@code f}, or a failure with a {@link TimeoutException} when it has not completed after {@code millis}. */
  public static <T> Future<T> within(Vertx vertx, long millis, Future<T> f) {
    if (f.isComplete()) {
      return f;
    }
    Promise<T> result = Promise.promise();
    Timer timer = vertx.timer(millis, TimeUnit.MILLISECONDS);
    timer.onSuccess(fired -> result.tryFail(new TimeoutException("no answer within " + millis + " ms")));
    f.onComplete(ar -> {
      timer.cancel();
      if (ar.succeeded()) {
        result.tryComplete(ar.result());
      } else {
        result.tryFail(ar.cause());
      }
    });
    return result.future();
  }
}
