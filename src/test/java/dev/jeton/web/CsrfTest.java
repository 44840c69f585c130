package dev.jeton.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CsrfTest {

  private static final String ORIGIN = "http://127.0.0.1:8080";

  private final byte[] key = randomKey();
  private final Csrf csrf = new Csrf(key);

  @Test
  void tokenOfTheCookieIsValid() {
    String cookie = Csrf.newCookieValue();
    String token = csrf.token(cookie);

    assertThat(csrf.valid(cookie, token)).isTrue();
    assertThat(new Csrf(key).valid(cookie, token)).isTrue();
    assertThat(token).isEqualTo(csrf.token(cookie)).hasSize(43).matches("[A-Za-z0-9_-]+");
  }

  @Test
  void cookieValuesAreRandomBase64Url() {
    String first = Csrf.newCookieValue();
    assertThat(first).hasSize(43).matches("[A-Za-z0-9_-]+").isNotEqualTo(Csrf.newCookieValue());
  }

  @Test
  void tokenForAnotherCookieIsRefused() {
    String cookie = Csrf.newCookieValue();
    String otherToken = csrf.token(Csrf.newCookieValue());
    assertThat(csrf.valid(cookie, otherToken)).isFalse();
  }

  @Test
  void cookieEchoedAsTokenIsRefused() {
    String cookie = Csrf.newCookieValue();
    assertThat(csrf.valid(cookie, cookie)).isFalse();
  }

  @Test
  void missingEmptyOrOversizedPartsAreRefused() {
    String cookie = Csrf.newCookieValue();
    String token = csrf.token(cookie);

    assertThat(csrf.valid(null, token)).isFalse();
    assertThat(csrf.valid("", csrf.token(""))).isFalse();
    assertThat(csrf.valid(cookie, null)).isFalse();
    assertThat(csrf.valid(cookie, "")).isFalse();
    String longCookie = "a".repeat(Csrf.MAX_LENGTH + 1);
    assertThat(csrf.valid(longCookie, csrf.token(longCookie))).isFalse();
    assertThat(csrf.valid(cookie, token + "a".repeat(Csrf.MAX_LENGTH))).isFalse();
    assertThat(csrf.valid(cookie, token.substring(1))).isFalse();
    assertThat(csrf.valid(cookie, token + "=")).isFalse();
  }

  @Test
  void tokenUnderAnotherKeyIsRefused() {
    String cookie = Csrf.newCookieValue();
    Csrf other = new Csrf(randomKey());
    assertThat(csrf.valid(cookie, other.token(cookie))).isFalse();
  }

  @Test
  void overHttpsTheCookieIsHostPrefixedSoThatNoOtherHostCanPlantIt() {
    assertThat(Csrf.cookieName(true)).isEqualTo(Csrf.HOST_COOKIE).isEqualTo("__Host-jeton_csrf");
    assertThat(Csrf.cookieName(false)).isEqualTo(Csrf.COOKIE).isEqualTo("jeton_csrf");
  }

  @Test
  void keyMustBe32Bytes() {
    assertThatThrownBy(() -> new Csrf(null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Csrf(new byte[16])).isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest(name = "Sec-Fetch-Site={0}, Origin={1} -> crossSite={2}")
  @CsvSource(
      nullValues = "ABSENT",
      value = {
        "ABSENT,         ABSENT,                  false",
        "same-origin,    ABSENT,                  false",
        "none,           ABSENT,                  false",
        "Same-Origin,    ABSENT,                  false",
        "same-site,      ABSENT,                  true",
        "cross-site,     ABSENT,                  true",
        "garbage,        ABSENT,                  true",
        "'',             ABSENT,                  true",
        "ABSENT,         http://127.0.0.1:8080,   false",
        "ABSENT,         HTTP://127.0.0.1:8080,   false",
        "ABSENT,         http://127.0.0.1:8081,   true",
        "ABSENT,         https://127.0.0.1:8080,  true",
        "ABSENT,         http://evil.example,     true",
        "ABSENT,         null,                    true",
        "ABSENT,         '',                      true",
        "same-origin,    http://127.0.0.1:8080,   false",
        "same-origin,    http://evil.example,     true",
        "cross-site,     http://127.0.0.1:8080,   true",
        "none,           null,                    true",
      })
  void crossSiteTruthTable(String secFetchSite, String origin, boolean expected) {
    assertThat(Csrf.crossSite(secFetchSite, origin, ORIGIN)).isEqualTo(expected);
  }

  @Test
  void expectedOriginWithTrailingSlashStillMatches() {
    assertThat(Csrf.crossSite(null, ORIGIN, ORIGIN + "/")).isFalse();
  }

  private static byte[] randomKey() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return bytes;
  }
}
