package dev.jeton.e2e;

import java.util.Map;

/** The login flows on the embedded store. */
class MemoryLoginFlowsTest extends LoginFlows {
  @Override
  Map<String, String> redisEnv() {
    return Map.of();
  }
}
