package dev.jeton.web;

import dev.jeton.config.Config;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Options shared by both listeners: HTTP/1.1 (no cleartext HTTP/2 upgrade: portals post small JSON
 * bodies, and some HTTP/2 clients fail their streams in flight on the GOAWAY of a graceful
 * shutdown), TLS from PEM files when configured, TLS 1.2 and 1.3 only, and the idle timeout ({@code
 * JETON_HTTP_IDLE_TIMEOUT_SECONDS}: nothing read nor written for that long closes the connection).
 * The read timeout and the connection cap are {@link ConnectionGuard}'s; a TLS handshake is bounded
 * by Vert.x's own handshake timeout (10 s).
 */
public final class Listeners {

  private static final Set<String> PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");

  private Listeners() {}

  public static HttpServerOptions options(Config config, String host, int port) {
    HttpServerOptions options =
        new HttpServerOptions()
            .setHost(host)
            .setPort(port)
            .setHttp2ClearTextEnabled(false)
            .setIdleTimeout(config.limits().idleTimeoutSeconds())
            .setIdleTimeoutUnit(TimeUnit.SECONDS);
    if (config.tlsCertFile() != null) {
      options
          .setSsl(true)
          .setKeyCertOptions(
              new PemKeyCertOptions()
                  .setCertPath(config.tlsCertFile())
                  .setKeyPath(config.tlsKeyFile()))
          .setEnabledSecureTransportProtocols(PROTOCOLS);
    }
    return options;
  }
}
