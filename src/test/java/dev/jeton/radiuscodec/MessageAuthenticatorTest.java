package dev.jeton.radiuscodec;

import static dev.jeton.radiuscodec.RfcExamplesTest.RFC5997_STATUS_SERVER;
import static dev.jeton.radiuscodec.RfcExamplesTest.SECRET;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class MessageAuthenticatorTest {

  private static final byte[] PACKET = RFC5997_STATUS_SERVER;

  @Test
  void everySingleFlippedByteFails() {
    for (int i = 0; i < PACKET.length; i++) {
      for (int bits : new int[] {0x01, 0x80, 0xff}) {
        byte[] p = PACKET.clone();
        p[i] ^= (byte) bits;
        assertThat(MessageAuthenticator.verify(p, p.length, SECRET))
            .as("byte %d ^ %02x", i, bits)
            .isFalse();
      }
    }
  }

  @Test
  void aWrongSecretFails() {
    assertThat(MessageAuthenticator.verify(PACKET, PACKET.length, "xyzzy5462".getBytes(US_ASCII)))
        .isFalse();
  }

  @Test
  void paddingAfterTheLengthFieldIsIgnored() {
    byte[] padded = Arrays.copyOf(PACKET, PACKET.length + 7);
    Arrays.fill(padded, PACKET.length, padded.length, (byte) 0x5a);
    assertThat(MessageAuthenticator.verify(padded, padded.length, SECRET)).isTrue();
  }

  @Test
  void twoMessageAuthenticatorsFailEvenWhenEachWouldBeValid() {
    // A request whose single MA is valid, then a copy of that same attribute appended.
    byte[] one =
        RadiusRequest.encode(
            RadiusCodes.ACCESS_REQUEST,
            7,
            null,
            List.of(Attribute.of(Attributes.USER_NAME, "nemo")),
            SECRET,
            true);
    assertThat(MessageAuthenticator.verify(one, one.length, SECRET)).isTrue();
    byte[] two = Arrays.copyOf(one, one.length + 18);
    System.arraycopy(one, 20, two, one.length, 18);
    two[2] = (byte) (two.length >>> 8);
    two[3] = (byte) two.length;
    assertThat(MessageAuthenticator.verify(two, two.length, SECRET)).isFalse();
  }

  @Test
  void aMessageAuthenticatorOfAnotherLengthFails() {
    for (int len : new int[] {0, 15, 17}) {
      byte[] p = new byte[20 + 2 + len];
      System.arraycopy(PACKET, 0, p, 0, 20);
      p[2] = 0;
      p[3] = (byte) p.length;
      p[20] = (byte) Attributes.MESSAGE_AUTHENTICATOR;
      p[21] = (byte) (2 + len);
      int copy = Math.min(len, 16);
      System.arraycopy(PACKET, 22, p, 22, copy);
      assertThat(MessageAuthenticator.verify(p, p.length, SECRET)).as("length %d", len).isFalse();
    }
  }

  @Test
  void aPacketWithoutMessageAuthenticatorFails() {
    byte[] p =
        RadiusRequest.encode(
            RadiusCodes.ACCESS_REQUEST,
            1,
            null,
            List.of(Attribute.of(Attributes.USER_NAME, "nemo")),
            SECRET,
            false);
    assertThat(MessageAuthenticator.verify(p, p.length, SECRET)).isFalse();
  }

  @Test
  void aLengthFieldBeyondTheBytesReceivedFails() {
    assertThat(MessageAuthenticator.verify(PACKET, PACKET.length - 1, SECRET)).isFalse();
  }

  @Test
  void anEmptySecretIsRefused() {
    assertThatThrownBy(() -> MessageAuthenticator.verify(PACKET, PACKET.length, new byte[0]))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
