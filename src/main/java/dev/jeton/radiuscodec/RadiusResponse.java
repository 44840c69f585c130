package dev.jeton.radiuscodec;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Answers to a request: Access-Accept, Access-Reject, Access-Challenge, or the answer to a
 * Status-Server (RFC 5997 §3). Stateless and thread-safe.
 */
public final class RadiusResponse {

  private RadiusResponse() {}

  /**
   * Builds the answer datagram to {@code request}, with the request's identifier.
   *
   * <p>Attributes, in order: a Message-Authenticator, always (RFC 3579 §3.2, and RFC 5997 §3 for
   * Status-Server); then {@code attributes}, a Reply-Message longer than 253 bytes split into
   * several at UTF-8 character boundaries (RFC 2865 §5.18); then the request's Proxy-State
   * attributes, copied in order (RFC 2865 §5.33). The Message-Authenticator comes first because an
   * unpredictable HMAC right after the header defeats the MD5 chosen-prefix forgery of BlastRADIUS
   * (CVE-2024-3596) even for clients that do not check it; FreeRADIUS 3.2.5 does the same.
   *
   * <p>The Message-Authenticator is the HMAC-MD5 of the answer with the request's authenticator in
   * the authenticator field; then the Response Authenticator, MD5(Code + Identifier + Length +
   * Request Authenticator + Attributes + secret) (RFC 2865 §3), is written in.
   *
   * @param code the answer's code, 0..255 (see {@link RadiusCodes})
   * @param request the parsed request
   * @param attributes what to send, without Message-Authenticator or Proxy-State, not null
   * @param secret the client's shared secret, not empty
   * @return the datagram
   * @throws IllegalArgumentException if {@code attributes} holds a Message-Authenticator, or the
   *     answer would exceed 4096 bytes
   */
  public static byte[] encode(
      int code, RadiusPacket request, List<Attribute> attributes, byte[] secret) {
    Digests.requireSecret(secret);
    byte[] requestAuthenticator = request.authenticator();
    List<Attribute> all = new ArrayList<>();
    all.add(PacketWriter.zeroMessageAuthenticator());
    for (Attribute a : attributes) {
      if (a.type() == Attributes.MESSAGE_AUTHENTICATOR) {
        throw new IllegalArgumentException("the Message-Authenticator is added by the encoder");
      }
      if (a.type() == Attributes.REPLY_MESSAGE && a.value().length > Attribute.MAX_VALUE) {
        all.addAll(splitReplyMessage(a.value()));
      } else {
        all.add(a);
      }
    }
    for (Attribute a : request.attributes()) {
      if (a.type() == Attributes.PROXY_STATE) {
        all.add(a);
      }
    }
    byte[] out = PacketWriter.write(code, request.identifier(), requestAuthenticator, all);
    int ma = RadiusPacket.HEADER_LENGTH + 2;
    byte[] hmac = Digests.messageAuthenticator(out, out.length, ma, null, secret);
    System.arraycopy(hmac, 0, out, ma, hmac.length);
    byte[] response = Digests.responseAuthenticator(out, out.length, requestAuthenticator, secret);
    System.arraycopy(response, 0, out, 4, response.length);
    return out;
  }

  /**
   * Checks a received answer, for tests and a load client.
   *
   * @param answer the bytes as received
   * @param length how many were received
   * @param requestAuthenticator the authenticator of the request this answers, 16 bytes
   * @param secret the shared secret, not empty
   * @return true only when the framing is sound, the Response Authenticator matches, and exactly
   *     one Message-Authenticator is present and valid; both compared in constant time
   */
  public static boolean verify(
      byte[] answer, int length, byte[] requestAuthenticator, byte[] secret) {
    Digests.requireSecret(secret);
    Digests.requireAuthenticator(requestAuthenticator);
    int ma = Digests.soleMessageAuthenticator(answer, length);
    if (ma < 0) {
      return false;
    }
    int total = Digests.framedLength(answer, length);
    byte[] expectedResponse =
        Digests.responseAuthenticator(answer, total, requestAuthenticator, secret);
    byte[] expectedMa =
        Digests.messageAuthenticator(answer, total, ma, requestAuthenticator, secret);
    boolean responseOk =
        MessageDigest.isEqual(
            expectedResponse, Arrays.copyOfRange(answer, 4, RadiusPacket.HEADER_LENGTH));
    boolean maOk =
        MessageDigest.isEqual(
            expectedMa, Arrays.copyOfRange(answer, ma, ma + Digests.AUTHENTICATOR_LENGTH));
    return responseOk & maOk;
  }

  /**
   * Cuts a long Reply-Message into values of at most 253 bytes, never inside a UTF-8 sequence
   * unless a "character" is itself malformed and longer than that.
   */
  static List<Attribute> splitReplyMessage(byte[] text) {
    List<Attribute> parts = new ArrayList<>();
    int pos = 0;
    while (pos < text.length) {
      int end = Math.min(pos + Attribute.MAX_VALUE, text.length);
      if (end < text.length) {
        int cut = end;
        while (cut > pos && (text[cut] & 0xc0) == 0x80) {
          cut--;
        }
        if (cut > pos) {
          end = cut;
        }
      }
      parts.add(new Attribute(Attributes.REPLY_MESSAGE, Arrays.copyOfRange(text, pos, end)));
      pos = end;
    }
    return parts;
  }
}
