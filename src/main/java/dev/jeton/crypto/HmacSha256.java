package dev.jeton.crypto;

import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * An HMAC-SHA256 key that hands out a fresh, initialised {@link Mac} per call, cloned from a
 * prototype (cheaper than {@code Mac.getInstance} + {@code init}, and never a shared {@code Mac}
 * across threads). Thread-safe.
 */
public final class HmacSha256 {

  private static final String HMAC = "HmacSHA256";

  private final SecretKeySpec key;
  private final Mac prototype;

  /**
   * @param key the key bytes, copied (the caller may wipe its array afterwards)
   */
  public HmacSha256(byte[] key) {
    this.key = new SecretKeySpec(key.clone(), HMAC);
    this.prototype = newMac(this.key);
  }

  /** A Mac of its own for the caller: update it and call {@code doFinal}. */
  public Mac mac() {
    try {
      return (Mac) prototype.clone();
    } catch (CloneNotSupportedException e) {
      return newMac(key);
    }
  }

  private static Mac newMac(SecretKeySpec key) {
    try {
      Mac mac = Mac.getInstance(HMAC);
      mac.init(key);
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }
}
