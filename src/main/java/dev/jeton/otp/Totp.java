package dev.jeton.otp;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Time-based one-time passwords as defined by RFC 6238, built on {@link Hotp}, with T0 = 0 (the
 * Unix epoch).
 *
 * <p>Instances are immutable and thread-safe, provided the {@link Clock} is.
 */
public final class Totp {

  private static final long MAX_PERIOD_SECONDS = 300;

  private final Hotp hotp;
  private final Duration period;
  private final long periodSeconds;
  private final Clock clock;

  /**
   * @param hotp code generator (algorithm and digits), not null
   * @param period time step X, a whole number of seconds from 1 to 300
   * @param clock source of the current time for {@link #currentStep()}, not null
   * @throws IllegalArgumentException if an argument is invalid
   */
  public Totp(Hotp hotp, Duration period, Clock clock) {
    if (hotp == null) {
      throw new IllegalArgumentException("hotp must not be null");
    }
    if (clock == null) {
      throw new IllegalArgumentException("clock must not be null");
    }
    if (period == null
        || period.getNano() != 0
        || period.getSeconds() < 1
        || period.getSeconds() > MAX_PERIOD_SECONDS) {
      throw new IllegalArgumentException("period must be a whole number of seconds from 1 to 300");
    }
    this.hotp = hotp;
    this.period = period;
    this.periodSeconds = period.getSeconds();
    this.clock = clock;
  }

  /**
   * @return the underlying HOTP generator
   */
  public Hotp hotp() {
    return hotp;
  }

  /**
   * @return the time step X
   */
  public Duration period() {
    return period;
  }

  /**
   * @param t an instant, not null
   * @return the time step containing {@code t}: floor(seconds since the epoch / period); negative
   *     before the epoch
   */
  public long stepAt(Instant t) {
    if (t == null) {
      throw new IllegalArgumentException("instant must not be null");
    }
    return Math.floorDiv(t.getEpochSecond(), periodSeconds);
  }

  /**
   * @return the time step containing the clock's current instant
   */
  public long currentStep() {
    return stepAt(clock.instant());
  }

  /**
   * @param key shared secret, not null or empty
   * @param step time step, at least 0
   * @return the code for {@code step}, {@link Hotp#digits()} characters
   * @throws IllegalArgumentException if the key is null or empty or the step is negative
   */
  public String generate(byte[] key, long step) {
    return hotp.generate(key, step);
  }

  /**
   * @param key shared secret, not null or empty
   * @param t an instant at or after the epoch
   * @return the code valid at {@code t}
   * @throws IllegalArgumentException if the key is null or empty or {@code t} is before the epoch
   */
  public String generateAt(byte[] key, Instant t) {
    return generate(key, stepAt(t));
  }

  /**
   * Looks for {@code code} around {@code centerStep}, trying the steps in the order center,
   * center-1, center+1, center-2, center+2, … up to ±{@code window}. Negative steps are skipped.
   * All candidates are computed and compared in constant time, whichever one matches.
   *
   * @param key shared secret, not null or empty
   * @param code code entered by the user; may be null or malformed
   * @param centerStep expected step, usually {@link #currentStep()}
   * @param window tolerated drift in steps, at least 0
   * @return the first matching step in search order, or {@link Long#MIN_VALUE} if none matches
   * @throws IllegalArgumentException if the key is null or empty or the window is negative
   */
  public long find(byte[] key, String code, long centerStep, int window) {
    if (window < 0) {
      throw new IllegalArgumentException("window must not be negative");
    }
    long count = 2L * window + 1;
    long index = hotp.firstMatch(key, code, count, i -> stepFor(centerStep, i));
    return index < 0 ? Long.MIN_VALUE : stepFor(centerStep, index);
  }

  private static long stepFor(long center, long index) {
    long distance = (index + 1) / 2;
    long offset = (index & 1) == 1 ? -distance : distance;
    if (offset >= 0) {
      return center > Long.MAX_VALUE - offset ? -1 : center + offset;
    }
    return center < Long.MIN_VALUE - offset ? -1 : center + offset;
  }
}
