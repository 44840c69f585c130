package dev.jeton.it;

import static dev.jeton.testsupport.Eventually.eventuallyAsserts;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.otp.Hotp;
import dev.jeton.otp.OtpAlgorithm;
import dev.jeton.otp.Totp;
import dev.jeton.testsupport.Api;
import dev.jeton.testsupport.JetonJar;
import dev.jeton.testsupport.RedisServer;
import dev.jeton.testsupport.TestJeton;
import io.vertx.core.json.JsonObject;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * API.md §2 (503 when the store cannot be reached: never ACCEPT when in doubt) and §3
 * (/health/ready), against the packaged jar: Redis goes away under a running node and comes back on
 * the same port, empty.
 */
@Timeout(90)
class RedisOutageIT {

  private static final String ADMIN_TOKEN = "outage-admin-token-0123456789";
  private static final String USER = "bob.it";
  private static final String SERIAL = "IT-OUTAGE-1";
  private static final String PIN = "2580";
  private static final Duration RECOVERY_TIMEOUT = Duration.ofSeconds(15);

  private final Totp totp =
      new Totp(new Hotp(OtpAlgorithm.SHA1, 6), Duration.ofSeconds(30), Clock.systemUTC());
  private RedisServer redis;
  private JetonJar jar;
  private Api api;

  @AfterEach
  void tearDown() {
    if (jar != null) {
      jar.stop();
    }
    if (redis != null) {
      redis.stop();
    }
  }

  @Test
  void anOutageAnswers503NeverAcceptAndTheNodeRecoversWhenRedisReturns() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    redis = RedisServer.start();
    jar =
        JetonJar.start(
            "outage",
            Map.of(
                "JETON_REDIS_URL", redis.url(),
                "JETON_MASTER_KEY", Base64.getEncoder().encodeToString(key),
                "JETON_ADMIN_TOKEN", ADMIN_TOKEN));
    assertThat(jar.started()).as("jar started; output:\n%s", jar.tail()).isTrue();
    api = new Api(jar.httpPort(), jar.adminPort(), ADMIN_TOKEN);

    // ---- before: provisioned, a login works, ready ----
    byte[] seed = provision();
    long lastStep = totp.currentStep();
    Api.Resp r = api.login(USER, PIN + totp.generate(seed, lastStep));
    assertThat(r.status()).as("baseline login: %s", r.raw()).isEqualTo(200);
    assertThat(r.str("decision")).isEqualTo("ACCEPT");
    assertReady(200);

    // ---- outage: a valid, unused passcode gets 503 unavailable, never 200 ----
    redis.stop();
    String unused =
        PIN + totp.generate(seed, lastStep + 1); // the next step: inside the window, not yet used
    for (int i = 0; i < 3; i++) {
      r = api.login(USER, unused);
      assertThat(r.status())
          .as("login during the outage, try %d: %s", i + 1, r.raw())
          .isEqualTo(503);
      assertThat(r.json()).as(r.raw()).isNotNull();
      assertThat(r.str("error")).as(r.raw()).isEqualTo("unavailable");
      assertThat(r.raw()).doesNotContain("ACCEPT");
    }
    assertReady(503);
    assertThat(api.raw("GET", "public", "/health/live", null, null, null).status())
        .as("live while the store is down")
        .isEqualTo(200);

    // ---- Redis comes back on the same port, empty: ready again within a bounded poll ----
    redis.restart();
    eventuallyAsserts(
        RECOVERY_TIMEOUT,
        () ->
            assertThat(new int[] {ready("public"), ready("admin")})
                .as(
                    () ->
                        "/health/ready of the public and admin listeners once Redis is back; output:\n"
                            + jar.tail())
                .containsExactly(200, 200));

    // the restarted Redis has no persistence: provision again, then a valid passcode is accepted
    seed = provision();
    r = api.login(USER, PIN + totp.generate(seed, totp.currentStep()));
    assertThat(r.status()).as("login after recovery: %s", r.raw()).isEqualTo(200);
    assertThat(r.str("decision")).isEqualTo("ACCEPT");
    assertThat(r.str("method")).isEqualTo("otp");
    assertThat(jar.isAlive()).isTrue();
  }

  /** Client, user, a TOTP token with an initial PIN, assignment; returns the seed. */
  private byte[] provision() {
    Api.Resp client = api.admin("PUT", "/v1/admin/clients/portal-outage", new JsonObject());
    assertThat(client.status())
        .as("PUT client: %s; jar output:\n%s", client.raw(), jar.tail())
        .isEqualTo(200);
    api.clientSecret(client.str("secret"));
    Api.Resp user =
        api.admin("PUT", "/v1/admin/users/" + USER, new JsonObject().put("displayName", "Bob IT"));
    assertThat(user.status())
        .as("PUT user: %s; jar output:\n%s", user.raw(), jar.tail())
        .isIn(200, 201);
    byte[] seed = TestJeton.seed();
    Api.Resp token =
        api.admin(
            "POST",
            "/v1/admin/tokens",
            new JsonObject()
                .put("serial", SERIAL)
                .put("type", "totp")
                .put("algorithm", "SHA1")
                .put("digits", 6)
                .put("period", 30)
                .put("secret", TestJeton.base32(seed))
                .put("pin", PIN));
    assertThat(token.status())
        .as("POST token: %s; jar output:\n%s", token.raw(), jar.tail())
        .isEqualTo(201);
    Api.Resp assign = api.admin("PUT", "/v1/admin/users/" + USER + "/tokens/" + SERIAL, null);
    assertThat(assign.status())
        .as("assign token: %s; jar output:\n%s", assign.raw(), jar.tail())
        .isEqualTo(200);
    return seed;
  }

  private void assertReady(int expected) {
    assertThat(ready("public")).as("public /health/ready").isEqualTo(expected);
    assertThat(ready("admin")).as("admin /health/ready").isEqualTo(expected);
  }

  private int ready(String listener) {
    return api.raw("GET", listener, "/health/ready", null, null, null).status();
  }
}
