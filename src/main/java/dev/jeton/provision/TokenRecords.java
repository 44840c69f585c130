package dev.jeton.provision;

import dev.jeton.crypto.Keys;
import dev.jeton.otp.OtpAlgorithm;
import dev.jeton.policy.PinPolicy;
import dev.jeton.track.TokenRecord;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * Turns a token as an operator gives it (the admin API's JSON, a bulk line, a PSKC key, the
 * console's upload) into a {@link TokenRecord}: validated, its seed encrypted under the master key,
 * its optional initial PIN policy-checked and hashed. Shared by the intakes that provision keys, so
 * that a key is held to the same rules whichever way it arrives. Thread-safe.
 */
public final class TokenRecords {

  private static final Pattern SERIAL = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  private final Keys keys;
  private final PinPolicy pinPolicy;

  public TokenRecords(Keys keys, PinPolicy pinPolicy) {
    this.keys = keys;
    this.pinPolicy = pinPolicy;
  }

  /**
   * @param drift learned drift in steps (from a PSKC TimeDrift), 0 otherwise
   * @param pin an initial PIN, or null for none
   * @throws InvalidToken when a field breaks a rule; the message names it
   */
  public TokenRecord from(
      String serial,
      String type,
      String algorithm,
      int digits,
      int period,
      long counter,
      int drift,
      byte[] seed,
      String pin)
      throws InvalidToken {
    if (serial == null || !SERIAL.matcher(serial).matches()) {
      throw new InvalidToken("serial must be 1 to 64 of A-Z a-z 0-9 . _ -");
    }
    if (!type.equals("totp") && !type.equals("hotp")) {
      throw new InvalidToken("type must be totp or hotp");
    }
    if (digits != 6 && digits != 8) {
      throw new InvalidToken("digits must be 6 or 8");
    }
    if (period < 1 || period > 300) {
      throw new InvalidToken("period must be from 1 to 300 seconds");
    }
    OtpAlgorithm alg;
    try {
      alg = OtpAlgorithm.parse(algorithm);
    } catch (IllegalArgumentException e) {
      throw new InvalidToken("algorithm must be SHA1, SHA256 or SHA512");
    }
    if (seed.length < 10 || seed.length > 128) {
      throw new InvalidToken("secret must be base32 of 10 to 128 bytes");
    }
    String pinHash = null;
    if (pin != null) {
      String refusal = pinPolicy.refusal(pin);
      if (refusal != null) {
        throw new InvalidToken("pin_policy", refusal);
      }
      pinHash = keys.pins().hash(serial, pin);
    }
    String encrypted = Base64.getEncoder().encodeToString(keys.seeds().encrypt(seed, serial));
    boolean hotp = type.equals("hotp");
    return new TokenRecord(
        serial,
        type,
        alg.name(),
        digits,
        hotp ? 0 : period,
        encrypted,
        true,
        pinHash,
        hotp ? counter - 1L : -1L,
        hotp ? 0 : drift,
        0,
        null);
  }
}
