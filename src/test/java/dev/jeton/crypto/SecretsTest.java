package dev.jeton.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SecretsTest {

  @Test
  void newSecretIs32BytesBase64UrlWithoutPadding() {
    String secret = Secrets.newSecret();
    assertThat(secret).hasSize(43).matches("[A-Za-z0-9_-]+");
    assertThat(Secrets.newSecret()).isNotEqualTo(secret);
  }

  @Test
  void hashIsLowercaseHexSha256() {
    assertThat(Secrets.hash("abc"))
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  }

  @Test
  void matchesAcceptsOnlyTheRightSecret() {
    String secret = Secrets.newSecret();
    String hash = Secrets.hash(secret);
    assertThat(Secrets.matches(secret, hash)).isTrue();
    assertThat(Secrets.matches(secret, hash.toUpperCase(Locale.ROOT))).isTrue();
    assertThat(Secrets.matches(Secrets.newSecret(), hash)).isFalse();
    assertThat(Secrets.matches(secret, hash.substring(2))).isFalse();
    assertThat(Secrets.matches(secret, "zz" + hash.substring(2))).isFalse();
    assertThat(Secrets.matches(secret, null)).isFalse();
    assertThat(Secrets.matches(null, hash)).isFalse();
  }

  @Test
  void randomDigitsHasRequestedLengthAndOnlyDigits() {
    Set<Character> seen = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      String digits = Secrets.randomDigits(10);
      assertThat(digits).hasSize(10).containsOnlyDigits();
      for (char c : digits.toCharArray()) {
        seen.add(c);
      }
    }
    assertThat(seen).hasSize(10);
    assertThat(Secrets.randomDigits(1)).hasSize(1).containsOnlyDigits();
  }

  @Test
  void randomDigitsRejectsNonPositiveLength() {
    assertThatThrownBy(() -> Secrets.randomDigits(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Secrets.randomDigits(-1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void randomIdIs16BytesBase64Url() {
    assertThat(Secrets.randomId()).hasSize(22).matches("[A-Za-z0-9_-]+");
    assertThat(Secrets.randomId()).isNotEqualTo(Secrets.randomId());
  }

  @Test
  void randomAlphanumericDrawsEveryLetterAndDigitAndNothingElse() {
    Set<Character> seen = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      String s = Secrets.randomAlphanumeric(32);
      assertThat(s).matches("[A-Za-z0-9]{32}");
      s.chars().forEach(c -> seen.add((char) c));
    }
    assertThat(seen).hasSize(62);
    assertThatThrownBy(() -> Secrets.randomAlphanumeric(0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
