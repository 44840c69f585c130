package dev.jeton.verify;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The key under which a client address's failures are counted: one key per IPv4 address (an
 * IPv4-mapped IPv6 address is its IPv4 address), one per IPv6 /64. An IPv6 host is routinely given
 * a whole /64 and picks its addresses in it freely, and one address can be written in many ways:
 * counting per written form would give each form, or each address of the /64, a throttling window
 * of its own.
 */
public final class ThrottleKey {

  private ThrottleKey() {}

  /**
   * @param address the client's address as the intake saw it; anything that is not an IP literal is
   *     its own key
   * @return the canonical IPv4 address, {@code "a:b:c:d::/64"} for IPv6, or {@code address}
   *     unchanged
   */
  public static String of(String address) {
    if (address == null || address.indexOf(':') < 0) {
      return address;
    }
    for (int i = 0; i < address.length(); i++) {
      char c = address.charAt(i);
      if (!(c >= '0' && c <= '9'
          || c >= 'a' && c <= 'f'
          || c >= 'A' && c <= 'F'
          || c == ':'
          || c == '.')) {
        return address;
      }
    }
    byte[] b;
    try {
      // Only hex digits, colons and dots, with a colon: parsed as an IPv6 literal or refused, never
      // looked up.
      b = InetAddress.getByName(address).getAddress();
    } catch (UnknownHostException e) {
      return address;
    }
    if (b.length == 4) {
      return (b[0] & 0xff) + "." + (b[1] & 0xff) + "." + (b[2] & 0xff) + "." + (b[3] & 0xff);
    }
    return group(b, 0) + ':' + group(b, 2) + ':' + group(b, 4) + ':' + group(b, 6) + "::/64";
  }

  private static String group(byte[] b, int i) {
    return Integer.toHexString((b[i] & 0xff) << 8 | b[i + 1] & 0xff);
  }
}
