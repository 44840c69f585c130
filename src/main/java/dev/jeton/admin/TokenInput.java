package dev.jeton.admin;

import dev.jeton.provision.InvalidToken;
import dev.jeton.provision.TokenRecords;
import dev.jeton.track.TokenRecord;
import io.vertx.core.json.JsonObject;
import java.util.Locale;
import org.bouncycastle.util.encoders.Base32;

/**
 * Turns a token as the admin API receives it ({@code POST /v1/admin/tokens}, a bulk line, a PSKC
 * key) into a {@link TokenRecord}: validated, its seed encrypted under the master key, its optional
 * initial PIN policy-checked and hashed ({@link TokenRecords}), its refusals as the API's 400.
 * Thread-safe.
 */
final class TokenInput {

  private final TokenRecords records;

  TokenInput(TokenRecords records) {
    this.records = records;
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
    try {
      return records.from(serial, type, algorithm, digits, period, counter, drift, seed, pin);
    } catch (InvalidToken e) {
      throw new BadRequest(e.code(), e.getMessage());
    }
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
