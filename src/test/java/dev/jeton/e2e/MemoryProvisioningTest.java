package dev.jeton.e2e;

/** Bulk load and audit on the embedded store. */
class MemoryProvisioningTest extends Provisioning {
  @Override
  String redisUrl() {
    return null;
  }
}
