package dev.jeton.bus;

import java.util.List;

/**
 * The messages of {@link Addresses#VERIFY_EMERGENCY_CODES}: a helpdesk's request for a user's
 * emergency codes.
 */
public final class EmergencyCodes {

  private EmergencyCodes() {}

  /**
   * Make {@code count} codes for {@code username}, valid for {@code validSeconds}, replacing any
   * earlier ones.
   */
  public record Request(String username, int count, int validSeconds) {}

  /**
   * The answer: the codes in clear (shown once to the operator, kept only as keyed hashes) and when
   * they expire, or {@code found == false} when there is no such user.
   */
  public record Issued(boolean found, List<String> codes, long expiresAtMillis) {

    /** Never prints the codes. */
    @Override
    public String toString() {
      return "Issued[found=" + found + ", count=" + (codes == null ? 0 : codes.size()) + "]";
    }
  }
}
