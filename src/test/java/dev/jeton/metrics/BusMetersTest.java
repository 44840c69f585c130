package dev.jeton.metrics;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.spi.VertxMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsFactory;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import static dev.jeton.metrics.Scrapes.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Jeton's event-bus meters against vertx-micrometer's own, on the same traffic: the scrapes must be the same, line for
 * line (names, labels, descriptions, values).
 */
class BusMetersTest {

  @Test
  void theSameTrafficGivesTheSameScrapeAsVertxMicrometer() throws Exception {
    String theirs = eventBusScrape(MicrometerMetricsFactory::new);
    String ours = eventBusScrape(VertxMeters::new);

    assertThat(ours).isEqualTo(theirs);
    assertThat(ours)
        .contains("vertx_eventbus_processed_total{address=\"test.echo\"} 5.0")
        .contains("vertx_eventbus_processed_total{address=\"test.fan\"} 4.0")
        .contains("vertx_eventbus_sent_total{address=\"test.echo\"} 5.0")
        .contains("vertx_eventbus_published_total{address=\"test.fan\"} 2.0")
        .contains("vertx_eventbus_received_total{address=\"test.fan\"} 2.0")
        .contains("vertx_eventbus_delivered_total{address=\"test.fan\"} 2.0")
        .contains("vertx_eventbus_handlers{address=\"test.fan\"} 2.0")
        .contains("vertx_eventbus_handlers{address=\"test.gone\"} 0.0")
        .contains("vertx_eventbus_pending{address=\"test.echo\"} 0.0")
        .contains("vertx_eventbus_reply_failures_total{address=\"test.nobody\",failure=\"NO_HANDLERS\"} 1.0")
        .contains("vertx_eventbus_reply_failures_total{address=\"test.silent\",failure=\"TIMEOUT\"} 1.0")
        .doesNotContain("__vertx");
  }

  /** The vertx_eventbus lines of a scrape after a fixed set of messages, once they have all been handled. */
  private static String eventBusScrape(Function<PrometheusMeterRegistry, VertxMetricsFactory> factory)
      throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Vertx vertx = Scrapes.vertx(factory, registry);
    try {
      EventBus bus = vertx.eventBus();
      List<MessageConsumer<String>> consumers = List.of(
          bus.<String>consumer("test.echo", m -> m.reply(m.body())),
          bus.<String>consumer("test.fan", m -> { }),
          bus.<String>consumer("test.fan", m -> { }),
          bus.<String>consumer("test.failing", m -> m.fail(7, "refused")),
          bus.<String>consumer("test.silent", m -> { }),
          bus.<String>localConsumer("test.gone", m -> { }));
      await(Future.all(consumers.stream().map(MessageConsumer::completion).collect(Collectors.toList())));

      for (int i = 0; i < 3; i++) {
        bus.send("test.echo", "one way");
      }
      for (int i = 0; i < 2; i++) {
        await(bus.request("test.echo", "there and back"));
      }
      bus.publish("test.fan", "to all");
      bus.publish("test.fan", "to all again");
      assertThat(failure(bus.request("test.nobody", "lost"))).isEqualTo(ReplyFailure.NO_HANDLERS);
      assertThat(failure(bus.request("test.failing", "refused"))).isEqualTo(ReplyFailure.RECIPIENT_FAILURE);
      assertThat(failure(bus.request("test.silent", "unanswered", new DeliveryOptions().setSendTimeout(50))))
          .isEqualTo(ReplyFailure.TIMEOUT);
      await(consumers.get(5).unregister());

      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      String lines = eventBusLines(registry);
      while (!(lines.contains("vertx_eventbus_processed_total{address=\"test.echo\"} 5.0")
          && lines.contains("vertx_eventbus_processed_total{address=\"test.fan\"} 4.0"))
          && System.nanoTime() < until) {
        Thread.sleep(10);
        lines = eventBusLines(registry);
      }
      return lines;
    } finally {
      await(vertx.close());
    }
  }

  private static String eventBusLines(PrometheusMeterRegistry registry) {
    return Scrapes.lines(registry, l -> l.contains("vertx_eventbus"));
  }

  private static ReplyFailure failure(Future<?> f) throws Exception {
    try {
      await(f);
    } catch (java.util.concurrent.ExecutionException e) {
      return ((ReplyException) e.getCause()).failureType();
    }
    throw new AssertionError("the request should have failed");
  }
}
