package dev.jeton.testsupport;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.stream.Stream;

/**
 * One {@code redis-server} process (a data node or a sentinel) on 127.0.0.1, as the harness runs
 * it: output appended to one log file per node (a header line per launch), every wait bounded, the
 * same port kept across restarts. Used by {@link RedisServer}, {@link RedisSentinelTopology} and
 * {@link RedisClusterTopology}, which do the fault injection through it.
 *
 * <p>A node is identified by its port; tests get nodes from a topology ({@code master()}, {@code
 * replicas()}, …) and hand them back to its {@code kill}/{@code stop}/{@code cont}/{@code restart}.
 */
public final class RedisNode {

  static final String HOST = RespClient.HOST;
  static final int START_ATTEMPTS = 3;
  static final int IO_TIMEOUT_MS = 1_000;
  private static final long STOP_TIMEOUT_MS = 5_000;
  private static final long SIGNAL_TIMEOUT_MS = 5_000;
  private static final int LOG_TAIL_LINES = 40;

  private final String name;
  private final Path executable;
  private final List<String> args;
  private final int port;
  private final String password;
  private final Path logFile;
  private Process process;
  private boolean paused;
  private int launches;

  /**
   * @param name short name for logs and messages ({@code data-1}, {@code sentinel-2}, …)
   * @param args arguments after the executable (a config file and/or {@code --option value}s)
   * @param password the {@code requirepass} of the node, or null
   * @param logFile where the output of every launch is appended
   */
  RedisNode(
      String name, Path executable, List<String> args, int port, String password, Path logFile) {
    this.name = name;
    this.executable = executable;
    this.args = List.copyOf(args);
    this.port = port;
    this.password = password;
    this.logFile = logFile;
  }

  // ---------------------------------------------------------------- accessors

  public String name() {
    return name;
  }

  public int port() {
    return port;
  }

  /** {@code 127.0.0.1:PORT} */
  public String address() {
    return HOST + ":" + port;
  }

  /** The process is alive (it may be paused by SIGSTOP). */
  public synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** The process is alive and stopped by SIGSTOP (see {@link #pause()}). */
  public synchronized boolean isPaused() {
    return paused && isRunning();
  }

  /** Pid of the current process; throws if it is not running. */
  public synchronized long pid() {
    if (!isRunning()) {
      throw new IllegalStateException(this + " is not running");
    }
    return process.pid();
  }

  /** Where the output of every launch of this node is appended. */
  public Path logFile() {
    return logFile;
  }

  /** The last lines of {@link #logFile()}, for failure messages. */
  public String logTail() {
    return tail(logFile);
  }

  // ---------------------------------------------------------------- commands

  /** One command on a fresh, authenticated connection; bounded by a 1 s I/O timeout. */
  public Object call(String... command) throws IOException {
    return RespClient.call(port, password, IO_TIMEOUT_MS, command);
  }

  /** {@code INFO section} parsed into {@code key → value}. */
  public Map<String, String> info(String section) throws IOException {
    return RespClient.parseInfo(call("INFO", section));
  }

  /** True if the node answers {@code PING} with {@code PONG} within 1 s. Never throws. */
  public boolean ping() {
    try {
      return "PONG".equals(call("PING"));
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  // ---------------------------------------------------------------- lifecycle

  /**
   * Starts a node built by {@code factory} for a free port, and retries with a new port (up to 3
   * attempts) when it does not come up, e.g. because the port was taken between choice and bind.
   */
  static RedisNode startOnFreePort(IntFunction<RedisNode> factory, long timeoutMs) {
    IllegalStateException last = null;
    for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
      RedisNode node = factory.apply(freePort());
      try {
        node.start(timeoutMs);
        return node;
      } catch (IllegalStateException e) {
        node.terminate();
        last = e;
      }
    }
    throw last;
  }

  /** Starts the process and waits until it answers PING; on failure kills it and throws. */
  synchronized void start(long timeoutMs) {
    if (isRunning()) {
      throw new IllegalStateException(this + " is already running");
    }
    List<String> command = new ArrayList<>();
    command.add(executable.toString());
    command.addAll(args);
    launches++;
    try {
      Files.createDirectories(logFile.getParent());
      Files.writeString(
          logFile,
          "---- "
              + Instant.now()
              + " launch #"
              + launches
              + ": "
              + String.join(" ", command)
              + "\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          launches == 1 ? StandardOpenOption.TRUNCATE_EXISTING : StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + logFile, e);
    }
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    try {
      process = pb.start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + executable + ": " + e.getMessage(), e);
    }
    paused = false;
    Process p = process;
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (System.currentTimeMillis() < deadline) {
      if (!p.isAlive()) {
        throw new IllegalStateException(
            this + " exited with code " + p.exitValue() + " before answering PING" + logTailFor());
      }
      Boolean ours = ping() ? answersFrom(p.pid()) : null;
      if (Boolean.TRUE.equals(ours)) {
        return;
      }
      if (Boolean.FALSE.equals(ours)) {
        // Someone else's server took the port between our choice and our bind.
        terminate();
        throw new IllegalStateException(
            this + ": another process answers on port " + port + logTailFor());
      }
      sleep(50);
    }
    terminate(); // never leave a half-started process behind
    throw new IllegalStateException(
        this + " did not answer PING within " + timeoutMs + " ms" + logTailFor());
  }

  /** Whether the server answering on the port is process {@code pid}; null if it cannot tell. */
  private Boolean answersFrom(long pid) {
    try {
      return Long.toString(pid).equals(info("server").get("process_id"));
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * Stops the process if it runs and starts it again on the same port, retrying until {@code
   * timeoutMs} in case the port is not bindable yet.
   */
  synchronized void restart(long timeoutMs) {
    terminate();
    long deadline = System.currentTimeMillis() + timeoutMs;
    IllegalStateException last = null;
    while (System.currentTimeMillis() < deadline) {
      try {
        start(Math.max(1, deadline - System.currentTimeMillis()));
        return;
      } catch (IllegalStateException e) {
        last = e;
        terminate();
        sleep(200);
      }
    }
    throw last != null
        ? last
        : new IllegalStateException("could not restart " + this + " within " + timeoutMs + " ms");
  }

  /** SIGCONT if paused, SIGTERM, up to 5 s, then SIGKILL. Idempotent. */
  synchronized void terminate() {
    terminateAll(List.of(this));
  }

  /** {@link #terminate()} on several nodes at once: all are signalled before any is waited for. */
  static void terminateAll(Collection<RedisNode> nodes) {
    List<Process> running = new ArrayList<>();
    for (RedisNode node : nodes) {
      synchronized (node) {
        Process p = node.process;
        if (p != null && p.isAlive()) {
          if (node.paused) {
            signal(p.pid(), "CONT");
          }
          p.destroy();
          running.add(p);
        }
        node.paused = false;
      }
    }
    long deadline = System.currentTimeMillis() + STOP_TIMEOUT_MS;
    for (Process p : running) {
      waitFor(p, Math.max(1, deadline - System.currentTimeMillis()));
    }
    for (Process p : running) {
      if (p.isAlive()) {
        p.destroyForcibly();
        waitFor(p, STOP_TIMEOUT_MS);
      }
    }
  }

  /** SIGKILL (the process gets no chance to do anything) and waits until it is gone. */
  synchronized void kill() {
    Process p = process;
    if (p != null && p.isAlive()) {
      p.destroyForcibly(); // SIGKILL on Unix; works on a stopped process too
      waitFor(p, STOP_TIMEOUT_MS);
      if (p.isAlive()) {
        throw new IllegalStateException(
            this + " still alive " + STOP_TIMEOUT_MS + " ms after KILL");
      }
    }
    paused = false;
  }

  /** SIGSTOP: the process keeps its sockets but answers nothing until {@link #resume()}. */
  synchronized void pause() {
    if (!isRunning()) {
      throw new IllegalStateException(this + " is not running");
    }
    signal(process.pid(), "STOP");
    paused = true;
  }

  /** SIGCONT after {@link #pause()}. */
  synchronized void resume() {
    if (!isRunning()) {
      throw new IllegalStateException(this + " is not running");
    }
    signal(process.pid(), "CONT");
    paused = false;
  }

  @Override
  public String toString() {
    return name + "@" + address();
  }

  private String logTailFor() {
    return ". Last output (" + logFile + "):\n" + tail(logFile);
  }

  // ---------------------------------------------------------------- shared helpers

  private static void signal(long pid, String signal) {
    ProcessBuilder pb =
        new ProcessBuilder("kill", "-" + signal, Long.toString(pid))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD);
    try {
      Process kill = pb.start();
      if (!kill.waitFor(SIGNAL_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
        kill.destroyForcibly();
        throw new IllegalStateException("kill -" + signal + " " + pid + " did not return");
      }
      if (kill.exitValue() != 0) {
        throw new IllegalStateException("kill -" + signal + " " + pid + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run kill -" + signal + " " + pid, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while signalling " + pid, e);
    }
  }

  private static void waitFor(Process p, long ms) {
    try {
      p.waitFor(ms, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /** {@code name} (redis-server, redis-cli) on PATH, in /usr/bin or /usr/local/bin. */
  static Path findExecutable(String name) {
    Path installed = findInstalled(name);
    if (installed == null) {
      throw new IllegalStateException(
          name
              + " not found on PATH, /usr/bin or /usr/local/bin;"
              + " integration tests need a real Redis: install it with"
              + " `apt-get install redis-server` (the CI script .ci/run does this)");
    }
    return installed;
  }

  /**
   * The redis-server to run: the installed one, or else the binary for this machine that the
   * test-scoped {@code com.github.codemonstur:embedded-redis} jar carries (Redis 6.2), copied to
   * {@code target/redis-bin}, so that the tests need nothing but a JDK and Maven. Tests that need
   * Redis 7 or {@code redis-cli} (Sentinel and Cluster topologies) ask for the installed one with
   * {@link #requireInstalledRedis(String)}.
   */
  static synchronized Path redisServer() {
    Path installed = findInstalled("redis-server");
    return installed != null ? installed : shippedRedisServer();
  }

  /**
   * Returns when redis-server and redis-cli are installed; otherwise skips the test, or fails it
   * where CI requires every program ({@link ExternalTools}).
   */
  public static void requireInstalledRedis(String what) {
    ExternalTools.require(
        findInstalled("redis-server") != null && findInstalled("redis-cli") != null,
        what + " needs an installed Redis 7 with redis-cli (apt-get install redis-server)");
  }

  static Path shippedRedisServer() {
    String arch = System.getProperty("os.arch", "");
    String resource =
        !System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).startsWith("linux")
            ? null
            : arch.equals("amd64") || arch.equals("x86_64")
                ? "redis-server-6.2.6-v5-linux-amd64"
                : arch.equals("aarch64") ? "redis-server-6.2.7-linux-arm64" : null;
    java.net.URL url = resource == null ? null : RedisNode.class.getResource("/" + resource);
    if (url == null) {
      throw new IllegalStateException(
          "redis-server not found on PATH, /usr/bin or /usr/local/bin, and none is shipped for "
              + System.getProperty("os.name")
              + "/"
              + arch
              + ": install it (apt-get install redis-server)");
    }
    Path binary = logDir("redis-bin").resolve(resource);
    try {
      if (!Files.isExecutable(binary)) {
        Path part = Files.createTempFile(binary.getParent(), resource, ".part");
        try (var in = url.openStream()) {
          Files.copy(in, part, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        if (!part.toFile().setExecutable(true, true)) {
          throw new IOException("cannot make " + part + " executable");
        }
        Files.move(part, binary, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      }
      return binary;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot copy the shipped redis-server to " + binary, e);
    }
  }

  private static Path findInstalled(String name) {
    List<Path> candidates = new ArrayList<>();
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(File.pathSeparator)) {
        if (!dir.isEmpty()) {
          candidates.add(Paths.get(dir, name));
        }
      }
    }
    candidates.add(Paths.get("/usr/bin", name));
    candidates.add(Paths.get("/usr/local/bin", name));
    for (Path candidate : candidates) {
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return null;
  }

  static int freePort() {
    return Ports.free();
  }

  static Path createTempDir(String prefix) {
    try {
      return Files.createTempDirectory(prefix);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temp dir " + prefix + "*", e);
    }
  }

  /** {@code target/<sub>} of the module, or a temp dir outside a Maven build. */
  static Path logDir(String sub) {
    Path target = Paths.get(System.getProperty("user.dir"), "target");
    Path dir =
        Files.isDirectory(target)
            ? target.resolve(sub)
            : Paths.get(System.getProperty("java.io.tmpdir"), "jeton-" + sub.replace('/', '-'));
    try {
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir, e);
    }
  }

  static String tail(Path log) {
    return tail(log, LOG_TAIL_LINES);
  }

  static String tail(Path log, int count) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - count), lines.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(cannot read " + log + ": " + e + ")";
    }
  }

  static void deleteRecursively(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
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
    } catch (IOException | UncheckedIOException ignored) {
      // best effort
    }
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for redis", e);
    }
  }
}
