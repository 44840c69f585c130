package dev.jeton.testsupport;

import static dev.jeton.testsupport.Eventually.eventually;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The packaged {@code target/jeton.jar} running in its own JVM, as an operator would run it: the
 * one fixture of every test of the jar (the integration tests in {@code it}, the attack suite).
 *
 * <p>The child gets an environment built from nothing: {@code PATH} plus the given {@code JETON_*}
 * variables, and {@code JETON_HTTP_HOST=127.0.0.1} (unless started {@link #startWithoutHost
 * without}) with two free loopback ports unless the caller set them. Its stdout and stderr go to
 * one file under {@code target/it-logs/}, so the pipe can never fill up and the whole output can be
 * inspected. Every wait is bounded; {@link #stop()} and {@link #kill()} are idempotent and a JVM
 * shutdown hook kills a forgotten process.
 */
public final class JetonJar implements AutoCloseable {

  /** How long the jar may take to log "started" (or to exit); generous, for a loaded machine. */
  public static final Duration START_TIMEOUT = Duration.ofSeconds(40);

  /** The log line of a jar whose listeners are bound and whose store is ready. */
  public static final String STARTED = "\"message\":\"started\"";

  private static final long STOP_TIMEOUT_MS = 15_000;
  private static final long KILL_TIMEOUT_MS = 5_000;
  private static final AtomicInteger LAUNCHES = new AtomicInteger();

  private final Process process;
  private final Path log;
  private final int httpPort;
  private final int adminPort;
  private final Thread killer;
  private final boolean started;

  private JetonJar(
      Process process, Path log, int httpPort, int adminPort, Thread killer, boolean started) {
    this.process = process;
    this.log = log;
    this.httpPort = httpPort;
    this.adminPort = adminPort;
    this.killer = killer;
    this.started = started;
  }

  /**
   * Starts the jar with its public listener on 127.0.0.1 (unless {@code jetonEnv} names a host) and
   * waits, at most {@link #START_TIMEOUT}, until its output shows the "started" log line or the
   * process exits: see {@link #started()}.
   *
   * @throws AssertionError when it did neither within the timeout (the process is then stopped)
   * @param name short label for the log file name
   * @param jetonEnv the JETON_* variables; ports and host are added when absent
   */
  public static JetonJar start(String name, Map<String, String> jetonEnv) {
    Map<String, String> env = new LinkedHashMap<>(jetonEnv);
    env.putIfAbsent("JETON_HTTP_HOST", "127.0.0.1");
    return launch(name, env);
  }

  /** {@link #start}, but {@code JETON_HTTP_HOST} is left unset unless {@code jetonEnv} sets it. */
  public static JetonJar startWithoutHost(String name, Map<String, String> jetonEnv) {
    return launch(name, new LinkedHashMap<>(jetonEnv));
  }

  /** A loopback port that was free a moment ago (bound to port 0, then closed). */
  public static int freePort() {
    return Ports.free();
  }

  /**
   * True when the jar logged "started"; false when it exited first (a refused configuration, say).
   */
  public boolean started() {
    return started;
  }

  /**
   * This jar, if it started; otherwise it is stopped and this fails with the end of its output.
   *
   * @throws IllegalStateException when the "started" line did not appear
   */
  public JetonJar requireStarted() {
    if (!started) {
      String out = tail();
      stop();
      throw new IllegalStateException("the jar did not start; output:\n" + out);
    }
    return this;
  }

  public int httpPort() {
    return httpPort;
  }

  public int adminPort() {
    return adminPort;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public Path logFile() {
    return log;
  }

  /** Everything the process wrote so far, stdout and stderr interleaved. */
  public String output() {
    return read(log);
  }

  /**
   * Waits at most {@code timeoutMs} for the process to exit.
   *
   * @return its exit code
   * @throws AssertionError if it is still running (the process is then stopped)
   */
  public int exitCode(long timeoutMs) {
    try {
      if (process.waitFor(timeoutMs, TimeUnit.MILLISECONDS)) {
        return process.exitValue();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    stop();
    throw new AssertionError(
        "the jar did not exit within " + timeoutMs + " ms; output:\n" + tail());
  }

  /** Sends SIGTERM and returns at once (the graceful shutdown runs in the process). */
  public void signalTerm() {
    process.destroy();
  }

  /** SIGTERM, a bounded wait for the shutdown hook, then SIGKILL. Idempotent. */
  public void stop() {
    terminate(process);
    forgetKiller();
  }

  /**
   * SIGKILL, as a crash, the OOM killer or a node lost would end it: no shutdown hook runs, nothing
   * in flight is finished. Returns once the process is gone (waits at most 5 s). Idempotent.
   *
   * @throws AssertionError if the process still runs 5 s after SIGKILL
   */
  public void kill() {
    process.destroyForcibly();
    try {
      if (!process.waitFor(KILL_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
        throw new AssertionError("the jar still runs " + KILL_TIMEOUT_MS + " ms after SIGKILL");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    forgetKiller();
  }

  @Override
  public void close() {
    stop();
  }

  /** The last 40 lines of the output, for failure messages. */
  public String tail() {
    List<String> lines = output().lines().toList();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
  }

  @Override
  public String toString() {
    return "JetonJar[pid="
        + process.pid()
        + ", http="
        + httpPort
        + ", admin="
        + adminPort
        + ", log="
        + log
        + "]";
  }

  // ---- internals ----

  private static JetonJar launch(String name, Map<String, String> env) {
    Path jar = baseDir().resolve("target").resolve("jeton.jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " does not exist: run `mvn package` (or verify) first");
    }
    int httpPort = portOf(env, "JETON_HTTP_PORT");
    int adminPort = portOf(env, "JETON_ADMIN_PORT");
    Path log =
        logDir()
            .resolve(
                name
                    + "-"
                    + ProcessHandle.current().pid()
                    + "-"
                    + LAUNCHES.incrementAndGet()
                    + ".log");
    String javaBin = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = List.of(javaBin, "-Xmx512m", "-jar", jar.toString());
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .directory(baseDir().toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    Map<String, String> childEnv = pb.environment();
    childEnv.clear();
    String path = System.getenv("PATH");
    childEnv.put("PATH", path == null ? "/usr/bin:/bin" : path);
    childEnv.putAll(env);

    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + cmd, e);
    }
    Thread killer = new Thread(p::destroyForcibly, "jeton-jar-killer-" + p.pid());
    Runtime.getRuntime().addShutdownHook(killer);
    JetonJar launched = new JetonJar(p, log, httpPort, adminPort, killer, false);
    try {
      eventually(
          "the jar logs \"started\" or exits (" + log + ")",
          START_TIMEOUT,
          () -> read(log).contains(STARTED) || !p.isAlive());
    } catch (AssertionError hung) {
      String out = launched.tail();
      launched.stop();
      throw new AssertionError(
          "the jar neither started nor exited within "
              + START_TIMEOUT.toSeconds()
              + " s; output:\n"
              + out,
          hung);
    }
    return new JetonJar(p, log, httpPort, adminPort, killer, read(log).contains(STARTED));
  }

  private void forgetKiller() {
    try {
      Runtime.getRuntime().removeShutdownHook(killer);
    } catch (IllegalStateException | IllegalArgumentException ignored) {
      // JVM shutting down, or already removed
    }
  }

  private static void terminate(Process p) {
    if (!p.isAlive()) {
      return;
    }
    p.destroy();
    try {
      if (!p.waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        p.waitFor(KILL_TIMEOUT_MS, TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private static int portOf(Map<String, String> env, String name) {
    String v = env.get(name);
    if (v == null) {
      int port = freePort();
      env.put(name, Integer.toString(port));
      return port;
    }
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      return -1; // deliberately invalid, for configuration tests
    }
  }

  private static String read(Path log) {
    try {
      return Files.exists(log) ? new String(Files.readAllBytes(log), StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + log, e);
    }
  }

  private static Path baseDir() {
    String basedir = System.getProperty("basedir");
    return Paths.get(basedir != null ? basedir : System.getProperty("user.dir"));
  }

  private static Path logDir() {
    Path dir = baseDir().resolve("target").resolve("it-logs");
    try {
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir, e);
    }
  }
}
