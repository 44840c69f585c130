package dev.jeton.e2e;

/** The audit trail under a flood, on the embedded store. */
class MemoryAuditUnderFloodTest extends AuditUnderFlood {
  @Override
  String redisUrl() {
    return null;
  }

  @Override
  void fromTheStoreOnly(String unknownUsername) {
    // The embedded store does not outlive its node.
  }
}
