package dev.jeton.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts OTP seeds at rest with AES-256-GCM under a key derived from the {@link MasterKey} (label
 * {@code "jeton/seed/v1"}). The token serial is bound as associated data, so a blob only decrypts
 * for the serial it was made for.
 *
 * <p>Blob layout: 12-byte random nonce, then ciphertext, then 16-byte tag.
 *
 * <p>Immutable and thread-safe: every call uses its own {@link Cipher}.
 */
public final class SeedCipher {

  private static final String LABEL = "jeton/seed/v1";

  private static final String TRANSFORMATION = "AES/GCM/NoPadding";
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final SecretKeySpec key;

  /**
   * One decrypting Cipher per thread, re-initialised for each seed: looking a Cipher up costs more
   * than the decryption of a 20-byte seed, and every login decrypts one. (A GCM Cipher is never
   * reused to encrypt.)
   */
  private final ThreadLocal<Cipher> decryptors = ThreadLocal.withInitial(SeedCipher::newCipher);

  /**
   * @param key master key, not null
   * @throws IllegalArgumentException if {@code key} is null
   */
  public SeedCipher(MasterKey key) {
    if (key == null) {
      throw new IllegalArgumentException("master key must not be null");
    }
    byte[] derived = key.derive(LABEL);
    this.key = new SecretKeySpec(derived, "AES");
    Arrays.fill(derived, (byte) 0);
  }

  /**
   * @param seed plaintext seed, not null; not modified
   * @param serial token serial bound as associated data, not null
   * @return nonce || ciphertext || tag; a fresh random nonce each call, so equal inputs give
   *     different blobs
   * @throws IllegalArgumentException if an argument is null
   */
  public byte[] encrypt(byte[] seed, String serial) {
    if (seed == null || serial == null) {
      throw new IllegalArgumentException("seed and serial must not be null");
    }
    byte[] nonce = new byte[NONCE_BYTES];
    RANDOM.nextBytes(nonce);
    try {
      Cipher cipher = Cipher.getInstance(TRANSFORMATION);
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(serial.getBytes(StandardCharsets.UTF_8));
      byte[] blob = new byte[NONCE_BYTES + cipher.getOutputSize(seed.length)];
      System.arraycopy(nonce, 0, blob, 0, NONCE_BYTES);
      int written = cipher.doFinal(seed, 0, seed.length, blob, NONCE_BYTES);
      return written == blob.length - NONCE_BYTES
          ? blob
          : Arrays.copyOf(blob, NONCE_BYTES + written);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("seed cannot be encrypted", e);
    }
  }

  /**
   * @param blob output of {@link #encrypt}, not null
   * @param serial the serial given to {@link #encrypt}, not null
   * @return the plaintext seed
   * @throws IllegalArgumentException if an argument is null
   * @throws IllegalStateException with message {@code "seed cannot be decrypted"} if the blob is
   *     truncated or tampered with, or the serial or master key differ
   */
  private static Cipher newCipher() {
    try {
      return Cipher.getInstance(TRANSFORMATION);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES/GCM is not available", e);
    }
  }

  public byte[] decrypt(byte[] blob, String serial) {
    if (blob == null || serial == null) {
      throw new IllegalArgumentException("blob and serial must not be null");
    }
    if (blob.length < NONCE_BYTES + TAG_BITS / 8) {
      throw new IllegalStateException("seed cannot be decrypted");
    }
    try {
      Cipher cipher = decryptors.get();
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, blob, 0, NONCE_BYTES));
      cipher.updateAAD(serial.getBytes(StandardCharsets.UTF_8));
      return cipher.doFinal(blob, NONCE_BYTES, blob.length - NONCE_BYTES);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("seed cannot be decrypted", e);
    }
  }
}
