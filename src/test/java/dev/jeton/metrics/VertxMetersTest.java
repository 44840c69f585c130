package dev.jeton.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.spi.metrics.VertxMetrics;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Jeton's metrics factory passes on to vertx-micrometer whatever it does not serve itself: every
 * method of Vert.x's {@link VertxMetrics} SPI must be its own (a default method it inherits would
 * silently measure nothing). When this fails after a Vert.x upgrade, see docs/internal-hooks.md.
 */
class VertxMetersTest {

  @Test
  void everyMethodOfVertxsMetricsSpiIsPassedOn() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    VertxMetrics metrics =
        new VertxMeters(registry)
            .metrics(
                JetonMetrics.vertxOptions().setMetricsOptions(JetonMetrics.micrometerOptions()));
    List<String> missing = new ArrayList<>();
    for (Method m : VertxMetrics.class.getMethods()) {
      if (Modifier.isStatic(m.getModifiers())) {
        continue;
      }
      try {
        metrics.getClass().getDeclaredMethod(m.getName(), m.getParameterTypes());
      } catch (NoSuchMethodException e) {
        missing.add(
            m.getDeclaringClass().getSimpleName()
                + "."
                + m.getName()
                + Arrays.toString(m.getParameterTypes()));
      }
    }
    assertThat(missing)
        .as(
            "dev.jeton.metrics.VertxMeters.Delegating does not pass these methods of Vert.x's VertxMetrics SPI on to"
                + " vertx-micrometer; see docs/internal-hooks.md")
        .isEmpty();
    metrics.close();
  }
}
