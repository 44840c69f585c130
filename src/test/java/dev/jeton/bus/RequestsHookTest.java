package dev.jeton.bus;

import static dev.jeton.testsupport.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What {@link Requests} relies on in Vert.x, and why it exists (docs/internal-hooks.md). Whether a
 * reply handler is a close hook of the asking verticle shows when the verticle is undeployed before
 * the answer comes: a close hook is closed with it, and the late answer never reaches it.
 */
class RequestsHookTest {

  private static final String HOOK =
      "dev.jeton.bus.Requests issues requests from a context of no deployment made with"
          + " Vert.x's internal VertxInternal.contextBuilder(), entered with ContextInternal.beginDispatch and left with"
          + " endDispatch; see docs/internal-hooks.md";

  private static Vertx vertx;
  private static final BlockingQueue<Message<String>> held = new LinkedBlockingQueue<>();

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    vertx.eventBus().<String>consumer("held", held::add);
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /**
   * The hook: the asking context is the caller's again once the request is made, and the reply is
   * no close hook.
   */
  @Test
  void aRequestLeavesTheCallersContextAsItWasAndItsReplyOutlivesTheVerticle() throws Exception {
    CompletableFuture<Boolean> restored = new CompletableFuture<>();
    String answer =
        answerAfterUndeploy(
            (vertx, context) -> {
              Future<Message<String>> reply =
                  Requests.request(vertx, "held", "hello", new DeliveryOptions());
              restored.complete(Vertx.currentContext() == context);
              return reply;
            });
    assertThat(restored.get(10, TimeUnit.SECONDS))
        .as("the caller's context after the request: " + HOOK)
        .isTrue();
    assertThat(answer)
        .as("a reply handler of Requests is no close hook of the asking verticle: " + HOOK)
        .isEqualTo("late answer");
  }

  /**
   * Why Requests exists: a plain request's reply handler is a close hook of the asking verticle.
   * When this fails after a Vert.x upgrade, Requests may be unnecessary: see
   * docs/internal-hooks.md.
   */
  @Test
  void aPlainRequestsReplyHandlerIsStillACloseHookOfTheAskingVerticle() throws Exception {
    String answer =
        answerAfterUndeploy(
            (vertx, context) -> vertx.eventBus().request("held", "hello", new DeliveryOptions()));
    assertThat(answer)
        .as(
            "Vert.x no longer makes a request's reply handler a close hook of the asking verticle:"
                + " dev.jeton.bus.Requests may no longer be needed; see docs/internal-hooks.md")
        .isNotEqualTo("late answer");
  }

  /**
   * Asks from a verticle with {@code ask}, undeploys the verticle, then answers: what the asker got
   * (the answer, a failure's name, or "nothing" when nothing came within a second of the answer).
   */
  private static String answerAfterUndeploy(BiFunction<Vertx, Context, Future<Message<String>>> ask)
      throws Exception {
    CompletableFuture<String> got = new CompletableFuture<>();
    String id =
        vertx
            .deployVerticle(
                new VerticleBase() {
                  @Override
                  public Future<?> start() {
                    ask.apply(vertx, context)
                        .onComplete(
                            ar ->
                                got.complete(
                                    ar.succeeded() ? ar.result().body() : "failed: " + ar.cause()));
                    return Future.succeededFuture();
                  }
                })
            .await(10, TimeUnit.SECONDS);
    eventually("the request reached its handler", () -> !held.isEmpty());
    vertx.undeploy(id).await(10, TimeUnit.SECONDS);
    held.take().reply("late answer");
    vertx.setTimer(1_000, t -> got.complete("nothing"));
    return got.get(10, TimeUnit.SECONDS);
  }
}
