package dev.jeton.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A list of IPv4 and IPv6 blocks read from the configuration, e.g. {@code "10.0.0.0/8, fd00::/8,
 * 127.0.0.1"}.
 *
 * <p>Never touches DNS: only IPv4 and IPv6 literals are accepted. Immutable and thread-safe.
 */
public final class IpBlocks {

  public static final IpBlocks NONE = new IpBlocks(List.of());

  private final List<Block> blocks;

  private IpBlocks(List<Block> blocks) {
    this.blocks = blocks;
  }

  /**
   * @param commaList comma-separated IPv4/IPv6 literals or CIDR blocks ({@code address/prefix},
   *     prefix 0–32 or 0–128; host bits are ignored); null or blank is the empty list
   * @param what what an entry is, for the error message (e.g. "trusted proxy")
   * @throws IllegalArgumentException naming the first entry that is not a literal or a valid block
   */
  public static IpBlocks parse(String commaList, String what) {
    if (commaList == null || commaList.isBlank()) {
      return NONE;
    }
    List<Block> blocks = new ArrayList<>();
    for (String raw : commaList.split(",")) {
      String entry = raw.trim();
      if (entry.isEmpty()) {
        continue;
      }
      Block block = Block.parse(entry);
      if (block == null) {
        throw new IllegalArgumentException("invalid " + what + " entry: '" + entry + "'");
      }
      blocks.add(block);
    }
    return new IpBlocks(List.copyOf(blocks));
  }

  /**
   * Whether the 4 or 16 bytes of an address are inside one of the blocks (an IPv4 address is never
   * in an IPv6 block).
   */
  public boolean contains(byte[] address) {
    for (Block block : blocks) {
      if (block.contains(address)) {
        return true;
      }
    }
    return false;
  }

  /**
   * @return the 4 or 16 bytes of an IPv4 or IPv6 literal, or null if the text is anything else
   */
  public static byte[] literal(String text) {
    if (text == null || text.isEmpty()) {
      return null;
    }
    if (text.indexOf(':') < 0) {
      return ipv4(text);
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean ok =
          (c >= '0' && c <= '9')
              || (c >= 'a' && c <= 'f')
              || (c >= 'A' && c <= 'F')
              || c == ':'
              || c == '.';
      if (!ok) {
        return null;
      }
    }
    // Only hex digits, colons and dots remain, and there is a colon: getByName parses that as an
    // IPv6
    // literal or fails, without a DNS lookup.
    try {
      return InetAddress.getByName(text).getAddress();
    } catch (UnknownHostException e) {
      return null;
    }
  }

  private static byte[] ipv4(String text) {
    String[] parts = text.split("\\.", -1);
    if (parts.length != 4) {
      return null;
    }
    byte[] bytes = new byte[4];
    for (int i = 0; i < 4; i++) {
      String part = parts[i];
      // No leading zeros: some parsers read "010" as octal 8, others as decimal 10.
      if (part.isEmpty() || part.length() > 3 || (part.length() > 1 && part.charAt(0) == '0')) {
        return null;
      }
      int value = 0;
      for (int j = 0; j < part.length(); j++) {
        char c = part.charAt(j);
        if (c < '0' || c > '9') {
          return null;
        }
        value = value * 10 + (c - '0');
      }
      if (value > 255) {
        return null;
      }
      bytes[i] = (byte) value;
    }
    return bytes;
  }

  private static final class Block {

    private final byte[] network;
    private final int prefix;

    private Block(byte[] network, int prefix) {
      this.network = network;
      this.prefix = prefix;
    }

    static Block parse(String entry) {
      int slash = entry.indexOf('/');
      String address = slash < 0 ? entry : entry.substring(0, slash);
      byte[] bytes = literal(address);
      if (bytes == null) {
        return null;
      }
      int max = bytes.length * 8;
      int prefix = max;
      if (slash >= 0) {
        String digits = entry.substring(slash + 1);
        if (digits.isEmpty()
            || digits.length() > 3
            || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
          return null;
        }
        prefix = Integer.parseInt(digits);
        if (prefix > max) {
          return null;
        }
      }
      return new Block(mask(bytes, prefix), prefix);
    }

    boolean contains(byte[] address) {
      return address.length == network.length && Arrays.equals(mask(address, prefix), network);
    }

    private static byte[] mask(byte[] address, int prefix) {
      byte[] masked = address.clone();
      for (int i = 0; i < masked.length; i++) {
        int bits = Math.max(0, Math.min(8, prefix - i * 8));
        masked[i] &= (byte) (0xff << (8 - bits));
      }
      return masked;
    }
  }
}
