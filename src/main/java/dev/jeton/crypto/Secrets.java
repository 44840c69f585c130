package dev.jeton.crypto;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Generation and storage of high-entropy secrets (client and operator secrets), emergency codes and
 * random identifiers.
 *
 * <p>Secrets from {@link #newSecret()} carry 256 bits of randomness, so brute force and precomputed
 * tables are hopeless even against a fast hash; a single SHA-256 is the right storage hash and
 * keeps request authentication cheap. Do not use {@link #hash} for passwords, PINs or other
 * human-chosen values: use {@link PasswordHasher} or {@link KeyedHash}.
 *
 * <p>Thread-safe. Randomness comes from one {@link SecureRandom} per thread (a DRBG seeded by the
 * system's entropy source), so that the event loops, which draw a request id for every login, do
 * not share the JDK's lock around {@code /dev/urandom}.
 */
public final class Secrets {

  private static final ThreadLocal<SecureRandom> RANDOM =
      ThreadLocal.withInitial(Secrets::newRandom);
  private static final ThreadLocal<MessageDigest> SHA256 =
      ThreadLocal.withInitial(() -> digest("SHA-256"));
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final HexFormat HEX = HexFormat.of();
  private static final int MAX_DIGITS = 1024;
  private static final String ALPHANUMERIC =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

  private Secrets() {}

  /**
   * @return 32 random bytes as base64url without padding (43 characters)
   */
  public static String newSecret() {
    return randomBase64Url(32);
  }

  /**
   * @param secret a secret, not null
   * @return lowercase hex of SHA-256 over the UTF-8 bytes of {@code secret} (64 characters)
   * @throws IllegalArgumentException if {@code secret} is null
   */
  public static String hash(String secret) {
    if (secret == null) {
      throw new IllegalArgumentException("secret must not be null");
    }
    return HEX.formatHex(sha256(secret));
  }

  /**
   * Compares in constant time.
   *
   * @param secret presented secret; null never matches
   * @param expectedHash stored value from {@link #hash} (hex, either case); null or malformed never
   *     matches
   * @return true if {@code hash(secret)} equals {@code expectedHash}
   */
  public static boolean matches(String secret, String expectedHash) {
    if (secret == null || expectedHash == null || expectedHash.length() != 64) {
      return false;
    }
    byte[] expected;
    try {
      expected = HEX.parseHex(expectedHash);
    } catch (IllegalArgumentException e) {
      return false;
    }
    return MessageDigest.isEqual(sha256(secret), expected);
  }

  /**
   * @param n number of digits, 1 to 1024
   * @return {@code n} independent, uniformly distributed decimal digits (leading zeros possible)
   * @throws IllegalArgumentException if {@code n} is out of range
   */
  public static String randomDigits(int n) {
    if (n < 1 || n > MAX_DIGITS) {
      throw new IllegalArgumentException("n must be from 1 to 1024");
    }
    char[] digits = new char[n];
    for (int i = 0; i < n; i++) {
      digits[i] = (char) ('0' + RANDOM.get().nextInt(10));
    }
    return new String(digits);
  }

  /**
   * A secret a person can type (a RADIUS shared secret, entered on a NAS by hand): each character
   * drawn independently and uniformly from {@code A-Za-z0-9}, so 32 characters carry about 190
   * bits.
   *
   * @param n number of characters, 1 to 1024
   * @throws IllegalArgumentException if {@code n} is out of range
   */
  public static String randomAlphanumeric(int n) {
    if (n < 1 || n > MAX_DIGITS) {
      throw new IllegalArgumentException("n must be from 1 to 1024");
    }
    char[] out = new char[n];
    for (int i = 0; i < n; i++) {
      out[i] = ALPHANUMERIC.charAt(RANDOM.get().nextInt(ALPHANUMERIC.length()));
    }
    return new String(out);
  }

  /**
   * @return 16 random bytes as base64url without padding (22 characters), e.g. for challenge states
   */
  public static String randomId() {
    return randomBase64Url(16);
  }

  private static String randomBase64Url(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.get().nextBytes(b);
    return ENCODER.encodeToString(b);
  }

  private static byte[] sha256(String s) {
    return SHA256.get().digest(s.getBytes(StandardCharsets.UTF_8));
  }

  private static MessageDigest digest(String algorithm) {
    try {
      return MessageDigest.getInstance(algorithm);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(algorithm + " is not available", e);
    }
  }

  private static SecureRandom newRandom() {
    try {
      return SecureRandom.getInstance("DRBG");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("no DRBG SecureRandom", e);
    }
  }
}
