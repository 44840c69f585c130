package dev.jeton.e2e;

import dev.jeton.testsupport.RedisServer;

/** The login flows on a real Redis, emptied before each test. */
class RedisLoginFlowsTest extends LoginFlows {
  @Override
  String redisUrl() {
    RedisServer redis = RedisServer.shared();
    redis.flushAll();
    return redis.url();
  }
}
