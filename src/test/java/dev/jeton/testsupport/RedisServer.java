package dev.jeton.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

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

  private static final String HOST = "127.0.0.1";
  private static final long START_TIMEOUT_MS = 10_000;
  private static final long RESTART_TIMEOUT_MS = 15_000;
  private static final long STOP_TIMEOUT_MS = 5_000;
  private static final int IO_TIMEOUT_MS = 1_000;
  private static final int START_ATTEMPTS = 3;
  private static final int LOG_TAIL_LINES = 30;
  private static final AtomicInteger LAUNCHES = new AtomicInteger();
  private static final AtomicInteger NAMESPACES = new AtomicInteger();

  private static RedisServer shared;

  private final Path executable;
  private final int port;
  private final Path dataDir;
  private Process process;
  private Path logFile;

  private RedisServer(Path executable, int port, Path dataDir) {
    this.executable = executable;
    this.port = port;
    this.dataDir = dataDir;
  }

  // ---------------------------------------------------------------- lifecycle

  /** Starts a new redis-server on a free loopback port and waits until it answers PING. */
  public static RedisServer start() {
    Path executable = findExecutable();
    IllegalStateException last = null;
    // A free port can be grabbed by someone else between probe and bind: retry with a new one.
    for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
      RedisServer server = new RedisServer(executable, freePort(), createDataDir());
      try {
        server.launch(START_TIMEOUT_MS);
        return server;
      } catch (IllegalStateException e) {
        server.stop();
        last = e;
      }
    }
    throw last;
  }

  /**
   * One server per JVM, started on first use and stopped by a shutdown hook. If a test stopped it,
   * it is restarted (on the same port) so later tests still get a live server.
   */
  public static synchronized RedisServer shared() {
    if (shared == null) {
      RedisServer server = start();
      Runtime.getRuntime()
          .addShutdownHook(new Thread(server::stop, "redis-server-shutdown-" + server.port));
      shared = server;
    } else if (!shared.isRunning()) {
      shared.restart();
    }
    return shared;
  }

  /** Stops the process: SIGTERM, wait up to 5 s, then SIGKILL. Idempotent. */
  public synchronized void stop() {
    Process p = process;
    process = null;
    if (p != null) {
      terminate(p);
    }
  }

  /**
   * Stops the server (if running) and starts a new process on the same port. Retries for a few
   * seconds in case the port is not yet bindable (e.g. TIME_WAIT).
   */
  public synchronized void restart() {
    stop();
    long deadline = System.currentTimeMillis() + RESTART_TIMEOUT_MS;
    IllegalStateException last = null;
    while (System.currentTimeMillis() < deadline) {
      try {
        launch(Math.min(START_TIMEOUT_MS, Math.max(1, deadline - System.currentTimeMillis())));
        return;
      } catch (IllegalStateException e) {
        last = e;
        stop();
        sleep(200);
      }
    }
    throw last != null
        ? last
        : new IllegalStateException("could not restart redis-server on port " + port);
  }

  @Override
  public void close() {
    stop();
  }

  // ---------------------------------------------------------------- accessors

  public int port() {
    return port;
  }

  /** {@code redis://127.0.0.1:PORT} */
  public String url() {
    return "redis://" + HOST + ":" + port;
  }

  public synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** Log file of the current (or last) process, under target/redis-server/. */
  public synchronized Path logFile() {
    return logFile;
  }

  // ---------------------------------------------------------------- raw commands

  /** Sends a raw {@code PING}; true if the answer is {@code +PONG}. Never throws. */
  public boolean ping() {
    return ping(port);
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
    String reply;
    try {
      reply = rawCommand(port, "FLUSHALL");
    } catch (IOException e) {
      throw new UncheckedIOException("FLUSHALL failed on " + url(), e);
    }
    if (!reply.startsWith("+OK")) {
      throw new IllegalStateException("FLUSHALL on " + url() + " answered: " + reply);
    }
  }

  private static boolean ping(int port) {
    try {
      return rawCommand(port, "PING").startsWith("+PONG");
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Sends one inline command and returns the first reply line (without CRLF). Bounded by timeouts.
   */
  private static String rawCommand(int port, String command) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(HOST, port), IO_TIMEOUT_MS);
      socket.setSoTimeout(IO_TIMEOUT_MS);
      OutputStream out = socket.getOutputStream();
      out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      StringBuilder line = new StringBuilder();
      int c;
      while ((c = in.read()) != -1 && c != '\n' && line.length() < 4096) {
        if (c != '\r') {
          line.append((char) c);
        }
      }
      return line.toString();
    }
  }

  // ---------------------------------------------------------------- internals

  /** Starts a process on {@link #port} and waits for PONG; on failure kills it and throws. */
  private void launch(long timeoutMs) {
    Path log = logDir().resolve("redis-" + port + "-" + LAUNCHES.incrementAndGet() + ".log");
    List<String> cmd =
        new ArrayList<>(
            List.of(
                executable.toString(),
                "--port",
                Integer.toString(port),
                "--bind",
                HOST,
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
                ""));
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(nullFile()));
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + executable + ": " + e.getMessage(), e);
    }
    synchronized (this) {
      process = p;
      logFile = log;
    }
    long deadline = System.currentTimeMillis() + timeoutMs;
    try {
      while (System.currentTimeMillis() < deadline) {
        if (!p.isAlive()) {
          throw new IllegalStateException(
              "redis-server on port "
                  + port
                  + " exited with code "
                  + p.exitValue()
                  + " before answering PING. Last output ("
                  + log
                  + "):\n"
                  + tail(log));
        }
        if (ping(port)) {
          return;
        }
        sleep(50);
      }
    } catch (RuntimeException e) {
      stop(); // never leave a half-started process behind
      throw e;
    }
    stop();
    throw new IllegalStateException(
        "redis-server on port "
            + port
            + " did not answer PING within "
            + timeoutMs
            + " ms. Last output ("
            + log
            + "):\n"
            + tail(log));
  }

  private static void terminate(Process p) {
    p.destroy();
    try {
      if (!p.waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        p.waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private static Path findExecutable() {
    List<Path> candidates = new ArrayList<>();
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(java.io.File.pathSeparator)) {
        if (!dir.isEmpty()) {
          candidates.add(Paths.get(dir, "redis-server"));
        }
      }
    }
    candidates.add(Paths.get("/usr/bin/redis-server"));
    candidates.add(Paths.get("/usr/local/bin/redis-server"));
    for (Path candidate : candidates) {
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException(
        "redis-server not found on PATH, /usr/bin or /usr/local/bin;"
            + " integration tests need a real Redis: install it with"
            + " `apt-get install redis-server` (the CI script .ci/run does this)");
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot find a free loopback port", e);
    }
  }

  private static Path createDataDir() {
    try {
      Path dir = Files.createTempDirectory("jeton-redis-");
      Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteRecursively(dir)));
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temp dir for redis-server", e);
    }
  }

  private static Path logDir() {
    Path target = Paths.get(System.getProperty("user.dir"), "target");
    Path dir =
        Files.isDirectory(target)
            ? target.resolve("redis-server")
            : Paths.get(System.getProperty("java.io.tmpdir"), "jeton-redis-logs");
    try {
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir, e);
    }
  }

  private static java.io.File nullFile() {
    return new java.io.File("/dev/null");
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
      return String.join(
          "\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(cannot read " + log + ": " + e + ")";
    }
  }

  private static void deleteRecursively(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths
          .sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException ignored) {
                  // best effort
                }
              });
    } catch (IOException ignored) {
      // best effort
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for redis-server", e);
    }
  }

  @Override
  public String toString() {
    return "RedisServer[" + url() + ", running=" + isRunning() + "]";
  }
}
