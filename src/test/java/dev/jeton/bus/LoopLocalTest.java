package dev.jeton.bus;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class LoopLocalTest {

  private static Vertx vertx;
  private static Context loop;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    loop = vertx.getOrCreateContext();
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private static <T> T onLoop(Supplier<T> action) throws Exception {
    CompletableFuture<T> out = new CompletableFuture<>();
    loop.runOnContext(v -> out.complete(action.get()));
    return out.get(10, TimeUnit.SECONDS);
  }

  @Test
  void aSenderUsesItsLoopsConsumerWhileThereIsOneAndTheSharedAddressOtherwise() throws Exception {
    String address = "test.loop-local";
    assertThat(onLoop(() -> LoopLocal.route(vertx, address)))
        .as("no consumer on this loop yet")
        .isEqualTo(address);

    String local = onLoop(() -> LoopLocal.register(vertx, address));
    assertThat(local)
        .isEqualTo(onLoop(() -> LoopLocal.address(address)))
        .endsWith("@" + onLoop(() -> Thread.currentThread().getName()));
    assertThat(onLoop(() -> LoopLocal.route(vertx, address))).isEqualTo(local);
    assertThat(onLoop(() -> LoopLocal.route(vertx, address)))
        .as("remembered, still right")
        .isEqualTo(local);
    assertThat(LoopLocal.route(vertx, address)).as("off the loop").isEqualTo(address);

    onLoop(
        () -> {
          LoopLocal.unregister(vertx, local);
          return null;
        });
    assertThat(onLoop(() -> LoopLocal.route(vertx, address)))
        .as("the consumer went away")
        .isEqualTo(address);
  }

  @Test
  void anotherVertxOnTheSameThreadNameIsWorkedOutOnItsOwn() throws Exception {
    String address = "test.loop-local.other";
    String local = onLoop(() -> LoopLocal.register(vertx, address));
    Vertx other = Vertx.vertx();
    try {
      assertThat(onLoop(() -> LoopLocal.route(vertx, address))).isEqualTo(local);
      assertThat(onLoop(() -> LoopLocal.route(other, address)))
          .as("registered in the first instance only")
          .isEqualTo(address);
    } finally {
      other.close().await(10, TimeUnit.SECONDS);
      onLoop(
          () -> {
            LoopLocal.unregister(vertx, local);
            return null;
          });
    }
  }
}
