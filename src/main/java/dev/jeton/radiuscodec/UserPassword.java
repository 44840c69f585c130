package dev.jeton.radiuscodec;

import java.security.MessageDigest;
import java.util.Arrays;

/**
 * The User-Password hiding of RFC 2865 §5.2: the clear text, padded with NULs to a multiple of 16,
 * XORed block by block with MD5(secret + previous block), the first "previous block" being the
 * Request Authenticator. Stateless and thread-safe.
 */
public final class UserPassword {

  /** RFC 2865 §5.2: at most 128 bytes. */
  public static final int MAX_LENGTH = 128;

  private static final int BLOCK = 16;

  private UserPassword() {}

  /**
   * Recovers the clear password from a hidden User-Password value.
   *
   * @param hidden the attribute value, 16..128 bytes in steps of 16
   * @param secret the client's shared secret, not empty
   * @param requestAuthenticator the Access-Request's authenticator, 16 bytes
   * @return the clear password with its trailing NULs stripped; the caller zeroes it after use
   * @throws MalformedPacketException with reason {@code password_length} if {@code hidden} has a
   *     length the RFC does not allow
   */
  public static byte[] unhide(byte[] hidden, byte[] secret, byte[] requestAuthenticator)
      throws MalformedPacketException {
    Digests.requireSecret(secret);
    Digests.requireAuthenticator(requestAuthenticator);
    if (hidden == null
        || hidden.length < BLOCK
        || hidden.length > MAX_LENGTH
        || hidden.length % BLOCK != 0) {
      throw new MalformedPacketException(MalformedPacketException.PASSWORD_LENGTH);
    }
    byte[] clear = new byte[hidden.length];
    MessageDigest md = Digests.md5();
    for (int i = 0; i < hidden.length; i += BLOCK) {
      md.update(secret);
      if (i == 0) {
        md.update(requestAuthenticator);
      } else {
        md.update(hidden, i - BLOCK, BLOCK);
      }
      byte[] b = md.digest();
      for (int j = 0; j < BLOCK; j++) {
        clear[i + j] = (byte) (hidden[i + j] ^ b[j]);
      }
      Arrays.fill(b, (byte) 0);
    }
    int end = clear.length;
    while (end > 0 && clear[end - 1] == 0) {
      end--;
    }
    byte[] out = Arrays.copyOf(clear, end);
    Arrays.fill(clear, (byte) 0);
    return out;
  }

  /**
   * Hides a clear password, for tests and RADIUS clients.
   *
   * @param clear the password, 0..128 bytes (an empty one becomes one block of NULs)
   * @param secret the shared secret, not empty
   * @param requestAuthenticator the Access-Request's authenticator, 16 bytes
   * @return the attribute value, a multiple of 16 bytes
   * @throws IllegalArgumentException if the password is longer than 128 bytes
   */
  public static byte[] hide(byte[] clear, byte[] secret, byte[] requestAuthenticator) {
    Digests.requireSecret(secret);
    Digests.requireAuthenticator(requestAuthenticator);
    if (clear == null || clear.length > MAX_LENGTH) {
      throw new IllegalArgumentException("a User-Password holds at most 128 bytes");
    }
    int padded = Math.max(BLOCK, (clear.length + BLOCK - 1) / BLOCK * BLOCK);
    byte[] out = Arrays.copyOf(clear, padded);
    MessageDigest md = Digests.md5();
    for (int i = 0; i < padded; i += BLOCK) {
      md.update(secret);
      if (i == 0) {
        md.update(requestAuthenticator);
      } else {
        md.update(out, i - BLOCK, BLOCK);
      }
      byte[] b = md.digest();
      for (int j = 0; j < BLOCK; j++) {
        out[i + j] ^= b[j];
      }
      Arrays.fill(b, (byte) 0);
    }
    return out;
  }
}
