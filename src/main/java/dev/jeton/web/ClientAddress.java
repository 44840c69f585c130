package dev.jeton.web;

import dev.jeton.config.IpBlocks;
import io.vertx.core.http.HttpServerRequest;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Finds the end user's address behind reverse proxies, trusting {@code X-Forwarded-For} only as far
 * as the configured proxies vouch for it.
 *
 * <p>The header is read from the right: each trusted proxy appends the address it received the
 * request from, so the first entry from the right that is not a trusted proxy is the client;
 * everything to its left was written by that client and may be forged.
 *
 * <p>Never touches DNS: only IPv4 and IPv6 literals are accepted, in the configuration and in
 * headers. An IPv4-mapped IPv6 address ({@code ::ffff:10.0.0.1}) counts as its IPv4 address.
 *
 * <p>Immutable and thread-safe.
 */
public final class ClientAddress {

  private final IpBlocks trusted;

  private ClientAddress(IpBlocks trusted) {
    this.trusted = trusted;
  }

  /** Trusting the configured proxies ({@code JETON_TRUSTED_PROXIES}). */
  public static ClientAddress trusting(IpBlocks proxies) {
    return new ClientAddress(proxies);
  }

  /**
   * Parses the trusted proxies, e.g. {@code "10.0.0.0/8, fd00::/8, 127.0.0.1"}, as {@link
   * IpBlocks#parse} does.
   *
   * @throws IllegalArgumentException naming the first entry that is not a literal or a valid block
   */
  public static ClientAddress parse(String commaList) {
    return new ClientAddress(IpBlocks.parse(commaList, "trusted proxy"));
  }

  /**
   * @param address an address as text; may be null or not an address at all
   * @return true if it is an IP literal inside one of the trusted blocks
   */
  public boolean trusts(String address) {
    byte[] bytes = literal(address == null ? null : address.trim());
    return bytes != null && trusted(bytes);
  }

  /**
   * The end user's address for a request: its connection's peer, resolved through every {@code
   * X-Forwarded-For} header it carries (joined in order) as {@link #resolve} does.
   */
  public String of(HttpServerRequest request) {
    String remote =
        request.remoteAddress() == null ? "unknown" : request.remoteAddress().hostAddress();
    List<String> forwarded = request.headers().getAll("X-Forwarded-For");
    String resolved = resolve(remote, forwarded.isEmpty() ? null : String.join(",", forwarded));
    // The peer's address comes from the socket, already in one form; a header's may be written in
    // any.
    return resolved == remote ? remote : canonical(resolved);
  }

  /**
   * One text per address, whatever way it was written: {@code ::ffff:10.0.0.1} is {@code 10.0.0.1},
   * and {@code 2001:DB8:0:0::1} is {@code 2001:db8:0:0:0:0:0:1}. The audit shows it, and throttling
   * counts by it.
   *
   * @return the canonical text of an IP literal, or {@code text} unchanged if it is not one
   */
  public static String canonical(String text) {
    byte[] bytes = literal(text);
    if (bytes == null) {
      return text;
    }
    try {
      return InetAddress.getByAddress(bytes).getHostAddress();
    } catch (UnknownHostException e) {
      return text;
    }
  }

  /**
   * Picks the end user's address.
   *
   * @param remoteAddress the peer of the TCP connection, as text
   * @param xForwardedFor the {@code X-Forwarded-For} header, several header values joined by
   *     commas; null if absent
   * @return {@code remoteAddress} unchanged if the peer is not a trusted proxy or there is no
   *     header; otherwise the first header entry from the right that is not a trusted proxy,
   *     trimmed. If an entry that is not an IP literal comes first, the last trusted hop before it
   *     (or the remote address); if every entry is trusted, the leftmost one
   */
  public String resolve(String remoteAddress, String xForwardedFor) {
    if (xForwardedFor == null || xForwardedFor.isBlank() || !trusts(remoteAddress)) {
      return remoteAddress;
    }
    String lastTrusted = remoteAddress;
    String[] entries = xForwardedFor.split(",", -1);
    for (int i = entries.length - 1; i >= 0; i--) {
      String entry = entries[i].trim();
      byte[] bytes = literal(entry);
      if (bytes == null) {
        return lastTrusted;
      }
      if (!trusted(bytes)) {
        return entry;
      }
      lastTrusted = entry;
    }
    return lastTrusted;
  }

  private boolean trusted(byte[] address) {
    return trusted.contains(address);
  }

  /**
   * @return the 4 or 16 bytes of an IPv4 or IPv6 literal, or null if the text is anything else
   */
  public static byte[] literal(String text) {
    return IpBlocks.literal(text);
  }
}
