package dev.jeton.e2e;

import dev.jeton.testsupport.RedisServer;

/** Bulk load and audit on a real Redis. */
class RedisProvisioningTest extends Provisioning {
  @Override
  String redisUrl() {
    return RedisServer.shared().url();
  }
}
