package dev.jeton.e2e;

import dev.jeton.testsupport.RedisServer;
import dev.jeton.testsupport.RespClient;
import java.util.Map;

/** RADIUS clients on a real Redis, whose hash is read raw to see that no secret is in clear. */
class RedisRadiusClientsTest extends RadiusClients {
  @Override
  String redisUrl() {
    return RedisServer.shared().url();
  }

  @Override
  Map<String, String> rawHash() throws Exception {
    String key = j.config.redisNamespace() + ":{radius}:clients";
    return RespClient.pairs(
        RespClient.call(RedisServer.shared().port(), null, 2_000, "HGETALL", key));
  }
}
