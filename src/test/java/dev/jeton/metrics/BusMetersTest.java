package dev.jeton.metrics;

import static dev.jeton.metrics.Scrapes.await;
import static dev.jeton.testsupport.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Jeton's event-bus meters against vertx-micrometer's own, on the same traffic: the scrapes must be
 * the same, line for line (names, labels, descriptions, values). BusMeters promises to serve
 * vertx-micrometer's meters: when this fails after an upgrade of Vert.x or vertx-micrometer, see
 * docs/internal-hooks.md.
 */
class BusMetersTest {

  @Test
  void theSameTrafficGivesTheSameScrapeAsVertxMicrometer() throws Exception {
    String theirs =
        eventBusScrape("vertx-micrometer's own event-bus meters", MicrometerMetricsFactory::new);
    String ours = eventBusScrape("dev.jeton.metrics.BusMeters", VertxMeters::new);

    assertThat(ours)
        .as(
            "dev.jeton.metrics.BusMeters must give the scrape of vertx-micrometer's event-bus meters"
                + " (names, labels, descriptions, values); see docs/internal-hooks.md")
        .isEqualTo(theirs);
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
        .contains(
            "vertx_eventbus_reply_failures_total{address=\"test.nobody\",failure=\"NO_HANDLERS\"} 1.0")
        .contains(
            "vertx_eventbus_reply_failures_total{address=\"test.silent\",failure=\"TIMEOUT\"} 1.0")
        .doesNotContain("__vertx");
  }

  /**
   * The vertx_eventbus lines of a scrape after a fixed set of messages, once they have all been
   * handled.
   *
   * @param who whose meters {@code factory} makes, for the message when they never show the
   *     messages handled
   */
  private static String eventBusScrape(
      String who, Function<PrometheusMeterRegistry, VertxMetricsFactory> factory) throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Vertx vertx = Scrapes.vertx(factory, registry);
    try {
      EventBus bus = vertx.eventBus();
      List<MessageConsumer<String>> consumers =
          List.of(
              bus.<String>consumer("test.echo", m -> m.reply(m.body())),
              bus.<String>consumer("test.fan", m -> {}),
              bus.<String>consumer("test.fan", m -> {}),
              bus.<String>consumer("test.failing", m -> m.fail(7, "refused")),
              bus.<String>consumer("test.silent", m -> {}),
              bus.<String>localConsumer("test.gone", m -> {}));
      await(
          Future.all(
              consumers.stream().map(MessageConsumer::completion).collect(Collectors.toList())));

      for (int i = 0; i < 3; i++) {
        bus.send("test.echo", "one way");
      }
      for (int i = 0; i < 2; i++) {
        await(bus.request("test.echo", "there and back"));
      }
      bus.publish("test.fan", "to all");
      bus.publish("test.fan", "to all again");
      assertThat(failure(bus.request("test.nobody", "lost"))).isEqualTo(ReplyFailure.NO_HANDLERS);
      assertThat(failure(bus.request("test.failing", "refused")))
          .isEqualTo(ReplyFailure.RECIPIENT_FAILURE);
      assertThat(
              failure(
                  bus.request(
                      "test.silent", "unanswered", new DeliveryOptions().setSendTimeout(50))))
          .isEqualTo(ReplyFailure.TIMEOUT);
      await(consumers.get(5).unregister());

      eventually(
          who
              + " show every message handled (vertx_eventbus_processed_total of test.echo 5.0 and of"
              + " test.fan 4.0)",
          () -> {
            String lines = eventBusLines(registry);
            return lines.contains("vertx_eventbus_processed_total{address=\"test.echo\"} 5.0")
                && lines.contains("vertx_eventbus_processed_total{address=\"test.fan\"} 4.0");
          });
      return eventBusLines(registry);
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
