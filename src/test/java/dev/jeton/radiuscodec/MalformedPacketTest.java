package dev.jeton.radiuscodec;

import static dev.jeton.radiuscodec.RfcExamplesTest.RFC2865_REQUEST;
import static dev.jeton.radiuscodec.RfcExamplesTest.SECRET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class MalformedPacketTest {

  private static byte[] withLengthField(byte[] packet, int lengthField) {
    byte[] p = packet.clone();
    p[2] = (byte) (lengthField >>> 8);
    p[3] = (byte) lengthField;
    return p;
  }

  private static void assertReason(byte[] datagram, int length, String reason) {
    assertThatThrownBy(() -> RadiusPacket.parse(datagram, length))
        .isInstanceOf(MalformedPacketException.class)
        .satisfies(e -> assertThat(((MalformedPacketException) e).reason()).isEqualTo(reason));
  }

  @Test
  void fewerThan20BytesIsShort() {
    assertReason(new byte[0], 0, "short");
    assertReason(Arrays.copyOf(RFC2865_REQUEST, 19), 19, "short");
    assertReason(RFC2865_REQUEST, 19, "short");
  }

  @Test
  void aLengthFieldBelow20IsRefused() {
    assertReason(withLengthField(RFC2865_REQUEST, 19), RFC2865_REQUEST.length, "length");
    assertReason(withLengthField(RFC2865_REQUEST, 0), RFC2865_REQUEST.length, "length");
  }

  @Test
  void aLengthFieldBeyondTheDatagramIsRefused() {
    assertReason(RFC2865_REQUEST, RFC2865_REQUEST.length - 1, "length");
    assertReason(
        withLengthField(RFC2865_REQUEST, RFC2865_REQUEST.length + 1),
        RFC2865_REQUEST.length,
        "length");
  }

  @Test
  void aLengthFieldAbove4096IsRefused() {
    byte[] big = Arrays.copyOf(RFC2865_REQUEST, 4096);
    assertReason(withLengthField(big, 4097), 4096, "length");
    assertReason(withLengthField(big, 0xffff), 4096, "length");
  }

  @Test
  void aDatagramAbove4096BytesIsTooLong() {
    byte[] big = Arrays.copyOf(RFC2865_REQUEST, 4097);
    assertReason(big, 4097, "too_long");
  }

  @Test
  void bytesAfterTheLengthFieldArePaddingAndIgnored() throws MalformedPacketException {
    byte[] padded = Arrays.copyOf(RFC2865_REQUEST, 4096);
    Arrays.fill(padded, RFC2865_REQUEST.length, padded.length, (byte) 0xee);
    assertThat(RadiusPacket.parse(padded, padded.length).attributes()).hasSize(4);
  }

  @Test
  void anAttributeLengthOf0Or1IsRefused() {
    for (int len : new int[] {0, 1}) {
      byte[] p = RFC2865_REQUEST.clone();
      p[21] = (byte) len;
      assertReason(p, p.length, "attribute_length");
    }
  }

  @Test
  void anAttributeRunningPastTheLengthFieldIsRefused() {
    byte[] p = RFC2865_REQUEST.clone();
    p[p.length - 5] = 7; // NAS-Port claims 7 bytes, 6 remain
    assertReason(p, p.length, "attribute_overflow");
    // Shortening the Length field cuts the last attribute in two: still an overflow.
    assertReason(
        withLengthField(RFC2865_REQUEST, 0x37), RFC2865_REQUEST.length, "attribute_overflow");
    // A lone type byte with no length byte.
    byte[] lone = Arrays.copyOf(RFC2865_REQUEST, RFC2865_REQUEST.length + 1);
    assertReason(withLengthField(lone, lone.length), lone.length, "attribute_overflow");
  }

  @Test
  void anUnknownCodeIsParsedNotRefused() throws MalformedPacketException {
    byte[] p = RFC2865_REQUEST.clone();
    p[0] = (byte) 200;
    assertThat(RadiusPacket.parse(p, p.length).code()).isEqualTo(200);
  }

  @Test
  void aHiddenPasswordOfTheWrongLengthIsRefused() {
    byte[] ra = new byte[16];
    for (int n : new int[] {0, 1, 15, 17, 31, 144}) {
      assertThatThrownBy(() -> UserPassword.unhide(new byte[n], SECRET, ra))
          .isInstanceOf(MalformedPacketException.class)
          .satisfies(
              e ->
                  assertThat(((MalformedPacketException) e).reason()).isEqualTo("password_length"));
    }
  }
}
