package dev.jeton;

import dev.jeton.admin.AdminVerticle;
import dev.jeton.audit.AuditEvent;
import dev.jeton.audit.AuditSink;
import dev.jeton.audit.AuditVerticle;
import dev.jeton.audit.MemoryAuditSink;
import dev.jeton.audit.RedisAuditSink;
import dev.jeton.bus.DirectoryBus;
import dev.jeton.bus.EmergencyCodes;
import dev.jeton.bus.LocalCodec;
import dev.jeton.bus.LoginOutcome;
import dev.jeton.bus.LoginRequest;
import dev.jeton.config.Config;
import dev.jeton.crypto.Keys;
import dev.jeton.crypto.PasswordHasher;
import dev.jeton.directory.DirectoryVerticle;
import dev.jeton.http.PublicVerticle;
import dev.jeton.metrics.JetonMetrics;
import dev.jeton.portal.DemoKey;
import dev.jeton.portal.Portal;
import dev.jeton.radius.RadiusVerticle;
import dev.jeton.track.InvalidationVerticle;
import dev.jeton.track.MemoryStore;
import dev.jeton.track.RedisStore;
import dev.jeton.track.RedisTopology;
import dev.jeton.track.Store;
import dev.jeton.track.TrackingVerticle;
import dev.jeton.verify.VerificationVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * One Jeton node: deploys tracking, verification, the public intake and the admin listener on a
 * Vert.x instance. Used by {@link Main} and, with a test clock, by the integration tests.
 */
public final class Jeton {

  private final Vertx vertx;
  private final PublicVerticle intake;
  private final AdminVerticle admin;
  private final List<String> listeners;
  private final List<String> inner;
  private final DemoKey demo;
  private final RadiusVerticle radius;

  private Jeton(
      Vertx vertx,
      PublicVerticle intake,
      AdminVerticle admin,
      RadiusVerticle radius,
      List<String> listeners,
      List<String> inner,
      DemoKey demo) {
    this.vertx = vertx;
    this.radius = radius;
    this.demo = demo;
    this.intake = intake;
    this.admin = admin;
    this.listeners = listeners;
    this.inner = inner;
  }

  /**
   * Deploys every verticle; the future completes once both ports are bound.
   *
   * @param passwords the password hasher (its cost is a parameter so that tests may use a cheaper
   *     one)
   * @param metrics where the meters go; {@code vertx} should come from {@link
   *     JetonMetrics#newVertx()}
   */
  public static Future<Jeton> start(
      Vertx vertx, Config config, Clock clock, PasswordHasher passwords, JetonMetrics metrics) {
    List<Class<?>> messages = new ArrayList<>(Store.messageTypes());
    messages.addAll(
        List.of(
            LoginRequest.class,
            LoginOutcome.class,
            EmergencyCodes.Request.class,
            EmergencyCodes.Issued.class,
            AuditEvent.class,
            AuditVerticle.Query.class,
            AuditVerticle.Events.class));
    messages.addAll(DirectoryBus.messageTypes());
    LocalCodec.registerAll(vertx, messages);

    Keys keys = Keys.from(config.masterKey());
    int loops = Math.max(1, Runtime.getRuntime().availableProcessors());
    long auditAgeMillis = config.auditMaxAgeDays() * 86_400_000L;
    Supplier<Store> stores;
    Supplier<AuditSink> auditSink;
    int trackers;
    Future<DemoKey> demo = Future.succeededFuture(null);
    if (config.embeddedStore()) {
      MemoryStore memory = new MemoryStore();
      stores = () -> memory;
      if (config.portal().demo()) {
        demo = DemoKey.provision(memory, keys, clock);
      }
      MemoryAuditSink memoryAudit = new MemoryAuditSink(config.auditMaxEvents(), auditAgeMillis);
      auditSink = () -> memoryAudit;
      trackers = 1;
    } else {
      stores =
          () ->
              new RedisStore(
                  vertx,
                  config.redis(),
                  config.storeTimeoutMillis(),
                  config.redisNamespace(),
                  metrics);
      auditSink =
          () ->
              new RedisAuditSink(
                  vertx,
                  RedisTopology.options(config.redis(), 64),
                  config.auditMaxEvents(),
                  Math.min(config.auditMaxEvents(), AuditSink.UNKNOWN_MAX_EVENTS),
                  auditAgeMillis,
                  config.storeTimeoutMillis(),
                  config.redisNamespace());
      trackers = loops;
    }
    PublicVerticle[] intake = new PublicVerticle[loops];
    AdminVerticle admin = new AdminVerticle(config, clock, keys, passwords, metrics);
    RadiusVerticle radius =
        config.radius() == null ? null : new RadiusVerticle(config, keys, metrics.radius());
    int[] next = {0};
    List<String> inner = new ArrayList<>();
    List<String> listeners = new ArrayList<>();
    Portal[] portal = new Portal[1];
    return demo.onSuccess(d -> portal[0] = Portal.from(config, clock, d))
        .compose(
            d ->
                add(
                    inner,
                    vertx.deployVerticle(
                        () -> new TrackingVerticle(stores, clock, metrics),
                        new DeploymentOptions().setInstances(trackers))))
        .compose(
            id ->
                config.embeddedStore()
                    ? Future.succeededFuture(id)
                    : add(
                        inner,
                        vertx.deployVerticle(
                            new InvalidationVerticle(
                                RedisTopology.options(config.redis(), 64),
                                config.redisNamespace()))))
        .compose(
            id ->
                add(
                    inner,
                    vertx.deployVerticle(
                        () -> new AuditVerticle(auditSink, clock, metrics),
                        new DeploymentOptions().setInstances(loops))))
        .compose(
            id ->
                config.ldap() == null
                    ? Future.succeededFuture(id)
                    // One instance: its LDAP calls run on a shared, bounded worker pool.
                    : add(
                        inner,
                        vertx.deployVerticle(
                            new DirectoryVerticle(config.ldap(), metrics.directory()))))
        .compose(
            id ->
                add(
                    inner,
                    vertx.deployVerticle(
                        () -> new VerificationVerticle(config, clock, keys, passwords, metrics),
                        new DeploymentOptions().setInstances(loops))))
        .compose(
            id ->
                add(
                    listeners,
                    vertx.deployVerticle(
                        () -> intake[next[0]++] = new PublicVerticle(config, portal[0]),
                        new DeploymentOptions().setInstances(loops))))
        .compose(id -> add(listeners, vertx.deployVerticle(admin)))
        .compose(
            id ->
                radius == null
                    ? Future.succeededFuture(id)
                    : add(listeners, vertx.deployVerticle(radius)))
        .map(
            id -> {
              // Inner verticles stop after the listeners, in reverse order of start: tracking (the
              // store) last.
              java.util.Collections.reverse(inner);
              return new Jeton(vertx, intake[0], admin, radius, listeners, inner, portal[0].demo());
            });
  }

  /** Records the id of what {@code deployed} deployed, and passes it on. */
  private static Future<String> add(List<String> ids, Future<String> deployed) {
    return deployed.onSuccess(ids::add);
  }

  /** The demo user's key when Jeton runs on the embedded store with the demo on, else null. */
  public DemoKey demo() {
    return demo;
  }

  public int httpPort() {
    return intake.actualPort();
  }

  public int adminPort() {
    return admin.actualPort();
  }

  /** The RADIUS listener's UDP port, or -1 when {@code JETON_RADIUS_PORT} is not set. */
  public int radiusPort() {
    return radius == null ? -1 : radius.port();
  }

  /** The routes of the public listener, then of the management listener ("METHOD /path"). */
  public java.util.Map<String, java.util.List<String>> routes() {
    return java.util.Map.of("public", intake.routes(), "admin", admin.routes());
  }

  public Vertx vertx() {
    return vertx;
  }

  /**
   * Stops gracefully: both listeners stop accepting and finish the requests in flight (up to {@code
   * JETON_SHUTDOWN_GRACE_SECONDS}); then verification, the directory (which closes its LDAP
   * connections), audit (which writes what it holds) and tracking (which closes the store), in that
   * order.
   */
  public Future<Void> stop() {
    List<Future<Void>> listening = new ArrayList<>();
    listeners.forEach(id -> listening.add(vertx.undeploy(id)));
    Future<Void> chain = Future.join(listening).mapEmpty();
    for (String id : inner) {
      chain = chain.eventually(() -> vertx.undeploy(id));
    }
    return chain
        .eventually(
            () -> {
              List<Future<Void>> rest = new ArrayList<>();
              vertx.deploymentIDs().forEach(id -> rest.add(vertx.undeploy(id)));
              return Future.join(rest);
            })
        .mapEmpty();
  }
}
