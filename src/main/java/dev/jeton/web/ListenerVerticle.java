package dev.jeton.web;

import dev.jeton.config.Config;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What both listeners share: an HTTP server (TLS when configured) serving a router, the connection
 * limits of {@link ConnectionGuard}, a graceful stop, and the list of routes for the OpenAPI
 * document's test.
 */
public abstract class ListenerVerticle extends VerticleBase {

  private static final long LINGER_BYTES = 1024 * 1024;
  private static final long LINGER_MILLIS = 2_000;

  protected final Config config;
  protected Router router;
  private HttpServer server;
  private ConnectionGuard guard;

  protected ListenerVerticle(Config config) {
    this.config = config;
  }

  /** Starts serving {@link #router} (which the subclass has filled) on {@code host:port}. */
  protected Future<HttpServer> listen(String host, int port) {
    guard = new ConnectionGuard(vertx, config.limits(), getClass().getName());
    server = vertx.createHttpServer(Listeners.options(config, host, port));
    return server
        .connectionHandler(guard::connected)
        .requestHandler(
            request -> {
              guard.request(request);
              router.handle(request);
            })
        .listen()
        .onSuccess(s -> guard.start());
  }

  /**
   * Says that the route reads this request's body itself, with backpressure (after authenticating
   * the caller): the read timeout no longer applies to it, the idle timeout still does.
   */
  protected void streamsItsBody(RoutingContext ctx) {
    guard.streaming(ctx.request());
  }

  /**
   * Answers a request whose body has not been read, without reading it: when a body is announced,
   * the answer says {@code Connection: close} and the connection is closed once the answer is
   * written (after a short {@linkplain #linger linger}), so that the client's bytes are never
   * buffered, and at most a little of them read. Without a body, a plain answer that keeps the
   * connection.
   */
  public static void refuseUnread(RoutingContext ctx, int status, String error, String detail) {
    HttpServerRequest request = ctx.request();
    if (!announcesABody(request) || request.isEnded() || ctx.response().ended()) {
      Replies.error(ctx, status, error, detail);
      return;
    }
    JsonObject body = new JsonObject().put("error", error);
    if (detail != null) {
      body.put("detail", detail);
    }
    ctx.response()
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .putHeader(HttpHeaders.CONNECTION, "close")
        .end(body.encode())
        .onComplete(written -> linger(ctx, request));
  }

  /**
   * Closes the connection of a refused request, after a short linger: up to {@value #LINGER_BYTES}
   * bytes or {@value #LINGER_MILLIS} ms of the body are read and dropped, so that a client still
   * sending has time to read the answer and stop. Closing at once, with the client's bytes unread,
   * would make the kernel answer with a reset, which many clients report instead of the answer.
   */
  private static void linger(RoutingContext ctx, HttpServerRequest request) {
    long[] dropped = {0};
    long timer = ctx.vertx().setTimer(LINGER_MILLIS, id -> request.connection().close());
    Runnable close =
        () -> {
          ctx.vertx().cancelTimer(timer);
          request.connection().close();
        };
    request.handler(
        chunk -> {
          dropped[0] += chunk.length();
          if (dropped[0] > LINGER_BYTES) {
            request.pause();
            close.run();
          }
        });
    request.endHandler(v -> close.run());
    request.resume();
  }

  /**
   * True when the request says a body follows (a length above 0, or chunks), as Vert.x Web's body
   * handler reads it.
   */
  public static boolean announcesABody(HttpServerRequest request) {
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    return request.headers().contains(HttpHeaders.TRANSFER_ENCODING)
        || (length != null && !length.trim().equals("0"));
  }

  /** Stops accepting, lets the requests in flight finish (up to the grace period), then closes. */
  @Override
  public Future<?> stop() {
    guard.stop();
    return server.shutdown(config.shutdownGraceSeconds(), TimeUnit.SECONDS);
  }

  /** The port bound (useful when configured as 0). */
  public int actualPort() {
    return server.actualPort();
  }

  /** What this listener serves, as "METHOD /path/{param}" (for the OpenAPI document's test). */
  public List<String> routes() {
    return Routes.describe(router);
  }
}
