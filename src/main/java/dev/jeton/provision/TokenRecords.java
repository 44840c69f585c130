package dev.jeton.provision;

import dev.jeton.crypto.Keys;
import dev.jeton.otp.OtpAlgorithm;
import dev.jeton.policy.PinPolicy;
import dev.jeton.track.TokenRecord;
import io.vertx.core.json.JsonObject;
import java.util.Base64;
import java.util.Locale;
import java.util.regex.Pattern;
import org.bouncycastle.util.encoders.Base32;

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
   * A token as JSON: {@code serial}, {@code type} (totp), {@code algorithm} (SHA1), {@code secret}
   * (base32), {@code digits} (6), {@code period} (30), {@code counter} (0), {@code pin} (none).
   */
  public TokenRecord fromJson(JsonObject body) throws InvalidInput {
    String serial = JsonFields.string(body, "serial", 64);
    String type = JsonFields.string(body, "type", 8);
    String algorithm = JsonFields.string(body, "algorithm", 8);
    byte[] seed = base32(JsonFields.string(body, "secret", 1024));
    if (seed == null) {
      throw new InvalidInput("secret must be base32 of 10 to 128 bytes");
    }
    return from(
        serial,
        type == null ? "totp" : type.toLowerCase(Locale.ROOT),
        algorithm == null ? "SHA1" : algorithm,
        JsonFields.integer(body, "digits", 6, 8, 6),
        JsonFields.integer(body, "period", 1, 300, 30),
        JsonFields.integer(body, "counter", 0, Integer.MAX_VALUE, 0),
        0,
        seed,
        JsonFields.string(body, "pin", 32));
  }

  /**
   * @param drift learned drift in steps (from a PSKC TimeDrift), 0 otherwise
   * @param pin an initial PIN, or null for none
   * @throws InvalidInput when a field breaks a rule; the message names it
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
      throws InvalidInput {
    if (serial == null || !SERIAL.matcher(serial).matches()) {
      throw new InvalidInput("serial must be 1 to 64 of A-Z a-z 0-9 . _ -");
    }
    if (!type.equals("totp") && !type.equals("hotp")) {
      throw new InvalidInput("type must be totp or hotp");
    }
    if (digits != 6 && digits != 8) {
      throw new InvalidInput("digits must be 6 or 8");
    }
    if (period < 1 || period > 300) {
      throw new InvalidInput("period must be from 1 to 300 seconds");
    }
    OtpAlgorithm alg;
    try {
      alg = OtpAlgorithm.parse(algorithm);
    } catch (IllegalArgumentException e) {
      throw new InvalidInput("algorithm must be SHA1, SHA256 or SHA512");
    }
    if (seed.length < 10 || seed.length > 128) {
      throw new InvalidInput("secret must be base32 of 10 to 128 bytes");
    }
    String pinHash = null;
    if (pin != null) {
      String refusal = pinPolicy.refusal(pin);
      if (refusal != null) {
        throw new InvalidInput("pin_policy", refusal);
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

  private static byte[] base32(String s) {
    if (s == null) {
      return null;
    }
    String clean = s.replace(" ", "").replace("=", "").toUpperCase(Locale.ROOT);
    if (clean.isEmpty() || !clean.matches("[A-Z2-7]+")) {
      return null;
    }
    int pad = (8 - clean.length() % 8) % 8;
    try {
      return Base32.decode(clean + "=".repeat(pad));
    } catch (RuntimeException e) {
      return null;
    }
  }
}
