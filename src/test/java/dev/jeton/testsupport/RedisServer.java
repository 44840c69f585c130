package dev.jeton.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real {@code redis-server} process bound to 127.0.0.1 on a free port, for integration tests.
 *
 * <p>No persistence (no RDB, no AOF), data dir in a temp directory, output written to {@code
 * target/redis-server/*.log} so the process can never block on a full pipe. Every wait is bounded.
 *
 * <pre>{@code
 * RedisServer redis = RedisServer.shared();   // one process per JVM, stopped by a shutdown hook
 * String url = redis.url();                   // redis://127.0.0.1:PORT
 * String ns = redis.freshNamespace();         // isolate a test: new RedisStore(vertx, url, timeout, ns)
 * }</pre>
 *
 * <p>Tests sharing the server are kept apart by key namespace, not by {@code FLUSHALL}: each takes
 * a namespace no other test of the JVM has, so tests never wipe each other's keys and could run
 * side by side.
 */
public final class RedisServer implements AutoCloseable {

  private static final long START_TIMEOUT_MS = 10_000;
  private static final long RESTART_TIMEOUT_MS = 15_000;
  private static final AtomicInteger LAUNCHES = new AtomicInteger();
  private static final AtomicInteger NAMESPACES = new AtomicInteger();

  private static RedisServer shared;

  private final RedisNode node;

  private RedisServer(RedisNode node) {
    this.node = node;
  }

  // ---------------------------------------------------------------- lifecycle

  /** Starts a new redis-server on a free loopback port and waits until it answers PING. */
  public static RedisServer start() {
    return start(RedisNode.redisServer());
  }

  /** Starts {@code executable} on a free loopback port and waits until it answers PING. */
  static RedisServer start(Path executable) {
    // A free port can be grabbed by someone else between probe and bind: a new port is tried then.
    return new RedisServer(
        RedisNode.startOnFreePort(port -> newNode(executable, port), START_TIMEOUT_MS));
  }

  private static RedisNode newNode(Path executable, int port) {
    Path dataDir = RedisNode.createTempDir("jeton-redis-");
    Runtime.getRuntime().addShutdownHook(new Thread(() -> RedisNode.deleteRecursively(dataDir)));
    List<String> args =
        List.of(
            "--port",
            Integer.toString(port),
            "--bind",
            RedisNode.HOST,
            "--save",
            "",
            "--appendonly",
            "no",
            "--protected-mode",
            "yes",
            "--daemonize",
            "no",
            "--dir",
            dataDir.toString(),
            "--logfile",
            "");
    Path log =
        RedisNode.logDir("redis-server")
            .resolve("redis-" + port + "-" + LAUNCHES.incrementAndGet() + ".log");
    return new RedisNode("redis-server", executable, args, port, null, log);
  }

  /**
   * One server per JVM, started on first use and stopped by a shutdown hook. If a test stopped it,
   * it is restarted (on the same port) so later tests still get a live server.
   */
  public static synchronized RedisServer shared() {
    if (shared == null) {
      RedisServer server = start();
      Runtime.getRuntime()
          .addShutdownHook(new Thread(server::stop, "redis-server-shutdown-" + server.port()));
      shared = server;
    } else if (!shared.isRunning()) {
      shared.restart();
    }
    return shared;
  }

  /** Stops the process: SIGTERM, wait up to 5 s, then SIGKILL. Idempotent. */
  public void stop() {
    node.terminate();
  }

  /**
   * Stops the server (if running) and starts a new process on the same port. Retries for a few
   * seconds in case the port is not yet bindable (e.g. TIME_WAIT).
   */
  public void restart() {
    node.restart(RESTART_TIMEOUT_MS);
  }

  @Override
  public void close() {
    stop();
  }

  // ---------------------------------------------------------------- accessors

  public int port() {
    return node.port();
  }

  /** {@code redis://127.0.0.1:PORT} */
  public String url() {
    return "redis://" + RedisNode.HOST + ":" + port();
  }

  /**
   * One command, answered as {@code redis-cli} would print it ({@link RespClient#asText}); an error
   * reply gives its message. For tests that read keys behind the store's back.
   */
  public String cli(String... args) {
    try {
      return RespClient.asText(RespClient.call(port(), null, 5_000, args));
    } catch (RespClient.ErrorReply e) {
      return e.getMessage();
    } catch (IOException e) {
      throw new UncheckedIOException("redis-server on port " + port() + ": " + e.getMessage(), e);
    }
  }

  public boolean isRunning() {
    return node.isRunning();
  }

  /**
   * Log file of the server's processes (one line per launch, then its output), under
   * target/redis-server/.
   */
  public Path logFile() {
    return node.logFile();
  }

  // ---------------------------------------------------------------- raw commands

  /** Sends a raw {@code PING}; true if the answer is {@code PONG}. Never throws. */
  public boolean ping() {
    return node.ping();
  }

  /**
   * A key namespace that no other caller in this JVM has been given ({@code jeton-t1}, {@code
   * jeton-t2}, …): a test that hands it to the store sees only its own keys. Thread-safe.
   */
  public String freshNamespace() {
    return "jeton-t" + NAMESPACES.incrementAndGet();
  }

  /**
   * Deletes every key in every database (raw {@code FLUSHALL}). Only for tests of a whole Jeton,
   * which has no key namespace setting; a test of a store takes a {@link #freshNamespace()}
   * instead.
   */
  public void flushAll() {
    Object reply;
    try {
      reply = node.call("FLUSHALL");
    } catch (IOException e) {
      throw new UncheckedIOException("FLUSHALL failed on " + url(), e);
    }
    if (!"OK".equals(reply)) {
      throw new IllegalStateException("FLUSHALL on " + url() + " answered: " + reply);
    }
  }

  @Override
  public String toString() {
    return "RedisServer[" + url() + ", running=" + isRunning() + "]";
  }
}
