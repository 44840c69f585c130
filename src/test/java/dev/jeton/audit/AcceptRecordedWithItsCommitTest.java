package dev.jeton.audit;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.bus.LoginOutcome;
import dev.jeton.bus.LoginRequest;
import dev.jeton.config.Config;
import dev.jeton.crypto.Keys;
import dev.jeton.crypto.PasswordHasher;
import dev.jeton.metrics.JetonMetrics;
import dev.jeton.otp.Hotp;
import dev.jeton.otp.OtpAlgorithm;
import dev.jeton.otp.Totp;
import dev.jeton.testsupport.RedisServer;
import dev.jeton.track.RedisStore;
import dev.jeton.track.Store;
import dev.jeton.track.TokenRecord;
import dev.jeton.verify.Verifier;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The verifier's ACCEPT on a real Redis, with no audit verticle at all: the node "dies" right after
 * answering, before any audit write (the event it hands on is dropped). The helpdesk's query still
 * finds the ACCEPT, as the verifier made it, because the commit that consumed the code wrote it.
 */
class AcceptRecordedWithItsCommitTest {

  private static final Config CONFIG =
      Config.from(Map.of("JETON_MASTER_KEY", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="));
  private static final Keys KEYS = Keys.from(CONFIG.masterKey());
  private static Vertx vertx;

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stopVertx() throws Exception {
    vertx.close().await(10, SECONDS);
  }

  @Test
  void anAcceptIsInTheUsersTrailEvenWhenNoAuditWriteFollows() throws Exception {
    RedisServer redis = RedisServer.shared();
    String ns = redis.freshNamespace();
    RedisStore store = new RedisStore(vertx, redis.url(), 2000, ns);
    RedisAuditSink sink =
        new RedisAuditSink(vertx, redis.url(), 10_000, 1_000, 86_400_000L, 2000, ns);
    List<AuditEvent> handedOn = new CopyOnWriteArrayList<>();
    Verifier verifier =
        new Verifier(
            CONFIG,
            store,
            Clock.systemUTC(),
            KEYS,
            new PasswordHasher(64, 1, 1),
            check -> vertx.executeBlocking(check, false),
            JetonMetrics.disabled(),
            handedOn::add,
            null);
    try {
      store.loadScripts().await(10, SECONDS);
      byte[] seed = new byte[20];
      seed[0] = 7;
      String pin = "4071";
      assertThat(
              store
                  .putUser(new Store.PutUser("dora", null, null, System.currentTimeMillis()))
                  .await(5, SECONDS))
          .isTrue();
      String encrypted = Base64.getEncoder().encodeToString(KEYS.seeds().encrypt(seed, "T1"));
      assertThat(
              store
                  .createToken(
                      new TokenRecord(
                          "T1",
                          "totp",
                          "SHA1",
                          6,
                          30,
                          encrypted,
                          true,
                          KEYS.pins().hash("T1", pin),
                          -1,
                          0,
                          0,
                          null))
                  .await(5, SECONDS))
          .isTrue();
      assertThat(store.assign(new Store.Assign("dora", "T1")).await(5, SECONDS))
          .isEqualTo(Store.AssignResult.OK);
      Totp totp =
          new Totp(new Hotp(OtpAlgorithm.SHA1, 6), Duration.ofSeconds(30), Clock.systemUTC());
      String passcode = pin + totp.generate(seed, totp.currentStep());

      LoginOutcome accepted = verifier.login(login("req-1", passcode)).await(5, SECONDS);
      assertThat(accepted.kind()).isEqualTo(LoginOutcome.Kind.ACCEPT);
      assertThat(handedOn).hasSize(1);
      AuditEvent event = handedOn.get(0);
      assertThat(event.committed()).isTrue();
      assertThat(event)
          .extracting(
              AuditEvent::requestId,
              AuditEvent::username,
              AuditEvent::clientIp,
              AuditEvent::client,
              AuditEvent::decision,
              AuditEvent::reason,
              AuditEvent::method,
              AuditEvent::tokenSerial,
              AuditEvent::knownUser)
          .containsExactly(
              "req-1", "dora", "192.0.2.1", "portal", "ACCEPT", "ok", "otp", "T1", true);

      // Dropped: nothing but the commit wrote to the audit trail.
      List<AuditEvent> trail = sink.query("dora", 10).await(5, SECONDS);
      assertThat(trail).hasSize(1);
      assertThat(trail.get(0).sameAs(event)).isTrue();

      // The same passcode again: refused, and nothing recorded by a commit.
      LoginOutcome replayed = verifier.login(login("req-2", passcode)).await(5, SECONDS);
      assertThat(replayed.kind()).isEqualTo(LoginOutcome.Kind.REJECT);
      assertThat(handedOn).hasSize(1);
      assertThat(sink.query("dora", 10).await(5, SECONDS)).hasSize(1);
    } finally {
      sink.close().await(5, SECONDS);
      store.close().await(5, SECONDS);
    }
  }

  private static LoginRequest login(String requestId, String password) {
    return new LoginRequest(
        requestId, "dora", password, null, null, null, "192.0.2.1", "portal", "any", 0);
  }
}
