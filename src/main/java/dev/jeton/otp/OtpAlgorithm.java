package dev.jeton.otp;

import java.util.Locale;

/**
 * The HMAC hash functions allowed for HOTP (RFC 4226) and TOTP (RFC 6238). Enum constants are
 * immutable and safe to share between threads.
 */
public enum OtpAlgorithm {
  SHA1("HmacSHA1"),
  SHA256("HmacSHA256"),
  SHA512("HmacSHA512");

  private final String jcaName;

  OtpAlgorithm(String jcaName) {
    this.jcaName = jcaName;
  }

  /**
   * @return the standard JCA name of the HMAC, e.g. {@code "HmacSHA256"}
   */
  public String jcaName() {
    return jcaName;
  }

  /**
   * Parses an algorithm name, ignoring case.
   *
   * @param s one of {@code SHA1}, {@code SHA-1}, {@code SHA256}, {@code SHA-256}, {@code SHA512},
   *     {@code SHA-512}
   * @return the matching algorithm
   * @throws IllegalArgumentException if {@code s} is null or not one of the accepted names
   */
  public static OtpAlgorithm parse(String s) {
    if (s == null) {
      throw new IllegalArgumentException("OTP algorithm must not be null");
    }
    switch (s.toUpperCase(Locale.ROOT)) {
      case "SHA1":
      case "SHA-1":
        return SHA1;
      case "SHA256":
      case "SHA-256":
        return SHA256;
      case "SHA512":
      case "SHA-512":
        return SHA512;
      default:
        throw new IllegalArgumentException(
            "unsupported OTP algorithm; expected SHA1, SHA256 or SHA512");
    }
  }
}
