package dev.jeton;

import dev.jeton.config.Config;
import dev.jeton.config.ConfigException;
import dev.jeton.crypto.PasswordHasher;
import dev.jeton.metrics.JetonMetrics;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/** Starts one Jeton node from the environment (API.md §1). Exit code 2 on a configuration error. */
public final class Main {

  private static final Logger LOG = LoggerFactory.getLogger("jeton");

  private Main() {}

  public static void main(String[] args) {
    Config config;
    try {
      config = Config.fromEnvironment();
    } catch (ConfigException e) {
      LOG.atError().setMessage("config_invalid").addKeyValue("detail", e.getMessage()).log();
      System.err.println("jeton: " + e.getMessage());
      System.exit(2);
      return;
    }
    JetonMetrics metrics =
        config.metricsEnabled() ? JetonMetrics.prometheus() : JetonMetrics.disabled();
    Vertx vertx = metrics.newVertx();
    Jeton.start(vertx, config, Clock.systemUTC(), PasswordHasher.defaults(), metrics)
        .onSuccess(
            jeton -> {
              started(config, jeton);
              onTermination(() -> shutdown(config, vertx, jeton));
            })
        .onFailure(
            e -> {
              LOG.atError()
                  .setMessage("start_failed")
                  .addKeyValue("detail", e.getMessage())
                  .setCause(e)
                  .log();
              vertx.close().onComplete(x -> System.exit(1));
            });
  }

  /**
   * SIGTERM (and SIGINT) start a graceful shutdown instead of the JVM's immediate one, so that
   * requests in flight finish and the process exits 0. The handler API is the JDK's
   * unsupported-but-stable {@code sun.misc.Signal}.
   */
  private static void onTermination(Runnable shutdown) {
    AtomicBoolean once = new AtomicBoolean();
    for (String name : new String[] {"TERM", "INT"}) {
      try {
        Signal.handle(
            new Signal(name),
            signal -> {
              if (once.compareAndSet(false, true)) {
                new Thread(shutdown, "jeton-shutdown").start();
              }
            });
      } catch (IllegalArgumentException e) {
        // A shell starting Jeton in the background ignores SIGINT for it; SIGTERM is what matters.
        LOG.atDebug().setMessage("signal_not_handled").addKeyValue("signal", name).log();
      }
    }
  }

  /** Runs on its own thread (never an event loop), so it may wait. */
  private static void shutdown(Config config, Vertx vertx, Jeton jeton) {
    LOG.atInfo()
        .setMessage("stopping")
        .addKeyValue("grace_seconds", config.shutdownGraceSeconds())
        .log();
    int code = 0;
    try {
      jeton.stop().await(config.shutdownGraceSeconds() + 10L, TimeUnit.SECONDS);
      vertx.close().await(10, TimeUnit.SECONDS);
      LOG.atInfo().setMessage("stopped").log();
    } catch (Exception e) {
      LOG.atWarn()
          .setMessage("shutdown_incomplete")
          .addKeyValue("detail", String.valueOf(e.getMessage()))
          .log();
      code = 1;
    }
    System.exit(code);
  }

  private static void started(Config config, Jeton jeton) {
    if (config.embeddedStore()) {
      LOG.atWarn()
          .setMessage("embedded_store")
          .addKeyValue(
              "detail",
              "EMBEDDED IN-MEMORY STORE: one node only, every "
                  + "user, token and lock is LOST when this process stops. Set JETON_REDIS_URL for production.")
          .log();
    }
    if (config.masterKeyGenerated()) {
      LOG.atWarn()
          .setMessage("master_key_generated")
          .addKeyValue("detail", "no JETON_MASTER_KEY: a random one was made for this run")
          .log();
    }
    if (config.adminTokenGenerated()) {
      // The API promises to print the generated bootstrap token once. It goes to the terminal, not
      // to the log.
      System.out.println(
          "\nJeton admin token (shown once, valid until this process stops):\n  "
              + config.adminToken()
              + "\n");
    }
    String scheme = config.tlsCertFile() != null ? "https" : "http";
    if (config.httpHostForDemo()) {
      LOG.atWarn()
          .setMessage("public_listener_loopback_for_demo")
          .addKeyValue("address", config.httpHost())
          .addKeyValue(
              "detail",
              "the demo user is on (embedded store, JETON_PORTAL_DEMO) and its page shows a code "
                  + "that logs in, so the public listener binds "
                  + config.httpHost()
                  + " only: reachable from this "
                  + "machine alone. Set JETON_HTTP_HOST to choose the address, or JETON_PORTAL_DEMO=false.")
          .log();
    } else if (jeton.demo() != null && !isLoopback(config.httpHost())) {
      LOG.atWarn()
          .setMessage("demo_user_reachable")
          .addKeyValue("address", config.httpHost())
          .addKeyValue(
              "detail",
              "JETON_HTTP_HOST was set with the demo user on: anyone who reaches "
                  + config.httpHost()
                  + " can read the demo user's live code and log in as demo. "
                  + "JETON_PORTAL_DEMO=false turns it off.")
          .log();
    }
    if (jeton.demo() != null) {
      // How to try it out, for the person who just started it: the terminal, like the admin token
      // (no secret here).
      String host =
          config.httpHost().equals("0.0.0.0") || config.httpHost().equals("::")
              ? "localhost"
              : config.httpHost().contains(":") ? "[" + config.httpHost() + "]" : config.httpHost();
      String base = scheme + "://" + host + ":" + jeton.httpPort();
      System.out.println(
          String.join(
              System.lineSeparator(),
              "Try the login portal (embedded store, demo user; JETON_PORTAL_DEMO=false turns it off):",
              "  1. open "
                  + base
                  + "/portal/demo-key : the demo user's key, its code and countdown gauge",
              "  2. open "
                  + base
                  + "/portal : identifier "
                  + dev.jeton.portal.DemoKey.USERNAME
                  + ", then the code alone; choose a PIN (twice);",
              "     wait for the next code and type the PIN followed by it. Later logins: PIN + current code.",
              ""));
    }
    LOG.atInfo()
        .setMessage("started")
        .addKeyValue("public", scheme + "://" + config.httpHost() + ":" + jeton.httpPort())
        .addKeyValue("admin", scheme + "://" + config.adminHost() + ":" + jeton.adminPort())
        .addKeyValue("store", config.embeddedStore() ? "embedded" : "redis")
        .log();
  }

  private static boolean isLoopback(String host) {
    return host.equals("localhost")
        || host.startsWith("127.")
        || host.equals("::1")
        || host.equals("[::1]");
  }
}
