package dev.jeton.deploy;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The compose profile "sentinel" without Docker: its data nodes and sentinels started by the very
 * scripts compose runs ({@code deploy/sentinel/redis-node.sh}, {@code sentinel.sh}), with the
 * environment compose gives them, on free loopback ports instead of service names and with {@code
 * redis-server} in place of the image's entrypoint. Every wait is bounded; {@link #close()} kills
 * every process it started and deletes the data.
 */
final class SentinelProfileOnLoopback implements AutoCloseable {

  private static final long START_TIMEOUT_MS = 15_000;
  private static final int IO_TIMEOUT_MS = 1_000;

  /** One node: its compose service name, port, script and environment. */
  private record Node(String service, int port, String script, Map<String, String> env) {}

  private final Path scripts;
  private final Path dir;
  private final Path redisServer;
  private final String password;
  private final Map<String, Node> nodes = new LinkedHashMap<>();
  private final Map<String, Process> processes = new HashMap<>();

  private SentinelProfileOnLoopback(Path scripts, Path dir, Path redisServer, String password) {
    this.scripts = scripts;
    this.dir = dir;
    this.redisServer = redisServer;
    this.password = password;
  }

  /**
   * Starts the data nodes, then the sentinels, and waits until the master has every replica online
   * and the sentinels see each other (SENTINEL CKQUORUM).
   *
   * @param dataNodes compose service name of each data node, with the environment compose gives it
   *     (REPLICA_OF names another data node's service)
   * @param sentinels the same for each sentinel (MASTER_HOST names a data node's service)
   * @param downAfterMs DOWN_AFTER_MS for the sentinels, short so that a failover is quick
   */
  static SentinelProfileOnLoopback start(
      Path scripts,
      Map<String, Map<String, String>> dataNodes,
      Map<String, Map<String, String>> sentinels,
      long downAfterMs) {
    Path dir;
    try {
      dir = Files.createTempDirectory("jeton-sentinel-profile-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    SentinelProfileOnLoopback s =
        new SentinelProfileOnLoopback(scripts, dir, findRedisServer(), "loopback-Pw-0123456789");
    try {
      Map<String, Integer> ports = new HashMap<>();
      dataNodes.keySet().forEach(n -> ports.put(n, freePort()));
      sentinels.keySet().forEach(n -> ports.put(n, freePort()));
      for (var e : dataNodes.entrySet()) {
        Map<String, String> env = s.loopback(e.getKey(), e.getValue(), ports);
        String replicaOf = e.getValue().get("REPLICA_OF");
        if (replicaOf != null) {
          String[] hostPort = replicaOf.split(" ");
          env.put("REPLICA_OF", "127.0.0.1 " + ports.get(hostPort[0]));
        }
        s.nodes.put(e.getKey(), new Node(e.getKey(), ports.get(e.getKey()), "redis-node.sh", env));
      }
      for (var e : sentinels.entrySet()) {
        Map<String, String> env = s.loopback(e.getKey(), e.getValue(), ports);
        env.put("MASTER_HOST", "127.0.0.1");
        env.put("MASTER_PORT", String.valueOf(ports.get(e.getValue().get("MASTER_HOST"))));
        env.put("DOWN_AFTER_MS", String.valueOf(downAfterMs));
        s.nodes.put(e.getKey(), new Node(e.getKey(), ports.get(e.getKey()), "sentinel.sh", env));
      }
      for (String n : dataNodes.keySet()) {
        s.launch(n);
      }
      int replicas = dataNodes.size() - 1;
      String master = s.masterService();
      s.await(
          "the master with " + replicas + " replicas online",
          () ->
              s.dataCommand(master, "INFO", "replication").split("state=online", -1).length - 1
                  == replicas);
      for (String n : sentinels.keySet()) {
        s.launch(n);
      }
      for (String n : sentinels.keySet()) {
        String masterName = sentinels.get(n).get("MASTER_NAME");
        s.await(
            n + " sees a quorum",
            () -> s.sentinelCommand(n, "SENTINEL", "CKQUORUM", masterName).startsWith("OK"));
      }
      return s;
    } catch (RuntimeException | Error e) {
      s.close();
      throw e;
    }
  }

  /** Compose's environment for a node, with the loopback's port, address, data dir and password. */
  private Map<String, String> loopback(
      String service, Map<String, String> compose, Map<String, Integer> ports) {
    Map<String, String> env = new HashMap<>(compose);
    env.put("REDIS_PASSWORD", password);
    env.put("PORT", String.valueOf(ports.get(service)));
    env.put("BIND", "127.0.0.1");
    env.put("ANNOUNCE_HOST", "127.0.0.1");
    env.put("DATA_DIR", dir.resolve(service).toString());
    return env;
  }

  String password() {
    return password;
  }

  int port(String service) {
    return nodes.get(service).port();
  }

  /** The data node no REPLICA_OF points away from at the first start. */
  private String masterService() {
    return nodes.values().stream()
        .filter(n -> n.script().equals("redis-node.sh") && !n.env().containsKey("REPLICA_OF"))
        .findFirst()
        .orElseThrow()
        .service();
  }

  /** Runs the node's script, as compose does; the script execs redis-server. */
  void launch(String service) {
    Node n = nodes.get(service);
    try {
      Files.createDirectories(Path.of(n.env().get("DATA_DIR")));
      ProcessBuilder pb =
          new ProcessBuilder("sh", scripts.resolve(n.script()).toString(), redisServer.toString())
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve(service + ".log").toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      pb.environment().putAll(n.env());
      processes.put(service, pb.start());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    await(service + " answers PING", () -> command(n.port(), pw(n), "PING").equals("PONG"));
  }

  /** Runs a script with the given environment and waits for its exit code (a refusal to start). */
  int runScript(String script, Map<String, String> env) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder("sh", scripts.resolve(script).toString(), redisServer.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve(script + ".refused.log").toFile());
    pb.environment().putAll(env);
    Process p = pb.start();
    if (!p.waitFor(10, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      throw new AssertionError(script + " did not exit");
    }
    return p.exitValue();
  }

  /** SIGKILL. */
  void kill(String service) throws InterruptedException {
    Process p = processes.remove(service);
    if (p != null) {
      p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
  }

  /** The port of the master the sentinel names now. */
  int masterPort(String sentinel, String masterName) {
    String[] addr =
        sentinelCommand(sentinel, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", masterName).split("\n");
    return addr.length == 2 ? Integer.parseInt(addr[1]) : -1;
  }

  String dataCommand(String service, String... args) {
    return command(port(service), password, args);
  }

  String sentinelCommand(String service, String... args) {
    return command(port(service), null, args);
  }

  Path configFile(String service) {
    return Path.of(nodes.get(service).env().get("DATA_DIR"), "redis.conf");
  }

  private String pw(Node n) {
    return n.script().equals("redis-node.sh") ? password : null;
  }

  private interface Check {
    boolean ok() throws Exception;
  }

  /**
   * Waits until the data node {@code service} is a replica of the master that {@code sentinel}
   * names now (read again at each try: with a down-after of a second, the sentinels sometimes fail
   * over a second time, from a just promoted master they had not heard from yet), and returns that
   * master's port. Fails with the tail of every log: a sentinel logs {@code +convert-to-slave} when
   * it turns an old master into a replica, {@code +switch-master} at each failover, and {@code
   * +tilt} when it stops acting for 30 s because its timer ran late.
   */
  int awaitReplicaOfCurrentMaster(
      String service, String sentinel, String masterName, long timeoutMs) {
    int[] master = {-1};
    await(
        service + " comes back as a replica of the master " + sentinel + " names",
        timeoutMs,
        () -> {
          master[0] = masterPort(sentinel, masterName);
          String info = dataCommand(service, "INFO", "replication");
          return master[0] != port(service)
              && info.contains("role:slave")
              && info.contains("master_port:" + master[0]);
        });
    return master[0];
  }

  private void await(String what, Check check) {
    await(what, START_TIMEOUT_MS, check);
  }

  private void await(String what, long timeoutMs, Check check) {
    long end = System.currentTimeMillis() + timeoutMs;
    Exception last = null;
    while (System.currentTimeMillis() < end) {
      try {
        if (check.ok()) {
          return;
        }
      } catch (Exception e) {
        last = e;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    throw new AssertionError(
        "timed out waiting for: " + what + (last == null ? "" : " (" + last + ")") + logs());
  }

  private String logs() {
    StringBuilder sb = new StringBuilder();
    for (String service : nodes.keySet()) {
      try {
        List<String> lines = Files.readAllLines(dir.resolve(service + ".log"));
        sb.append("\n--- ").append(service).append(":\n");
        lines
            .subList(Math.max(0, lines.size() - 25), lines.size())
            .forEach(l -> sb.append(l).append('\n'));
      } catch (IOException e) {
        // not started
      }
    }
    return sb.toString();
  }

  /**
   * One command over RESP2 (after AUTH when a password is given); the reply flattened: a bulk or
   * simple string as is, an array's elements one a line, an error as "-ERR ...".
   */
  static String command(int port, String password, String... args) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), IO_TIMEOUT_MS);
      socket.setSoTimeout(IO_TIMEOUT_MS);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      if (password != null) {
        send(out, "AUTH", password);
        String auth = read(in);
        if (!auth.equals("OK")) {
          return auth;
        }
      }
      send(out, args);
      return read(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void send(OutputStream out, String... args) throws IOException {
    StringBuilder sb = new StringBuilder("*").append(args.length).append("\r\n");
    for (String a : args) {
      sb.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n");
      sb.append(a).append("\r\n");
    }
    out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  private static String read(InputStream in) throws IOException {
    String line = line(in);
    char type = line.charAt(0);
    String rest = line.substring(1);
    switch (type) {
      case '+', ':' -> {
        return rest;
      }
      case '-' -> {
        return "-" + rest;
      }
      case '$' -> {
        int len = Integer.parseInt(rest);
        if (len < 0) {
          return "";
        }
        byte[] b = in.readNBytes(len + 2);
        return new String(b, 0, len, StandardCharsets.UTF_8);
      }
      case '*' -> {
        int n = Integer.parseInt(rest);
        List<String> items = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          items.add(read(in));
        }
        return String.join("\n", items);
      }
      default -> throw new IOException("unexpected reply: " + line);
    }
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\r') {
        in.read(); // '\n'
        return b.toString(StandardCharsets.UTF_8);
      }
      b.write(c);
    }
    throw new IOException("connection closed");
  }

  private static int freePort() {
    return dev.jeton.testsupport.Ports.free();
  }

  private static Path findRedisServer() {
    dev.jeton.testsupport.RedisNode.requireInstalledRedis("the sentinel profile's scripts");
    List<Path> candidates = new ArrayList<>();
    for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (!d.isEmpty()) {
        candidates.add(Path.of(d, "redis-server"));
      }
    }
    candidates.add(Path.of("/usr/bin/redis-server"));
    return candidates.stream()
        .filter(Files::isExecutable)
        .findFirst()
        .orElseThrow(
            () ->
                new AssertionError(
                    "redis-server not found: install the Debian package redis-server"));
  }

  @Override
  public void close() {
    for (String service : new ArrayList<>(processes.keySet())) {
      try {
        kill(service);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort
    }
  }
}
