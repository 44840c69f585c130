package dev.jeton.attack;

import static dev.jeton.testsupport.Eventually.eventually;

import dev.jeton.otp.Hotp;
import dev.jeton.otp.OtpAlgorithm;
import dev.jeton.otp.Totp;
import dev.jeton.testsupport.JetonJar;
import dev.jeton.testsupport.RedisServer;
import dev.jeton.testsupport.TestJeton;
import io.vertx.core.json.JsonObject;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The thing under attack: the packaged {@code target/jeton.jar} ({@link JetonJar}) on its own
 * {@code redis-server} (or on the embedded store), as an operator would run it. One per test class:
 * starting a JVM is the slow part.
 *
 * <p>The public listener is put on 127.0.0.1 unless the caller asks otherwise ({@link
 * #embeddedWithoutHost}), and both listeners get free loopback ports. Output goes to {@code
 * target/it-logs/attack-*.log}.
 */
final class Target implements AutoCloseable {

  static final SecureRandom RANDOM = new SecureRandom();

  final String adminToken = "attack-admin-" + hex(16);
  final Http http = new Http();
  private final RedisServer redisServer;
  private final JetonJar jar;

  private Target(RedisServer redisServer, Map<String, String> env, String name, boolean setHost) {
    this.redisServer = redisServer;
    Map<String, String> all = new LinkedHashMap<>();
    all.put("JETON_ADMIN_TOKEN", adminToken);
    if (redisServer != null) {
      byte[] key = new byte[32];
      RANDOM.nextBytes(key);
      all.put("JETON_REDIS_URL", redisServer.url());
      all.put("JETON_MASTER_KEY", Base64.getEncoder().encodeToString(key));
    }
    all.putAll(env);
    this.jar =
        (setHost
                ? JetonJar.start("attack-" + name, all)
                : JetonJar.startWithoutHost("attack-" + name, all))
            .requireStarted();
  }

  /** The jar on a fresh redis-server, public listener on 127.0.0.1. */
  static Target onRedis(String name, Map<String, String> env) {
    RedisServer redis = RedisServer.start();
    try {
      return new Target(redis, env, name, true);
    } catch (RuntimeException | Error e) {
      redis.stop();
      throw e;
    }
  }

  /** The jar on the embedded store, with no {@code JETON_HTTP_HOST} unless {@code env} sets one. */
  static Target embeddedWithoutHost(String name, Map<String, String> env) {
    return new Target(null, env, name, false);
  }

  int httpPort() {
    return jar.httpPort();
  }

  int adminPort() {
    return jar.adminPort();
  }

  String pub(String path) {
    return "http://127.0.0.1:" + jar.httpPort() + path;
  }

  String adm(String path) {
    return "http://127.0.0.1:" + jar.adminPort() + path;
  }

  boolean alive() {
    return jar.isAlive();
  }

  /** Everything the jar wrote so far. */
  String output() {
    return jar.output();
  }

  String tail() {
    return jar.tail();
  }

  /** A raw RESP client on this target's Redis; there is none on the embedded store. */
  RedisProbe redis() {
    if (redisServer == null) {
      throw new IllegalStateException("embedded store: no Redis to look into");
    }
    return new RedisProbe(redisServer.port());
  }

  @Override
  public void close() {
    jar.stop();
    if (redisServer != null) {
      redisServer.stop();
    }
  }

  // ---- the admin API, as the bootstrap admin or as an operator ----

  Http.Res admin(String method, String path, JsonObject body) {
    return adminAs(adminToken, method, path, body);
  }

  Http.Res adminAs(String token, String method, String path, JsonObject body) {
    return http.send(
        method,
        adm(path),
        token == null ? Map.of() : Map.of("Authorization", "Bearer " + token),
        "application/json",
        body == null ? null : body.encode());
  }

  Http.Res expect(Http.Res r, int... statuses) {
    for (int s : statuses) {
      if (r.status() == s) {
        return r;
      }
    }
    throw new AssertionError(
        "unexpected answer " + r.status() + " " + r.body() + "\njar output:\n" + tail());
  }

  /** Creates (or rotates) an API client; returns its secret. */
  String client(String name, boolean trustClientIp, String defaultLevel) {
    JsonObject body = new JsonObject().put("trustClientIp", trustClientIp);
    if (defaultLevel != null) {
      body.put("defaultLevel", defaultLevel);
    }
    return expect(admin("PUT", "/v1/admin/clients/" + name, body), 200).json().getString("secret");
  }

  /** Creates an operator; returns its secret. */
  String operator(String name, String role) {
    return expect(
            admin("PUT", "/v1/admin/operators/" + name, new JsonObject().put("role", role)), 200)
        .json()
        .getString("secret");
  }

  void user(String username, String password) {
    JsonObject body = new JsonObject().put("displayName", "User " + username);
    if (password != null) {
      body.put("password", password);
    }
    expect(admin("PUT", "/v1/admin/users/" + username, body), 200, 201);
  }

  /**
   * A TOTP token (SHA1, 6 digits, the given period, optional initial PIN) assigned to {@code
   * username}.
   */
  byte[] totpToken(String username, String serial, int periodSeconds, String pin) {
    byte[] seed = TestJeton.seed();
    expect(
        admin(
            "POST", "/v1/admin/tokens", TestJeton.totpTokenBody(serial, seed, periodSeconds, pin)),
        201);
    expect(admin("PUT", "/v1/admin/users/" + username + "/tokens/" + serial, null), 200);
    return seed;
  }

  JsonObject userView(String username) {
    return expect(admin("GET", "/v1/admin/users/" + username, null), 200).json();
  }

  // ---- the authentication API, as a portal ----

  Http.Res authenticate(String clientSecret, JsonObject fields) {
    return http.send(
        "POST",
        pub("/v1/authenticate"),
        clientSecret == null ? Map.of() : Map.of("Authorization", "Bearer " + clientSecret),
        "application/json",
        fields.encode());
  }

  Http.Res login(String clientSecret, String username, String password) {
    return authenticate(
        clientSecret, new JsonObject().put("username", username).put("password", password));
  }

  // ---- helpers ----

  static Totp totp(int periodSeconds) {
    return new Totp(
        new Hotp(OtpAlgorithm.SHA1, 6), Duration.ofSeconds(periodSeconds), Clock.systemUTC());
  }

  /** A six-digit value that matches no step of {@code seed} within 200 steps of now. */
  static String wrongCode(Totp totp, byte[] seed) {
    long now = totp.currentStep();
    java.util.Set<String> near = new java.util.HashSet<>();
    for (long s = now - 200; s <= now + 200; s++) {
      near.add(totp.generate(seed, s));
    }
    for (int i = 0; i < 10_000; i++) {
      String c = String.format("%06d", RANDOM.nextInt(1_000_000));
      if (!near.contains(c)) {
        return c;
      }
    }
    throw new IllegalStateException("no wrong code found");
  }

  /**
   * Waits (bounded) until the TOTP step is past {@code step}, then a little more so that both sides
   * agree.
   */
  static long awaitStepAfter(Totp totp, long step) {
    eventually(
        "the TOTP step advances past " + step,
        Duration.ofMillis(totp.period().toMillis() * (step - totp.currentStep() + 2) + 5_000),
        () -> totp.currentStep() > step);
    // The jar reads its own clock a moment later: 50 ms into the new step, both sides are in it.
    sleep(50);
    return totp.currentStep();
  }

  /**
   * Waits until a fresh step has just begun (at least 70 % of it left), so a burst of requests fits
   * in one step.
   */
  static long awaitFreshStep(Totp totp) {
    long periodMs = totp.period().toMillis();
    if (System.currentTimeMillis() % periodMs > periodMs * 3 / 10) {
      awaitStepAfter(totp, totp.currentStep());
    }
    return totp.currentStep();
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static String hex(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
