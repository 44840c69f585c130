package dev.jeton.radiuscodec;

import java.security.MessageDigest;

/**
 * The Message-Authenticator attribute (RFC 2869 §5.14, RFC 3579 §3.2): HMAC-MD5 keyed with the
 * shared secret over the whole packet, the attribute's own value taken as 16 zeros. Without it an
 * Access-Request is only as strong as its MD5-based User-Password hiding, and a forged answer can
 * be built by an MD5 collision (BlastRADIUS, CVE-2024-3596). Stateless and thread-safe.
 */
public final class MessageAuthenticator {

  private MessageAuthenticator() {}

  /**
   * Checks the Message-Authenticator of a received request (Access-Request, Status-Server): the
   * request's own authenticator field is part of the HMAC as it stands.
   *
   * @param packet the bytes as received
   * @param length how many were received; the HMAC covers the packet's Length field's worth, which
   *     must be within them (the rest is padding)
   * @param secret the client's shared secret, not empty
   * @return true only when the framing is sound, exactly one Message-Authenticator of 16 bytes is
   *     present, and it equals the HMAC (compared in constant time); false for anything else,
   *     malformed packets included
   */
  public static boolean verify(byte[] packet, int length, byte[] secret) {
    Digests.requireSecret(secret);
    int ma = Digests.soleMessageAuthenticator(packet, length);
    if (ma < 0) {
      return false;
    }
    int total = Digests.framedLength(packet, length);
    byte[] expected = Digests.messageAuthenticator(packet, total, ma, null, secret);
    byte[] received = new byte[Digests.AUTHENTICATOR_LENGTH];
    System.arraycopy(packet, ma, received, 0, received.length);
    return MessageDigest.isEqual(expected, received);
  }

  /**
   * @return true if the packet carries at least one Message-Authenticator, valid or not; an
   *     Access-Request without one may be refused by policy (RFC 5997 §3 requires it on
   *     Status-Server)
   */
  public static boolean present(RadiusPacket p) {
    return p.first(Attributes.MESSAGE_AUTHENTICATOR) != null;
  }
}
