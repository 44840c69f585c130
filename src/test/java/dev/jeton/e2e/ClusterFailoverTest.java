package dev.jeton.e2e;

import static dev.jeton.testsupport.TestJeton.expect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.e2e.FailoverDrill.Answer;
import dev.jeton.testsupport.Api.Resp;
import dev.jeton.testsupport.RedisClusterTopology;
import dev.jeton.testsupport.RedisNode;
import dev.jeton.testsupport.TestJeton;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 17 on Redis Cluster (3 masters, 3 replicas, cluster-node-timeout 2000), end to end over
 * HTTP against a whole node: a SIGKILL of one master under a login rush costs seconds of 503, never
 * an ACCEPT in doubt nor a second ACCEPT of a code. The replica promoted in its place has no
 * replica of its own, so its users get 503 (one replica must confirm an ACCEPT) until the killed
 * node is restarted and rejoins as its replica. A stopped replica turns the ACCEPTs of its shard,
 * and only of its shard, into 503s until it answers again.
 */
@Timeout(150)
class ClusterFailoverTest {

  static final int USERS = 600;
  static final int KILL_AFTER_ACCEPTED = 50;

  /**
   * Issue 17 aims at 5 s with cluster-node-timeout 2000; the bound is generous because the machine
   * that runs the suite may be busy with other builds.
   */
  static final Duration RECOVERY_BOUND = Duration.ofSeconds(15);

  static final String KILLED_SHARD = "killed shard";
  static final String OTHER_SHARDS = "other shards";

  static Map<String, String> redisEnv(RedisClusterTopology redis) {
    return Map.of(
        "JETON_REDIS_CLUSTER_NODES",
        redis.nodes(),
        "JETON_REDIS_PASSWORD",
        redis.password(),
        // A replica's ack in 1 s rather than 250 ms, within a store timeout of 2 s rather than the
        // tests' 500 ms: on a busy 2-core machine a healthy replica sometimes took longer, and a
        // login on a healthy shard got 503 (seen 2026-12-06).
        "JETON_REDIS_REPLICA_ACK_TIMEOUT_MS",
        "1000",
        "JETON_STORE_TIMEOUT_MS",
        "2000");
  }

  /** The master of a user's keys: every key of a user carries the hash tag {@code {u:NAME}}. */
  static RedisNode masterOf(RedisClusterTopology redis, String username) {
    return redis.masterOfKey("{u:" + username + "}");
  }

  @Test
  void aKilledMasterCostsSecondsOf503AndItsShardAcceptsAgainOnceItRejoinsAsAReplica() {
    try (RedisClusterTopology redis = RedisClusterTopology.start();
        TestJeton node = TestJeton.startOn(redisEnv(redis), FailoverDrill.NODE_SETTINGS);
        FailoverDrill drill = FailoverDrill.provision(node, "cf", USERS)) {
      // Not the master of what every login reads besides the user (the connection address's
      // failure windows, the API clients): then the users of the other shards depend on nothing
      // the killed master held, and the two figures measure two different things.
      Set<RedisNode> shared =
          Set.of(redis.masterOfKey("{127.0.0.1}"), redis.masterOfKey("{clients}"));
      RedisNode victim =
          redis.masters().stream().filter(m -> !shared.contains(m)).findFirst().orElseThrow();
      Set<String> onVictim = new HashSet<>();
      drill.users().stream()
          .filter(u -> masterOf(redis, u.name()) == victim)
          .forEach(u -> onVictim.add(u.name()));
      assertThat(onVictim).hasSizeBetween(USERS / 5, USERS / 2);

      drill.start(Duration.ofSeconds(60));
      drill.awaitAccepted(KILL_AFTER_ACCEPTED, Duration.ofSeconds(20));
      redis.kill(victim);
      drill.killed(u -> onVictim.contains(u.name()) ? KILLED_SHARD : OTHER_SHARDS);
      redis.awaitFailover(victim, Duration.ofSeconds(30));
      long restartNanos = System.nanoTime();
      redis.restart(victim);
      drill.finish();
      List<Answer> acceptedBeforeKill =
          drill.drillAnswers().stream()
              .filter(a -> a.accepted() && a.answeredNanos() < drill.killNanos())
              .toList();
      List<Answer> replays = drill.replayAccepted(Duration.ofSeconds(20));

      Duration restart = Duration.ofNanos(restartNanos - drill.killNanos());
      Duration others = drill.recovered(OTHER_SHARDS);
      Duration killed = drill.recovered(KILLED_SHARD);
      System.out.printf(
          "failover cluster: other shards accepted %s after the kill, then recovered in %s (no"
              + " ACCEPT for %s), killed shard"
              + " recovered in %s (promoted replica had no replica until the restart at %s),"
              + " 503s=%d, accepted=%d/%d, replays refused=%d/%d (%d of them accepted before the"
              + " kill)%n",
          FailoverDrill.seconds(drill.firstAccept(OTHER_SHARDS)),
          FailoverDrill.seconds(others),
          FailoverDrill.seconds(drill.stall(OTHER_SHARDS)),
          FailoverDrill.seconds(killed),
          FailoverDrill.seconds(restart),
          drill.unavailableCount(),
          drill.acceptedUsers(),
          USERS,
          replays.stream().filter(Answer::rejected).count(),
          replays.size(),
          acceptedBeforeKill.size());

      drill.assertSafe(acceptedBeforeKill, replays);
      // Until the restart, the promoted replica had no replica that could confirm a commit.
      assertThat(drill.drillAnswers())
          .as("ACCEPTs on the killed shard sent after the kill, answered before the restart")
          .filteredOn(
              a ->
                  a.accepted()
                      && onVictim.contains(a.user().name())
                      && a.sentNanos() >= drill.killNanos()
                      && a.answeredNanos() < restartNanos)
          .isEmpty();
      // The other shards hold nothing of the killed master's: they answer until the cluster itself
      // flags it failed and refuses (cluster-require-full-coverage), cluster-node-timeout after it.
      assertThat(drill.firstAccept(OTHER_SHARDS))
          .as("time from the kill to the first ACCEPT on the other shards")
          .isNotNull()
          .isLessThan(Duration.ofSeconds(1));
      assertThat(others)
          .as("time from the kill to ACCEPT again on the other shards")
          .isNotNull()
          .isLessThanOrEqualTo(RECOVERY_BOUND);
      assertThat(killed).as("time from the kill to ACCEPT again on the killed shard").isNotNull();
      assertThat(killed.minus(restart))
          .as("time from the restart to ACCEPT again on the killed shard")
          .isLessThanOrEqualTo(RECOVERY_BOUND);
    }
  }

  @Test
  void aStoppedReplicaTurnsAcceptInto503OnItsShardOnlyUntilItAnswers() {
    try (RedisClusterTopology redis = RedisClusterTopology.start();
        TestJeton node = TestJeton.startOn(redisEnv(redis), Map.of())) {
      RedisNode master = masterOf(redis, "ann");
      String elsewhere = "bob";
      for (int i = 0; masterOf(redis, elsewhere) == master; i++) {
        elsewhere = "bob" + i;
      }
      byte[] ann = FailoverDrill.userWithPin(node, "ann");
      byte[] bob = FailoverDrill.userWithPin(node, elsewhere);
      double failedBefore = FailoverDrill.replicaAcksFailed(node);

      RedisNode replica = redis.replicaOf(master);
      Resp annWhileStopped;
      Resp bobWhileStopped;
      try {
        redis.stop(replica);
        annWhileStopped = node.api.login("ann", FailoverDrill.PIN + node.code(ann));
        bobWhileStopped = node.api.login(elsewhere, FailoverDrill.PIN + node.code(bob));
      } finally {
        redis.cont(replica);
      }

      assertThat(annWhileStopped.status()).as(annWhileStopped.raw()).isEqualTo(503);
      assertThat(bobWhileStopped.str("decision")).as(bobWhileStopped.raw()).isEqualTo("ACCEPT");
      assertThat(FailoverDrill.replicaAcksFailed(node) - failedBefore)
          .as("jeton_redis_replica_acks_failed_total")
          .isEqualTo(1);

      redis.awaitReady();
      // The passcode answered 503 was consumed on the master: it stays refused.
      expect(node.api.login("ann", FailoverDrill.PIN + node.code(ann)), 401);
      node.clock.advanceSeconds(30);
      assertThat(
              expect(node.api.login("ann", FailoverDrill.PIN + node.code(ann)), 200)
                  .str("decision"))
          .isEqualTo("ACCEPT");
    }
  }
}
