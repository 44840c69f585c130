package dev.jeton.radiuscodec;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * The worked examples of RFC 2865 §7.1 (no Message-Authenticator: Response Authenticator and
 * User-Password only) and RFC 5997 §6 (Status-Server with a Message-Authenticator).
 */
class RfcExamplesTest {

  static final byte[] SECRET = "xyzzy5461".getBytes(US_ASCII);

  /** RFC 2865 §7.1, the NAS's Access-Request for "nemo" / "arctangent". */
  static final byte[] RFC2865_REQUEST =
      hex(
          "01 00 00 38 0f 40 3f 94 73 97 80 57 bd 83 d5 cb"
              + "98 f4 22 7a 01 06 6e 65 6d 6f 02 12 0d be 70 8d"
              + "93 d4 13 ce 31 96 e4 3f 78 2a 0a ee 04 06 c0 a8"
              + "01 10 05 06 00 00 00 03");

  /** RFC 2865 §7.1, the server's Access-Accept. */
  static final byte[] RFC2865_ACCEPT =
      hex(
          "02 00 00 26 86 fe 22 0e 76 24 ba 2a 10 05 f6 bf"
              + "9b 55 e0 b2 06 06 00 00 00 01 0f 06 00 00 00 00"
              + "0e 06 c0 a8 01 03");

  /** RFC 5997 §6, a Status-Server to the authentication port. */
  static final byte[] RFC5997_STATUS_SERVER =
      hex(
          "0c da 00 26 8a 54 f4 68 6f b3 94 c5 28 66 e3 02"
              + "18 5d 06 23 50 12 5a 66 5e 2e 1e 84 11 f3 e2 43"
              + "82 20 97 c8 4f a3");

  /** RFC 5997 §6, the Access-Accept answering it (no attributes). */
  static final byte[] RFC5997_ACCEPT =
      hex("02 da 00 14 ef 0d 55 2a 4b f2 d6 93 ec 2b 6f e8 b5 41 1d 66");

  static byte[] hex(String s) {
    return HexFormat.of().parseHex(s.replace(" ", ""));
  }

  @Test
  void rfc2865RequestParsesIntoItsAttributes() throws MalformedPacketException {
    RadiusPacket p = RadiusPacket.parse(RFC2865_REQUEST, RFC2865_REQUEST.length);
    assertThat(p.code()).isEqualTo(RadiusCodes.ACCESS_REQUEST);
    assertThat(p.identifier()).isZero();
    assertThat(p.authenticator()).isEqualTo(Arrays.copyOfRange(RFC2865_REQUEST, 4, 20));
    assertThat(p.firstString(Attributes.USER_NAME)).isEqualTo("nemo");
    assertThat(p.first(Attributes.NAS_IP_ADDRESS)).containsExactly(0xc0, 0xa8, 0x01, 0x10);
    assertThat(p.attributes()).extracting(Attribute::type).containsExactly(1, 2, 4, 5);
    assertThat(MessageAuthenticator.present(p)).isFalse();
  }

  @Test
  void rfc2865HiddenPasswordUnhidesToArctangent() throws MalformedPacketException {
    RadiusPacket p = RadiusPacket.parse(RFC2865_REQUEST, RFC2865_REQUEST.length);
    byte[] clear =
        UserPassword.unhide(p.first(Attributes.USER_PASSWORD), SECRET, p.authenticator());
    assertThat(new String(clear, US_ASCII)).isEqualTo("arctangent");
  }

  @Test
  void hideReproducesTheRfc2865HiddenPassword() {
    byte[] requestAuthenticator = Arrays.copyOfRange(RFC2865_REQUEST, 4, 20);
    byte[] hidden =
        UserPassword.hide("arctangent".getBytes(US_ASCII), SECRET, requestAuthenticator);
    assertThat(hidden).isEqualTo(Arrays.copyOfRange(RFC2865_REQUEST, 28, 44));
  }

  @Test
  void rfc2865AcceptCarriesTheResponseAuthenticatorComputedFromTheRequest() {
    byte[] requestAuthenticator = Arrays.copyOfRange(RFC2865_REQUEST, 4, 20);
    byte[] computed =
        Digests.responseAuthenticator(
            RFC2865_ACCEPT, RFC2865_ACCEPT.length, requestAuthenticator, SECRET);
    assertThat(computed).isEqualTo(Arrays.copyOfRange(RFC2865_ACCEPT, 4, 20));
  }

  @Test
  void rfc5997AcceptCarriesTheResponseAuthenticatorComputedFromTheStatusServer() {
    byte[] requestAuthenticator = Arrays.copyOfRange(RFC5997_STATUS_SERVER, 4, 20);
    byte[] computed =
        Digests.responseAuthenticator(
            RFC5997_ACCEPT, RFC5997_ACCEPT.length, requestAuthenticator, SECRET);
    assertThat(computed).isEqualTo(Arrays.copyOfRange(RFC5997_ACCEPT, 4, 20));
  }

  @Test
  void aResponseWithoutMessageAuthenticatorIsNotAcceptedByVerify() {
    // RadiusResponse.verify insists on the Message-Authenticator that Jeton always sends.
    byte[] requestAuthenticator = Arrays.copyOfRange(RFC2865_REQUEST, 4, 20);
    assertThat(
            RadiusResponse.verify(
                RFC2865_ACCEPT, RFC2865_ACCEPT.length, requestAuthenticator, SECRET))
        .isFalse();
  }

  @Test
  void rfc5997StatusServerMessageAuthenticatorVerifies() throws MalformedPacketException {
    assertThat(
            MessageAuthenticator.verify(
                RFC5997_STATUS_SERVER, RFC5997_STATUS_SERVER.length, SECRET))
        .isTrue();
    RadiusPacket p = RadiusPacket.parse(RFC5997_STATUS_SERVER, RFC5997_STATUS_SERVER.length);
    assertThat(p.code()).isEqualTo(RadiusCodes.STATUS_SERVER);
    assertThat(p.identifier()).isEqualTo(0xda);
    assertThat(MessageAuthenticator.present(p)).isTrue();
  }
}
