package dev.jeton.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class KeyedHashTest {

  private final MasterKey masterKey = MasterKey.random();
  private final KeyedHash pins = new KeyedHash(masterKey, "jeton/pin/v1");

  @Test
  void hashIsDeterministicBase64UrlWithoutPadding() {
    String hash = pins.hash("YK-0001", "1234");
    assertThat(hash)
        .isEqualTo(pins.hash("YK-0001", "1234"))
        .isEqualTo(new KeyedHash(masterKey, "jeton/pin/v1").hash("YK-0001", "1234"))
        .hasSize(43)
        .matches("[A-Za-z0-9_-]+");
  }

  @Test
  void differentLabelGivesDifferentHash() {
    KeyedHash other = new KeyedHash(masterKey, "jeton/emergency/v1");
    assertThat(other.hash("YK-0001", "1234")).isNotEqualTo(pins.hash("YK-0001", "1234"));
  }

  @Test
  void differentMasterKeyGivesDifferentHash() {
    KeyedHash other = new KeyedHash(MasterKey.random(), "jeton/pin/v1");
    assertThat(other.hash("YK-0001", "1234")).isNotEqualTo(pins.hash("YK-0001", "1234"));
  }

  @Test
  void partBoundariesAreUnambiguous() {
    assertThat(pins.hash("ab", "c")).isNotEqualTo(pins.hash("a", "bc"));
    assertThat(pins.hash("abc")).isNotEqualTo(pins.hash("ab", "c"));
    assertThat(pins.hash("a", "")).isNotEqualTo(pins.hash("a"));
  }

  @Test
  void matchesAcceptsOnlyTheSameParts() {
    String hash = pins.hash("YK-0001", "1234");
    assertThat(pins.matches(hash, "YK-0001", "1234")).isTrue();
    assertThat(pins.matches(hash, "YK-0001", "1235")).isFalse();
    assertThat(pins.matches(hash, "YK-0002", "1234")).isFalse();
    assertThat(pins.matches(hash.substring(1), "YK-0001", "1234")).isFalse();
    assertThat(pins.matches(null, "YK-0001", "1234")).isFalse();
    assertThat(pins.matches("", "YK-0001", "1234")).isFalse();
  }

  @Test
  void invalidArgumentsAreRejected() {
    assertThatThrownBy(() -> new KeyedHash(null, "x")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new KeyedHash(masterKey, ""))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> pins.hash()).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> pins.hash("a", null)).isInstanceOf(IllegalArgumentException.class);
  }
}
