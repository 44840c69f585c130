package dev.jeton.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The server's 256-bit root secret, from which purpose-specific keys are derived with HKDF-SHA256
 * (RFC 5869, salt {@code "jeton"}, info = label).
 *
 * <p>Immutable and thread-safe. The key bytes are never exposed, only derived keys.
 */
public final class MasterKey {

  private static final int LENGTH = 32;

  private static final String HMAC = "HmacSHA256";
  private static final byte[] SALT = "jeton".getBytes(StandardCharsets.UTF_8);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final byte[] key;

  private MasterKey(byte[] key) {
    this.key = key;
  }

  /**
   * Decodes a master key from base64 (standard or URL-safe alphabet, padding optional, surrounding
   * whitespace ignored).
   *
   * @param b64 the encoded key
   * @return the key
   * @throws IllegalArgumentException if {@code b64} is null, not base64, or does not decode to
   *     exactly 32 bytes; the message never contains the value
   */
  public static MasterKey fromBase64(String b64) {
    if (b64 == null) {
      throw new IllegalArgumentException("master key must not be null");
    }
    String s = b64.strip();
    byte[] decoded;
    try {
      boolean urlSafe = s.indexOf('-') >= 0 || s.indexOf('_') >= 0;
      decoded = (urlSafe ? Base64.getUrlDecoder() : Base64.getDecoder()).decode(s);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("master key is not valid base64");
    }
    if (decoded.length != LENGTH) {
      Arrays.fill(decoded, (byte) 0);
      throw new IllegalArgumentException("master key must decode to exactly 32 bytes");
    }
    return new MasterKey(decoded);
  }

  /**
   * @return a new key from a {@link SecureRandom}
   */
  public static MasterKey random() {
    byte[] bytes = new byte[LENGTH];
    RANDOM.nextBytes(bytes);
    return new MasterKey(bytes);
  }

  /**
   * Derives a subkey with HKDF-SHA256 (salt {@code "jeton"}, info = UTF-8 of {@code label}). The
   * same label always yields the same key; different labels yield independent keys.
   *
   * @param label purpose of the key, e.g. {@code "jeton/seed/v1"}; not null or empty
   * @return a fresh 32-byte array owned by the caller
   * @throws IllegalArgumentException if the label is null or empty
   */
  public byte[] derive(String label) {
    if (label == null || label.isEmpty()) {
      throw new IllegalArgumentException("label must not be null or empty");
    }
    try {
      Mac extract = Mac.getInstance(HMAC);
      extract.init(new SecretKeySpec(SALT, HMAC));
      byte[] prk = extract.doFinal(key);
      Mac expand = Mac.getInstance(HMAC);
      expand.init(new SecretKeySpec(prk, HMAC));
      Arrays.fill(prk, (byte) 0);
      expand.update(label.getBytes(StandardCharsets.UTF_8));
      expand.update((byte) 1);
      return expand.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HKDF-SHA256 is not available", e);
    }
  }

  /**
   * @return a fixed placeholder that does not depend on the key
   */
  @Override
  public String toString() {
    return "MasterKey[redacted]";
  }
}
