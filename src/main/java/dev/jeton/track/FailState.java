package dev.jeton.track;

/**
 * Consecutive failures of one username (known or not).
 *
 * @param lockedUntil epoch milliseconds until which the username is locked; 0 when it never was
 * @param lastBad fingerprint of the last wrong value, so that a client resending it is counted once
 */
public record FailState(int failures, long lockedUntil, String lastBad) {
  public static final FailState NONE = new FailState(0, 0, null);

  public boolean lockedAt(long now) {
    return lockedUntil > now;
  }
}
