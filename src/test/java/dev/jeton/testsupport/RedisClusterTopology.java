package dev.jeton.testsupport;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A Redis Cluster of 3 masters and 3 replicas on loopback, for integration tests: six {@code
 * redis-server --cluster-enabled yes} (random {@link #password()}, {@code cluster-node-timeout
 * 2000}, no persistence), joined by {@code redis-cli --cluster create … --cluster-replicas 1}. Each
 * node has its own dir ({@code nodes.conf}) in a temp dir, and its log under {@code
 * target/redis-topologies/cluster-N/} (with {@code cluster-create.log}).
 *
 * <pre>{@code
 * try (RedisClusterTopology redis = RedisClusterTopology.start()) {
 *   String seeds = redis.nodes();                  // JETON_REDIS_CLUSTER_NODES
 *   RedisNode master = redis.masterOfKey("{alice}");
 *   redis.kill(master);                            // SIGKILL
 *   RedisNode promoted = redis.awaitFailover(master, Duration.ofSeconds(15));
 * }
 * }</pre>
 */
public final class RedisClusterTopology extends RedisTopology {

  static final int NODE_TIMEOUT_MS = 2_000;
  static final int SLOTS = 16_384;
  private static final int NODE_COUNT = 6;
  private static final long CREATE_TIMEOUT_MS = 30_000;

  private final Path redisCli;
  private final List<RedisNode> dataNodes = new ArrayList<>();

  /** Slot ranges ({@code [start, end]}) of each master, as last seen: for awaitFailover. */
  private final Map<RedisNode, List<int[]>> lastSlots = new HashMap<>();

  private RedisClusterTopology() {
    super("cluster");
    this.redisCli = RedisNode.findExecutable("redis-cli");
  }

  /** Starts six nodes, creates the cluster and waits (at most 30 s) until it is ready. */
  public static RedisClusterTopology start() {
    RedisClusterTopology topology = new RedisClusterTopology();
    try {
      topology.launch();
      return topology;
    } catch (RuntimeException | Error e) {
      topology.close();
      throw e;
    }
  }

  private void launch() {
    for (int i = 1; i <= NODE_COUNT; i++) {
      String nodeName = "node-" + i;
      dataNodes.add(startNode(port -> clusterNode(nodeName, port)));
    }
    createCluster();
    awaitReady();
  }

  private RedisNode clusterNode(String nodeName, int port) {
    int busPort = RedisNode.freePort();
    while (busPort == port) {
      busPort = RedisNode.freePort();
    }
    Path dir = dataDir.resolve(nodeName);
    try {
      RedisNode.deleteRecursively(dir); // an earlier attempt on a port that was taken
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new IllegalStateException("cannot create " + dir, e);
    }
    List<String> args =
        List.of(
            "--port",
            Integer.toString(port),
            "--bind",
            RedisNode.HOST,
            "--protected-mode",
            "yes",
            "--daemonize",
            "no",
            "--logfile",
            "",
            "--dir",
            dir.toString(),
            "--save",
            "",
            "--appendonly",
            "no",
            "--requirepass",
            password,
            "--masterauth",
            password,
            "--cluster-enabled",
            "yes",
            "--cluster-config-file",
            dir.resolve("nodes.conf").toString(),
            "--cluster-port",
            Integer.toString(busPort),
            "--cluster-announce-ip",
            RedisNode.HOST,
            "--cluster-node-timeout",
            Integer.toString(NODE_TIMEOUT_MS),
            // a replica may always take over, however long it was cut from its master
            "--cluster-replica-validity-factor",
            "0",
            // no waiting: a full sync starts at once, and SIGTERM does not wait for replicas
            "--repl-diskless-sync-delay",
            "0",
            "--shutdown-on-sigterm",
            "now");
    return new RedisNode(
        nodeName, executable, args, port, password, logDir.resolve(nodeName + ".log"));
  }

  private void createCluster() {
    List<String> command =
        new ArrayList<>(List.of(redisCli.toString(), "-a", password, "--no-auth-warning"));
    command.add("--cluster");
    command.add("create");
    for (RedisNode node : dataNodes) {
      command.add(node.address());
    }
    command.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
    Path log = logDir.resolve("cluster-create.log");
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    try {
      Process create = pb.start();
      if (!create.waitFor(CREATE_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
        create.destroyForcibly();
        create.waitFor(5, TimeUnit.SECONDS);
        throw new IllegalStateException(
            name
                + ": redis-cli --cluster create did not finish within "
                + CREATE_TIMEOUT_MS
                + " ms ("
                + log
                + "):\n"
                + RedisNode.tail(log)
                + "\n"
                + logTails());
      }
      if (create.exitValue() != 0) {
        throw new IllegalStateException(
            name
                + ": redis-cli --cluster create exited with "
                + create.exitValue()
                + " ("
                + log
                + "):\n"
                + RedisNode.tail(log)
                + "\n"
                + logTails());
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + redisCli + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating the cluster", e);
    }
  }

  // ---------------------------------------------------------------- accessors

  /** {@code 127.0.0.1:p1,…,127.0.0.1:p6}: every node, as seeds for JETON_REDIS_CLUSTER_NODES. */
  public String nodes() {
    return dataNodes.stream().map(RedisNode::address).collect(Collectors.joining(","));
  }

  /** The six nodes, in start order. */
  @Override
  public List<RedisNode> dataNodes() {
    return List.copyOf(dataNodes);
  }

  /** The masters serving slots and not failed, in slot order, as a live node sees them. */
  public List<RedisNode> masters() {
    List<ClusterNode> view = clusterNodes(anyLiveNode());
    return view.stream()
        .filter(n -> n.isMaster() && !n.failed() && !n.slots.isEmpty())
        .sorted(Comparator.comparingInt(n -> n.slots.get(0)[0]))
        .map(n -> nodeAt(n.port))
        .toList();
  }

  /** A replica of {@code master} that is not failed, as a live node sees it. */
  public RedisNode replicaOf(RedisNode master) {
    List<ClusterNode> view = clusterNodes(anyLiveNode());
    String masterId =
        view.stream()
            .filter(n -> n.port == master.port())
            .findFirst()
            .orElseThrow(() -> new IllegalStateException(master + " is not in the cluster"))
            .id;
    return view.stream()
        .filter(n -> !n.isMaster() && masterId.equals(n.masterId) && !n.failed())
        .map(n -> nodeAt(n.port))
        .filter(RedisNode::isRunning)
        .findFirst()
        .orElseThrow(() -> new IllegalStateException(master + " has no live replica: " + view));
  }

  /** {@code CLUSTER KEYSLOT key}. */
  public int slotOf(String key) {
    try {
      return ((Long) anyLiveNode().call("CLUSTER", "KEYSLOT", key)).intValue();
    } catch (IOException e) {
      throw new IllegalStateException(name + ": CLUSTER KEYSLOT failed", e);
    }
  }

  /** The master serving {@code slot}, by {@code CLUSTER SLOTS} of a live node. */
  public RedisNode masterOfSlot(int slot) {
    Map<RedisNode, List<int[]>> slots;
    try {
      slots = slotsOf(anyLiveNode());
    } catch (IOException e) {
      throw new IllegalStateException(name + ": CLUSTER SLOTS failed", e);
    }
    for (Map.Entry<RedisNode, List<int[]>> owner : slots.entrySet()) {
      for (int[] range : owner.getValue()) {
        if (range[0] <= slot && slot <= range[1]) {
          return owner.getKey();
        }
      }
    }
    throw new IllegalStateException(name + ": no master serves slot " + slot);
  }

  /** The master serving the slot of {@code key}. */
  public RedisNode masterOfKey(String key) {
    return masterOfSlot(slotOf(key));
  }

  // ---------------------------------------------------------------- waits

  /** {@link #awaitReady(Duration)} within {@link #READY_TIMEOUT} (30 s). */
  public void awaitReady() {
    awaitReady(READY_TIMEOUT);
  }

  /**
   * Waits until every live node (alive, not SIGSTOPped) says {@code cluster_state:ok} with all
   * 16384 slots ok, knows all 6 nodes, sees every other live node without a failure flag, and
   * agrees with the others on which master serves which slots; and every live replica has {@code
   * master_link_status:up}. A node that is dead or SIGSTOPped is not waited for.
   */
  public void awaitReady(Duration timeout) {
    Map<RedisNode, List<int[]>> slots = await("cluster ready", timeout, this::readyOrWhyNot);
    synchronized (lastSlots) {
      lastSlots.clear();
      lastSlots.putAll(slots);
    }
  }

  /**
   * Waits until a node other than {@code killedMaster} serves the slots that {@code killedMaster}
   * served when last seen (at {@link #awaitReady()} or just before {@code kill}/{@code stop}):
   * every live node says {@code cluster_state:ok} and names it for those slots, it answers as
   * {@code role:master}, and it answers a read in those slots. Returns it (the promoted replica).
   */
  public RedisNode awaitFailover(RedisNode killedMaster, Duration timeout) {
    List<int[]> ranges;
    synchronized (lastSlots) {
      ranges = lastSlots.get(killedMaster);
    }
    if (ranges == null || ranges.isEmpty()) {
      throw new IllegalArgumentException(
          killedMaster + " served no slots when last seen; known masters: " + lastSlots.keySet());
    }
    int slot = ranges.get(0)[0];
    String probeKey = keyInSlot(slot);
    return await(
        "failover of slot " + slot + " away from " + killedMaster,
        timeout,
        () -> {
          RedisNode owner = null;
          for (RedisNode node : liveNodes(dataNodes)) {
            if (node == killedMaster) {
              continue;
            }
            String state = RespClient.parseInfo(node.call("CLUSTER", "INFO")).get("cluster_state");
            if (!"ok".equals(state)) {
              throw notYet(node + " says cluster_state:" + state);
            }
            RedisNode seen = ownerOf(slotsOf(node), slot);
            if (seen == null || seen == killedMaster || (owner != null && seen != owner)) {
              throw notYet(node + " names " + seen + " for slot " + slot);
            }
            owner = seen;
          }
          if (owner == null) {
            throw notYet("no live node");
          }
          Object role = ((List<?>) owner.call("ROLE")).get(0);
          if (!"master".equals(role)) {
            throw notYet(owner + " answers ROLE " + role);
          }
          owner.call("EXISTS", probeKey); // throws on MOVED, CLUSTERDOWN, …
          return owner;
        });
  }

  // ---------------------------------------------------------------- internals

  @Override
  void beforeFault(RedisNode node) {
    // Note which slots the node serves now, so that awaitFailover knows what to wait for even
    // when it is called after the cluster has moved them.
    try {
      Map<RedisNode, List<int[]>> slots = slotsOf(anyLiveNode());
      synchronized (lastSlots) {
        lastSlots.clear();
        lastSlots.putAll(slots);
      }
    } catch (IOException | RuntimeException e) {
      // best effort: the last readiness snapshot stays
    }
  }

  private Map<RedisNode, List<int[]>> readyOrWhyNot() throws IOException {
    List<RedisNode> live = liveNodes(dataNodes);
    Map<RedisNode, List<int[]>> agreed = null;
    RedisNode agreedBy = null;
    for (RedisNode node : live) {
      Map<String, String> info = RespClient.parseInfo(node.call("CLUSTER", "INFO"));
      if (!"ok".equals(info.get("cluster_state"))
          || !String.valueOf(SLOTS).equals(info.get("cluster_slots_ok"))
          || !String.valueOf(NODE_COUNT).equals(info.get("cluster_known_nodes"))) {
        throw notYet(
            node
                + " says cluster_state:"
                + info.get("cluster_state")
                + " cluster_slots_ok:"
                + info.get("cluster_slots_ok")
                + " cluster_known_nodes:"
                + info.get("cluster_known_nodes"));
      }
      List<ClusterNode> view = clusterNodes(node);
      for (ClusterNode other : view) {
        RedisNode otherNode = nodeAt(other.port);
        if (!live.contains(otherNode)) {
          continue;
        }
        if (!other.healthy()) {
          throw notYet(node + " sees " + otherNode + " with flags " + other.flags);
        }
        // Roles spread by gossip: wait until this node knows every live node's role.
        boolean servingMaster = other.isMaster() && !other.slots.isEmpty();
        boolean replicaOfServingMaster =
            !other.isMaster()
                && view.stream()
                    .anyMatch(
                        m -> m.id.equals(other.masterId) && m.isMaster() && !m.slots.isEmpty());
        if (!servingMaster && !replicaOfServingMaster) {
          throw notYet(node + " sees " + otherNode + " neither serving nor replicating: " + view);
        }
      }
      Map<RedisNode, List<int[]>> slots = slotsOf(node);
      if (agreed == null) {
        agreed = slots;
        agreedBy = node;
      } else if (!describe(agreed).equals(describe(slots))) {
        throw notYet(
            agreedBy + " sees " + describe(agreed) + " but " + node + " sees " + describe(slots));
      }
      if (!slots.containsKey(node)) {
        Map<String, String> replication = node.info("replication");
        if (!"up".equals(replication.get("master_link_status"))) {
          throw notYet(node + " is a replica with master_link_status:" + replication);
        }
      }
    }
    if (agreed == null) {
      throw notYet("no live node");
    }
    return agreed;
  }

  private RedisNode anyLiveNode() {
    for (RedisNode node : liveNodes(dataNodes)) {
      if (node.ping()) {
        return node;
      }
    }
    throw new IllegalStateException(name + ": no node answers");
  }

  /** {@code CLUSTER SLOTS} as master → its slot ranges. */
  private Map<RedisNode, List<int[]>> slotsOf(RedisNode node) throws IOException {
    Map<RedisNode, List<int[]>> slots = new HashMap<>();
    for (Object entry : (List<?>) node.call("CLUSTER", "SLOTS")) {
      List<?> range = (List<?>) entry;
      List<?> master = (List<?>) range.get(2);
      RedisNode owner = nodeAt(((Long) master.get(1)).intValue());
      slots
          .computeIfAbsent(owner, k -> new ArrayList<>())
          .add(new int[] {((Long) range.get(0)).intValue(), ((Long) range.get(1)).intValue()});
    }
    slots.values().forEach(ranges -> ranges.sort(Comparator.comparingInt(r -> r[0])));
    return slots;
  }

  private static RedisNode ownerOf(Map<RedisNode, List<int[]>> slots, int slot) {
    for (Map.Entry<RedisNode, List<int[]>> owner : slots.entrySet()) {
      for (int[] range : owner.getValue()) {
        if (range[0] <= slot && slot <= range[1]) {
          return owner.getKey();
        }
      }
    }
    return null;
  }

  private static String describe(Map<RedisNode, List<int[]>> slots) {
    return slots.entrySet().stream()
        .sorted(Comparator.comparingInt(e -> e.getKey().port()))
        .map(
            e ->
                e.getKey().name()
                    + "="
                    + e.getValue().stream()
                        .map(r -> r[0] + "-" + r[1])
                        .collect(Collectors.joining(",")))
        .collect(Collectors.joining(" "));
  }

  /** One line of {@code CLUSTER NODES}. */
  private record ClusterNode(
      String id, int port, String flags, String masterId, List<int[]> slots) {
    boolean isMaster() {
      return hasFlag("master");
    }

    boolean failed() {
      return hasFlag("fail") || hasFlag("fail?");
    }

    boolean healthy() {
      return !failed() && !hasFlag("handshake") && !hasFlag("noaddr");
    }

    boolean hasFlag(String flag) {
      return List.of(flags.split(",")).contains(flag);
    }

    @Override
    public String toString() {
      return port + "(" + flags + ")";
    }
  }

  private List<ClusterNode> clusterNodes(RedisNode node) {
    String text;
    try {
      text = String.valueOf(node.call("CLUSTER", "NODES"));
    } catch (IOException e) {
      throw new IllegalStateException(node + ": CLUSTER NODES failed: " + e.getMessage(), e);
    }
    List<ClusterNode> view = new ArrayList<>();
    for (String line : text.split("\n")) {
      String[] f = line.trim().split(" ");
      if (f.length < 8) {
        continue;
      }
      // <id> <ip:port@cport> <flags> <master> <ping-sent> <pong-recv> <config-epoch> <link> <slot>…
      String address = f[1];
      int at = address.indexOf('@');
      int port =
          Integer.parseInt(
              address.substring(address.lastIndexOf(':') + 1, at < 0 ? address.length() : at));
      List<int[]> slots = new ArrayList<>();
      for (int i = 8; i < f.length; i++) {
        if (f[i].startsWith("[")) {
          continue; // a slot being imported or migrated
        }
        String[] range = f[i].split("-");
        int start = Integer.parseInt(range[0]);
        slots.add(new int[] {start, range.length > 1 ? Integer.parseInt(range[1]) : start});
      }
      view.add(new ClusterNode(f[0], port, f[2], f[3], slots));
    }
    return view;
  }

  /** A key whose hash slot is {@code slot} (CRC16/XMODEM mod 16384, as Redis Cluster hashes). */
  static String keyInSlot(int slot) {
    for (int i = 0; i < 10_000_000; i++) {
      String key = "jeton-probe-" + i;
      if (crc16(key.getBytes(StandardCharsets.UTF_8)) % SLOTS == slot) {
        return key;
      }
    }
    throw new IllegalArgumentException("no key found for slot " + slot);
  }

  static int crc16(byte[] bytes) {
    int crc = 0;
    for (byte b : bytes) {
      crc ^= (b & 0xff) << 8;
      for (int bit = 0; bit < 8; bit++) {
        crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
      }
      crc &= 0xffff;
    }
    return crc;
  }
}
