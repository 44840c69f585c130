package dev.jeton.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ClientAddressTest {

  private final ClientAddress proxies = ClientAddress.parse("10.0.0.0/8, fd00::/8, 127.0.0.1");

  @Test
  void headerFromAnUntrustedPeerIsIgnored() {
    assertThat(proxies.resolve("203.0.113.7", "1.2.3.4")).isEqualTo("203.0.113.7");
    assertThat(ClientAddress.parse(null).resolve("10.0.0.1", "1.2.3.4")).isEqualTo("10.0.0.1");
    assertThat(ClientAddress.parse("  ").resolve("10.0.0.1", "1.2.3.4")).isEqualTo("10.0.0.1");
  }

  @Test
  void trustedPeerWithoutHeaderIsTheClient() {
    assertThat(proxies.resolve("127.0.0.1", null)).isEqualTo("127.0.0.1");
    assertThat(proxies.resolve("127.0.0.1", "  ")).isEqualTo("127.0.0.1");
  }

  @Test
  void singleTrustedProxyForwardsTheClient() {
    assertThat(proxies.resolve("127.0.0.1", "198.51.100.20")).isEqualTo("198.51.100.20");
    assertThat(proxies.resolve("127.0.0.1", " 2001:db8::1 ")).isEqualTo("2001:db8::1");
  }

  @Test
  void chainOfTwoTrustedProxiesIsWalkedFromTheRight() {
    assertThat(proxies.resolve("10.1.2.3", "198.51.100.20, 10.9.9.9")).isEqualTo("198.51.100.20");
    // The same chain delivered as two header values joined by a comma.
    assertThat(proxies.resolve("10.1.2.3", "198.51.100.20,10.9.9.9")).isEqualTo("198.51.100.20");
  }

  @Test
  void spoofedLeftmostEntryIsIgnoredWhenARealClientIsToItsRight() {
    assertThat(proxies.resolve("10.1.2.3", "6.6.6.6, 198.51.100.20, 10.9.9.9"))
        .isEqualTo("198.51.100.20");
    assertThat(proxies.resolve("10.1.2.3", "127.0.0.1, 198.51.100.20")).isEqualTo("198.51.100.20");
  }

  @Test
  void allTrustedEntriesGiveTheLeftmost() {
    assertThat(proxies.resolve("10.1.2.3", "10.0.0.5, 10.0.0.6")).isEqualTo("10.0.0.5");
  }

  @Test
  void garbageEntryStopsTheWalkAtTheLastTrustedHop() {
    assertThat(proxies.resolve("10.1.2.3", "198.51.100.20, unknown, 10.9.9.9"))
        .isEqualTo("10.9.9.9");
    assertThat(proxies.resolve("10.1.2.3", "198.51.100.20, evil.example")).isEqualTo("10.1.2.3");
    assertThat(proxies.resolve("10.1.2.3", "198.51.100.20, 1.2.3.4:5678")).isEqualTo("10.1.2.3");
    assertThat(proxies.resolve("10.1.2.3", "198.51.100.20,, 10.9.9.9")).isEqualTo("10.9.9.9");
    assertThat(proxies.resolve("10.1.2.3", "198.51.100.20, 010.0.0.1")).isEqualTo("10.1.2.3");
    assertThat(proxies.resolve("10.1.2.3", "198.51.100.20, fe80::1%eth0")).isEqualTo("10.1.2.3");
  }

  @Test
  void ipv4CidrBlocksMatchOnThePrefix() {
    ClientAddress v4 = ClientAddress.parse("192.168.16.0/20");
    assertThat(v4.trusts("192.168.16.1")).isTrue();
    assertThat(v4.trusts("192.168.31.255")).isTrue();
    assertThat(v4.trusts("192.168.32.0")).isFalse();
    assertThat(v4.trusts("192.168.15.255")).isFalse();
    assertThat(ClientAddress.parse("0.0.0.0/0").trusts("8.8.8.8")).isTrue();
    assertThat(ClientAddress.parse("10.1.2.3/8").trusts("10.200.0.1")).isTrue();
    assertThat(proxies.trusts("127.0.0.2")).isFalse();
  }

  @Test
  void ipv6CidrBlocksMatchOnThePrefix() {
    assertThat(proxies.trusts("fd12:3456::1")).isTrue();
    assertThat(proxies.trusts("FD00:0:0:0:0:0:0:1")).isTrue();
    assertThat(proxies.trusts("fe00::1")).isFalse();
    ClientAddress v6 = ClientAddress.parse("2001:db8:abcd::/48, ::1");
    assertThat(v6.trusts("2001:db8:abcd:ffff::1")).isTrue();
    assertThat(v6.trusts("2001:db8:abce::1")).isFalse();
    assertThat(v6.trusts("0:0:0:0:0:0:0:1")).isTrue();
    assertThat(v6.resolve("::1", "2001:db8::7")).isEqualTo("2001:db8::7");
  }

  @Test
  void familiesDoNotMixButMappedIpv4CountsAsIpv4() {
    assertThat(ClientAddress.parse("::/0").trusts("10.0.0.1")).isFalse();
    assertThat(ClientAddress.parse("0.0.0.0/0").trusts("fd00::1")).isFalse();
    assertThat(proxies.trusts("::ffff:10.0.0.1")).isTrue();
  }

  @Test
  void trustsRefusesNonLiterals() {
    assertThat(proxies.trusts(null)).isFalse();
    assertThat(proxies.trusts("")).isFalse();
    assertThat(proxies.trusts("localhost")).isFalse();
    assertThat(proxies.trusts("10.0.0.1.nip.io")).isFalse();
    assertThat(proxies.resolve("localhost", "1.2.3.4")).isEqualTo("localhost");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "10.0.0.0/33",
        "example.com",
        "1.2.3",
        "1.2.3.4.5",
        "256.0.0.1",
        "10.0.0.0/",
        "10.0.0.0/-1",
        "10.0.0.0/8/8",
        "fd00::/129",
        "fd00:::1",
        "localhost",
        "[::1]",
        "1.2.3.4:80",
        "01.2.3.4",
        "::ffff:10.0.0.0/104"
      })
  void badConfigEntryIsRejectedByName(String entry) {
    assertThatThrownBy(() -> ClientAddress.parse("127.0.0.1, " + entry))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(entry);
  }
}
