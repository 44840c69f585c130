package dev.jeton.portal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jeton.testsupport.MutableClock;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SessionCookieTest {

  private static final Instant START = Instant.parse("2025-03-01T12:00:00Z");
  private static final Duration LIFETIME = Duration.ofMinutes(30);
  private static final String MARK = "gen12345.0";

  private final byte[] key = randomKey();
  private final MutableClock clock = new MutableClock(START);
  private final SessionCookie cookies = new SessionCookie(key, clock, LIFETIME);

  @Test
  void issuedValueVerifiesToTheSameSession() {
    String value = cookies.issue("alice", "totp", MARK);

    assertThat(value).startsWith("v2.").matches("v2\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]{43}");
    assertThat(cookies.verify(value))
        .contains(new SessionCookie.Session("alice", "totp", START, START.plus(LIFETIME), MARK));
    assertThat(cookies.lifetime()).isEqualTo(LIFETIME);
    assertThat(SessionCookie.NAME).isEqualTo("jeton_session");
  }

  @Test
  void payloadHasTheDocumentedLayout() {
    String value = cookies.issue("b\u00f6b", "hotp", MARK);
    String payload =
        new String(Base64.getUrlDecoder().decode(value.split("\\.")[1]), StandardCharsets.UTF_8);

    long issued = START.getEpochSecond();
    assertThat(payload)
        .matches("b\u00f6b\nhotp\n" + issued + "\n" + (issued + 1800) + "\n[0-9a-f]{32}\n" + MARK);
    assertThat(cookies.verify(value)).map(SessionCookie.Session::username).contains("b\u00f6b");
  }

  @Test
  void anotherInstanceWithTheSameKeyAccepts() {
    String value = cookies.issue("alice", "totp", MARK);
    assertThat(new SessionCookie(key, clock, LIFETIME).verify(value)).isPresent();
  }

  @Test
  void tamperedValueIsRefusedWhereverTheChangeIs() {
    String value = cookies.issue("alice", "totp", MARK);
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      char flipped = c == 'A' ? 'B' : 'A';
      String tampered = value.substring(0, i) + flipped + value.substring(i + 1);
      assertThat(cookies.verify(tampered)).as("flip at %d", i).isEmpty();
    }
  }

  @Test
  void forgedPayloadWithValidShapeIsRefused() {
    String value = cookies.issue("alice", "totp", MARK);
    String[] parts = value.split("\\.");
    String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
    String forged =
        Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(payload.replace("alice", "admin").getBytes(StandardCharsets.UTF_8));
    assertThat(cookies.verify("v1." + forged + "." + parts[2])).isEmpty();
  }

  @Test
  void valueSignedWithAnotherKeyIsRefused() {
    SessionCookie other = new SessionCookie(randomKey(), clock, LIFETIME);
    assertThat(cookies.verify(other.issue("alice", "totp", MARK))).isEmpty();
  }

  @Test
  void valueExpiresExactlyAtExpiresAt() {
    String value = cookies.issue("alice", "totp", MARK);

    clock.advance(LIFETIME.minusSeconds(1));
    assertThat(cookies.verify(value)).isPresent();
    clock.advanceSeconds(1);
    assertThat(cookies.verify(value)).isEmpty();
  }

  @Test
  void shorterLifetimeAlsoEndsSessionsAlreadyIssued() {
    String value = cookies.issue("alice", "totp", MARK);
    clock.advance(Duration.ofMinutes(10));

    assertThat(new SessionCookie(key, clock, Duration.ofMinutes(5)).verify(value)).isEmpty();
    assertThat(new SessionCookie(key, clock, Duration.ofMinutes(15)).verify(value)).isPresent();
  }

  @Test
  void valueIssuedTooFarInTheFutureIsRefused() {
    SessionCookie ahead61 =
        new SessionCookie(key, Clock.offset(clock, Duration.ofSeconds(61)), LIFETIME);
    SessionCookie ahead60 =
        new SessionCookie(key, Clock.offset(clock, Duration.ofSeconds(60)), LIFETIME);

    assertThat(cookies.verify(ahead61.issue("alice", "totp", MARK))).isEmpty();
    assertThat(cookies.verify(ahead60.issue("alice", "totp", MARK))).isPresent();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "v1",
        "v1.",
        "v1..",
        "v1.a.b",
        "v2.YWxpY2U.AAAA",
        "v1.YWxpY2U",
        "v1.!!!.???",
        "v1.YWxpY2U.AAAA.AAAA",
        "jeton_session=v1.a.b",
        " v1.a.b",
        "\u00e9\u00e9"
      })
  void garbageIsRefused(String value) {
    assertThat(cookies.verify(value)).isEmpty();
  }

  @Test
  void nullAndOversizedValuesAreRefused() {
    assertThat(cookies.verify(null)).isEmpty();
    String valid = cookies.issue("alice", "totp", MARK);
    assertThat(cookies.verify(valid + "A".repeat(SessionCookie.MAX_LENGTH))).isEmpty();
  }

  @Test
  void paddedOrReencodedSignatureIsRefused() {
    String value = cookies.issue("alice", "totp", MARK);
    assertThat(cookies.verify(value + "=")).isEmpty();
  }

  @Test
  void twoIssuesForTheSameUserDiffer() {
    String first = cookies.issue("alice", "totp", MARK);
    String second = cookies.issue("alice", "totp", MARK);

    assertThat(first).isNotEqualTo(second);
    assertThat(cookies.verify(first)).isEqualTo(cookies.verify(second));
  }

  @Test
  void invalidArgumentsAreRejected() {
    assertThatThrownBy(() -> new SessionCookie(new byte[31], clock, LIFETIME))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SessionCookie(null, clock, LIFETIME))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SessionCookie(key, null, LIFETIME))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SessionCookie(key, clock, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> cookies.issue("alice\n", "totp", MARK))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> cookies.issue("alice", "", MARK))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> cookies.issue(null, "totp", MARK))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> cookies.issue("alice", "totp", null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> cookies.issue("alice", "totp", "g.1\n"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> cookies.issue("a".repeat(1000), "totp", MARK))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aSessionCarriesTheMarkItWasIssuedUnderSoThatTheStoreCanRevokeIt() {
    assertThat(cookies.verify(cookies.issue("alice", "totp", "gen12345.7")))
        .map(SessionCookie.Session::mark)
        .contains("gen12345.7");
  }

  @Test
  void aVersionOneValueWithoutMarkIsRefusedEvenWhenSignedWithTheKey() throws Exception {
    long issued = START.getEpochSecond();
    String payload =
        Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(
                ("alice\ntotp\n" + issued + "\n" + (issued + 1800) + "\n" + "0".repeat(32))
                    .getBytes(StandardCharsets.UTF_8));
    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
    mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
    String signature =
        Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(mac.doFinal(("v1." + payload).getBytes(StandardCharsets.US_ASCII)));

    assertThat(cookies.verify("v1." + payload + "." + signature)).isEmpty();
  }

  @Test
  void keyIsCopied() {
    String value = cookies.issue("alice", "totp", MARK);
    Arrays.fill(key, (byte) 0);
    assertThat(cookies.verify(value)).isPresent();
  }

  private static byte[] randomKey() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return bytes;
  }
}
