package dev.jeton.radiuscodec;

import java.nio.charset.StandardCharsets;

/**
 * One RADIUS attribute: its type (0..255) and its value, without the two header bytes.
 *
 * <p>On the wire a value holds 0..253 bytes (RFC 2865 §5); the constructor refuses more, except for
 * a {@link Attributes#REPLY_MESSAGE}, which may hold up to {@link #MAX_REPLY_MESSAGE} bytes because
 * {@link RadiusResponse#encode} splits it into several attributes (RFC 2865 §5.18: the receiver
 * concatenates them). The array is not copied: treat it as read-only.
 *
 * @param type attribute type, 0..255
 * @param value attribute value, not null
 */
public record Attribute(int type, byte[] value) {

  /** Longest value an attribute holds on the wire. */
  public static final int MAX_VALUE = 253;

  /** Longest Reply-Message accepted before splitting: what could fit in one packet at most. */
  public static final int MAX_REPLY_MESSAGE = RadiusPacket.MAX_LENGTH - RadiusPacket.HEADER_LENGTH;

  /**
   * @throws IllegalArgumentException if the type is outside 0..255, the value null, or too long
   */
  public Attribute {
    if (type < 0 || type > 255) {
      throw new IllegalArgumentException("attribute type must be 0..255");
    }
    if (value == null) {
      throw new IllegalArgumentException("attribute value must not be null");
    }
    int max = type == Attributes.REPLY_MESSAGE ? MAX_REPLY_MESSAGE : MAX_VALUE;
    if (value.length > max) {
      throw new IllegalArgumentException("attribute " + type + " value longer than " + max);
    }
  }

  /**
   * @return an attribute whose value is the UTF-8 encoding of {@code text}
   */
  public static Attribute of(int type, String text) {
    if (text == null) {
      throw new IllegalArgumentException("attribute text must not be null");
    }
    return new Attribute(type, text.getBytes(StandardCharsets.UTF_8));
  }
}
