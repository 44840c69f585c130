package dev.jeton.e2e;

import dev.jeton.testsupport.RedisSentinelTopology;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The login flows on Redis Sentinel (one master, two replicas, three sentinels), found through the
 * sentinels, with the default replica acknowledgements: an ACCEPT waits for one replica. The
 * topology is started once for the class; each node has its own key namespace.
 */
class SentinelLoginFlowsTest extends LoginFlows {

  private static RedisSentinelTopology redis;

  @BeforeAll
  static void startTopology() {
    redis = RedisSentinelTopology.start();
  }

  @AfterAll
  static void closeTopology() {
    if (redis != null) {
      redis.close();
    }
  }

  @Override
  Map<String, String> redisEnv() {
    return Map.of(
        "JETON_REDIS_SENTINELS", redis.sentinels(),
        "JETON_REDIS_MASTER_NAME", redis.masterName(),
        "JETON_REDIS_PASSWORD", redis.password(),
        "JETON_REDIS_REPLICA_ACK_TIMEOUT_MS", "1000",
        "JETON_STORE_TIMEOUT_MS", "2000");
  }
}
