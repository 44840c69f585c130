package dev.jeton.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals short texts (a session cookie's fields) with AES-256-GCM under a key derived from the
 * {@link MasterKey} for one purpose: a sealed value can be neither read nor altered nor made
 * without the key. A context string (e.g. the cookie's name) is bound as associated data, so that a
 * value sealed for one use does not open for another.
 *
 * <p>A sealed value is base64url without padding of: 12-byte random nonce, ciphertext, 16-byte tag.
 * Immutable and thread-safe: every call uses its own {@link Cipher}.
 */
public final class Sealer {

  private static final String TRANSFORMATION = "AES/GCM/NoPadding";
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

  private final SecretKeySpec key;

  /**
   * @param master the master key, not null
   * @param label the purpose the key is derived for, e.g. {@code "jeton/console-session/v1"}
   * @throws IllegalArgumentException if an argument is null or the label empty
   */
  public Sealer(MasterKey master, String label) {
    if (master == null) {
      throw new IllegalArgumentException("master key must not be null");
    }
    byte[] derived = master.derive(label);
    this.key = new SecretKeySpec(derived, "AES");
    Arrays.fill(derived, (byte) 0);
  }

  /**
   * @param text what to seal, not null
   * @param context bound as associated data, not null
   * @return the sealed value, ASCII (base64url); a fresh nonce each call
   */
  public String seal(String text, String context) {
    if (text == null || context == null) {
      throw new IllegalArgumentException("text and context must not be null");
    }
    byte[] nonce = new byte[NONCE_BYTES];
    RANDOM.nextBytes(nonce);
    try {
      Cipher cipher = Cipher.getInstance(TRANSFORMATION);
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
      byte[] sealed = cipher.doFinal(text.getBytes(StandardCharsets.UTF_8));
      byte[] out = new byte[NONCE_BYTES + sealed.length];
      System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
      System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
      return ENCODER.encodeToString(out);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES/GCM is not available", e);
    }
  }

  /**
   * @param sealed a value as received; may be null or hostile
   * @param context the context it was sealed for
   * @return the text, or null when the value is malformed, altered, or sealed under another key or
   *     context
   */
  public String open(String sealed, String context) {
    if (sealed == null || context == null) {
      return null;
    }
    byte[] raw;
    try {
      raw = DECODER.decode(sealed);
    } catch (IllegalArgumentException e) {
      return null;
    }
    if (raw.length < NONCE_BYTES + TAG_BITS / 8) {
      return null;
    }
    try {
      Cipher cipher = Cipher.getInstance(TRANSFORMATION);
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, raw, 0, NONCE_BYTES));
      cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
      return new String(
          cipher.doFinal(raw, NONCE_BYTES, raw.length - NONCE_BYTES), StandardCharsets.UTF_8);
    } catch (GeneralSecurityException e) {
      return null;
    }
  }
}
