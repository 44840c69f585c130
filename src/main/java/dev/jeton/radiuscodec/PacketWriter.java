package dev.jeton.radiuscodec;

import java.util.List;

/** Lays out header and attributes; the authenticators are filled in by the callers. */
final class PacketWriter {

  private PacketWriter() {}

  /** The placeholder every encoder puts first; RFC 3579 §3.2 computes the HMAC over zeros here. */
  static Attribute zeroMessageAuthenticator() {
    return new Attribute(Attributes.MESSAGE_AUTHENTICATOR, new byte[Digests.AUTHENTICATOR_LENGTH]);
  }

  /**
   * @throws IllegalArgumentException if the code or identifier is outside 0..255, a value is longer
   *     than 253 bytes, or the packet would exceed 4096 bytes
   */
  static byte[] write(int code, int identifier, byte[] authenticator, List<Attribute> attributes) {
    if (code < 0 || code > 255) {
      throw new IllegalArgumentException("code must be 0..255");
    }
    if (identifier < 0 || identifier > 255) {
      throw new IllegalArgumentException("identifier must be 0..255");
    }
    int total = RadiusPacket.HEADER_LENGTH;
    for (Attribute a : attributes) {
      if (a.value().length > Attribute.MAX_VALUE) {
        throw new IllegalArgumentException("attribute " + a.type() + " value longer than 253");
      }
      total += 2 + a.value().length;
    }
    if (total > RadiusPacket.MAX_LENGTH) {
      throw new IllegalArgumentException("packet would be " + total + " bytes, above 4096");
    }
    byte[] out = new byte[total];
    out[0] = (byte) code;
    out[1] = (byte) identifier;
    out[2] = (byte) (total >>> 8);
    out[3] = (byte) total;
    System.arraycopy(authenticator, 0, out, 4, Digests.AUTHENTICATOR_LENGTH);
    int pos = RadiusPacket.HEADER_LENGTH;
    for (Attribute a : attributes) {
      byte[] v = a.value();
      out[pos] = (byte) a.type();
      out[pos + 1] = (byte) (2 + v.length);
      System.arraycopy(v, 0, out, pos + 2, v.length);
      pos += 2 + v.length;
    }
    return out;
  }
}
