package dev.jeton.portal;

/** Session revocation on the embedded store. */
class MemorySessionRevocationTest extends SessionRevocation {
  @Override
  String redisUrl() {
    return null;
  }
}
