package dev.jeton.e2e;

import dev.jeton.testsupport.RedisClusterTopology;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The login flows on a Redis Cluster of three masters and three replicas, every node given as a
 * seed, with the default replica acknowledgements: an ACCEPT waits for the replica of the user's
 * master. The cluster is started once for the class; each node has its own key namespace.
 */
class ClusterLoginFlowsTest extends LoginFlows {

  private static RedisClusterTopology redis;

  @BeforeAll
  static void startTopology() {
    redis = RedisClusterTopology.start();
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
        "JETON_REDIS_CLUSTER_NODES",
        redis.nodes(),
        "JETON_REDIS_PASSWORD",
        redis.password(),
        "JETON_REDIS_REPLICA_ACK_TIMEOUT_MS",
        "1000",
        "JETON_STORE_TIMEOUT_MS",
        "2000");
  }
}
