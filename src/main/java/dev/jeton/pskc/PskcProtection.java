package dev.jeton.pskc;

/**
 * What the caller knows to open an encrypted PSKC document: a pre-shared AES key (for {@code
 * <ds:KeyName>} documents) and/or a password (for PBKDF2 {@code <xenc11:DerivedKey>} documents).
 * Both may be null for a plain document.
 *
 * <p>The arrays are used as given, not copied: the caller may wipe them after {@link
 * PskcParser#parse} returns. {@link #toString()} never shows them.
 *
 * @param preSharedKey raw AES key bytes (16, 24 or 32), or null
 * @param password the password, or null
 */
public record PskcProtection(byte[] preSharedKey, char[] password) {

  private static final PskcProtection NONE = new PskcProtection(null, null);

  /** No key and no password: only plain documents can be read. */
  public static PskcProtection none() {
    return NONE;
  }

  /** A pre-shared AES key (raw bytes, not hex). */
  public static PskcProtection ofKey(byte[] preSharedKey) {
    if (preSharedKey == null) {
      throw new IllegalArgumentException("preSharedKey is null");
    }
    return new PskcProtection(preSharedKey, null);
  }

  /** A password for PBKDF2-protected documents. */
  public static PskcProtection ofPassword(char[] password) {
    if (password == null) {
      throw new IllegalArgumentException("password is null");
    }
    return new PskcProtection(null, password);
  }

  @Override
  public String toString() {
    return "PskcProtection[preSharedKey="
        + (preSharedKey == null ? "none" : "(redacted)")
        + ", password="
        + (password == null ? "none" : "(redacted)")
        + "]";
  }
}
