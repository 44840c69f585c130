package dev.jeton;

import dev.jeton.config.Config;
import dev.jeton.config.ConfigException;
import dev.jeton.crypto.PasswordHasher;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;

/** Starts one Jeton node from the environment (API.md §1). Exit code 2 on a configuration error. */
public final class Main {

  private static final Logger LOG = LoggerFactory.getLogger("jeton");

  private Main() {}

  public static void main(String[] args) {
    Config config;
    try {
      config = Config.fromEnvironment();
    } catch (ConfigException e) {
      LOG.error("event=config_invalid detail=\"{}\"", e.getMessage());
      System.err.println("jeton: " + e.getMessage());
      System.exit(2);
      return;
    }
    Vertx vertx = Vertx.vertx();
    Jeton.start(vertx, config, Clock.systemUTC(), PasswordHasher.defaults())
        .onSuccess(jeton -> started(config, jeton))
        .onFailure(e -> {
          LOG.error("event=start_failed detail=\"{}\"", e.getMessage(), e);
          vertx.close().onComplete(x -> System.exit(1));
        });
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        vertx.close().await(10, java.util.concurrent.TimeUnit.SECONDS);
      } catch (Exception e) {
        LOG.warn("event=shutdown_incomplete detail=\"{}\"", e.getMessage());
      }
    }, "jeton-shutdown"));
  }

  private static void started(Config config, Jeton jeton) {
    if (config.embeddedStore()) {
      LOG.warn("event=embedded_store detail=\"EMBEDDED IN-MEMORY STORE: one node only, every user, token and lock is "
          + "LOST when this process stops. Set JETON_REDIS_URL for production.\"");
    }
    if (config.masterKeyGenerated()) {
      LOG.warn("event=master_key_generated detail=\"no JETON_MASTER_KEY: a random one was made for this run\"");
    }
    if (config.adminTokenGenerated()) {
      // The API promises to print the generated bootstrap token once. It goes to the terminal, not to the log.
      System.out.println("\nJeton admin token (shown once, valid until this process stops):\n  "
          + config.adminToken() + "\n");
    }
    LOG.info("event=started public=http://{}:{} admin=http://{}:{} store={}", config.httpHost(), jeton.httpPort(),
        config.adminHost(), jeton.adminPort(), config.embeddedStore() ? "embedded" : "redis");
  }
}
