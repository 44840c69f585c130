package dev.jeton.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.metrics.MetricsOptions;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.VertxMetricsFactory;
import io.vertx.core.spi.metrics.ClientMetrics;
import io.vertx.core.spi.metrics.DatagramSocketMetrics;
import io.vertx.core.spi.metrics.EventBusMetrics;
import io.vertx.core.spi.metrics.HttpClientMetrics;
import io.vertx.core.spi.metrics.HttpServerMetrics;
import io.vertx.core.spi.metrics.PoolMetrics;
import io.vertx.core.spi.metrics.TCPMetrics;
import io.vertx.core.spi.metrics.VertxMetrics;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;

/**
 * vertx-micrometer's metrics factory, with Jeton's {@link BusMeters} in place of its event-bus
 * metrics and {@link HttpServerMeters} in place of its HTTP server metrics (when the labels enabled
 * are the ones these serve); everything else (pools, clients, JVM) is vertx-micrometer's own,
 * passed on by {@link Delegating}, which must pass on every method of Vert.x's {@link VertxMetrics}
 * (a method it missed would silently measure nothing). {@code VertxMetersTest} checks that it does;
 * the upgrade steps are in docs/internal-hooks.md.
 */
final class VertxMeters implements VertxMetricsFactory {

  /** Vert.x's name of the category, in its meters' names (vertx.eventbus.*) as in its options. */
  private static final String EVENT_BUS = MetricsDomain.EVENT_BUS.toCategory();

  private static final String HTTP_SERVER = MetricsDomain.HTTP_SERVER.toCategory();

  private final MicrometerMetricsFactory micrometer;
  private final MeterRegistry registry;

  VertxMeters(MeterRegistry registry) {
    this.micrometer = new MicrometerMetricsFactory(registry);
    this.registry = registry;
  }

  @Override
  public VertxMetrics metrics(VertxOptions options) {
    VertxMetrics inner = micrometer.metrics(options);
    MicrometerMetricsOptions micrometerOptions =
        (MicrometerMetricsOptions) options.getMetricsOptions();
    BusMeters bus =
        micrometerOptions.isEnabled() && !disabled(micrometerOptions, EVENT_BUS)
            ? new BusMeters(
                registry,
                micrometerOptions.getMetricsNaming().withBaseName("vertx." + EVENT_BUS + "."))
            : null;
    HttpServerMeters http =
        micrometerOptions.isEnabled()
                && !disabled(micrometerOptions, HTTP_SERVER)
                && micrometerOptions.getServerRequestTagsProvider() == null
                && HttpServerMeters.serves(micrometerOptions.getLabels())
            ? new HttpServerMeters(
                registry,
                micrometerOptions.getMetricsNaming().withBaseName("vertx." + HTTP_SERVER + "."))
            : null;
    return new Delegating(inner, bus, http);
  }

  private static boolean disabled(MicrometerMetricsOptions options, String category) {
    return options.getDisabledMetricsCategories() != null
        && options.getDisabledMetricsCategories().contains(category);
  }

  @Override
  public MetricsOptions newOptions() {
    return micrometer.newOptions();
  }

  @Override
  public MetricsOptions newOptions(MetricsOptions options) {
    return micrometer.newOptions(options);
  }

  @Override
  public MetricsOptions newOptions(JsonObject json) {
    return micrometer.newOptions(json);
  }

  private static final class Delegating implements VertxMetrics {
    private final VertxMetrics inner;
    private final BusMeters bus;
    private final HttpServerMeters http;

    Delegating(VertxMetrics inner, BusMeters bus, HttpServerMeters http) {
      this.inner = inner;
      this.bus = bus;
      this.http = http;
    }

    @Override
    public EventBusMetrics<?> createEventBusMetrics() {
      return bus;
    }

    @Override
    public HttpServerMetrics<?, ?, ?> createHttpServerMetrics(
        HttpServerOptions options, SocketAddress localAddress) {
      return http != null ? http : inner.createHttpServerMetrics(options, localAddress);
    }

    @Override
    public ClientMetrics<?, ?, ?> createClientMetrics(
        SocketAddress remoteAddress, String type, String namespace) {
      return inner.createClientMetrics(remoteAddress, type, namespace);
    }

    @Override
    public HttpClientMetrics<?, ?, ?> createHttpClientMetrics(HttpClientOptions options) {
      return inner.createHttpClientMetrics(options);
    }

    @Override
    public TCPMetrics<?> createNetServerMetrics(
        NetServerOptions options, SocketAddress localAddress) {
      return inner.createNetServerMetrics(options, localAddress);
    }

    @Override
    public TCPMetrics<?> createNetClientMetrics(NetClientOptions options) {
      return inner.createNetClientMetrics(options);
    }

    @Override
    public DatagramSocketMetrics createDatagramSocketMetrics(DatagramSocketOptions options) {
      return inner.createDatagramSocketMetrics(options);
    }

    @Override
    public PoolMetrics<?, ?> createPoolMetrics(String type, String name, int maxSize) {
      return inner.createPoolMetrics(type, name, maxSize);
    }

    @Override
    public void vertxCreated(Vertx vertx) {
      inner.vertxCreated(vertx);
    }

    @Override
    public boolean isMetricsEnabled() {
      return inner.isMetricsEnabled();
    }

    @Override
    public void close() {
      inner.close();
    }
  }
}
