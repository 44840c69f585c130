package dev.jeton.e2e;

import java.util.Map;

/** RADIUS clients on the embedded store. */
class MemoryRadiusClientsTest extends RadiusClients {
  @Override
  String redisUrl() {
    return null;
  }

  @Override
  Map<String, String> rawHash() {
    return null;
  }
}
