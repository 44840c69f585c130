package dev.jeton.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.radiuscodec.RadiusCodes;
import dev.jeton.radiuscodec.RadiusResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** What a NAS checks of the answers to one Access-Request and its retransmissions. */
public final class RadiusAnswers {

  private RadiusAnswers() {}

  /**
   * There is at least one answer, and every one is the same Access-Accept, byte for byte, whose
   * Response Authenticator is right for the request's {@code authenticator} and {@code secret}.
   */
  public static void assertOneAcceptRepeated(
      List<byte[]> answers, byte[] authenticator, String secret) {
    assertThat(answers).isNotEmpty();
    byte[] key = secret.getBytes(StandardCharsets.UTF_8);
    for (byte[] a : answers) {
      assertThat(a).isEqualTo(answers.get(0));
      assertThat(a[0] & 0xff).isEqualTo(RadiusCodes.ACCESS_ACCEPT);
      assertThat(RadiusResponse.verify(a, a.length, authenticator, key)).isTrue();
    }
  }
}
