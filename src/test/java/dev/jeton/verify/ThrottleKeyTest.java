package dev.jeton.verify;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ThrottleKeyTest {

  @Test
  void anIpv4AddressIsItsOwnKeyHoweverItIsWritten() {
    assertThat(ThrottleKey.of("192.0.2.10")).isEqualTo("192.0.2.10");
    assertThat(ThrottleKey.of("::ffff:192.0.2.10")).isEqualTo("192.0.2.10");
    assertThat(ThrottleKey.of("::FFFF:C000:020A")).isEqualTo("192.0.2.10");
  }

  @Test
  void everyAddressOfAnIpv6Slash64SharesOneKey() {
    String key = ThrottleKey.of("2001:db8:1:2::1");
    assertThat(key).isEqualTo("2001:db8:1:2::/64");
    assertThat(ThrottleKey.of("2001:DB8:1:2:0:0:0:1")).isEqualTo(key);
    assertThat(ThrottleKey.of("2001:0db8:0001:0002:ffff:ffff:ffff:ffff")).isEqualTo(key);
    assertThat(ThrottleKey.of("2001:db8:1:3::1")).isNotEqualTo(key);
  }

  @Test
  void whatIsNotAnAddressIsLeftAsItIsAndNeverLookedUp() {
    assertThat(ThrottleKey.of("unknown")).isEqualTo("unknown");
    assertThat(ThrottleKey.of("localhost:80")).isEqualTo("localhost:80");
    assertThat(ThrottleKey.of("1::2::3")).isEqualTo("1::2::3");
    assertThat(ThrottleKey.of(null)).isNull();
  }
}
