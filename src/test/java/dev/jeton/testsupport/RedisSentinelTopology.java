package dev.jeton.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Redis Sentinel on loopback, for integration tests: one master and two replicas ({@code
 * replicaof}), protected by a random {@link #password()}, watched by three sentinels (no password)
 * with quorum 2, {@code down-after-milliseconds 1000} and {@code failover-timeout 3000}. Every
 * process has its own config file and data dir in a temp dir (Redis and the sentinels rewrite their
 * files), and its log under {@code target/redis-topologies/sentinel-N/}.
 *
 * <pre>{@code
 * try (RedisSentinelTopology redis = RedisSentinelTopology.start()) {
 *   String sentinels = redis.sentinels();        // JETON_REDIS_SENTINELS
 *   RedisNode master = redis.master();           // asked of the sentinels
 *   redis.kill(master);                          // SIGKILL
 *   RedisNode promoted = redis.awaitFailover(master, Duration.ofSeconds(15));
 * }
 * }</pre>
 */
public final class RedisSentinelTopology extends RedisTopology {

  /** The master name of {@link #start()}. */
  public static final String DEFAULT_MASTER_NAME = "mymaster";

  static final int QUORUM = 2;
  static final int DOWN_AFTER_MS = 1_000;
  static final int FAILOVER_TIMEOUT_MS = 3_000;

  private final String masterName;
  private final List<RedisNode> dataNodes = new ArrayList<>();
  private final List<RedisNode> sentinelNodes = new ArrayList<>();

  private RedisSentinelTopology(String masterName) {
    super("sentinel");
    this.masterName = masterName;
  }

  /** Starts the topology with master name {@code mymaster} and waits until it is ready. */
  public static RedisSentinelTopology start() {
    return start(DEFAULT_MASTER_NAME);
  }

  /** Starts the topology and waits (at most 30 s) until {@link #awaitReady()} holds. */
  public static RedisSentinelTopology start(String masterName) {
    RedisSentinelTopology topology = new RedisSentinelTopology(masterName);
    try {
      topology.launch();
      return topology;
    } catch (RuntimeException | Error e) {
      topology.close();
      throw e;
    }
  }

  private void launch() {
    RedisNode master = startNode(port -> dataNode("data-1", port, 0));
    dataNodes.add(master);
    for (int i = 2; i <= 3; i++) {
      String nodeName = "data-" + i;
      dataNodes.add(startNode(port -> dataNode(nodeName, port, master.port())));
    }
    // A sentinel learns the replicas from the master's INFO, asked at once and then every 10 s:
    // starting the sentinels once both replicas are attached saves those 10 s.
    await(
        "both replicas attached to " + master,
        READY_TIMEOUT,
        () -> dataNodes.subList(1, 3).stream().allMatch(r -> isReplicaOf(r, master)) ? true : null);
    for (int i = 1; i <= 3; i++) {
      String nodeName = "sentinel-" + i;
      sentinelNodes.add(startNode(port -> sentinelNode(nodeName, port, master.port())));
    }
    awaitReady();
  }

  private RedisNode dataNode(String nodeName, int port, int masterPort) {
    Path dir = nodeDir(nodeName);
    StringBuilder conf =
        new StringBuilder()
            .append("port ")
            .append(port)
            .append("\nbind 127.0.0.1\nprotected-mode yes\ndaemonize no\nlogfile \"\"\n")
            .append("dir ")
            .append(dir)
            .append("\nsave \"\"\nappendonly no\n")
            .append("requirepass ")
            .append(password)
            .append("\nmasterauth ")
            .append(password)
            .append("\nreplica-announce-ip 127.0.0.1\n")
            // No waiting: a full sync starts at once, and SIGTERM does not wait for replicas.
            .append("repl-diskless-sync-delay 0\nshutdown-on-sigterm now\n");
    if (masterPort != 0) {
      conf.append("replicaof 127.0.0.1 ").append(masterPort).append('\n');
    }
    Path file = writeConf(dir, "redis.conf", conf.toString());
    return new RedisNode(
        nodeName,
        executable,
        List.of(file.toString()),
        port,
        password,
        logDir.resolve(nodeName + ".log"));
  }

  private RedisNode sentinelNode(String nodeName, int port, int masterPort) {
    Path dir = nodeDir(nodeName);
    String conf =
        String.join(
            "\n",
            "port " + port,
            "bind 127.0.0.1",
            "daemonize no",
            "logfile \"\"",
            "dir " + dir,
            "sentinel resolve-hostnames no",
            "sentinel announce-ip 127.0.0.1",
            "sentinel monitor " + masterName + " 127.0.0.1 " + masterPort + " " + QUORUM,
            "sentinel auth-pass " + masterName + " " + password,
            "sentinel down-after-milliseconds " + masterName + " " + DOWN_AFTER_MS,
            "sentinel failover-timeout " + masterName + " " + FAILOVER_TIMEOUT_MS,
            "sentinel parallel-syncs " + masterName + " 2",
            "");
    Path file = writeConf(dir, "sentinel.conf", conf);
    return new RedisNode(
        nodeName,
        executable,
        List.of(file.toString(), "--sentinel"),
        port,
        null,
        logDir.resolve(nodeName + ".log"));
  }

  private Path nodeDir(String nodeName) {
    try {
      Path dir = dataDir.resolve(nodeName);
      RedisNode.deleteRecursively(dir); // an earlier attempt on a port that was taken
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new IllegalStateException("cannot create a dir for " + nodeName, e);
    }
  }

  private static Path writeConf(Path dir, String file, String conf) {
    try {
      return Files.writeString(dir.resolve(file), conf, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write " + dir.resolve(file), e);
    }
  }

  // ---------------------------------------------------------------- accessors

  /** {@code 127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3}: the value of JETON_REDIS_SENTINELS. */
  public String sentinels() {
    return sentinelNodes.stream().map(RedisNode::address).collect(Collectors.joining(","));
  }

  public List<RedisNode> sentinelNodes() {
    return List.copyOf(sentinelNodes);
  }

  public String masterName() {
    return masterName;
  }

  /** The three data nodes, in start order ({@code data-1} was the first master). */
  @Override
  public List<RedisNode> dataNodes() {
    return List.copyOf(dataNodes);
  }

  /**
   * The current master, as the first sentinel that answers tells it ({@code SENTINEL
   * GET-MASTER-ADDR-BY-NAME}).
   */
  public RedisNode master() {
    List<String> failures = new ArrayList<>();
    for (RedisNode sentinel : liveNodes(sentinelNodes)) {
      try {
        return masterSeenBy(sentinel);
      } catch (IOException | RuntimeException e) {
        failures.add(sentinel + ": " + e.getMessage());
      }
    }
    throw new IllegalStateException(name + ": no sentinel tells the master: " + failures);
  }

  /** The data nodes other than the current {@link #master()} whose process is alive. */
  public List<RedisNode> replicas() {
    RedisNode master = master();
    List<RedisNode> replicas = new ArrayList<>();
    for (RedisNode node : dataNodes) {
      if (node != master && node.isRunning()) {
        replicas.add(node);
      }
    }
    return replicas;
  }

  // ---------------------------------------------------------------- waits

  /** {@link #awaitReady(Duration)} within {@link #READY_TIMEOUT} (30 s). */
  public void awaitReady() {
    awaitReady(READY_TIMEOUT);
  }

  /**
   * Waits until every live sentinel names the same master, that master answers as {@code
   * role:master}, every other live data node is its replica with {@code master_link_status:up}, and
   * every live sentinel sees the master healthy, those replicas healthy and every other live
   * sentinel. With nothing killed or stopped: the master, 2 replicas and 2 other sentinels. A node
   * that is dead or SIGSTOPped is not waited for.
   */
  public void awaitReady(Duration timeout) {
    await("topology ready", timeout, this::readyOrWhyNot);
  }

  /**
   * Waits until the sentinels have promoted a node other than {@code oldMaster}: every live
   * sentinel names it, and it answers as {@code role:master}. Returns it.
   */
  public RedisNode awaitFailover(RedisNode oldMaster, Duration timeout) {
    return await(
        "failover away from " + oldMaster,
        timeout,
        () -> {
          RedisNode master = agreedMaster();
          if (master == oldMaster) {
            throw notYet("the sentinels still name " + oldMaster);
          }
          String role = master.info("replication").get("role");
          if (!"master".equals(role)) {
            throw notYet(master + " is named but answers role:" + role);
          }
          return master;
        });
  }

  private Boolean readyOrWhyNot() throws IOException {
    RedisNode master = agreedMaster();
    Map<String, String> replication = master.info("replication");
    if (!"master".equals(replication.get("role"))) {
      throw notYet(master + " answers role:" + replication.get("role"));
    }
    Set<Integer> replicaPorts = new TreeSet<>();
    for (RedisNode node : liveNodes(dataNodes)) {
      if (node != master) {
        if (!isReplicaOf(node, master)) {
          throw notYet(node + " is not (yet) a replica of " + master + " with its link up");
        }
        replicaPorts.add(node.port());
      }
    }
    List<RedisNode> liveSentinels = liveNodes(sentinelNodes);
    for (RedisNode sentinel : liveSentinels) {
      Map<String, String> seen = RespClient.pairs(sentinel.call("SENTINEL", "MASTER", masterName));
      if (!"master".equals(seen.get("flags"))) {
        throw notYet(sentinel + " sees the master with flags " + seen.get("flags"));
      }
      Set<Integer> healthyReplicas = new TreeSet<>();
      for (Object entry : (List<?>) sentinel.call("SENTINEL", "REPLICAS", masterName)) {
        Map<String, String> replica = RespClient.pairs(entry);
        if ("slave".equals(replica.get("flags"))
            && "ok".equals(replica.get("master-link-status"))
            && String.valueOf(master.port()).equals(replica.get("master-port"))) {
          healthyReplicas.add(Integer.parseInt(replica.get("port")));
        }
      }
      if (!healthyReplicas.containsAll(replicaPorts)) {
        throw notYet(
            sentinel + " sees healthy replicas " + healthyReplicas + ", not " + replicaPorts);
      }
      int otherSentinels = 0;
      for (Object entry : (List<?>) sentinel.call("SENTINEL", "SENTINELS", masterName)) {
        String flags = RespClient.pairs(entry).get("flags");
        if (flags != null && !flags.contains("down") && !flags.contains("disconnected")) {
          otherSentinels++;
        }
      }
      if (otherSentinels < liveSentinels.size() - 1) {
        throw notYet(sentinel + " sees " + otherSentinels + " other sentinels");
      }
    }
    return true;
  }

  /** The master every live sentinel names; throws if they do not agree (yet). */
  private RedisNode agreedMaster() throws IOException {
    List<RedisNode> liveSentinels = liveNodes(sentinelNodes);
    if (liveSentinels.isEmpty()) {
      throw notYet("no sentinel is running");
    }
    RedisNode agreed = null;
    for (RedisNode sentinel : liveSentinels) {
      RedisNode master = masterSeenBy(sentinel);
      if (agreed != null && master != agreed) {
        throw notYet("the sentinels name different masters: " + agreed + " and " + master);
      }
      agreed = master;
    }
    return agreed;
  }

  private RedisNode masterSeenBy(RedisNode sentinel) throws IOException {
    Object reply = sentinel.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", masterName);
    if (!(reply instanceof List<?> address) || address.size() != 2) {
      throw notYet(sentinel + " answers " + reply + " for " + masterName);
    }
    return nodeAt(Integer.parseInt(String.valueOf(address.get(1))));
  }

  private static boolean isReplicaOf(RedisNode node, RedisNode master) {
    try {
      Map<String, String> replication = node.info("replication");
      return "slave".equals(replication.get("role"))
          && String.valueOf(master.port()).equals(replication.get("master_port"))
          && "up".equals(replication.get("master_link_status"));
    } catch (IOException e) {
      return false;
    }
  }

  /** Sentinels first, so that they do not start a failover while the data nodes go down. */
  @Override
  List<RedisNode> closeOrder() {
    List<RedisNode> order = new ArrayList<>(sentinelNodes);
    order.addAll(dataNodes);
    for (RedisNode node : nodes) {
      if (!order.contains(node)) {
        order.add(node);
      }
    }
    return order;
  }
}
