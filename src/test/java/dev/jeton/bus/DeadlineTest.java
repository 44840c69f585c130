package dev.jeton.bus;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DeadlineTest {

  private static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /** Runs {@code Deadline.within} on an event loop, as the store does, and waits for its outcome. */
  private static <T> T within(long millis, Future<T> f) throws Exception {
    CompletableFuture<T> out = new CompletableFuture<>();
    vertx.getOrCreateContext().runOnContext(v -> Deadline.within(vertx, millis, f).onComplete(ar -> {
      if (ar.succeeded()) {
        out.complete(ar.result());
      } else {
        out.completeExceptionally(ar.cause());
      }
    }));
    try {
      return out.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw (Exception) e.getCause();
    }
  }

  @Test
  void aFutureThatNeverCompletesFailsWithATimeout() {
    assertThatThrownBy(() -> within(50, Promise.<String>promise().future()))
        .isInstanceOf(TimeoutException.class).hasMessageContaining("50 ms");
  }

  @Test
  void anAnswerInTimeIsPassedOnAndItsTimerNeverFiresLater() throws Exception {
    Context context = vertx.getOrCreateContext();
    Promise<String> answer = Promise.promise();
    AtomicReference<Future<String>> result = new AtomicReference<>();
    context.runOnContext(v -> {
      result.set(Deadline.within(vertx, 100, answer.future()));
      vertx.setTimer(10, id -> answer.complete("answered"));
    });
    assertThat(awaitResult(result)).isEqualTo("answered");
    Thread.sleep(300);
    assertThat(result.get().succeeded()).as("still the answer, well after the deadline").isTrue();
  }

  @Test
  void aFailureInTimeIsPassedOnAsItIs() {
    IllegalStateException cause = new IllegalStateException("store said no");
    assertThatThrownBy(() -> within(1_000, vertx.timer(10, TimeUnit.MILLISECONDS).compose(v ->
        Future.<String>failedFuture(cause)))).isSameAs(cause);
  }

  private static String awaitResult(AtomicReference<Future<String>> result) throws Exception {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (result.get() == null && System.nanoTime() < until) {
      Thread.sleep(5);
    }
    return result.get().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
