package dev.jeton.radiuscodec;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds requests, for tests and a load client: Access-Request (RFC 2865 §4.1) and Status-Server
 * (RFC 5997 §3). Stateless and thread-safe.
 */
public final class RadiusRequest {

  private static final SecureRandom RANDOM = new SecureRandom();

  private RadiusRequest() {}

  /**
   * @param code {@link RadiusCodes#ACCESS_REQUEST} or {@link RadiusCodes#STATUS_SERVER}
   * @param identifier 0..255
   * @param authenticator the Request Authenticator, 16 bytes, or null for 16 bytes from {@link
   *     SecureRandom} (RFC 2865 §3: unpredictable); read it back from bytes 4..19 of the result
   * @param attributes the attributes in order; a User-Password value is given in clear (at most 128
   *     bytes) and is hidden here (RFC 2865 §5.2)
   * @param secret the shared secret, not empty
   * @param messageAuthenticator whether to add a Message-Authenticator (first, RFC 3579 §3.2); RFC
   *     5997 §3 requires one on Status-Server
   * @return the datagram
   * @throws IllegalArgumentException for another code, a Message-Authenticator among {@code
   *     attributes}, or a packet above 4096 bytes
   */
  public static byte[] encode(
      int code,
      int identifier,
      byte[] authenticator,
      List<Attribute> attributes,
      byte[] secret,
      boolean messageAuthenticator) {
    if (code != RadiusCodes.ACCESS_REQUEST && code != RadiusCodes.STATUS_SERVER) {
      throw new IllegalArgumentException("only Access-Request and Status-Server are built here");
    }
    Digests.requireSecret(secret);
    byte[] auth;
    if (authenticator == null) {
      auth = new byte[Digests.AUTHENTICATOR_LENGTH];
      RANDOM.nextBytes(auth);
    } else {
      Digests.requireAuthenticator(authenticator);
      auth = authenticator.clone();
    }
    List<Attribute> all = new ArrayList<>();
    if (messageAuthenticator) {
      all.add(PacketWriter.zeroMessageAuthenticator());
    }
    for (Attribute a : attributes) {
      if (a.type() == Attributes.MESSAGE_AUTHENTICATOR) {
        throw new IllegalArgumentException("ask for the Message-Authenticator with the flag");
      }
      if (a.type() == Attributes.USER_PASSWORD) {
        all.add(new Attribute(a.type(), UserPassword.hide(a.value(), secret, auth)));
      } else {
        all.add(a);
      }
    }
    byte[] out = PacketWriter.write(code, identifier, auth, all);
    if (messageAuthenticator) {
      int ma = RadiusPacket.HEADER_LENGTH + 2;
      byte[] hmac = Digests.messageAuthenticator(out, out.length, ma, null, secret);
      System.arraycopy(hmac, 0, out, ma, hmac.length);
    }
    return out;
  }
}
