package dev.jeton;

import dev.jeton.admin.AdminVerticle;
import dev.jeton.audit.AuditEvent;
import dev.jeton.audit.AuditSink;
import dev.jeton.audit.AuditVerticle;
import dev.jeton.audit.MemoryAuditSink;
import dev.jeton.audit.RedisAuditSink;
import dev.jeton.bus.LocalCodec;
import dev.jeton.config.Config;
import dev.jeton.crypto.PasswordHasher;
import dev.jeton.http.PublicVerticle;
import dev.jeton.metrics.JetonMetrics;
import dev.jeton.track.MemoryStore;
import dev.jeton.track.RedisStore;
import dev.jeton.track.Store;
import dev.jeton.track.TrackingVerticle;
import dev.jeton.verify.Keys;
import dev.jeton.verify.LoginOutcome;
import dev.jeton.verify.LoginRequest;
import dev.jeton.verify.VerificationVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * One Jeton node: deploys tracking, verification, the public intake and the admin listener on a Vert.x instance.
 * Used by {@link Main} and, with a test clock, by the integration tests.
 */
public final class Jeton {

  private final Vertx vertx;
  private final PublicVerticle intake;
  private final AdminVerticle admin;

  private Jeton(Vertx vertx, PublicVerticle intake, AdminVerticle admin) {
    this.vertx = vertx;
    this.intake = intake;
    this.admin = admin;
  }

  /**
   * Deploys every verticle; the future completes once both ports are bound.
   *
   * @param passwords the password hasher (its cost is a parameter so that tests may use a cheaper one)
   * @param metrics where the meters go; {@code vertx} should come from {@link JetonMetrics#newVertx()}
   */
  public static Future<Jeton> start(Vertx vertx, Config config, Clock clock, PasswordHasher passwords,
      JetonMetrics metrics) {
    List<Class<?>> messages = new ArrayList<>(Store.messageTypes());
    messages.addAll(List.of(LoginRequest.class, LoginOutcome.class, AuditEvent.class, AuditVerticle.Query.class,
        AuditVerticle.Events.class));
    LocalCodec.registerAll(vertx, messages);

    Keys keys = Keys.from(config.masterKey());
    int loops = Math.max(1, Runtime.getRuntime().availableProcessors());
    long auditAgeMillis = config.auditMaxAgeDays() * 86_400_000L;
    Supplier<Store> stores;
    Supplier<AuditSink> auditSink;
    int trackers;
    if (config.embeddedStore()) {
      MemoryStore memory = new MemoryStore();
      stores = () -> memory;
      auditSink = () -> new MemoryAuditSink(config.auditMaxEvents(), auditAgeMillis);
      trackers = 1;
    } else {
      stores = () -> new RedisStore(vertx, config.redisUrl(), config.storeTimeoutMillis());
      auditSink = () -> new RedisAuditSink(vertx, config.redisUrl(), config.auditMaxEvents(), auditAgeMillis,
          config.storeTimeoutMillis());
      trackers = loops;
    }
    PublicVerticle[] intake = new PublicVerticle[loops];
    AdminVerticle[] admin = new AdminVerticle[1];
    int[] next = {0};
    return vertx.deployVerticle(() -> new TrackingVerticle(stores, clock, metrics), new DeploymentOptions().setInstances(trackers))
        .compose(id -> vertx.deployVerticle(new AuditVerticle(auditSink, clock, metrics)))
        .compose(id -> vertx.deployVerticle(() -> new VerificationVerticle(config, clock, keys, passwords, metrics),
            new DeploymentOptions().setInstances(loops)))
        .compose(id -> vertx.deployVerticle(() -> intake[next[0]++] = new PublicVerticle(config),
            new DeploymentOptions().setInstances(loops)))
        .compose(id -> vertx.deployVerticle(admin[0] = new AdminVerticle(config, clock, keys, passwords, metrics)))
        .map(id -> new Jeton(vertx, intake[0], admin[0]));
  }

  public int httpPort() {
    return intake.actualPort();
  }

  public int adminPort() {
    return admin.actualPort();
  }

  /** The routes of the public listener, then of the management listener ("METHOD /path"). */
  public java.util.Map<String, java.util.List<String>> routes() {
    return java.util.Map.of("public", intake.routes(), "admin", admin.routes());
  }

  public Vertx vertx() {
    return vertx;
  }

  /** Undeploys everything: listeners stop, the store is closed. */
  public Future<Void> stop() {
    List<Future<Void>> all = new ArrayList<>();
    vertx.deploymentIDs().forEach(id -> all.add(vertx.undeploy(id)));
    return Future.all(all).mapEmpty();
  }
}
