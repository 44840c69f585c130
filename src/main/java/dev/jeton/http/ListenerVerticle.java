package dev.jeton.http;

import dev.jeton.config.Config;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What both listeners share: an HTTP server (TLS when configured) serving a router, a graceful stop, and the list of
 * routes for the OpenAPI document's test.
 */
public abstract class ListenerVerticle extends VerticleBase {

  protected final Config config;
  protected Router router;
  private HttpServer server;

  protected ListenerVerticle(Config config) {
    this.config = config;
  }

  /** Starts serving {@link #router} (which the subclass has filled) on {@code host:port}. */
  protected Future<HttpServer> listen(String host, int port) {
    server = vertx.createHttpServer(Listeners.options(config, host, port));
    return server.requestHandler(router).listen();
  }

  /** Stops accepting, lets the requests in flight finish (up to the grace period), then closes. */
  @Override
  public Future<?> stop() {
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
