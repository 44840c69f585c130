package dev.jeton.radiuscodec;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

class RoundTripTest {

  private static final byte[] SECRET = "s3cret-shared".getBytes(US_ASCII);

  private static RadiusPacket accessRequest(List<Attribute> extra) throws MalformedPacketException {
    List<Attribute> attributes =
        new java.util.ArrayList<>(
            List.of(
                Attribute.of(Attributes.USER_NAME, "nemo"),
                Attribute.of(Attributes.USER_PASSWORD, "arctangent"),
                Attribute.of(Attributes.NAS_IDENTIFIER, "nas-1")));
    attributes.addAll(extra);
    byte[] wire =
        RadiusRequest.encode(RadiusCodes.ACCESS_REQUEST, 42, null, attributes, SECRET, true);
    assertThat(MessageAuthenticator.verify(wire, wire.length, SECRET)).isTrue();
    return RadiusPacket.parse(wire, wire.length);
  }

  @Test
  void requestEncodesParsesAndUnhides() throws MalformedPacketException {
    RadiusPacket p = accessRequest(List.of());
    assertThat(p.code()).isEqualTo(RadiusCodes.ACCESS_REQUEST);
    assertThat(p.identifier()).isEqualTo(42);
    assertThat(p.firstString(Attributes.USER_NAME)).isEqualTo("nemo");
    assertThat(p.first(Attributes.USER_PASSWORD))
        .hasSize(16)
        .isNotEqualTo("arctangent".getBytes(US_ASCII));
    assertThat(UserPassword.unhide(p.first(Attributes.USER_PASSWORD), SECRET, p.authenticator()))
        .isEqualTo("arctangent".getBytes(US_ASCII));
    assertThat(MessageAuthenticator.present(p)).isTrue();
  }

  @Test
  void passwordsOfEveryLengthSurviveHiding() throws MalformedPacketException {
    byte[] ra = new byte[16];
    ra[3] = 9;
    for (int n = 0; n <= UserPassword.MAX_LENGTH; n++) {
      byte[] clear = new byte[n];
      for (int i = 0; i < n; i++) {
        clear[i] = (byte) ('a' + i % 26);
      }
      byte[] hidden = UserPassword.hide(clear, SECRET, ra);
      assertThat(hidden.length).isEqualTo(Math.max(16, (n + 15) / 16 * 16));
      assertThat(UserPassword.unhide(hidden, SECRET, ra)).isEqualTo(clear);
    }
    assertThatThrownBy(() -> UserPassword.hide(new byte[129], SECRET, ra))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void answerVerifiesAgainstTheRequestAuthenticatorOnly() throws MalformedPacketException {
    RadiusPacket request = accessRequest(List.of());
    byte[] answer =
        RadiusResponse.encode(
            RadiusCodes.ACCESS_ACCEPT,
            request,
            List.of(Attribute.of(Attributes.REPLY_MESSAGE, "ok")),
            SECRET);
    assertThat(RadiusResponse.verify(answer, answer.length, request.authenticator(), SECRET))
        .isTrue();
    assertThat(
            RadiusResponse.verify(
                answer, answer.length, request.authenticator(), "other".getBytes(US_ASCII)))
        .isFalse();
    assertThat(RadiusResponse.verify(answer, answer.length, new byte[16], SECRET)).isFalse();

    RadiusPacket parsed = RadiusPacket.parse(answer, answer.length);
    assertThat(parsed.code()).isEqualTo(RadiusCodes.ACCESS_ACCEPT);
    assertThat(parsed.identifier()).isEqualTo(42);
    assertThat(parsed.firstString(Attributes.REPLY_MESSAGE)).isEqualTo("ok");
    assertThat(parsed.all(Attributes.MESSAGE_AUTHENTICATOR)).hasSize(1);
    for (int i = 0; i < answer.length; i++) {
      byte[] tampered = answer.clone();
      tampered[i] ^= 1;
      assertThat(RadiusResponse.verify(tampered, tampered.length, request.authenticator(), SECRET))
          .as("byte %d", i)
          .isFalse();
    }
  }

  @Test
  void proxyStatesAreCopiedInOrderAfterTheAnswersAttributes() throws MalformedPacketException {
    RadiusPacket request =
        accessRequest(
            List.of(
                new Attribute(Attributes.PROXY_STATE, new byte[] {1, 2, 3}),
                Attribute.of(Attributes.CALLING_STATION_ID, "00-11"),
                new Attribute(Attributes.PROXY_STATE, new byte[] {4}),
                new Attribute(Attributes.PROXY_STATE, new byte[0])));
    byte[] answer =
        RadiusResponse.encode(
            RadiusCodes.ACCESS_REJECT,
            request,
            List.of(Attribute.of(Attributes.REPLY_MESSAGE, "no")),
            SECRET);
    RadiusPacket parsed = RadiusPacket.parse(answer, answer.length);
    assertThat(parsed.all(Attributes.PROXY_STATE))
        .containsExactly(new byte[] {1, 2, 3}, new byte[] {4}, new byte[0]);
    assertThat(parsed.attributes())
        .extracting(Attribute::type)
        .containsExactly(
            Attributes.MESSAGE_AUTHENTICATOR,
            Attributes.REPLY_MESSAGE,
            Attributes.PROXY_STATE,
            Attributes.PROXY_STATE,
            Attributes.PROXY_STATE);
    assertThat(parsed.first(Attributes.CALLING_STATION_ID)).isNull();
    assertThat(RadiusResponse.verify(answer, answer.length, request.authenticator(), SECRET))
        .isTrue();
  }

  @Test
  void aLongReplyMessageIsSplitAtCharacterBoundaries() throws MalformedPacketException {
    // 'é' is two bytes in UTF-8, so a cut every 253 bytes would fall inside one.
    String text = "é".repeat(400) + " fin";
    byte[] utf8 = text.getBytes(UTF_8);
    RadiusPacket request = accessRequest(List.of());
    byte[] answer =
        RadiusResponse.encode(
            RadiusCodes.ACCESS_CHALLENGE,
            request,
            List.of(
                Attribute.of(Attributes.REPLY_MESSAGE, text),
                new Attribute(Attributes.STATE, new byte[] {9, 9})),
            SECRET);
    RadiusPacket parsed = RadiusPacket.parse(answer, answer.length);
    List<byte[]> parts = parsed.all(Attributes.REPLY_MESSAGE);
    assertThat(parts).hasSizeGreaterThan(3);
    ByteArrayOutputStream joined = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      assertThat(part.length).isLessThanOrEqualTo(253);
      assertThat(new String(part, UTF_8)).doesNotContain("\uFFFD");
      joined.writeBytes(part);
    }
    assertThat(joined.toByteArray()).isEqualTo(utf8);
    assertThat(parsed.first(Attributes.STATE)).containsExactly(9, 9);
    assertThat(RadiusResponse.verify(answer, answer.length, request.authenticator(), SECRET))
        .isTrue();
  }

  @Test
  void anAnswerAbove4096BytesIsRefused() throws MalformedPacketException {
    RadiusPacket request = accessRequest(List.of());
    List<Attribute> many = new java.util.ArrayList<>();
    for (int i = 0; i < 17; i++) {
      many.add(new Attribute(Attributes.STATE, new byte[253]));
    }
    assertThatThrownBy(
            () -> RadiusResponse.encode(RadiusCodes.ACCESS_ACCEPT, request, many, SECRET))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                RadiusResponse.encode(
                    RadiusCodes.ACCESS_ACCEPT,
                    request,
                    List.of(new Attribute(Attributes.MESSAGE_AUTHENTICATOR, new byte[16])),
                    SECRET))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void anAttributeValueAbove253BytesIsRefusedExceptReplyMessage() {
    assertThatThrownBy(() -> new Attribute(Attributes.STATE, new byte[254]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(new Attribute(Attributes.REPLY_MESSAGE, new byte[1000]).value()).hasSize(1000);
  }

  @Test
  void statusServerIsAnsweredWithAMessageAuthenticator() throws MalformedPacketException {
    byte[] wire =
        RadiusRequest.encode(RadiusCodes.STATUS_SERVER, 218, null, List.of(), SECRET, true);
    assertThat(MessageAuthenticator.verify(wire, wire.length, SECRET)).isTrue();
    RadiusPacket request = RadiusPacket.parse(wire, wire.length);
    byte[] answer = RadiusResponse.encode(RadiusCodes.ACCESS_ACCEPT, request, List.of(), SECRET);
    assertThat(answer).hasSize(38);
    assertThat(RadiusResponse.verify(answer, answer.length, request.authenticator(), SECRET))
        .isTrue();
  }

  @Test
  void requestsGetFreshRandomAuthenticators() throws MalformedPacketException {
    byte[] a = RadiusRequest.encode(RadiusCodes.STATUS_SERVER, 1, null, List.of(), SECRET, true);
    byte[] b = RadiusRequest.encode(RadiusCodes.STATUS_SERVER, 1, null, List.of(), SECRET, true);
    assertThat(RadiusPacket.parse(a, a.length).authenticator())
        .isNotEqualTo(RadiusPacket.parse(b, b.length).authenticator());
  }
}
