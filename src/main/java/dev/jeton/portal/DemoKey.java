package dev.jeton.portal;

import dev.jeton.crypto.Keys;
import dev.jeton.otp.Hotp;
import dev.jeton.otp.OtpAlgorithm;
import dev.jeton.otp.Totp;
import dev.jeton.track.Store;
import dev.jeton.track.TokenRecord;
import io.vertx.core.Future;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;

/**
 * The key of the demo user, for trying Jeton out on the embedded store: a TOTP token (SHA-1, 6
 * digits, 30 s) with a random seed, assigned to user {@value #USERNAME} without a PIN, whose
 * current code the demo key page shows as the hardware key would. Created only on the embedded
 * store, whose users vanish with the process; never on Redis. Immutable and thread-safe.
 */
public final class DemoKey {

  public static final String USERNAME = "demo";
  public static final String SERIAL = "DEMO-0001";

  /** Bars of the gauge, as on the hardware key: one goes out every period / BARS seconds. */
  static final int BARS = 6;

  private static final int PERIOD = 30;

  private final byte[] seed;
  private final Clock clock;
  private final Totp totp;

  private DemoKey(byte[] seed, Clock clock) {
    this.seed = seed;
    this.clock = clock;
    this.totp = new Totp(new Hotp(OtpAlgorithm.SHA1, 6), Duration.ofSeconds(PERIOD), clock);
  }

  /**
   * Creates the demo user and its token in {@code store}; the future fails if either cannot be
   * made.
   */
  public static Future<DemoKey> provision(Store store, Keys keys, Clock clock) {
    byte[] seed = new byte[20];
    new SecureRandom().nextBytes(seed);
    String encrypted = Base64.getEncoder().encodeToString(keys.seeds().encrypt(seed, SERIAL));
    TokenRecord token =
        new TokenRecord(
            SERIAL,
            "totp",
            OtpAlgorithm.SHA1.name(),
            6,
            PERIOD,
            encrypted,
            true,
            null,
            -1L,
            0,
            0,
            null);
    long now = clock.millis();
    return store
        .putUser(new Store.PutUser(USERNAME, "Demo user", null, now))
        .compose(created -> store.createToken(token))
        .compose(created -> store.assign(new Store.Assign(USERNAME, SERIAL)))
        .compose(
            result ->
                result == Store.AssignResult.OK
                    ? Future.succeededFuture(new DemoKey(seed, clock))
                    : Future.failedFuture("cannot assign the demo token: " + result));
  }

  /** The code the key shows now. */
  public String code() {
    return totp.generate(seed, totp.currentStep());
  }

  /** Seconds until the code changes, from {@code period} down to 1. */
  public long secondsLeft() {
    return PERIOD - Math.floorMod(clock.instant().getEpochSecond(), PERIOD);
  }

  public long period() {
    return PERIOD;
  }

  /**
   * How many of the {@link #BARS} bars are still lit with {@code secondsLeft} of {@code period} to
   * go.
   */
  static int barsLeft(long secondsLeft, long period) {
    return (int) Math.min(BARS, Math.max(1, (secondsLeft * BARS + period - 1) / period));
  }
}
