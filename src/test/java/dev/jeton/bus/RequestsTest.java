package dev.jeton.bus;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.internal.ContextInternal;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RequestsTest {

  private static Vertx vertx;

  /** The context of a deployed verticle: where Jeton's requests are made from. */
  private static Context verticle;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    vertx.eventBus().<String>consumer("echo", m -> m.reply("re: " + m.body()));
    vertx.eventBus().<String>consumer("silent", m -> {});
    CompletableFuture<Context> deployed = new CompletableFuture<>();
    vertx
        .deployVerticle(
            new VerticleBase() {
              @Override
              public Future<?> start() {
                deployed.complete(context);
                return Future.succeededFuture();
              }
            })
        .await(10, TimeUnit.SECONDS);
    verticle = deployed.get(10, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /**
   * What a reply's callback saw: the answer or failure, its thread, and whether its context is a
   * deployment's.
   */
  record Seen(
      String answer,
      Throwable failure,
      String thread,
      boolean deployment,
      String requesterThread,
      boolean requesterDeployment) {}

  private static Seen requestFromVerticle(String address, DeliveryOptions options)
      throws Exception {
    CompletableFuture<Seen> seen = new CompletableFuture<>();
    verticle.runOnContext(
        v -> {
          String requester = Thread.currentThread().getName();
          boolean requesterDeployment = ((ContextInternal) Vertx.currentContext()).isDeployment();
          Requests.<String>request(vertx, address, "hello", options)
              .onComplete(
                  ar ->
                      seen.complete(
                          new Seen(
                              ar.succeeded() ? ar.result().body() : null,
                              ar.cause(),
                              Thread.currentThread().getName(),
                              ((ContextInternal) Vertx.currentContext()).isDeployment(),
                              requester,
                              requesterDeployment)));
        });
    return seen.get(10, TimeUnit.SECONDS);
  }

  @Test
  void aRequestFromAVerticleIsAnsweredOnItsLoopOnAContextOfNoDeployment() throws Exception {
    Seen seen = requestFromVerticle("echo", new DeliveryOptions());
    assertThat(seen.answer()).isEqualTo("re: hello");
    assertThat(seen.requesterDeployment()).as("asked from the verticle's context").isTrue();
    assertThat(seen.thread()).as("answered on the asking loop").isEqualTo(seen.requesterThread());
    assertThat(seen.deployment())
        .as("the reply handler was no close hook of the deployment")
        .isFalse();
  }

  @Test
  void manyRequestsFromTheSameLoopAllGetTheirOwnAnswer() throws Exception {
    CompletableFuture<Integer> answered = new CompletableFuture<>();
    int n = 2_000;
    verticle.runOnContext(
        v -> {
          int[] right = {0};
          int[] done = {0};
          for (int i = 0; i < n; i++) {
            String body = "m" + i;
            Requests.<String>request(vertx, "echo", body, new DeliveryOptions())
                .onComplete(
                    ar -> {
                      if (ar.succeeded() && ar.result().body().equals("re: " + body)) {
                        right[0]++;
                      }
                      if (++done[0] == n) {
                        answered.complete(right[0]);
                      }
                    });
          }
        });
    assertThat(answered.get(10, TimeUnit.SECONDS)).isEqualTo(n);
  }

  @Test
  void anUnansweredRequestStillTimesOut() throws Exception {
    Seen seen = requestFromVerticle("silent", new DeliveryOptions().setSendTimeout(100));
    assertThat(seen.failure()).isInstanceOf(ReplyException.class);
    assertThat(((ReplyException) seen.failure()).failureType()).isEqualTo(ReplyFailure.TIMEOUT);
    assertThat(seen.thread()).isEqualTo(seen.requesterThread());
  }

  @Test
  void aRequestToNoHandlerFailsAsBefore() throws Exception {
    Seen seen = requestFromVerticle("nobody", new DeliveryOptions());
    assertThat(((ReplyException) seen.failure()).failureType()).isEqualTo(ReplyFailure.NO_HANDLERS);
  }

  @Test
  void offAnEventLoopItIsAnOrdinaryRequest() throws Exception {
    String answer =
        Requests.<String>request(vertx, "echo", "from a plain thread", new DeliveryOptions())
            .await(10, TimeUnit.SECONDS)
            .body();
    assertThat(answer).isEqualTo("re: from a plain thread");
  }
}
