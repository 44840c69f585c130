package dev.jeton.e2e;

import dev.jeton.testsupport.RedisServer;
import java.util.Map;

/** The login flows on a real Redis (each node its own key namespace). */
class RedisLoginFlowsTest extends LoginFlows {
  @Override
  Map<String, String> redisEnv() {
    return Map.of("JETON_REDIS_URL", RedisServer.shared().url());
  }
}
