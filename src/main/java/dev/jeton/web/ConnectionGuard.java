package dev.jeton.web;

import dev.jeton.config.ListenerLimits;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.shareddata.Shareable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes the connections of one listener instance that take too long to ask, and refuses those over
 * the listener's cap (see {@link ListenerLimits}). The idle timeout itself is Netty's ({@link
 * Listeners#options}); this class adds what an idle timeout cannot see: a client that keeps
 * sending, a byte now and then, without ever finishing its request.
 *
 * <p>The rule, checked by one periodic timer per listener instance: a connection must deliver a
 * complete request (its head and its whole body) within the read timeout of opening. Between
 * requests on a kept-alive connection, the next complete request must come within the idle timeout
 * of the previous answer (the public API tells when a request's head has been parsed, not when its
 * first byte came, so a kept-alive connection gets the same time as an idle one; it never holds its
 * socket longer than an idle client may). A request whose route has taken over its body ({@link
 * #streaming}: an authenticated admin upload, read with backpressure) is bounded by the idle
 * timeout only. While the server works on a complete request, no read deadline runs.
 *
 * <p>Thread-safety: confined to the listener verticle's event loop (connections, requests and the
 * timer of a verticle instance all run there), except the connection count, which all instances of
 * a listener share.
 */
final class ConnectionGuard {

  private static final Logger LOG = LoggerFactory.getLogger(ConnectionGuard.class);
  private static final String COUNTS = "jeton.listener.connections";
  private static final long REFUSAL_LOG_NANOS = TimeUnit.MINUTES.toNanos(1);

  /**
   * The open connections of one listener, shared by its verticle instances through Vert.x's local
   * shared data.
   */
  static final class Count implements Shareable {
    final AtomicInteger open = new AtomicInteger();
  }

  /**
   * What a connection is doing: its request in progress (null between requests) and since when it
   * may read.
   */
  private static final class Watch {
    long since;
    boolean first = true;
    HttpServerRequest request;
    boolean streaming;

    Watch(long since) {
      this.since = since;
    }
  }

  private final Vertx vertx;
  private final long readNanos;
  private final long idleNanos;
  private final int max;
  private final Count count;
  private final Map<HttpConnection, Watch> watches = new HashMap<>();
  private long timer = -1;
  private long refusedLoggedAt;

  /**
   * @param listener names the listener whose instances share one connection count (e.g. the
   *     verticle's class)
   */
  ConnectionGuard(Vertx vertx, ListenerLimits limits, String listener) {
    this.vertx = vertx;
    this.readNanos = TimeUnit.SECONDS.toNanos(limits.readTimeoutSeconds());
    this.idleNanos = TimeUnit.SECONDS.toNanos(limits.idleTimeoutSeconds());
    this.max = limits.maxConnections();
    this.count =
        vertx
            .sharedData()
            .<String, Count>getLocalMap(COUNTS)
            .computeIfAbsent(listener, k -> new Count());
  }

  /** Starts the periodic check: five times within the shorter timeout, at most once a second. */
  void start() {
    long period =
        Math.max(
            100, Math.min(1000, TimeUnit.NANOSECONDS.toMillis(Math.min(readNanos, idleNanos)) / 5));
    timer = vertx.setPeriodic(period, id -> check());
  }

  void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  /** A new connection: counted, or closed at once when the listener already holds its maximum. */
  void connected(HttpConnection conn) {
    if (count.open.incrementAndGet() > max) {
      count.open.decrementAndGet();
      long now = System.nanoTime();
      if (refusedLoggedAt == 0 || now - refusedLoggedAt > REFUSAL_LOG_NANOS) {
        // Once a minute at most: a flood of refused connections must not become a flood of log
        // lines.
        refusedLoggedAt = now;
        LOG.atWarn()
            .setMessage("connection_refused")
            .addKeyValue("reason", "max_connections")
            .addKeyValue("max", max)
            .log();
      }
      conn.close();
      return;
    }
    watches.put(conn, new Watch(System.nanoTime()));
    conn.closeHandler(
        v -> {
          if (watches.remove(conn) != null) {
            count.open.decrementAndGet();
          }
        });
  }

  /** A request's head has been parsed on its connection. */
  void request(HttpServerRequest request) {
    Watch w = watches.get(request.connection());
    if (w != null) {
      w.request = request;
      w.streaming = false;
    }
  }

  /**
   * The route reads this request's body itself, with backpressure: from now on only the idle
   * timeout bounds it.
   */
  void streaming(HttpServerRequest request) {
    Watch w = watches.get(request.connection());
    if (w != null && w.request != null) {
      // HTTP/1.1 without pipelining in flight: the connection's request in progress is this one.
      w.streaming = true;
    }
  }

  private void check() {
    long now = System.nanoTime();
    List<HttpConnection> late = new ArrayList<>();
    watches.forEach(
        (conn, w) -> {
          if (w.request != null && w.request.response().ended()) {
            // Answered: the next request's clock starts now (within one period of the answer).
            w.request = null;
            w.first = false;
            w.since = now;
          }
          boolean reading = w.request == null || (!w.request.isEnded() && !w.streaming);
          if (reading && now - w.since > (w.first ? readNanos : idleNanos)) {
            late.add(conn);
          }
        });
    for (HttpConnection conn : late) {
      LOG.atDebug().setMessage("connection_closed").addKeyValue("reason", "read_timeout").log();
      conn.close();
    }
  }
}
