package dev.jeton.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.Match;
import io.vertx.micrometer.MatchType;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

/**
 * Jeton's meters, on a Prometheus registry that also carries Vert.x's own metrics (HTTP server,
 * event bus, pools) and the JVM's and the process's. With metrics off, every meter is a no-op and
 * Vert.x runs without metrics, so that the cost of metrics can be measured side by side. No
 * username, address or raw path is ever a label. Thread-safe.
 *
 * <p>Meters: {@code jeton_auth_decisions_total{decision,reason,method}}, {@code
 * jeton_auth_duration_seconds{decision}} (histogram), {@code
 * jeton_store_script_duration_seconds{script}} (histogram), {@code
 * jeton_store_errors_total{script}}, {@code jeton_challenges_total{challenge,event}}, {@code
 * jeton_lockouts_total}, {@code jeton_ip_throttled_total}, {@code
 * jeton_audit_events_dropped_total}, {@code jeton_event_loop_delay_seconds}, {@code
 * jeton_directory_requests_seconds{op,outcome}} ({@link DirectoryMeters}).
 *
 * <p>{@code /metrics} asks for no token, so a meter says no more than the caller of a login was
 * told: the {@code reason} of a decision is the answer's own (a wrong PIN, a wrong code, a replayed
 * code and an unknown username are all {@code invalid_credentials}), and nothing is counted apart
 * for unknown usernames or replayed codes. The finer causes are in the audit trail, which needs an
 * operator's token.
 */
public final class JetonMetrics {

  /**
   * Buckets from 100 µs to 5 s: fine enough below a millisecond to read p50 to p99.9 of a fast
   * login.
   */
  private static final Duration[] LATENCY_BUCKETS = {
    Duration.ofNanos(100_000), Duration.ofNanos(250_000), Duration.ofNanos(500_000),
        Duration.ofNanos(750_000),
    Duration.ofMillis(1), Duration.ofNanos(1_500_000), Duration.ofMillis(2), Duration.ofMillis(3),
    Duration.ofMillis(5), Duration.ofNanos(7_500_000), Duration.ofMillis(10), Duration.ofMillis(25),
    Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
    Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5)
  };

  private static final java.util.Set<String> LINT_BREAKERS =
      java.util.Set.of("jvm.compilation.time", "process.cpu.time", "system.cpu.count");

  private final MeterRegistry registry;
  private final PrometheusMeterRegistry prometheus;
  private final ConcurrentMap<String, Counter> decisions = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Timer> durations = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Timer> scripts = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Counter> storeErrors = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Counter> challenges = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Timer> loopDelays = new ConcurrentHashMap<>();
  private Counter lockouts;
  private Counter throttled;
  private Counter auditDropped;
  private Counter replicaAcksFailed;
  private Counter redisReconnects;
  private volatile DirectoryMeters directory;
  private RadiusMeters radius;

  private JetonMetrics(MeterRegistry registry, PrometheusMeterRegistry prometheus) {
    this.registry = registry;
    this.prometheus = prometheus;
  }

  /** After Vert.x has configured the registry's filters: Micrometer wants filters before meters. */
  private void registerMeters() {
    this.lockouts =
        Counter.builder("jeton.lockouts")
            .description("Usernames locked (or re-locked)")
            .register(registry);
    this.throttled =
        Counter.builder("jeton.ip.throttled")
            .description("Requests answered 429 for their client IP")
            .register(registry);
    this.auditDropped =
        Counter.builder("jeton.audit.events.dropped")
            .description("Audit events dropped because the audit store was unreachable too long")
            .register(registry);
    this.replicaAcksFailed =
        Counter.builder("jeton.redis.replica.acks.failed")
            .description(
                "Consumed codes the required replicas did not confirm in time: answered 503, not"
                    + " ACCEPT")
            .register(registry);
    this.redisReconnects =
        Counter.builder("jeton.redis.reconnects")
            .description(
                "Connections to Redis made again after one was lost or pointed at a node that is no"
                    + " longer the master (a failover, a restart, a network cut)")
            .register(registry);
    // Series that alerts and dashboards read exist from the start, at zero, rather than after the
    // first event.
    for (String challenge : new String[] {"NEW_PIN", "NEXT_PASSCODE"}) {
      challengeCounter(challenge, "opened");
      challengeCounter(challenge, "answered");
    }
    challengeCounter("unknown", "expired");
    // With or without a directory configured, so that its alert and panels read the same series
    // everywhere.
    directory();
    this.radius = new RadiusMeters(registry);
    if (prometheus != null) {
      new FileDescriptorMetrics().bindTo(registry);
    }
  }

  /** The RADIUS intake's meters. */
  public RadiusMeters radius() {
    if (radius == null) { // a registry made without Vert.x (a store used alone, in tests)
      radius = new RadiusMeters(registry);
    }
    return radius;
  }

  /** Metrics on a Prometheus registry. */
  public static JetonMetrics prometheus() {
    PrometheusMeterRegistry r = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // Three JVM meters whose Prometheus names break promtool's lint (a unit in the name, a "_count"
    // gauge); the
    // dashboards use none of them.
    r.config().meterFilter(MeterFilter.deny(id -> LINT_BREAKERS.contains(id.getName())));
    return new JetonMetrics(r, r);
  }

  /** Every meter a no-op, and Vert.x without metrics. */
  public static JetonMetrics disabled() {
    return new JetonMetrics(new CompositeMeterRegistry(), null);
  }

  public boolean enabled() {
    return prometheus != null;
  }

  /** The registry to scrape, or null when metrics are off. */
  public PrometheusMeterRegistry prometheusRegistry() {
    return prometheus;
  }

  /**
   * A Vert.x instance that reports its HTTP, event-bus and pool metrics (and the JVM's) here, the
   * event bus's through {@link BusMeters}. Call once, before anything is recorded.
   */
  public Vertx newVertx() {
    if (prometheus == null) {
      registerMeters();
      return Vertx.vertx(vertxOptions());
    }
    Vertx vertx =
        Vertx.builder()
            .with(vertxOptions().setMetricsOptions(micrometerOptions()))
            .withMetrics(new VertxMeters(registry))
            .build();
    registerMeters();
    return vertx;
  }

  /**
   * Vert.x's metrics: what they carry as labels ({@link BusMeters} knows these of the event bus).
   */
  static MicrometerMetricsOptions micrometerOptions() {
    return new MicrometerMetricsOptions()
        .setEnabled(true)
        .setJvmMetricsEnabled(true)
        .setLabels(
            EnumSet.of(
                Label.HTTP_METHOD,
                Label.HTTP_CODE,
                Label.HTTP_ROUTE,
                Label.EB_ADDRESS,
                Label.EB_FAILURE,
                Label.POOL_TYPE,
                Label.POOL_NAME,
                Label.NAMESPACE))
        // Replies travel on one-off addresses: one label value for all of them.
        .addLabelMatch(
            new Match()
                .setDomain(MetricsDomain.EVENT_BUS)
                .setLabel("address")
                .setType(MatchType.REGEX)
                .setValue("__vertx\\..*")
                .setAlias("reply"));
  }

  /**
   * One event loop per core (Vert.x's default is two): Jeton deploys one instance of each verticle
   * per loop and keeps a request on its loop ({@code LoopLocal}), so more loops than cores would
   * only add thread switches.
   */
  static VertxOptions vertxOptions() {
    return new VertxOptions().setEventLoopPoolSize(Runtime.getRuntime().availableProcessors());
  }

  /**
   * One decision: counted by decision, the answer's reason and method, timed from intake to answer.
   *
   * @param decision ACCEPT, CHALLENGE, REJECT, RATE_LIMITED, BAD_REQUEST or UNAVAILABLE (a lockout
   *     is a REJECT)
   * @param reason the reason as the caller was told it, never finer (see the class comment)
   * @param method the method that decided, or "none"
   */
  public void decision(String decision, String reason, String method, long nanos) {
    decisions
        .computeIfAbsent(
            decision + '|' + reason + '|' + method,
            k ->
                Counter.builder("jeton.auth.decisions")
                    .description("Authentication decisions")
                    .tag("decision", decision)
                    .tag("reason", reason)
                    .tag("method", method)
                    .register(registry))
        .increment();
    durations
        .computeIfAbsent(
            decision,
            d ->
                Timer.builder("jeton.auth.duration")
                    .description("Time to decide one authentication request, from intake to answer")
                    .tag("decision", d)
                    .serviceLevelObjectives(LATENCY_BUCKETS)
                    .register(registry))
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  /** The directory's meters, registered (at zero) on first call. */
  public DirectoryMeters directory() {
    DirectoryMeters d = directory;
    if (d == null) {
      synchronized (this) {
        if (directory == null) {
          directory = new DirectoryMeters(registry, LATENCY_BUCKETS);
        }
        d = directory;
      }
    }
    return d;
  }

  /** A login refused because its address passed the failure limit (a 429). */
  public void throttled() {
    throttled.increment();
  }

  /**
   * @param challenge NEW_PIN, NEXT_PASSCODE, or "unknown" for a state that was never opened or
   *     expired
   * @param event opened, answered or expired
   */
  public void challenge(String challenge, String event) {
    challengeCounter(challenge, event).increment();
  }

  private Counter challengeCounter(String challenge, String event) {
    return challenges.computeIfAbsent(
        challenge + '|' + event,
        k ->
            Counter.builder("jeton.challenges")
                .description(
                    "Challenges opened, answered, and presented after they expired (or never existed)")
                .tag("challenge", challenge)
                .tag("event", event)
                .register(registry));
  }

  public void lockout() {
    lockouts.increment();
  }

  /** The replicas did not confirm a consumed code in time: the login was answered 503. */
  public void replicaAcksFailed() {
    if (replicaAcksFailed != null) { // null until Vert.x is made (a store used alone, in tests)
      replicaAcksFailed.increment();
    }
  }

  /** A Redis connection was made again after the previous one was lost or demoted. */
  public void redisReconnected() {
    if (redisReconnects != null) {
      redisReconnects.increment();
    }
  }

  public void auditDropped(long n) {
    auditDropped.increment(n);
  }

  /**
   * Registers the series of a store operation at zero, so that its error rate reads 0 rather than
   * nothing.
   */
  public void storeOperation(String script) {
    storeTimer(script);
    storeErrors(script);
  }

  private Timer storeTimer(String script) {
    return scripts.computeIfAbsent(
        script,
        s ->
            Timer.builder("jeton.store.script.duration")
                .description("Store operation latency, seen from tracking")
                .tag("script", s)
                .serviceLevelObjectives(LATENCY_BUCKETS)
                .register(registry));
  }

  private Counter storeErrors(String script) {
    return storeErrors.computeIfAbsent(
        script,
        s ->
            Counter.builder("jeton.store.errors")
                .description("Store operations that failed or timed out")
                .tag("script", s)
                .register(registry));
  }

  /** One store operation (on Redis, one Lua script, pipelined with its companions). */
  public void store(String script, long nanos, boolean ok) {
    storeTimer(script).record(nanos, TimeUnit.NANOSECONDS);
    if (!ok) {
      storeErrors(script).increment();
    }
  }

  /** How late a periodic timer fired on an event loop: what a blocked loop would show. */
  public void eventLoopDelay(String loop, long nanos) {
    loopTimer(loop).record(nanos, TimeUnit.NANOSECONDS);
  }

  /** Registers the delay series of an event loop before its first measurement. */
  public void eventLoop(String loop) {
    loopTimer(loop);
  }

  private Timer loopTimer(String loop) {
    return loopDelays.computeIfAbsent(
        loop,
        l ->
            Timer.builder("jeton.event.loop.delay")
                .description("Lateness of a 100 ms timer on each event loop")
                .tag("loop", l)
                .serviceLevelObjectives(LATENCY_BUCKETS)
                .register(registry));
  }
}
