package dev.jeton.metrics;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.spi.VertxMetricsFactory;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * What the tests comparing Jeton's meters with vertx-micrometer's share: a Vert.x measured one way,
 * its scrape.
 */
final class Scrapes {

  private Scrapes() {}

  /** A Vert.x with Jeton's options, measured by {@code factory} into {@code registry}. */
  static Vertx vertx(
      Function<PrometheusMeterRegistry, VertxMetricsFactory> factory,
      PrometheusMeterRegistry registry) {
    return Vertx.builder()
        .with(JetonMetrics.vertxOptions().setMetricsOptions(JetonMetrics.micrometerOptions()))
        .withMetrics(factory.apply(registry))
        .build();
  }

  /** The lines of a scrape that {@code keep} keeps, sorted. */
  static String lines(PrometheusMeterRegistry registry, Predicate<String> keep) {
    return Arrays.stream(registry.scrape().split("\n"))
        .filter(keep)
        .sorted()
        .collect(Collectors.joining("\n"));
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
