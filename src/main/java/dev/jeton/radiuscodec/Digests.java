package dev.jeton.radiuscodec;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * MD5 and HMAC-MD5 as RADIUS needs them, and the framing walk shared by the verifiers. Each call
 * works on its own clone of a shared, uninitialised prototype, so this is thread-safe.
 */
final class Digests {

  static final int AUTHENTICATOR_LENGTH = 16;

  private static final MessageDigest MD5 = md5Prototype();
  private static final Mac HMAC_MD5 = hmacPrototype();

  private Digests() {}

  static MessageDigest md5() {
    try {
      return (MessageDigest) MD5.clone();
    } catch (CloneNotSupportedException e) {
      return md5Prototype();
    }
  }

  /** HMAC-MD5 keyed with the shared secret (RFC 3579 §3.2). */
  static byte[] hmacMd5(byte[] secret, byte[] data, int length) {
    Mac mac;
    try {
      mac = (Mac) HMAC_MD5.clone();
    } catch (CloneNotSupportedException e) {
      mac = hmacPrototype();
    }
    SecretKeySpec key = new SecretKeySpec(secret, "HmacMD5");
    try {
      mac.init(key);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacMD5 refused the key", e);
    }
    mac.update(data, 0, length);
    return mac.doFinal();
  }

  static void requireSecret(byte[] secret) {
    if (secret == null || secret.length == 0) {
      throw new IllegalArgumentException("a RADIUS shared secret must not be empty");
    }
  }

  static void requireAuthenticator(byte[] authenticator) {
    if (authenticator == null || authenticator.length != AUTHENTICATOR_LENGTH) {
      throw new IllegalArgumentException("an authenticator is 16 bytes");
    }
  }

  /**
   * Reads the Length field and walks the attributes without trusting anything.
   *
   * @return the offset of the one Message-Authenticator's value (16 bytes), or -1 if the framing is
   *     broken, the Length field disagrees with {@code length} as described below, the attribute is
   *     absent, repeated, or not 16 bytes long
   */
  static int soleMessageAuthenticator(byte[] packet, int length) {
    int total = framedLength(packet, length);
    if (total < 0) {
      return -1;
    }
    int found = -1;
    int pos = RadiusPacket.HEADER_LENGTH;
    while (pos < total) {
      if (pos + 2 > total) {
        return -1;
      }
      int type = packet[pos] & 0xff;
      int len = packet[pos + 1] & 0xff;
      if (len < 2 || pos + len > total) {
        return -1;
      }
      if (type == Attributes.MESSAGE_AUTHENTICATOR) {
        if (found >= 0 || len != 2 + AUTHENTICATOR_LENGTH) {
          return -1;
        }
        found = pos + 2;
      }
      pos += len;
    }
    return found;
  }

  /**
   * @return the packet's Length field when it is 20..4096 and within the {@code length} bytes
   *     received (the rest being padding, RFC 2865 §3), else -1
   */
  static int framedLength(byte[] packet, int length) {
    if (packet == null
        || length < RadiusPacket.HEADER_LENGTH
        || length > packet.length
        || length > RadiusPacket.MAX_LENGTH) {
      return -1;
    }
    int total = ((packet[2] & 0xff) << 8) | (packet[3] & 0xff);
    if (total < RadiusPacket.HEADER_LENGTH || total > length) {
      return -1;
    }
    return total;
  }

  /**
   * HMAC-MD5 of the first {@code total} bytes of {@code packet}, with the Message-Authenticator
   * value at {@code maOffset} zeroed and, when {@code authenticator} is not null, that value in the
   * authenticator field (RFC 3579 §3.2). The packet itself is not changed.
   */
  static byte[] messageAuthenticator(
      byte[] packet, int total, int maOffset, byte[] authenticator, byte[] secret) {
    byte[] copy = Arrays.copyOf(packet, total);
    if (authenticator != null) {
      System.arraycopy(authenticator, 0, copy, 4, AUTHENTICATOR_LENGTH);
    }
    Arrays.fill(copy, maOffset, maOffset + AUTHENTICATOR_LENGTH, (byte) 0);
    try {
      return hmacMd5(secret, copy, total);
    } finally {
      Arrays.fill(copy, (byte) 0);
    }
  }

  /**
   * MD5(Code + Identifier + Length + {@code authenticator} + Attributes + secret), RFC 2865 §3: the
   * Response Authenticator.
   */
  static byte[] responseAuthenticator(
      byte[] packet, int total, byte[] authenticator, byte[] secret) {
    MessageDigest md = md5();
    md.update(packet, 0, 4);
    md.update(authenticator);
    md.update(packet, RadiusPacket.HEADER_LENGTH, total - RadiusPacket.HEADER_LENGTH);
    md.update(secret);
    return md.digest();
  }

  private static MessageDigest md5Prototype() {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has no MD5", e);
    }
  }

  private static Mac hmacPrototype() {
    try {
      return Mac.getInstance("HmacMD5");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has no HmacMD5", e);
    }
  }
}
