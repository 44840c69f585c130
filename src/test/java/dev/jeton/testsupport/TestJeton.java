package dev.jeton.testsupport;

import dev.jeton.Jeton;
import dev.jeton.config.Config;
import dev.jeton.crypto.PasswordHasher;
import dev.jeton.metrics.JetonMetrics;
import dev.jeton.otp.Hotp;
import dev.jeton.otp.OtpAlgorithm;
import dev.jeton.otp.Totp;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.util.encoders.Base32;

/**
 * A whole Jeton node in this JVM, on ephemeral loopback ports, with a {@link MutableClock}, on the
 * embedded store or a real Redis. Comes with an {@link Api} already holding an admin token and a
 * portal client secret.
 */
public final class TestJeton implements AutoCloseable {

  private static final java.util.concurrent.atomic.AtomicInteger NODES =
      new java.util.concurrent.atomic.AtomicInteger();

  public static final String ADMIN_TOKEN = "test-admin-token-0123456789";

  /**
   * Cheap Argon2id parameters so that tests stay fast; production uses {@link
   * PasswordHasher#defaults()}.
   */
  public static final PasswordHasher TEST_PASSWORDS = new PasswordHasher(8192, 1, 1);

  public final MutableClock clock;
  public final Api api;
  public final Jeton jeton;
  public final Config config;
  private final Vertx vertx;

  private TestJeton(Vertx vertx, Jeton jeton, Config config, MutableClock clock) {
    this.vertx = vertx;
    this.jeton = jeton;
    this.config = config;
    this.clock = clock;
    this.api = new Api(jeton.httpPort(), jeton.adminPort(), ADMIN_TOKEN);
    Api.Resp client =
        api.admin("PUT", "/v1/admin/clients/portal", new JsonObject().put("trustClientIp", true));
    if (client.status() != 200) {
      throw new IllegalStateException("cannot create client: " + client.raw());
    }
    api.clientSecret(client.str("secret"));
  }

  /**
   * @param redisUrl null for the embedded store; on Redis, the node gets a key namespace no other
   *     test has
   */
  public static TestJeton start(String redisUrl, Map<String, String> overrides) {
    return startOn(redisUrl == null ? Map.of() : Map.of("JETON_REDIS_URL", redisUrl), overrides);
  }

  /**
   * A node on any Redis topology.
   *
   * @param redis the variables that name the Redis ({@code JETON_REDIS_URL}, or {@code
   *     JETON_REDIS_SENTINELS}, or {@code JETON_REDIS_CLUSTER_NODES}, with a password…); empty for
   *     the embedded store. On Redis, the node gets a key namespace no other test has, unless the
   *     overrides name one (to restart on the same data).
   */
  public static TestJeton startOn(Map<String, String> redis, Map<String, String> overrides) {
    Map<String, String> env = new HashMap<>();
    env.put("JETON_HTTP_HOST", "127.0.0.1");
    env.put("JETON_HTTP_PORT", "0");
    env.put("JETON_ADMIN_PORT", "0");
    env.put("JETON_ADMIN_TOKEN", ADMIN_TOKEN);
    env.put("JETON_MASTER_KEY", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
    env.put("JETON_STORE_TIMEOUT_MS", "500");
    if (!redis.isEmpty()) {
      env.putAll(redis);
      env.put("JETON_REDIS_NAMESPACE", "jeton-n" + NODES.incrementAndGet());
    }
    env.putAll(overrides);
    Config config = Config.from(env);
    MutableClock clock = MutableClock.atStepStart();
    JetonMetrics metrics =
        config.metricsEnabled() ? JetonMetrics.prometheus() : JetonMetrics.disabled();
    Vertx vertx = metrics.newVertx();
    try {
      Jeton jeton =
          Jeton.start(vertx, config, clock, TEST_PASSWORDS, metrics).await(30, TimeUnit.SECONDS);
      return new TestJeton(vertx, jeton, config, clock);
    } catch (Exception e) {
      vertx.close();
      throw new IllegalStateException("Jeton did not start", e);
    }
  }

  public static TestJeton start(String redisUrl) {
    return start(redisUrl, Map.of());
  }

  @Override
  public void close() {
    try {
      vertx.close().await(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  // ---- provisioning through the admin API ----

  /** A fresh random seed, as a key's vendor would ship it. */
  public static byte[] seed() {
    byte[] s = new byte[20];
    new SecureRandom().nextBytes(s);
    return s;
  }

  public static String base32(byte[] seed) {
    return new String(Base32.encode(seed)).replace("=", "");
  }

  /** Creates the user and a TOTP token (SHA1, 6 digits, 30 s) assigned to it; returns the seed. */
  public byte[] userWithToken(String username, String serial) {
    byte[] seed = seed();
    user(username, null);
    token(serial, seed, null);
    expect(api.admin("PUT", "/v1/admin/users/" + username + "/tokens/" + serial, null), 200);
    return seed;
  }

  public void user(String username, String password) {
    JsonObject body = new JsonObject().put("displayName", "User " + username);
    if (password != null) {
      body.put("password", password);
    }
    Api.Resp r = api.admin("PUT", "/v1/admin/users/" + username, body);
    if (r.status() != 201 && r.status() != 200) {
      throw new IllegalStateException("cannot create user: " + r.raw());
    }
  }

  public void token(String serial, byte[] seed, String pin) {
    expect(api.admin("POST", "/v1/admin/tokens", totpTokenBody(serial, seed, 30, pin)), 201);
  }

  /**
   * The body of {@code POST /v1/admin/tokens} for a TOTP key (SHA1, 6 digits, the given period)
   * with {@code seed}, and an initial PIN unless {@code pin} is null.
   */
  public static JsonObject totpTokenBody(
      String serial, byte[] seed, int periodSeconds, String pin) {
    JsonObject body =
        new JsonObject()
            .put("serial", serial)
            .put("type", "totp")
            .put("algorithm", "SHA1")
            .put("digits", 6)
            .put("period", periodSeconds)
            .put("secret", base32(seed));
    if (pin != null) {
      body.put("pin", pin);
    }
    return body;
  }

  /** The code a SHA1/6/30 key shows now, by the test clock, shifted by {@code steps}. */
  public String code(byte[] seed, int steps) {
    Totp totp = new Totp(new Hotp(OtpAlgorithm.SHA1, 6), Duration.ofSeconds(30), clock);
    return totp.generate(seed, totp.currentStep() + steps);
  }

  public String code(byte[] seed) {
    return code(seed, 0);
  }

  /**
   * Runs the first login (code alone, NEW_PIN, next code) so that the user ends with PIN {@code
   * pin}.
   */
  public void firstLogin(String username, byte[] seed, String pin) {
    Api.Resp r = expect(api.login(username, code(seed)), 200);
    r = expect(api.newPin(username, r.str("state"), pin, pin), 200);
    clock.advanceSeconds(30);
    expect(api.answer(username, r.str("state"), pin + code(seed)), 200);
  }

  public static Api.Resp expect(Api.Resp r, int status) {
    if (r.status() != status) {
      throw new AssertionError("expected " + status + " but got " + r.status() + ": " + r.raw());
    }
    return r;
  }
}
