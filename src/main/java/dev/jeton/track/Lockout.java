package dev.jeton.track;

/**
 * The arithmetic of a username's lockout, as both stores apply it: the failure that reaches the
 * threshold locks, and so does every counted failure after it, each re-arming the lock for {@code
 * lockoutSeconds}; the counter outlives the lock. {@link MemoryStore} applies it directly; {@link
 * RedisStore} computes the values here and passes them to {@code lua/fail.lua}, which keeps its own
 * copy of the one comparison ({@code count >= threshold}, ARGV[3]). Pure functions, thread-safe.
 */
final class Lockout {

  /** Failure counters are kept a day at least, so that a slow guesser is still counted. */
  private static final long MIN_COUNTER_MILLIS = 86_400_000L;

  private Lockout() {}

  /** Whether the {@code failures}-th consecutive failure locks (mirrored by {@code fail.lua}). */
  static boolean locks(int failures, int threshold) {
    return failures >= threshold;
  }

  /** Until when (epoch milliseconds) a failure that locks at {@code now} locks the username. */
  static long lockedUntil(long now, int lockoutSeconds) {
    return now + lockoutSeconds * 1000L;
  }

  /**
   * How long a failure counter is kept after each counted failure: twice the lock, and a day at
   * least.
   */
  static long counterMillis(int lockoutSeconds) {
    return Math.max(lockoutSeconds * 2000L, MIN_COUNTER_MILLIS);
  }
}
