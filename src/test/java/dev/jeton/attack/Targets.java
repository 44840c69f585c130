package dev.jeton.attack;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The two jars the attack suite shares between its classes, each on its own Redis, started on first
 * use and stopped when the test JVM exits: starting a JVM and a Redis is most of the suite's time.
 * Tests on a shared jar use their own usernames, serials and client addresses, so that no test's
 * counters touch another's.
 */
final class Targets {

  /**
   * Read timeout of a request, and idle timeout of a connection (issue 15, hole 7): names being
   * implemented.
   */
  static final String READ_TIMEOUT_VAR = "JETON_HTTP_READ_TIMEOUT_SECONDS";

  static final String IDLE_TIMEOUT_VAR = "JETON_HTTP_IDLE_TIMEOUT_SECONDS";
  static final int READ_TIMEOUT_SECONDS = 2;
  static final int IDLE_TIMEOUT_SECONDS = 3;

  /**
   * Store timeout of both jars: the suite shares a loaded machine, and a 1,000-way race queues on
   * the two Redis connections; the default (1 s) then answers many racers 503 (fail-closed, but no
   * ACCEPT to count).
   */
  static final String STORE_TIMEOUT_MS = "8000";

  /** Lenient: no IP throttling, no lock in reach, a small resync window (to see the drift cap). */
  static final int MAIN_RESYNC_WINDOW = 3;

  /**
   * Strict: a lock after 3 failures, 429 after 5 failures from one address (in the default 300 s
   * window).
   */
  static final int STRICT_LOCKOUT_FAILURES = 3;

  static final int STRICT_LOCKOUT_SECONDS = 120;
  static final int STRICT_IP_FAILURE_LIMIT = 5;

  /**
   * The audit stream's cap on the strict jar (the smallest allowed), so that a flood can try to
   * push events out.
   */
  static final int STRICT_AUDIT_MAX_EVENTS = 100;

  /** The one host a signed-in user may be sent back to. */
  static final String RETURN_HOST = "app.example.test";

  private static CompletableFuture<Target> main;
  private static CompletableFuture<Target> strict;

  private Targets() {}

  static Target main() {
    return join(starting().get(0));
  }

  static Target strict() {
    return join(starting().get(1));
  }

  /** Both jars start together on first use (most of their start is waiting, not computing). */
  private static synchronized List<CompletableFuture<Target>> starting() {
    if (main == null) {
      ExecutorService starter = Executors.newFixedThreadPool(2);
      main = CompletableFuture.supplyAsync(Targets::startMain, starter);
      strict = CompletableFuture.supplyAsync(Targets::startStrict, starter);
      starter.shutdown();
    }
    return List.of(main, strict);
  }

  private static Target join(CompletableFuture<Target> f) {
    try {
      return f.get(120, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("the target jar did not start", e);
    }
  }

  private static Target startMain() {
    return register(
        Target.onRedis(
            "main",
            Map.of(
                "JETON_STORE_TIMEOUT_MS",
                STORE_TIMEOUT_MS,
                "JETON_IP_FAILURE_LIMIT",
                "1000000",
                "JETON_LOCKOUT_FAILURES",
                "1000",
                "JETON_RESYNC_WINDOW",
                Integer.toString(MAIN_RESYNC_WINDOW))));
  }

  private static Target startStrict() {
    return register(
        Target.onRedis(
            "strict",
            Map.of(
                "JETON_STORE_TIMEOUT_MS",
                STORE_TIMEOUT_MS,
                "JETON_LOCKOUT_FAILURES",
                Integer.toString(STRICT_LOCKOUT_FAILURES),
                "JETON_LOCKOUT_SECONDS",
                Integer.toString(STRICT_LOCKOUT_SECONDS),
                "JETON_IP_FAILURE_LIMIT",
                Integer.toString(STRICT_IP_FAILURE_LIMIT),
                "JETON_AUDIT_MAX_EVENTS",
                Integer.toString(STRICT_AUDIT_MAX_EVENTS),
                "JETON_TRUSTED_PROXIES",
                "127.0.0.1",
                "JETON_PORTAL_RETURN_HOSTS",
                RETURN_HOST,
                READ_TIMEOUT_VAR,
                Integer.toString(READ_TIMEOUT_SECONDS),
                IDLE_TIMEOUT_VAR,
                Integer.toString(IDLE_TIMEOUT_SECONDS))));
  }

  private static Target register(Target t) {
    Runtime.getRuntime().addShutdownHook(new Thread(t::close, "attack-target-stop"));
    return t;
  }
}
