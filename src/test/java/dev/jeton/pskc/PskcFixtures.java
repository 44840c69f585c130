package dev.jeton.pskc;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.function.IntFunction;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/** Test-side PSKC writer: encrypts and MACs values the way RFC 6030 section 6 describes. */
final class PskcFixtures {

  static final String NS_DECL =
      "xmlns=\"urn:ietf:params:xml:ns:keyprov:pskc\""
          + " xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\""
          + " xmlns:xenc=\"http://www.w3.org/2001/04/xmlenc#\""
          + " xmlns:xenc11=\"http://www.w3.org/2009/xmlenc11#\""
          + " xmlns:pkcs5=\"http://www.rsasecurity.com/rsalabs/pkcs/schemas/pkcs-5v2-0#\"";
  static final String AES128 = "http://www.w3.org/2001/04/xmlenc#aes128-cbc";
  static final String AES256 = "http://www.w3.org/2001/04/xmlenc#aes256-cbc";
  static final String HMAC_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#hmac-sha256";

  private PskcFixtures() {}

  static byte[] hex(String hex) {
    return HexFormat.of().parseHex(hex);
  }

  static String b64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /** IV || AES-CBC-PKCS7(plain). */
  static byte[] encrypt(byte[] key, byte[] iv, byte[] plain) {
    try {
      Cipher c = Cipher.getInstance("AES/CBC/PKCS5Padding");
      c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(iv));
      byte[] ct = c.doFinal(plain);
      return ByteBuffer.allocate(iv.length + ct.length).put(iv).put(ct).array();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] hmac(String jca, byte[] key, byte[] data) {
    try {
      Mac m = Mac.getInstance(jca);
      m.init(new SecretKeySpec(key, jca));
      return m.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] pbkdf2Sha256(String password, byte[] salt, int iterations, int lengthBytes) {
    try {
      return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
          .generateSecret(new PBEKeySpec(password.toCharArray(), salt, iterations, lengthBytes * 8))
          .getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] iv(int seed) {
    byte[] iv = new byte[16];
    for (int i = 0; i < iv.length; i++) {
      iv[i] = (byte) (seed * 31 + i * 7);
    }
    return iv;
  }

  /** An EncryptedValue + ValueMAC pair (the content of a Data child). */
  static String encryptedData(
      String alg, byte[] encKey, byte[] macKey, String macJca, byte[] iv, byte[] plain) {
    byte[] ivCt = encrypt(encKey, iv, plain);
    return "<EncryptedValue><xenc:EncryptionMethod Algorithm=\""
        + alg
        + "\"/>"
        + "<xenc:CipherData><xenc:CipherValue>"
        + b64(ivCt)
        + "</xenc:CipherValue></xenc:CipherData>"
        + "</EncryptedValue><ValueMAC>"
        + b64(hmac(macJca, macKey, ivCt))
        + "</ValueMAC>";
  }

  /** MACMethod with the MAC key encrypted under {@code encKey}. */
  static String macMethod(String macUri, String alg, byte[] encKey, byte[] macKey) {
    return "<MACMethod Algorithm=\""
        + macUri
        + "\"><MACKey><xenc:EncryptionMethod Algorithm=\""
        + alg
        + "\"/>"
        + "<xenc:CipherData><xenc:CipherValue>"
        + b64(encrypt(encKey, iv(999), macKey))
        + "</xenc:CipherValue></xenc:CipherData></MACKey></MACMethod>";
  }

  /**
   * A document of {@code count} KeyPackages produced lazily, one package at a time, so that neither
   * the test nor the parser ever holds the whole XML in memory.
   */
  static InputStream lazyDocument(
      String header, int count, IntFunction<String> keyPackage, String footer) {
    Enumeration<InputStream> parts =
        new Enumeration<>() {
          int next = -1; // -1 = header, 0..count-1 = packages, count = footer

          @Override
          public boolean hasMoreElements() {
            return next <= count;
          }

          @Override
          public InputStream nextElement() {
            String s = next < 0 ? header : next < count ? keyPackage.apply(next) : footer;
            next++;
            return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
          }
        };
    return new SequenceInputStream(parts);
  }

  static InputStream resource(String name) {
    InputStream in = PskcFixtures.class.getResourceAsStream("/pskc/" + name);
    if (in == null) {
      throw new UncheckedIOException(new IOException("missing test resource " + name));
    }
    return in;
  }

  static String resourceText(String name) {
    try (InputStream in = resource(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static InputStream stream(String xml) {
    return new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8));
  }
}
