package dev.jeton.pskc;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.spec.KeySpec;
import java.util.Arrays;
import java.util.Map;
import javax.crypto.BadPaddingException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/** The algorithms PSKC names by URI, mapped to the JDK's providers. Package-private. */
final class PskcCrypto {

  static final String XMLDSIG = "http://www.w3.org/2000/09/xmldsig#";
  static final String XMLDSIG_MORE = "http://www.w3.org/2001/04/xmldsig-more#";
  static final String XMLENC = "http://www.w3.org/2001/04/xmlenc#";
  static final String PKCS5 = "http://www.rsasecurity.com/rsalabs/pkcs/schemas/pkcs-5v2-0#";

  static final String PBKDF2_URI = PKCS5 + "pbkdf2";

  /** {@code EncryptionMethod/@Algorithm} → AES key length in bytes. */
  private static final Map<String, Integer> AES_CBC =
      Map.of(
          XMLENC + "aes128-cbc", 16,
          XMLENC + "aes192-cbc", 24,
          XMLENC + "aes256-cbc", 32);

  /** {@code MACMethod/@Algorithm} and {@code PBKDF2-params/PRF/@Algorithm} → JCA HMAC name. */
  private static final Map<String, String> HMAC =
      Map.of(
          XMLDSIG + "hmac-sha1", "HmacSHA1",
          XMLDSIG_MORE + "hmac-sha224", "HmacSHA224",
          XMLDSIG_MORE + "hmac-sha256", "HmacSHA256",
          XMLDSIG_MORE + "hmac-sha384", "HmacSHA384",
          XMLDSIG_MORE + "hmac-sha512", "HmacSHA512");

  private static final int AES_BLOCK = 16;

  private PskcCrypto() {}

  /** Key length in bytes for a supported AES-CBC URI, or -1. */
  static int aesKeyLength(String encryptionAlgorithmUri) {
    Integer n = encryptionAlgorithmUri == null ? null : AES_CBC.get(encryptionAlgorithmUri.trim());
    return n == null ? -1 : n;
  }

  /** JCA HMAC name for a supported URI, or null. */
  static String hmacName(String uri) {
    return uri == null ? null : HMAC.get(uri.trim());
  }

  static byte[] hmac(String jcaName, byte[] key, byte[] data) {
    try {
      Mac mac = Mac.getInstance(jcaName);
      mac.init(new SecretKeySpec(key, jcaName));
      return mac.doFinal(data);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new PskcException("The MAC could not be computed");
    }
  }

  /** Constant-time comparison of a computed MAC with the one in the document. */
  static boolean macMatches(String jcaName, byte[] key, byte[] data, byte[] expected) {
    byte[] actual = hmac(jcaName, key, data);
    try {
      return MessageDigest.isEqual(actual, expected);
    } finally {
      Arrays.fill(actual, (byte) 0);
    }
  }

  /** Thrown for a value that cannot be decrypted (bad length or bad padding). */
  static final class UndecryptableException extends Exception {
    private static final long serialVersionUID = 1L;

    UndecryptableException() {
      super(null, null, false, false);
    }
  }

  /**
   * AES-CBC with PKCS#7 padding; {@code ivAndCiphertext} is the 16-byte IV followed by the
   * ciphertext, as in an xmlenc {@code CipherValue}.
   */
  static byte[] aesCbcDecrypt(byte[] key, byte[] ivAndCiphertext) throws UndecryptableException {
    if (ivAndCiphertext.length < 2 * AES_BLOCK || ivAndCiphertext.length % AES_BLOCK != 0) {
      throw new UndecryptableException();
    }
    try {
      Cipher cipher = Cipher.getInstance("AES/CBC/PKCS5Padding");
      cipher.init(
          Cipher.DECRYPT_MODE,
          new SecretKeySpec(key, "AES"),
          new IvParameterSpec(ivAndCiphertext, 0, AES_BLOCK));
      return cipher.doFinal(ivAndCiphertext, AES_BLOCK, ivAndCiphertext.length - AES_BLOCK);
    } catch (BadPaddingException e) {
      throw new UndecryptableException();
    } catch (GeneralSecurityException e) {
      throw new PskcException("AES-CBC decryption is not available");
    }
  }

  /** PBKDF2 with the given HMAC as PRF (password as UTF-8, as the JDK does). */
  static byte[] pbkdf2(
      String hmacJcaName, char[] password, byte[] salt, int iterations, int keyLengthBytes) {
    PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, keyLengthBytes * 8);
    try {
      SecretKeyFactory factory = SecretKeyFactory.getInstance("PBKDF2With" + hmacJcaName);
      return factory.generateSecret((KeySpec) spec).getEncoded();
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new PskcException("The key could not be derived from the password");
    } finally {
      spec.clearPassword();
    }
  }
}
