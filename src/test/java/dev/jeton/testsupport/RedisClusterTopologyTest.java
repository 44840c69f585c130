package dev.jeton.testsupport;

import static dev.jeton.testsupport.RedisSentinelTopologyTest.log;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The harness's own sanity: the Cluster topology comes up, fails over, and goes away cleanly. */
@Timeout(120)
class RedisClusterTopologyTest {

  private static final Duration FAILOVER_WITHIN = Duration.ofSeconds(15);

  @Test
  void startsFailsOverAfterSigkillSurvivesSigstopAndCleansUp() throws Exception {
    RedisClusterTopology redis = null;
    try {
      long t0 = System.nanoTime();
      redis = RedisClusterTopology.start();
      log("cluster topology ready in %d ms", millisSince(t0));

      // Shape: 3 masters, each with its own replica; every node a seed.
      assertThat(redis.nodes()).matches("127\\.0\\.0\\.1:\\d+(,127\\.0\\.0\\.1:\\d+){5}");
      assertThat(redis.dataNodes()).hasSize(6);
      List<RedisNode> masters = redis.masters();
      assertThat(masters).hasSize(3).doesNotHaveDuplicates();
      Set<RedisNode> replicas = new HashSet<>();
      for (RedisNode master : masters) {
        RedisNode replica = redis.replicaOf(master);
        assertThat(replica).isNotIn(masters);
        replicas.add(replica);
      }
      assertThat(replicas).hasSize(3);
      assertThat(redis.masterOfSlot(0)).isSameAs(masters.get(0));
      assertThat(redis.masterOfSlot(RedisClusterTopology.SLOTS - 1)).isSameAs(masters.get(2));
      assertThat(redis.logDir().resolve("cluster-create.log")).exists();

      // The harness's key → slot agrees with Redis ("{user}" hash tags included).
      for (String key : List.of("jeton:topology:k", "{alice}:steps", "x")) {
        assertThat(RedisClusterTopology.crc16(hashPart(key)) % RedisClusterTopology.SLOTS)
            .isEqualTo(redis.slotOf(key));
      }
      assertThat(redis.slotOf(RedisClusterTopology.keyInSlot(4242))).isEqualTo(4242);

      // Nodes need the password.
      RedisNode master = redis.masterOfKey("jeton:topology:k");
      assertThatThrownBy(() -> RespClient.call(master.port(), null, 1_000, "GET", "k"))
          .isInstanceOfSatisfying(
              RespClient.ErrorReply.class, e -> assertThat(e.code()).isEqualTo("NOAUTH"));

      // A write through the key's master reaches its replica; another master redirects.
      RedisNode replica = redis.replicaOf(master);
      assertThat(master.call("SET", "jeton:topology:k", "v1")).isEqualTo("OK");
      assertThat(master.call("WAIT", "1", "5000")).isEqualTo(1L);
      RedisNode other = masters.stream().filter(m -> m != master).findFirst().orElseThrow();
      assertThatThrownBy(() -> other.call("GET", "jeton:topology:k"))
          .isInstanceOfSatisfying(
              RespClient.ErrorReply.class, e -> assertThat(e.code()).isEqualTo("MOVED"));

      // SIGSTOP the replica: it acknowledges nothing; SIGCONT brings it back.
      redis.stop(replica);
      assertThat(replica.isPaused()).isTrue();
      assertThat(replica.ping()).isFalse();
      assertThat(master.call("SET", "jeton:topology:k", "v2")).isEqualTo("OK");
      assertThat(master.call("WAIT", "1", "300")).isEqualTo(0L);
      redis.cont(replica);
      assertThat(replica.ping()).isTrue();
      assertThat(master.call("WAIT", "1", "5000")).isEqualTo(1L);
      redis.awaitReady();

      // SIGKILL the master: its replica takes over its slots, with the data.
      long killedAt = System.nanoTime();
      redis.kill(master);
      assertThat(master.isRunning()).isFalse();
      RedisNode promoted = redis.awaitFailover(master, FAILOVER_WITHIN);
      long failoverMs = millisSince(killedAt);
      log("cluster failover after SIGKILL of a master: %d ms", failoverMs);
      assertThat(failoverMs).isLessThan(FAILOVER_WITHIN.toMillis());
      assertThat(promoted).isSameAs(replica);
      assertThat(redis.masterOfKey("jeton:topology:k")).isSameAs(promoted);
      assertThat(redis.masters()).hasSize(3).contains(promoted).doesNotContain(master);
      assertThat(promoted.call("GET", "jeton:topology:k")).isEqualTo("v2");
      redis.awaitReady(); // five nodes

      // The old master comes back on its ports and rejoins as the replica of the promoted one.
      long restartedAt = System.nanoTime();
      redis.restart(master);
      redis.awaitReady();
      log("old master back as a replica in %d ms", millisSince(restartedAt));
      Map<String, String> replication = master.info("replication");
      assertThat(replication).containsEntry("role", "slave");
      assertThat(replication).containsEntry("master_port", String.valueOf(promoted.port()));
      assertThat(redis.replicaOf(promoted)).isSameAs(master);

      // close() also ends a SIGSTOPped process and deletes the data.
      redis.stop(redis.masters().get(0));
      List<RedisNode> all = redis.dataNodes();
      List<Long> pids = all.stream().map(RedisNode::pid).toList();
      Path dataDir = redis.dataDir;
      redis.close();
      for (RedisNode node : all) {
        assertThat(node.isRunning()).as("%s after close", node).isFalse();
        assertThat(node.ping()).isFalse();
      }
      for (long pid : pids) {
        assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive))
            .as("pid %d", pid)
            .isEmpty();
      }
      assertThat(Files.exists(dataDir)).isFalse();
    } finally {
      if (redis != null) {
        redis.close();
      }
    }
  }

  /** The part of a key that Redis Cluster hashes: the first non-empty {…}, else the whole key. */
  private static byte[] hashPart(String key) {
    int open = key.indexOf('{');
    int close = open < 0 ? -1 : key.indexOf('}', open + 1);
    String part = close > open + 1 ? key.substring(open + 1, close) : key;
    return part.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  private static long millisSince(long nanos) {
    return (System.nanoTime() - nanos) / 1_000_000;
  }
}
