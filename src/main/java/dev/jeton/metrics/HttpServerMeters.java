package dev.jeton.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.metrics.HttpServerMetrics;
import io.vertx.core.spi.observability.HttpRequest;
import io.vertx.core.spi.observability.HttpResponse;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MetricsNaming;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Vert.x's HTTP server meters under the names, labels and descriptions vertx-micrometer gives them,
 * each found once and kept. vertx-micrometer 5.0.7 looks five of them up in the registry by name
 * and tags on every request (building the tags each time, and registering the active-requests gauge
 * again), a cost measured in the login rush (docs/2026-12-05-performance-history.md). Labels:
 * {@code method}, {@code route} and {@code code}, the ones Jeton enables ({@link #serves} tells
 * whether a configuration is one of those); no {@code local} or {@code remote}, so every server of
 * the Vert.x instance shares one set of meters, as it shares vertx-micrometer's. Pushed responses
 * (HTTP/2 server push, which Jeton does not use) are not measured. Thread-safe.
 *
 * <p>It uses only public APIs (Vert.x's metrics SPI, Micrometer), but promises vertx-micrometer's
 * names, labels, descriptions and values: an internal hook in that sense (docs/internal-hooks.md),
 * guarded by {@code HttpServerMetersTest}, which compares the scrapes of the same traffic through
 * both.
 */
final class HttpServerMeters
    implements HttpServerMetrics<
        HttpServerMeters.RequestMeter, LongAdder, HttpServerMeters.Connection> {

  /** The labels these meters carry: exactly these must be enabled among those of HTTP servers. */
  private static final Set<Label> LABELS =
      EnumSet.of(Label.HTTP_METHOD, Label.HTTP_ROUTE, Label.HTTP_CODE);

  private static final Set<Label> SERVER_LABELS =
      EnumSet.of(
          Label.LOCAL,
          Label.REMOTE,
          Label.HTTP_PATH,
          Label.HTTP_METHOD,
          Label.HTTP_ROUTE,
          Label.HTTP_CODE,
          Label.CLASS_NAME);

  private static final String METHOD = Label.HTTP_METHOD.toString();
  private static final String ROUTE = Label.HTTP_ROUTE.toString();
  private static final String CODE = Label.HTTP_CODE.toString();

  private final MeterRegistry registry;
  private final MetricsNaming names;
  private final LongAdder connections = new LongAdder();
  private final LongAdder webSockets = new LongAdder();
  private volatile Counter bytesRead;
  private volatile Counter bytesWritten;
  private final ConcurrentMap<String, MethodMeters> methods = new ConcurrentHashMap<>();
  private volatile boolean webSocketGauge;

  /**
   * Whether these meters serve {@code enabled} labels: those of HTTP servers are method, route and
   * code.
   */
  static boolean serves(Set<Label> enabled) {
    EnumSet<Label> server = EnumSet.noneOf(Label.class);
    enabled.stream().filter(SERVER_LABELS::contains).forEach(server::add);
    return server.equals(LABELS);
  }

  /**
   * @param names the HTTP server's meter names, with their base name ({@code vertx.http.server.})
   */
  HttpServerMeters(MeterRegistry registry, MetricsNaming names) {
    this.registry = registry;
    this.names = names;
  }

  /** The meters of connections, registered at the first one, as vertx-micrometer does. */
  private void connectionMeters() {
    if (bytesWritten == null) {
      synchronized (this) {
        if (bytesWritten == null) {
          gauge(
              names.getNetActiveConnections(),
              "Number of opened connections to the server",
              connections);
          bytesRead =
              Counter.builder(names.getNetBytesRead())
                  .description("Number of bytes received by the server")
                  .register(registry);
          bytesWritten =
              Counter.builder(names.getNetBytesWritten())
                  .description("Number of bytes sent by the server")
                  .register(registry);
        }
      }
    }
  }

  /**
   * One connection; nothing of its own to measure (no local or remote label), only the shared
   * counts.
   */
  static final class Connection {}

  private static final Connection CONNECTION = new Connection();

  /** The meters of requests of one method, and of their answers by route and status. */
  private final class MethodMeters {
    final String method;
    final LongAdder active = new LongAdder();
    final DistributionSummary requestBytes;
    private volatile Counter resets;
    private final ConcurrentMap<String, AtomicReferenceArray<ResponseMeters>> routes =
        new ConcurrentHashMap<>();

    MethodMeters(String method) {
      this.method = method;
      Gauge.builder(names.getHttpActiveRequests(), active, LongAdder::doubleValue)
          .description("Number of requests being processed")
          .tag(METHOD, method)
          .strongReference(true)
          .register(registry);
      requestBytes =
          DistributionSummary.builder(names.getHttpRequestBytes())
              .description("Size of requests in bytes")
              .tag(METHOD, method)
              .register(registry);
    }

    Counter resets() {
      Counter c = resets;
      return c != null
          ? c
          : (resets =
              Counter.builder(names.getHttpRequestResetsCount())
                  .description("Number of request resets")
                  .tag(METHOD, method)
                  .register(registry));
    }

    /** The answer meters of {@code route} and {@code status}, registered at their first answer. */
    ResponseMeters response(String route, int status) {
      AtomicReferenceArray<ResponseMeters> byStatus = routes.get(route);
      if (byStatus == null) {
        byStatus = routes.computeIfAbsent(route, r -> new AtomicReferenceArray<>(STATUSES));
      }
      if (status < 0 || status >= STATUSES) {
        return new ResponseMeters(
            method, route, status); // not an HTTP status: looked up in the registry each time
      }
      ResponseMeters m = byStatus.get(status);
      if (m == null) {
        m = new ResponseMeters(method, route, status);
        if (!byStatus.compareAndSet(status, null, m)) {
          m = byStatus.get(status);
        }
      }
      return m;
    }
  }

  /** Statuses kept in a table: 0 to 999 (HTTP's are three digits). */
  private static final int STATUSES = 1000;

  private final class ResponseMeters {
    final Counter requests;
    final Timer time;
    final DistributionSummary bytes;

    ResponseMeters(String method, String route, int status) {
      String code = String.valueOf(status);
      requests =
          Counter.builder(names.getHttpRequestsCount())
              .description("Number of processed requests")
              .tag(METHOD, method)
              .tag(ROUTE, route)
              .tag(CODE, code)
              .register(registry);
      time =
          Timer.builder(names.getHttpResponseTime())
              .description("Request processing time")
              .tag(METHOD, method)
              .tag(ROUTE, route)
              .tag(CODE, code)
              .register(registry);
      bytes =
          DistributionSummary.builder(names.getHttpResponseBytes())
              .description("Size of responses in bytes")
              .tag(METHOD, method)
              .tag(ROUTE, route)
              .tag(CODE, code)
              .register(registry);
    }
  }

  /** One request: its method's meters, when it began, the routes it took, how far it got. */
  static final class RequestMeter {
    private final MethodMeters method;
    private final long began = System.nanoTime();
    private String route;
    private boolean requestEnded;
    private boolean responseEnded;
    private boolean reset;

    private RequestMeter(MethodMeters method) {
      this.method = method;
    }

    /**
     * Routes in the order they handled the request, joined by '>', as vertx-micrometer names them.
     */
    private void routed(String r) {
      if (r != null) {
        route = route == null ? r : route + ">" + r;
      }
    }
  }

  private MethodMeters method(String name) {
    MethodMeters m = methods.get(name);
    return m != null ? m : methods.computeIfAbsent(name, MethodMeters::new);
  }

  @Override
  public Connection connected(SocketAddress remoteAddress, String remoteName) {
    connectionMeters();
    connections.increment();
    return CONNECTION;
  }

  @Override
  public void disconnected(Connection connection, SocketAddress remoteAddress) {
    connections.decrement();
  }

  @Override
  public void bytesRead(Connection connection, SocketAddress remoteAddress, long numberOfBytes) {
    bytesRead.increment(numberOfBytes);
  }

  @Override
  public void bytesWritten(Connection connection, SocketAddress remoteAddress, long numberOfBytes) {
    bytesWritten.increment(numberOfBytes);
  }

  @Override
  public void exceptionOccurred(Connection connection, SocketAddress remoteAddress, Throwable t) {
    Counter.builder(names.getNetErrorCount())
        .description("Number of errors")
        .register(registry)
        .increment();
  }

  @Override
  public RequestMeter requestBegin(Connection connection, HttpRequest request) {
    RequestMeter m = new RequestMeter(method(request.method().name()));
    m.method.active.increment();
    return m;
  }

  @Override
  public void requestRouted(RequestMeter m, String route) {
    m.routed(route);
  }

  @Override
  public void requestReset(RequestMeter m) {
    m.method.resets().increment();
    m.method.active.decrement();
    m.reset = true;
  }

  @Override
  public void requestEnd(RequestMeter m, HttpRequest request, long bytesRead) {
    m.method.requestBytes.record(bytesRead);
    m.requestEnded = true;
    if (!m.reset && m.responseEnded) {
      m.method.active.decrement();
    }
  }

  @Override
  public void responseEnd(RequestMeter m, HttpResponse response, long bytesWritten) {
    if (m == null) {
      return;
    }
    ResponseMeters r = m.method.response(m.route == null ? "" : m.route, response.statusCode());
    r.requests.increment();
    r.time.record(System.nanoTime() - m.began, TimeUnit.NANOSECONDS);
    r.bytes.record(bytesWritten);
    m.responseEnded = true;
    if (!m.reset && m.requestEnded) {
      m.method.active.decrement();
    }
  }

  @Override
  public LongAdder connected(Connection connection, RequestMeter m, ServerWebSocket webSocket) {
    if (!webSocketGauge) {
      synchronized (this) {
        if (!webSocketGauge) {
          gauge(
              names.getHttpActiveWsConnections(),
              "Number of websockets currently opened",
              webSockets);
          webSocketGauge = true;
        }
      }
    }
    webSockets.increment();
    return webSockets;
  }

  @Override
  public void disconnected(LongAdder webSocketsOpen) {
    webSocketsOpen.decrement();
  }

  private void gauge(String name, String description, LongAdder value) {
    Gauge.builder(name, value, LongAdder::doubleValue)
        .description(description)
        .strongReference(true)
        .register(registry);
  }
}
