package dev.jeton.track;

/**
 * A token as the store keeps it. The seed is the AES-GCM blob from {@code SeedCipher}, base64;
 * never the plain seed.
 *
 * @param type "totp" or "hotp"
 * @param algorithm "SHA1", "SHA256" or "SHA512"
 * @param period seconds per TOTP step (ignored for HOTP)
 * @param lastStep the last accepted TOTP step or HOTP counter; a code is accepted only for a later
 *     one. For a new HOTP token it is its initial counter minus one; for a new TOTP token, -1
 * @param pinHash keyed hash of the PIN, or null while the token has none (the next login runs
 *     NEW_PIN)
 * @param drift learned clock drift of a TOTP token, in steps (positive: the token runs ahead)
 * @param lastUsedAt epoch milliseconds of the last accepted code, 0 if never
 * @param owner the username it is assigned to, or null
 */
public record TokenRecord(
    String serial,
    String type,
    String algorithm,
    int digits,
    int period,
    String seed,
    boolean enabled,
    String pinHash,
    long lastStep,
    int drift,
    long lastUsedAt,
    String owner) {

  public boolean totp() {
    return "totp".equals(type);
  }

  public boolean pinSet() {
    return pinHash != null;
  }

  public TokenRecord withOwner(String newOwner) {
    return new TokenRecord(
        serial,
        type,
        algorithm,
        digits,
        period,
        seed,
        enabled,
        pinHash,
        lastStep,
        drift,
        lastUsedAt,
        newOwner);
  }

  public TokenRecord withEnabled(boolean on) {
    return new TokenRecord(
        serial,
        type,
        algorithm,
        digits,
        period,
        seed,
        on,
        pinHash,
        lastStep,
        drift,
        lastUsedAt,
        owner);
  }

  public TokenRecord withPin(String hash) {
    return new TokenRecord(
        serial,
        type,
        algorithm,
        digits,
        period,
        seed,
        enabled,
        hash,
        lastStep,
        drift,
        lastUsedAt,
        owner);
  }

  public TokenRecord withUse(long step, int newDrift, long at) {
    return new TokenRecord(
        serial, type, algorithm, digits, period, seed, enabled, pinHash, step, newDrift, at, owner);
  }

  public TokenRecord withLastStep(long step) {
    return new TokenRecord(
        serial,
        type,
        algorithm,
        digits,
        period,
        seed,
        enabled,
        pinHash,
        step,
        drift,
        lastUsedAt,
        owner);
  }
}
