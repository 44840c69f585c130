package dev.jeton.radiuscodec;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A RADIUS packet as parsed from one datagram (RFC 2865 §3): code, identifier, the 16-byte
 * authenticator and the attributes in wire order. Nothing is checked against a secret here: see
 * {@link MessageAuthenticator} and {@link UserPassword}.
 *
 * <p>Immutable and thread-safe: every accessor that returns an array returns a copy.
 */
public final class RadiusPacket {

  /** Code, Identifier, Length and Authenticator. */
  public static final int HEADER_LENGTH = 20;

  /** RFC 2865 §3: the largest packet. */
  public static final int MAX_LENGTH = 4096;

  private final int code;
  private final int identifier;
  private final byte[] authenticator;
  private final List<Attribute> attributes;

  private RadiusPacket(int code, int identifier, byte[] authenticator, List<Attribute> attributes) {
    this.code = code;
    this.identifier = identifier;
    this.authenticator = authenticator;
    this.attributes = List.copyOf(attributes);
  }

  /**
   * Parses one datagram. Unknown codes and attribute types are kept, not refused: the intake
   * decides by code what it drops.
   *
   * @param datagram the received bytes
   * @param length how many of them were received, 0..{@code datagram.length}
   * @return the packet; bytes after its Length field are padding and ignored (RFC 2865 §3)
   * @throws MalformedPacketException with reason {@code too_long} above 4096 bytes, {@code short}
   *     below 20, {@code length} when the Length field is below 20, above 4096 or beyond the bytes
   *     received, {@code attribute_length} for an attribute length of 0 or 1, and {@code
   *     attribute_overflow} for an attribute running past the Length field
   * @throws IllegalArgumentException if {@code length} is outside 0..{@code datagram.length}
   */
  public static RadiusPacket parse(byte[] datagram, int length) throws MalformedPacketException {
    if (datagram == null || length < 0 || length > datagram.length) {
      throw new IllegalArgumentException("length must be within the datagram buffer");
    }
    if (length > MAX_LENGTH) {
      throw new MalformedPacketException(MalformedPacketException.TOO_LONG);
    }
    if (length < HEADER_LENGTH) {
      throw new MalformedPacketException(MalformedPacketException.SHORT);
    }
    int total = ((datagram[2] & 0xff) << 8) | (datagram[3] & 0xff);
    if (total < HEADER_LENGTH || total > MAX_LENGTH || total > length) {
      throw new MalformedPacketException(MalformedPacketException.LENGTH);
    }
    List<Attribute> attributes = new ArrayList<>();
    int pos = HEADER_LENGTH;
    while (pos < total) {
      if (pos + 2 > total) {
        throw new MalformedPacketException(MalformedPacketException.ATTRIBUTE_OVERFLOW);
      }
      int type = datagram[pos] & 0xff;
      int len = datagram[pos + 1] & 0xff;
      if (len < 2) {
        throw new MalformedPacketException(MalformedPacketException.ATTRIBUTE_LENGTH);
      }
      if (pos + len > total) {
        throw new MalformedPacketException(MalformedPacketException.ATTRIBUTE_OVERFLOW);
      }
      attributes.add(new Attribute(type, Arrays.copyOfRange(datagram, pos + 2, pos + len)));
      pos += len;
    }
    return new RadiusPacket(
        datagram[0] & 0xff,
        datagram[1] & 0xff,
        Arrays.copyOfRange(datagram, 4, HEADER_LENGTH),
        attributes);
  }

  /**
   * @return the code, 0..255 (see {@link RadiusCodes})
   */
  public int code() {
    return code;
  }

  /**
   * @return the identifier, 0..255
   */
  public int identifier() {
    return identifier;
  }

  /**
   * @return a copy of the 16-byte authenticator field
   */
  public byte[] authenticator() {
    return authenticator.clone();
  }

  /**
   * @return the attributes in wire order, unmodifiable; their value arrays are this packet's own
   *     and must not be changed
   */
  public List<Attribute> attributes() {
    return attributes;
  }

  /**
   * @return a copy of the value of the first attribute of that type, or null if there is none
   */
  public byte[] first(int type) {
    for (Attribute a : attributes) {
      if (a.type() == type) {
        return a.value().clone();
      }
    }
    return null;
  }

  /**
   * @return copies of every value of that type in wire order (Proxy-State, Reply-Message), possibly
   *     empty
   */
  public List<byte[]> all(int type) {
    List<byte[]> out = new ArrayList<>();
    for (Attribute a : attributes) {
      if (a.type() == type) {
        out.add(a.value().clone());
      }
    }
    return out;
  }

  /**
   * @return the first value of that type decoded as UTF-8 (malformed sequences replaced), or null
   */
  public String firstString(int type) {
    for (Attribute a : attributes) {
      if (a.type() == type) {
        return new String(a.value(), StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  /** Never shows attribute values: they may hold a hidden password or a State. */
  @Override
  public String toString() {
    return "RadiusPacket[code="
        + code
        + ", identifier="
        + identifier
        + ", attributes="
        + attributes.size()
        + "]";
  }
}
