package dev.jeton.otp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CodesTest {

  @Test
  void equalStringsAreEqual() {
    assertThat(Codes.equal("123456", "123456")).isTrue();
    assertThat(Codes.equal("", "")).isTrue();
  }

  @Test
  void differentContentOrLengthIsNotEqual() {
    assertThat(Codes.equal("123456", "123457")).isFalse();
    assertThat(Codes.equal("123456", "12345")).isFalse();
    assertThat(Codes.equal("12345", "123456")).isFalse();
    assertThat(Codes.equal("", "1")).isFalse();
  }

  @Test
  void nullNeverEquals() {
    assertThat(Codes.equal(null, "1")).isFalse();
    assertThat(Codes.equal("1", null)).isFalse();
    assertThat(Codes.equal(null, null)).isFalse();
  }

  @Test
  void nonAsciiCharactersAreNotConflated() {
    assertThat(Codes.equal("\u00e9", "?")).isFalse();
    assertThat(Codes.equal("\u0131", "1")).isFalse();
    assertThat(Codes.equal("\ud800", "\ufffd")).isFalse();
  }
}
