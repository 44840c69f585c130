package dev.jeton.otp;

import java.security.MessageDigest;

/**
 * Constant-time comparison of codes, tokens and other secret strings. Stateless and thread-safe.
 */
public final class Codes {

  private Codes() {}

  /**
   * Compares two strings in time that depends only on their lengths, not on where they differ.
   * Meant for ASCII codes, but exact for any string: every UTF-16 unit is compared.
   *
   * @param a first string, may be null
   * @param b second string, may be null
   * @return true only if both are non-null and contain the same characters; null never equals
   *     anything, not even another null
   */
  public static boolean equal(String a, String b) {
    if (a == null || b == null) {
      return false;
    }
    return MessageDigest.isEqual(utf16(a), utf16(b));
  }

  private static byte[] utf16(String s) {
    byte[] out = new byte[s.length() * 2];
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      out[2 * i] = (byte) (c >>> 8);
      out[2 * i + 1] = (byte) c;
    }
    return out;
  }
}
