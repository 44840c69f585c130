package dev.jeton.verify;

import dev.jeton.audit.AuditEvent;
import dev.jeton.bus.Addresses;
import dev.jeton.config.Config;
import dev.jeton.crypto.PasswordHasher;
import dev.jeton.track.BusStore;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Verification: answers {@code jeton.verify.login} with a {@link LoginOutcome}, writes one log line per decision and
 * publishes it as an {@link AuditEvent} on {@code jeton.audit.decision}. The store is reached over the bus.
 */
public final class VerificationVerticle extends VerticleBase {

  private static final Logger DECISIONS = LoggerFactory.getLogger("jeton.decision");
  /** Password checks waiting or running, across instances: past the bound, answers are 503 rather than a queue. */
  private static final AtomicInteger PASSWORD_CHECKS = new AtomicInteger();

  private final Config config;
  private final Clock clock;
  private final Keys keys;
  private final PasswordHasher passwords;
  private WorkerExecutor passwordPool;
  private Verifier verifier;
  private MessageConsumer<LoginRequest> consumer;

  public VerificationVerticle(Config config, Clock clock, Keys keys, PasswordHasher passwords) {
    this.config = config;
    this.clock = clock;
    this.keys = keys;
    this.passwords = passwords;
  }

  @Override
  public Future<?> start() {
    passwordPool = vertx.createSharedWorkerExecutor("jeton-password", config.passwordWorkers());
    verifier = new Verifier(config, new BusStore(vertx, config.storeTimeoutMillis() + 200L), clock, keys, passwords,
        this::checkPassword);
    consumer = vertx.eventBus().localConsumer(Addresses.VERIFY_LOGIN, this::onLogin);
    return consumer.completion();
  }

  @Override
  public Future<?> stop() {
    return passwordPool.close();
  }

  private void onLogin(Message<LoginRequest> msg) {
    LoginRequest r = msg.body();
    verifier.login(r).onComplete(ar -> {
      LoginOutcome o = ar.succeeded() ? ar.result() : LoginOutcome.unavailable(r.username(), "internal_error");
      msg.reply(o);
      audit(r, o);
    });
  }

  private Future<Boolean> checkPassword(Callable<Boolean> check) {
    int bound = config.passwordWorkers() * 32;
    if (PASSWORD_CHECKS.incrementAndGet() > bound) {
      PASSWORD_CHECKS.decrementAndGet();
      return Future.failedFuture(new IllegalStateException("password checks saturated"));
    }
    return passwordPool.executeBlocking(check, false).onComplete(ar -> PASSWORD_CHECKS.decrementAndGet());
  }

  private void audit(LoginRequest r, LoginOutcome o) {
    String decision = o.kind() == LoginOutcome.Kind.LOCKED ? "REJECT" : o.kind().name();
    AuditEvent e = new AuditEvent(Instant.ofEpochMilli(clock.millis()).toString(), r.requestId(), r.username(),
        r.clientIp(), r.client(), decision, o.auditReason(), o.method(), o.tokenSerial());
    DECISIONS.info("decision={} reason={} method={} user={} client={} ip={} serial={} request={}",
        decision, o.auditReason(), o.method(), keys.logRefs().hash(r.username()).substring(0, 12), r.client(),
        r.clientIp(), o.tokenSerial(), r.requestId());
    vertx.eventBus().publish(Addresses.AUDIT_DECISION, e, LOCAL);
  }

  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);
}
