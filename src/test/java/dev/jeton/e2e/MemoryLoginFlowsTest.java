package dev.jeton.e2e;

/** The login flows on the embedded store. */
class MemoryLoginFlowsTest extends LoginFlows {
  @Override
  String redisUrl() {
    return null;
  }
}
