package dev.jeton.crypto;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;

/**
 * HMAC-SHA256 fingerprints of low-entropy values (PINs, emergency codes, wrong passwords) under a
 * key derived from the {@link MasterKey}, so a database leak alone does not allow offline guessing.
 *
 * <p>The parts are encoded unambiguously: each one as a 4-byte big-endian length followed by its
 * UTF-8 bytes, so {@code ("ab", "c")} and {@code ("a", "bc")} hash differently.
 *
 * <p>Immutable and thread-safe: each call works on its own clone of an initialised {@link Mac}.
 */
public final class KeyedHash {

  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

  private final HmacSha256 hmac;

  /**
   * @param key master key, not null
   * @param label derivation label naming the purpose, e.g. {@code "jeton/pin/v1"}; not null or
   *     empty
   * @throws IllegalArgumentException if an argument is null or the label empty
   */
  public KeyedHash(MasterKey key, String label) {
    if (key == null) {
      throw new IllegalArgumentException("master key must not be null");
    }
    if (label == null || label.isEmpty()) {
      throw new IllegalArgumentException("label must not be null or empty");
    }
    byte[] derived = key.derive(label);
    this.hmac = new HmacSha256(derived);
    Arrays.fill(derived, (byte) 0);
  }

  /**
   * @param parts values to hash, at least one, none null
   * @return base64url without padding of the 32-byte HMAC (43 characters)
   * @throws IllegalArgumentException if there are no parts or one is null
   */
  public String hash(String... parts) {
    return ENCODER.encodeToString(mac(parts));
  }

  /**
   * Compares in constant time.
   *
   * @param expectedHash a value returned by {@link #hash}; null or malformed never matches
   * @param parts values to hash, at least one, none null
   * @return true if {@code hash(parts)} equals {@code expectedHash}
   * @throws IllegalArgumentException if there are no parts or one is null
   */
  public boolean matches(String expectedHash, String... parts) {
    byte[] actual = hash(parts).getBytes(StandardCharsets.US_ASCII);
    if (expectedHash == null) {
      return false;
    }
    return MessageDigest.isEqual(actual, expectedHash.getBytes(StandardCharsets.UTF_8));
  }

  private byte[] mac(String... parts) {
    if (parts == null || parts.length == 0) {
      throw new IllegalArgumentException("at least one part is required");
    }
    Mac mac = hmac.mac();
    byte[] length = new byte[4];
    for (String part : parts) {
      if (part == null) {
        throw new IllegalArgumentException("parts must not be null");
      }
      byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
      length[0] = (byte) (bytes.length >>> 24);
      length[1] = (byte) (bytes.length >>> 16);
      length[2] = (byte) (bytes.length >>> 8);
      length[3] = (byte) bytes.length;
      mac.update(length);
      mac.update(bytes);
    }
    return mac.doFinal();
  }
}
