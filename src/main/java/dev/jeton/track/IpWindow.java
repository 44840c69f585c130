package dev.jeton.track;

/**
 * The arithmetic of a client address's failures, as both stores count them: fixed windows of {@code
 * windowSeconds} numbered from the epoch, each counted on its own, read as a sliding window over
 * the current one and the one before. {@link MemoryStore} applies it to its map, {@link RedisStore}
 * to the names of its counters (plain {@code INCR} and {@code MGET} of {@code ip:{IP}:N}, no
 * script), so that the two cannot drift apart. Pure functions, thread-safe.
 */
final class IpWindow {

  private IpWindow() {}

  /** The number of the fixed window that holds the instant {@code now} (epoch milliseconds). */
  static long number(long now, int windowSeconds) {
    return now / 1000 / windowSeconds;
  }

  /**
   * The number of the window one window length before {@code now}: the one the sliding window still
   * weighs.
   */
  static long previous(long now, int windowSeconds) {
    return number(now - windowSeconds * 1000L, windowSeconds);
  }

  /**
   * Failures of one client IP over a sliding window: the current fixed window's count plus the
   * previous window's, weighted by how much of it still lies within the last {@code windowSeconds}.
   * (A plain fixed window would let an attacker who straddles its boundary make twice the limit of
   * guesses before any 429.)
   */
  static int sliding(long current, long previous, long now, int windowSeconds) {
    long window = windowSeconds * 1000L;
    long elapsed = Math.floorMod(now, window);
    return (int) Math.min(Integer.MAX_VALUE, current + previous * (window - elapsed) / window);
  }

  /**
   * When the embedded store may drop the count of the window that holds {@code now}: at the end of
   * the next window, the last that still weighs it.
   */
  static long keptUntil(long now, int windowSeconds) {
    return (number(now, windowSeconds) + 2) * windowSeconds * 1000L;
  }

  /**
   * How long Redis keeps a window's counter after each failure counted in it: two windows and a
   * second, never less than {@link #keptUntil} (a relative expiry, set with the {@code INCR} in the
   * same pipeline).
   */
  static long keptMillis(int windowSeconds) {
    return 2 * windowSeconds * 1000L + 1000;
  }
}
