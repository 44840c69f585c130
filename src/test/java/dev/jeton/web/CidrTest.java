package dev.jeton.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** CIDR blocks read from literals only, strictly, and written in one normal form. */
class CidrTest {

  @ParameterizedTest
  @CsvSource({
    "10.1.0.0/16, 10.1.0.0/16",
    "192.0.2.7/32, 192.0.2.7/32",
    "0.0.0.0/0, 0.0.0.0/0",
    "::1/128, ::1/128",
    "::/0, ::/0",
    "fd00::/8, fd00::/8",
    "FD00:0000::/8, fd00::/8",
    "2001:db8:0:0:1:0:0:1/128, 2001:db8::1:0:0:1/128",
    "2001:0:0:1:0:0:0:0/64, 2001:0:0:1::/64",
    "1:0:1:0:1:0:1:0/128, 1:0:1:0:1:0:1:0/128",
    "::ffff:10.0.0.0/104, ::ffff:a00:0/104",
    "1:2:3:4:5:6:7::/128, 1:2:3:4:5:6:7:0/128",
  })
  void aBlockIsReadAndWrittenInNormalForm(String given, String normal) {
    assertThat(Cidr.parse(given)).hasToString(normal);
    assertThat(Cidr.parse(normal)).isEqualTo(Cidr.parse(given));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "10.1.0.1/16",
        "10.0.0.0/33",
        "::/129",
        "example.com/8",
        "localhost/32",
        "10.1.0.0",
        "10.1.0.0/",
        "/8",
        "10.1.0.0/+8",
        "10.1.0.0/08",
        "010.1.0.0/16",
        "1.2.3/24",
        "1.2.3.4.5/32",
        "256.0.0.0/8",
        "fd00::1/8",
        "fe80::1%eth0/128",
        "1::2::3/128",
        ":1/128",
        "1:/128",
        "1:2:3:4:5:6:7:8:9/128",
        "1:2:3:4:5:6:7/128",
        "12345::/16",
        "g::/16",
        "\uff11::/16",
        "10.1.0.0/16/16",
        " 10.1.0.0/16"
      })
  void anythingElseIsRefusedWithAReason(String bad) {
    assertThatThrownBy(() -> Cidr.parse(bad))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageFindingMatch("network|prefix length");
  }

  @Test
  void nullIsRefused() {
    assertThatThrownBy(() -> Cidr.parse(null)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void containsTheAddressesOfItsPrefixAndOfItsFamilyOnly() {
    Cidr block = Cidr.parse("10.1.0.0/16");
    assertThat(block.contains(new byte[] {10, 1, (byte) 255, 7})).isTrue();
    assertThat(block.contains(new byte[] {10, 2, 0, 0})).isFalse();
    assertThat(block.contains(new byte[16])).isFalse();
    assertThat(block.prefixLength()).isEqualTo(16);
    assertThat(Cidr.parse("0.0.0.0/0").contains(new byte[] {1, 2, 3, 4})).isTrue();
    Cidr v6 = Cidr.parse("fd00::/8");
    byte[] inside = new byte[16];
    inside[0] = (byte) 0xfd;
    inside[15] = 1;
    assertThat(v6.ipv6()).isTrue();
    assertThat(v6.contains(inside)).isTrue();
    assertThat(v6.contains(new byte[16])).isFalse();
  }
}
