package dev.jeton.web;

import java.util.Arrays;

/**
 * A block of IPv4 or IPv6 addresses in CIDR notation ({@code 10.1.0.0/16}, {@code fd00::/8}), read
 * from literals only: nothing here ever resolves a name, so a host name is refused, never looked
 * up. Immutable, thread-safe.
 *
 * <p>Read strictly: an IPv4 address is four decimal numbers 0 to 255 without leading zeros (which
 * some parsers read as octal); an IPv6 address is RFC 4291 text (eight groups of 1 to 4 hex digits,
 * at most one {@code ::}, optionally ending in an IPv4 address), without a zone; the prefix length
 * is a decimal number of 0 to 32 (IPv4) or 0 to 128 (IPv6) without leading zeros; every bit after
 * the prefix (the host bits) is zero. {@link #toString} is the normal form: IPv6 as RFC 5952 writes
 * it (lower case, the longest run of two or more zero groups shortened to {@code ::}).
 */
public final class Cidr {

  private final byte[] address;
  private final int prefixLength;

  private Cidr(byte[] address, int prefixLength) {
    this.address = address;
    this.prefixLength = prefixLength;
  }

  /**
   * @param text a CIDR block as given, e.g. {@code "192.0.2.7/32"}; may be null or hostile
   * @return the block
   * @throws IllegalArgumentException when it is not one, with a message that says why (and names
   *     nothing but the rule)
   */
  public static Cidr parse(String text) {
    if (text == null || text.isEmpty() || text.length() > 64) {
      throw new IllegalArgumentException(
          "network must be an IPv4 or IPv6 CIDR block, e.g. 10.1.0.0/16 or fd00::/8");
    }
    int slash = text.indexOf('/');
    if (slash < 0 || slash != text.lastIndexOf('/')) {
      throw new IllegalArgumentException(
          "network must be an address, '/' and a prefix length, e.g. 192.0.2.7/32");
    }
    String host = text.substring(0, slash);
    byte[] address = host.indexOf(':') >= 0 ? ipv6(host) : ipv4(host);
    if (address == null) {
      throw new IllegalArgumentException(
          "network must start with an IPv4 or IPv6 address literal (no host names)");
    }
    int bits = address.length * 8;
    int prefix = number(text.substring(slash + 1), bits);
    if (prefix < 0) {
      throw new IllegalArgumentException(
          "the prefix length must be a number from 0 to " + bits + " for this address");
    }
    for (int i = prefix; i < bits; i++) {
      if ((address[i / 8] & (0x80 >>> (i % 8))) != 0) {
        throw new IllegalArgumentException(
            "the network's host bits must be zero (after the first " + prefix + " bits)");
      }
    }
    return new Cidr(address, prefix);
  }

  /** The prefix length: 0 to 32 for IPv4, 0 to 128 for IPv6. */
  public int prefixLength() {
    return prefixLength;
  }

  /** Whether this is an IPv6 block. */
  public boolean ipv6() {
    return address.length == 16;
  }

  /**
   * @param other an address as raw bytes (4 for IPv4, 16 for IPv6), e.g. {@code
   *     InetAddress.getAddress()} of a packet's source
   * @return whether the address is in this block; an address of the other family never is
   */
  public boolean contains(byte[] other) {
    if (other == null || other.length != address.length) {
      return false;
    }
    for (int i = 0; i < prefixLength; i++) {
      int mask = 0x80 >>> (i % 8);
      if ((other[i / 8] & mask) != (address[i / 8] & mask)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Cidr c
        && prefixLength == c.prefixLength
        && Arrays.equals(address, c.address);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(address) + prefixLength;
  }

  /** The normal form, e.g. {@code 10.1.0.0/16}, {@code fd00::/8}, {@code ::1/128}. */
  @Override
  public String toString() {
    return (ipv6() ? formatIpv6(address) : formatIpv4(address)) + "/" + prefixLength;
  }

  /** A decimal number from 0 to {@code max} with no sign and no leading zero, or -1. */
  private static int number(String s, int max) {
    if (s.isEmpty() || s.length() > 3 || (s.length() > 1 && s.charAt(0) == '0')) {
      return -1;
    }
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      n = n * 10 + (c - '0');
    }
    return n <= max ? n : -1;
  }

  private static byte[] ipv4(String s) {
    String[] parts = s.split("\\.", -1);
    if (parts.length != 4) {
      return null;
    }
    byte[] out = new byte[4];
    for (int i = 0; i < 4; i++) {
      int n = number(parts[i], 255);
      if (n < 0) {
        return null;
      }
      out[i] = (byte) n;
    }
    return out;
  }

  private static byte[] ipv6(String s) {
    int gap = s.indexOf("::");
    if (gap >= 0 && s.indexOf("::", gap + 1) >= 0) {
      return null;
    }
    int[] head = gap < 0 ? groups(s, true) : groups(s.substring(0, gap), false);
    int[] tail = gap < 0 ? new int[0] : groups(s.substring(gap + 2), true);
    if (head == null || tail == null) {
      return null;
    }
    int given = head.length + tail.length;
    if (gap < 0 ? given != 8 : given > 7) {
      return null;
    }
    int[] all = new int[8];
    System.arraycopy(head, 0, all, 0, head.length);
    System.arraycopy(tail, 0, all, 8 - tail.length, tail.length);
    byte[] out = new byte[16];
    for (int i = 0; i < 8; i++) {
      out[2 * i] = (byte) (all[i] >>> 8);
      out[2 * i + 1] = (byte) all[i];
    }
    return out;
  }

  /**
   * The 16-bit groups of one side of an IPv6 address ({@code ""} is none); an IPv4 address may end
   * it when {@code last} (it counts as two groups). Null when malformed.
   */
  private static int[] groups(String s, boolean last) {
    if (s.isEmpty()) {
      return new int[0];
    }
    String[] parts = s.split(":", -1);
    int[] out = new int[parts.length + 1];
    int n = 0;
    for (int i = 0; i < parts.length; i++) {
      String p = parts[i];
      if (last && i == parts.length - 1 && p.indexOf('.') >= 0) {
        byte[] v4 = ipv4(p);
        if (v4 == null) {
          return null;
        }
        out[n++] = ((v4[0] & 0xff) << 8) | (v4[1] & 0xff);
        out[n++] = ((v4[2] & 0xff) << 8) | (v4[3] & 0xff);
        continue;
      }
      if (p.isEmpty() || p.length() > 4) {
        return null;
      }
      int g = 0;
      for (int j = 0; j < p.length(); j++) {
        int d = Character.digit(p.charAt(j), 16);
        if (d < 0 || p.charAt(j) > 'f') {
          return null;
        }
        g = (g << 4) | d;
      }
      out[n++] = g;
    }
    return Arrays.copyOf(out, n);
  }

  private static String formatIpv4(byte[] a) {
    return (a[0] & 0xff) + "." + (a[1] & 0xff) + "." + (a[2] & 0xff) + "." + (a[3] & 0xff);
  }

  private static String formatIpv6(byte[] a) {
    int[] g = new int[8];
    for (int i = 0; i < 8; i++) {
      g[i] = ((a[2 * i] & 0xff) << 8) | (a[2 * i + 1] & 0xff);
    }
    int bestStart = -1;
    int bestLength = 1;
    for (int i = 0; i < 8; ) {
      if (g[i] != 0) {
        i++;
        continue;
      }
      int j = i;
      while (j < 8 && g[j] == 0) {
        j++;
      }
      if (j - i > bestLength) {
        bestStart = i;
        bestLength = j - i;
      }
      i = j;
    }
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        out.append("::");
        i += bestLength - 1;
        continue;
      }
      if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
        out.append(':');
      }
      out.append(Integer.toHexString(g[i]));
    }
    return out.toString();
  }
}
