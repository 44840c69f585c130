package dev.jeton.admin;

import dev.jeton.crypto.Keys;
import dev.jeton.otp.OtpAlgorithm;
import dev.jeton.policy.PinPolicy;
import dev.jeton.track.TokenRecord;
import io.vertx.core.json.JsonObject;
import java.util.Base64;
import java.util.Locale;
import org.bouncycastle.util.encoders.Base32;

/**
 * Turns a token as the admin API receives it ({@code POST /v1/admin/tokens}, a bulk line, a PSKC
 * key) into a {@link TokenRecord}: validated, its seed encrypted under the master key, its optional
 * initial PIN policy-checked and hashed. Thread-safe.
 */
final class TokenInput {

  private final Keys keys;
  private final PinPolicy pinPolicy;

  TokenInput(Keys keys, PinPolicy pinPolicy) {
    this.keys = keys;
    this.pinPolicy = pinPolicy;
  }

  TokenRecord fromJson(JsonObject body) throws BadRequest {
    String serial = Params.string(body, "serial", 64);
    String type = Params.string(body, "type", 8);
    String algorithm = Params.string(body, "algorithm", 8);
    byte[] seed = base32(Params.string(body, "secret", 1024));
    if (seed == null) {
      throw new BadRequest("secret must be base32 of 10 to 128 bytes");
    }
    return from(
        serial,
        type == null ? "totp" : type.toLowerCase(Locale.ROOT),
        algorithm == null ? "SHA1" : algorithm,
        Params.integer(body, "digits", 6, 8, 6),
        Params.integer(body, "period", 1, 300, 30),
        Params.integer(body, "counter", 0, Integer.MAX_VALUE, 0),
        0,
        seed,
        Params.string(body, "pin", 32));
  }

  /**
   * @param drift learned drift in steps (from a PSKC TimeDrift), 0 otherwise
   */
  TokenRecord from(
      String serial,
      String type,
      String algorithm,
      int digits,
      int period,
      long counter,
      int drift,
      byte[] seed,
      String pin)
      throws BadRequest {
    Params.serial(serial);
    if (!type.equals("totp") && !type.equals("hotp")) {
      throw new BadRequest("type must be totp or hotp");
    }
    if (digits != 6 && digits != 8) {
      throw new BadRequest("digits must be 6 or 8");
    }
    if (period < 1 || period > 300) {
      throw new BadRequest("period must be from 1 to 300 seconds");
    }
    OtpAlgorithm alg;
    try {
      alg = OtpAlgorithm.parse(algorithm);
    } catch (IllegalArgumentException e) {
      throw new BadRequest("algorithm must be SHA1, SHA256 or SHA512");
    }
    if (seed.length < 10 || seed.length > 128) {
      throw new BadRequest("secret must be base32 of 10 to 128 bytes");
    }
    String pinHash = null;
    if (pin != null) {
      String refusal = pinPolicy.refusal(pin);
      if (refusal != null) {
        throw new BadRequest("pin_policy", refusal);
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
