package dev.jeton.bus;

import static dev.jeton.testsupport.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Deadline's behaviour, and what it relies on in Vert.x (docs/internal-hooks.md): its timer runs on
 * the calling event loop and is no close hook of the caller's deployment ({@code
 * ContextInternal.setTimer}); and the reasons it exists ({@code Future.timeout} of a future of no
 * context fires on another thread, {@code vertx.setTimer} is a close hook).
 */
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

  /**
   * Runs {@code Deadline.within} on an event loop, as the store does, and waits for its outcome.
   */
  private static <T> T within(long millis, Future<T> f) throws Exception {
    CompletableFuture<T> out = new CompletableFuture<>();
    vertx
        .getOrCreateContext()
        .runOnContext(
            v ->
                Deadline.within(vertx, millis, f)
                    .onComplete(
                        ar -> {
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
        .isInstanceOf(TimeoutException.class)
        .hasMessageContaining("50 ms");
  }

  @Test
  void anAnswerInTimeIsPassedOnAndItsTimerNeverFiresLater() throws Exception {
    Context context = vertx.getOrCreateContext();
    Promise<String> answer = Promise.promise();
    AtomicReference<Future<String>> result = new AtomicReference<>();
    context.runOnContext(
        v -> {
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
    assertThatThrownBy(
            () ->
                within(
                    1_000,
                    vertx
                        .timer(10, TimeUnit.MILLISECONDS)
                        .compose(v -> Future.<String>failedFuture(cause))))
        .isSameAs(cause);
  }

  /**
   * The hook: {@code ContextInternal.setTimer} fires on the event loop that asked, and is not
   * cancelled when the asking verticle is undeployed (it is no close hook). When this fails after a
   * Vert.x upgrade, Deadline's timer is no longer what it says: see docs/internal-hooks.md.
   */
  @Test
  void theTimerFiresOnTheCallersLoopAndIsNoCloseHookOfItsDeployment() throws Exception {
    CompletableFuture<String> caller = new CompletableFuture<>();
    CompletableFuture<String> firedOn = new CompletableFuture<>();
    String id =
        vertx
            .deployVerticle(
                new VerticleBase() {
                  @Override
                  public Future<?> start() {
                    caller.complete(Thread.currentThread().getName());
                    Deadline.within(vertx, 200, Promise.<String>promise().future())
                        .onComplete(
                            ar ->
                                firedOn.complete(
                                    ar.cause() instanceof TimeoutException
                                        ? Thread.currentThread().getName()
                                        : "not a timeout: " + ar));
                    return Future.succeededFuture();
                  }
                })
            .await(10, TimeUnit.SECONDS);
    vertx.undeploy(id).await(10, TimeUnit.SECONDS);
    vertx.setTimer(1_000, t -> firedOn.complete("never: cancelled with its verticle"));
    assertThat(firedOn.get(10, TimeUnit.SECONDS))
        .as(
            "dev.jeton.bus.Deadline relies on Vert.x's internal ContextInternal.setTimer firing on the caller's event"
                + " loop, even after the caller's verticle is undeployed (no close hook); see docs/internal-hooks.md")
        .isEqualTo(caller.get());
  }

  /**
   * Why Deadline has its own timer (1): {@code Future.timeout} on a future of no context (as the
   * Redis link's answers are) fires off the event loops, on Netty's global executor. When this
   * fails after a Vert.x upgrade, consider {@code Future.timeout} again: see
   * docs/internal-hooks.md.
   */
  @Test
  void futureTimeoutOnAFutureOfNoContextStillFiresOffTheEventLoops() throws Exception {
    CompletableFuture<String> firedOn = new CompletableFuture<>();
    vertx
        .getOrCreateContext()
        .runOnContext(
            v ->
                Promise.<String>promise()
                    .future()
                    .timeout(20, TimeUnit.MILLISECONDS)
                    .onComplete(ar -> firedOn.complete(Thread.currentThread().getName())));
    assertThat(firedOn.get(10, TimeUnit.SECONDS))
        .as(
            "Vert.x's Future.timeout on a future of no context no longer fires on another thread than the event loops:"
                + " Deadline may not need ContextInternal.setTimer any more; see docs/internal-hooks.md")
        .doesNotStartWith("vert.x-eventloop-thread");
  }

  /**
   * Why Deadline has its own timer (2): {@code vertx.setTimer} from a verticle is a close hook of
   * its deployment (it is cancelled when the verticle is undeployed). When this fails after a
   * Vert.x upgrade, consider {@code vertx.setTimer} again: see docs/internal-hooks.md.
   */
  @Test
  void vertxSetTimerFromAVerticleIsStillACloseHookOfItsDeployment() throws Exception {
    CompletableFuture<Boolean> fired = new CompletableFuture<>();
    String id =
        vertx
            .deployVerticle(
                new VerticleBase() {
                  @Override
                  public Future<?> start() {
                    vertx.setTimer(200, t -> fired.complete(true));
                    return Future.succeededFuture();
                  }
                })
            .await(10, TimeUnit.SECONDS);
    vertx.undeploy(id).await(10, TimeUnit.SECONDS);
    // A cancelled timer leaves no trace to wait for: give it well past its delay.
    vertx.setTimer(600, t -> fired.complete(false));
    assertThat(fired.get(10, TimeUnit.SECONDS))
        .as(
            "Vert.x's vertx.setTimer from a verticle is no longer cancelled at undeployment (no close hook): Deadline"
                + " may use it instead of ContextInternal.setTimer; see docs/internal-hooks.md")
        .isFalse();
  }

  private static String awaitResult(AtomicReference<Future<String>> result) throws Exception {
    eventually("Deadline.within called on the context", () -> result.get() != null);
    return result.get().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
