package dev.jeton.e2e;

import dev.jeton.testsupport.RedisServer;

/** The login flows on a real Redis (each node its own key namespace). */
class RedisLoginFlowsTest extends LoginFlows {
  @Override
  String redisUrl() {
    return RedisServer.shared().url();
  }
}
