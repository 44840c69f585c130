package dev.jeton.e2e;

import static dev.jeton.testsupport.TestJeton.expect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.e2e.FailoverDrill.Answer;
import dev.jeton.testsupport.Api.Resp;
import dev.jeton.testsupport.RedisNode;
import dev.jeton.testsupport.RedisSentinelTopology;
import dev.jeton.testsupport.TestJeton;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 17 on Redis Sentinel (a master, two replicas, three sentinels with down-after 1000 ms), end
 * to end over HTTP against a whole node: a SIGKILL of the master under a login rush costs seconds
 * of 503, never an ACCEPT in doubt nor a second ACCEPT of a code; replicas that stop answering turn
 * ACCEPTs into 503s until they answer again.
 */
@Timeout(120)
class SentinelFailoverTest {

  static final int USERS = 600;
  static final int KILL_AFTER_ACCEPTED = 50;

  /**
   * Issue 17 aims at 5 s with down-after 1000 ms; the bound is generous because the machine that
   * runs the suite may be busy with other builds.
   */
  static final Duration RECOVERY_BOUND = Duration.ofSeconds(15);

  static Map<String, String> redisEnv(RedisSentinelTopology redis) {
    return Map.of(
        "JETON_REDIS_SENTINELS", redis.sentinels(),
        "JETON_REDIS_MASTER_NAME", redis.masterName(),
        "JETON_REDIS_PASSWORD", redis.password(),
        // See ClusterFailoverTest.redisEnv.
        "JETON_REDIS_REPLICA_ACK_TIMEOUT_MS", "1000",
        "JETON_STORE_TIMEOUT_MS", "2000");
  }

  @Test
  void aKilledMasterCostsSecondsOf503AndNoAcceptedPasscodeIsEverAcceptedAgain() {
    try (RedisSentinelTopology redis = RedisSentinelTopology.start();
        TestJeton node = TestJeton.startOn(redisEnv(redis), FailoverDrill.NODE_SETTINGS);
        FailoverDrill drill = FailoverDrill.provision(node, "sf", USERS)) {
      drill.start(Duration.ofSeconds(45));
      drill.awaitAccepted(KILL_AFTER_ACCEPTED, Duration.ofSeconds(20));
      RedisNode master = redis.master();
      redis.kill(master);
      drill.killed(u -> "all");
      redis.awaitFailover(master, Duration.ofSeconds(30));
      Duration promoted = Duration.ofNanos(System.nanoTime() - drill.killNanos());
      drill.finish();
      List<Answer> acceptedBeforeKill =
          drill.drillAnswers().stream()
              .filter(a -> a.accepted() && a.answeredNanos() < drill.killNanos())
              .toList();
      List<Answer> replays = drill.replayAccepted(Duration.ofSeconds(20));

      Duration recovered = drill.recovered("all");
      System.out.printf(
          "failover sentinel: recovered in %s (failover seen by the harness after %s),"
              + " 503s=%d, accepted=%d/%d, replays refused=%d/%d (%d of them accepted before the"
              + " kill)%n",
          FailoverDrill.seconds(recovered),
          FailoverDrill.seconds(promoted),
          drill.unavailableCount(),
          drill.acceptedUsers(),
          USERS,
          replays.stream().filter(Answer::rejected).count(),
          replays.size(),
          acceptedBeforeKill.size());

      drill.assertSafe(acceptedBeforeKill, replays);
      assertThat(recovered)
          .as("time from the kill to ACCEPT again")
          .isNotNull()
          .isLessThanOrEqualTo(RECOVERY_BOUND);
    }
  }

  @Test
  void stoppedReplicasTurnAcceptInto503AndAcceptsComeBackWhenTheyAnswer() {
    try (RedisSentinelTopology redis = RedisSentinelTopology.start();
        TestJeton node = TestJeton.startOn(redisEnv(redis), Map.of())) {
      byte[] ann = FailoverDrill.userWithPin(node, "ann");
      List<String> stuck = List.of("bob", "cid", "dee", "eve");
      List<byte[]> seeds = new ArrayList<>();
      stuck.forEach(u -> seeds.add(FailoverDrill.userWithPin(node, u)));
      expect(node.api.login("ann", FailoverDrill.PIN + node.code(ann)), 200);
      double failedBefore = FailoverDrill.replicaAcksFailed(node);

      byte[] newcomer = node.userWithToken("fay", "F1");
      String wrong = node.code(ann).equals("000000") ? "111111" : "000000";

      List<RedisNode> replicas = redis.replicas();
      assertThat(replicas).hasSize(2);
      List<CompletableFuture<Resp>> stuckAnswers = new ArrayList<>();
      Resp wrongAnswer;
      Resp challenge;
      try {
        replicas.forEach(redis::stop);
        // All at once: each ACCEPT's WAIT holds a connection of its own, never the store's shared
        // one, so the answers that need no replica come as usual meanwhile.
        for (int i = 0; i < stuck.size(); i++) {
          stuckAnswers.add(
              node.api.authenticateAsync(
                  new JsonObject()
                      .put("username", stuck.get(i))
                      .put("password", FailoverDrill.PIN + node.code(seeds.get(i)))));
        }
        CompletableFuture<Resp> wrongPasscode =
            node.api.authenticateAsync(
                new JsonObject().put("username", "ann").put("password", FailoverDrill.PIN + wrong));
        CompletableFuture<Resp> firstLogin =
            node.api.authenticateAsync(
                new JsonObject().put("username", "fay").put("password", node.code(newcomer)));
        wrongAnswer = wrongPasscode.join();
        challenge = firstLogin.join();
        stuckAnswers.forEach(CompletableFuture::join);
      } finally {
        replicas.forEach(redis::cont);
      }

      assertThat(stuckAnswers)
          .as("ACCEPTs while both replicas are stopped")
          .allSatisfy(f -> assertThat(f.join().status()).as(f.join().raw()).isEqualTo(503));
      assertThat(FailoverDrill.replicaAcksFailed(node) - failedBefore)
          .as("jeton_redis_replica_acks_failed_total")
          .isEqualTo(stuck.size());
      assertThat(wrongAnswer.status()).as("a wrong passcode meanwhile").isEqualTo(401);
      assertThat(challenge.status())
          .as("a first login meanwhile: " + challenge.raw())
          .isEqualTo(200);
      assertThat(challenge.str("challenge")).isEqualTo("NEW_PIN");

      redis.awaitReady();
      // The passcode answered 503 was consumed on the master: it stays refused.
      expect(node.api.login("bob", FailoverDrill.PIN + node.code(seeds.get(0))), 401);
      node.clock.advanceSeconds(30);
      for (int i = 0; i < stuck.size(); i++) {
        Resp r =
            expect(node.api.login(stuck.get(i), FailoverDrill.PIN + node.code(seeds.get(i))), 200);
        assertThat(r.str("decision")).isEqualTo("ACCEPT");
      }
    }
  }
}
