package dev.jeton.attack;

import dev.jeton.otp.Hotp;
import dev.jeton.otp.OtpAlgorithm;
import dev.jeton.otp.Totp;
import dev.jeton.testsupport.RedisServer;
import dev.jeton.testsupport.TestJeton;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The thing under attack: the packaged {@code target/jeton.jar} in its own JVM, on its own {@code redis-server}
 * (or on the embedded store), as an operator would run it. One per test class: starting a JVM is the slow part.
 *
 * <p>The child's environment is built from nothing ({@code PATH} plus the given {@code JETON_*} variables); the
 * public listener is put on 127.0.0.1 unless the caller asks otherwise ({@link #embeddedWithoutHost}), and both
 * listeners get free loopback ports. Output goes to {@code target/it-logs/attack-*.log}. Every wait is bounded.
 */
final class Target implements AutoCloseable {

  static final SecureRandom RANDOM = new SecureRandom();
  private static final long START_TIMEOUT_MS = 40_000;
  private static final AtomicInteger LAUNCHES = new AtomicInteger();

  final String adminToken = "attack-admin-" + hex(16);
  final Http http = new Http();
  private final RedisServer redisServer;
  private final Process process;
  private final Path log;
  private final int httpPort;
  private final int adminPort;
  private final Thread killer;

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
    if (setHost) {
      all.put("JETON_HTTP_HOST", "127.0.0.1");
    }
    all.put("JETON_HTTP_PORT", Integer.toString(freePort()));
    all.put("JETON_ADMIN_PORT", Integer.toString(freePort()));
    all.putAll(env);
    this.httpPort = Integer.parseInt(all.get("JETON_HTTP_PORT"));
    this.adminPort = Integer.parseInt(all.get("JETON_ADMIN_PORT"));
    this.log = logDir().resolve("attack-" + name + "-" + ProcessHandle.current().pid() + "-"
        + LAUNCHES.incrementAndGet() + ".log");
    String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(List.of(java, "-Xmx384m", "-jar", jar().toString()))
        .directory(baseDir().toFile()).redirectErrorStream(true).redirectOutput(log.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    pb.environment().clear();
    String path = System.getenv("PATH");
    pb.environment().put("PATH", path == null ? "/usr/bin:/bin" : path);
    pb.environment().putAll(all);
    try {
      this.process = pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + jar(), e);
    }
    this.killer = new Thread(process::destroyForcibly, "attack-jar-killer-" + process.pid());
    Runtime.getRuntime().addShutdownHook(killer);
    awaitStarted();
  }

  /** The jar on a fresh redis-server, public listener on 127.0.0.1. */
  static Target onRedis(String name, Map<String, String> env) {
    RedisServer redis = RedisServer.start();
    try {
      return new Target(redis, env, name, true);
    } catch (RuntimeException e) {
      redis.stop();
      throw e;
    }
  }

  /** The jar on the embedded store, with no {@code JETON_HTTP_HOST} unless {@code env} sets one. */
  static Target embeddedWithoutHost(String name, Map<String, String> env) {
    return new Target(null, env, name, false);
  }

  int httpPort() {
    return httpPort;
  }

  int adminPort() {
    return adminPort;
  }

  String pub(String path) {
    return "http://127.0.0.1:" + httpPort + path;
  }

  String adm(String path) {
    return "http://127.0.0.1:" + adminPort + path;
  }

  boolean alive() {
    return process.isAlive();
  }

  /** Everything the jar wrote so far. */
  String output() {
    try {
      return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String tail() {
    List<String> lines = output().lines().toList();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
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
    process.destroy();
    try {
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    try {
      Runtime.getRuntime().removeShutdownHook(killer);
    } catch (IllegalStateException | IllegalArgumentException ignored) {
      // JVM shutting down, or already removed
    }
    if (redisServer != null) {
      redisServer.stop();
    }
  }

  // ---- the admin API, as the bootstrap admin or as an operator ----

  Http.Res admin(String method, String path, JsonObject body) {
    return adminAs(adminToken, method, path, body);
  }

  Http.Res adminAs(String token, String method, String path, JsonObject body) {
    return http.send(method, adm(path), token == null ? Map.of() : Map.of("Authorization", "Bearer " + token),
        "application/json", body == null ? null : body.encode());
  }

  Http.Res expect(Http.Res r, int... statuses) {
    for (int s : statuses) {
      if (r.status() == s) {
        return r;
      }
    }
    throw new AssertionError("unexpected answer " + r.status() + " " + r.body() + "\njar output:\n" + tail());
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
    return expect(admin("PUT", "/v1/admin/operators/" + name, new JsonObject().put("role", role)), 200).json()
        .getString("secret");
  }

  void user(String username, String password) {
    JsonObject body = new JsonObject().put("displayName", "User " + username);
    if (password != null) {
      body.put("password", password);
    }
    expect(admin("PUT", "/v1/admin/users/" + username, body), 200, 201);
  }

  /** A TOTP token (SHA1, 6 digits, the given period, optional initial PIN) assigned to {@code username}. */
  byte[] totpToken(String username, String serial, int periodSeconds, String pin) {
    byte[] seed = TestJeton.seed();
    JsonObject body = new JsonObject().put("serial", serial).put("type", "totp").put("algorithm", "SHA1")
        .put("digits", 6).put("period", periodSeconds).put("secret", TestJeton.base32(seed));
    if (pin != null) {
      body.put("pin", pin);
    }
    expect(admin("POST", "/v1/admin/tokens", body), 201);
    expect(admin("PUT", "/v1/admin/users/" + username + "/tokens/" + serial, null), 200);
    return seed;
  }

  JsonObject userView(String username) {
    return expect(admin("GET", "/v1/admin/users/" + username, null), 200).json();
  }

  // ---- the authentication API, as a portal ----

  Http.Res authenticate(String clientSecret, JsonObject fields) {
    return http.send("POST", pub("/v1/authenticate"),
        clientSecret == null ? Map.of() : Map.of("Authorization", "Bearer " + clientSecret), "application/json",
        fields.encode());
  }

  Http.Res login(String clientSecret, String username, String password) {
    return authenticate(clientSecret, new JsonObject().put("username", username).put("password", password));
  }

  // ---- helpers ----

  static Totp totp(int periodSeconds) {
    return new Totp(new Hotp(OtpAlgorithm.SHA1, 6), Duration.ofSeconds(periodSeconds), Clock.systemUTC());
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

  /** Waits (bounded) until the TOTP step is past {@code step}, then a little more so that both sides agree. */
  static long awaitStepAfter(Totp totp, long step) {
    long deadline = System.currentTimeMillis() + totp.period().toMillis() * (step - totp.currentStep() + 2) + 5_000;
    while (totp.currentStep() <= step) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("the TOTP step did not advance past " + step);
      }
      sleep(20);
    }
    sleep(50);
    return totp.currentStep();
  }

  /** Waits until a fresh step has just begun (at least 70 % of it left), so a burst of requests fits in one step. */
  static long awaitFreshStep(Totp totp) {
    long periodMs = totp.period().toMillis();
    if (System.currentTimeMillis() % periodMs > periodMs * 3 / 10) {
      awaitStepAfter(totp, totp.currentStep());
    }
    return totp.currentStep();
  }

  static void sleep(long ms) {
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

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void awaitStarted() {
    long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
    while (System.currentTimeMillis() < deadline) {
      if (output().contains("\"message\":\"started\"")) {
        return;
      }
      if (!process.isAlive()) {
        break;
      }
      sleep(50);
    }
    String out = tail();
    close();
    throw new IllegalStateException("the jar did not start; output:\n" + out);
  }

  private static Path baseDir() {
    String basedir = System.getProperty("basedir");
    return Paths.get(basedir != null ? basedir : System.getProperty("user.dir"));
  }

  private static Path jar() {
    Path jar = baseDir().resolve("target").resolve("jeton.jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " does not exist: run `mvn package` (or verify) first");
    }
    return jar;
  }

  private static Path logDir() {
    try {
      return Files.createDirectories(baseDir().resolve("target").resolve("it-logs"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
