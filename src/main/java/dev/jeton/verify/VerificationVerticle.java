package dev.jeton.verify;

import dev.jeton.audit.AuditEvent;
import dev.jeton.bus.Addresses;
import dev.jeton.bus.DirectoryBus;
import dev.jeton.bus.EmergencyCodes;
import dev.jeton.bus.LoginOutcome;
import dev.jeton.bus.LoginRequest;
import dev.jeton.bus.LoopLocal;
import dev.jeton.config.Config;
import dev.jeton.crypto.Keys;
import dev.jeton.crypto.PasswordHasher;
import dev.jeton.metrics.JetonMetrics;
import dev.jeton.track.BusStore;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verification: answers {@code jeton.verify.login} with a {@link LoginOutcome}, writes one log line
 * per decision and sends each decision but a 429 as an {@link AuditEvent} to {@code
 * jeton.audit.decision} (to the audit instance on its own event loop): an ACCEPT's as the verifier
 * made it with its commit, which wrote it into the user's trail already; every other one after the
 * answer. The store is reached over the bus.
 */
public final class VerificationVerticle extends VerticleBase {

  private static final Logger DECISIONS = LoggerFactory.getLogger("jeton.decision");

  /**
   * Password checks waiting or running, across instances: past the bound, answers are 503 rather
   * than a queue.
   */
  private static final AtomicInteger PASSWORD_CHECKS = new AtomicInteger();

  private final Config config;
  private final Clock clock;
  private final Keys keys;
  private final PasswordHasher passwords;
  private final JetonMetrics metrics;
  private WorkerExecutor passwordPool;
  private Verifier verifier;
  private MessageConsumer<LoginRequest> consumer;
  private MessageConsumer<LoginRequest> localConsumer;
  private MessageConsumer<EmergencyCodes.Request> emergencyConsumer;
  private String localAddress;

  public VerificationVerticle(
      Config config, Clock clock, Keys keys, PasswordHasher passwords, JetonMetrics metrics) {
    this.metrics = metrics;
    this.config = config;
    this.clock = clock;
    this.keys = keys;
    this.passwords = passwords;
  }

  @Override
  public Future<?> start() {
    passwordPool = vertx.createSharedWorkerExecutor("jeton-password", config.passwordWorkers());
    BusStore store = new BusStore(vertx, config.storeTimeoutMillis() + 200L);
    verifier =
        new Verifier(
            config,
            store,
            clock,
            keys,
            passwords,
            this::checkPassword,
            metrics,
            this::toAudit,
            config.ldap() == null ? null : this::checkInDirectory);
    EmergencyCodeIssuer emergency = new EmergencyCodeIssuer(store, keys, clock);
    emergencyConsumer =
        vertx
            .eventBus()
            .<EmergencyCodes.Request>localConsumer(
                Addresses.VERIFY_EMERGENCY_CODES,
                m ->
                    emergency
                        .issue(m.body())
                        .onComplete(
                            ar -> {
                              if (ar.succeeded()) {
                                m.reply(ar.result());
                              } else {
                                m.fail(503, "store unavailable");
                              }
                            }));
    watchEventLoop();
    consumer = vertx.eventBus().localConsumer(Addresses.VERIFY_LOGIN, this::onLogin);
    localAddress = LoopLocal.register(vertx, Addresses.VERIFY_LOGIN);
    localConsumer = vertx.eventBus().localConsumer(localAddress, this::onLogin);
    return Future.all(
        consumer.completion(), localConsumer.completion(), emergencyConsumer.completion());
  }

  @Override
  public Future<?> stop() {
    LoopLocal.unregister(vertx, localAddress);
    return passwordPool.close();
  }

  private void onLogin(Message<LoginRequest> msg) {
    LoginRequest r = msg.body();
    verifier
        .login(r)
        .onComplete(
            ar -> {
              LoginOutcome o =
                  ar.succeeded()
                      ? ar.result()
                      : LoginOutcome.unavailable(r.username(), "internal_error");
              msg.reply(o);
              count(r, o, System.nanoTime() - r.receivedNanos());
              audit(r, o);
            });
  }

  /** The decision's meters, and the challenges it opened or answered. */
  private void count(LoginRequest r, LoginOutcome o, long nanos) {
    metrics.decision(
        o.decision(), o.answeredReason(), o.method() == null ? "none" : o.method(), nanos);
    if (o.kind() == LoginOutcome.Kind.RATE_LIMITED) {
      metrics.throttled();
    } else if (o.kind() == LoginOutcome.Kind.CHALLENGE) {
      metrics.challenge(o.challenge(), "opened");
    }
    if (r.state() != null) {
      if (o.kind() == LoginOutcome.Kind.ACCEPT || "pin_set".equals(o.auditReason())) {
        metrics.challenge(
            o.kind() == LoginOutcome.Kind.ACCEPT ? "NEXT_PASSCODE" : "NEW_PIN", "answered");
      } else if ("unknown_or_expired_state".equals(o.auditReason())) {
        metrics.challenge("unknown", "expired");
      }
    }
  }

  /** Each instance runs on its own event loop: a 100 ms timer there tells how late the loop is. */
  private void watchEventLoop() {
    String loop = Thread.currentThread().getName();
    metrics.eventLoop(loop);
    long[] expected = {System.nanoTime() + LOOP_PROBE_NANOS};
    vertx.setPeriodic(
        LOOP_PROBE_NANOS / 1_000_000,
        id -> {
          long now = System.nanoTime();
          metrics.eventLoopDelay(loop, Math.max(0, now - expected[0]));
          expected[0] = now + LOOP_PROBE_NANOS;
        });
  }

  private static final long LOOP_PROBE_NANOS = 100_000_000L;

  /**
   * The directory's verdict, over the bus: its own timeout bounds the LDAP calls, and the bus's,
   * above it, a directory verticle that does not answer at all; either failure is an unavailable
   * directory.
   */
  private Future<DirectoryBus.PasswordResult> checkInDirectory(DirectoryBus.PasswordCheck check) {
    return vertx
        .eventBus()
        .<DirectoryBus.PasswordResult>request(
            DirectoryBus.CHECK_PASSWORD,
            check,
            new DeliveryOptions()
                .setLocalOnly(true)
                .setSendTimeout(config.ldap().timeoutMillis() * 3L + 1_000L))
        .map(Message::body);
  }

  private Future<Boolean> checkPassword(Callable<Boolean> check) {
    int bound = config.passwordWorkers() * 32;
    if (PASSWORD_CHECKS.incrementAndGet() > bound) {
      PASSWORD_CHECKS.decrementAndGet();
      return Future.failedFuture(new IllegalStateException("password checks saturated"));
    }
    return passwordPool
        .executeBlocking(check, false)
        .onComplete(ar -> PASSWORD_CHECKS.decrementAndGet());
  }

  /**
   * The decision's log line, and its audit event unless it is a 429: those are counted ({@code
   * jeton_ip_throttled_total}) and logged, not audited, because a client past its failure limit can
   * send them as fast as the network carries, and what brought the throttle on (the failures from
   * that address) is in the trail already. An event says whether the username exists: the trail
   * keeps decisions about made-up usernames apart, in a small capped log with no per-username key.
   */
  private void audit(LoginRequest r, LoginOutcome o) {
    String decision = o.decision();
    DECISIONS
        .atInfo()
        .setMessage("decision")
        .addKeyValue("decision", decision)
        .addKeyValue("reason", o.auditReason())
        .addKeyValue("method", o.method())
        // The user's reference is an HMAC: computed only when the line is written (not at WARN).
        .addKeyValue("user", () -> keys.logRefs().hash(r.username()).substring(0, 12))
        .addKeyValue("client", r.client())
        .addKeyValue("ip", r.clientIp())
        .addKeyValue("serial", o.tokenSerial())
        .addKeyValue("request_id", r.requestId())
        .log();
    // An ACCEPT's event went with its commit (see the verifier).
    if (o.kind() == LoginOutcome.Kind.RATE_LIMITED || o.kind() == LoginOutcome.Kind.ACCEPT) {
      return;
    }
    AuditEvent e =
        AuditEvent.of(
            clock.millis(),
            r.requestId(),
            r.username(),
            r.clientIp(),
            r.client(),
            decision,
            o.auditReason(),
            o.method(),
            o.tokenSerial(),
            o.knownUser());
    toAudit(r.note() == null ? e : e.withNote(r.note()));
  }

  private void toAudit(AuditEvent e) {
    vertx.eventBus().send(LoopLocal.route(vertx, Addresses.AUDIT_DECISION), e, LOCAL);
  }

  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);
}
