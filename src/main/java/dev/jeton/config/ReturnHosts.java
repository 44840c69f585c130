package dev.jeton.config;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The hosts the portal may send a user back to after a login ({@code JETON_PORTAL_RETURN_HOSTS}).
 */
public final class ReturnHosts {

  private static final Pattern HOST_NAME = Pattern.compile("[a-z0-9.-]+");
  private static final Pattern IPV6_LITERAL = Pattern.compile("\\[[0-9a-f:.]+\\]");
  private static final Pattern PORT = Pattern.compile("[0-9]{1,5}");

  private ReturnHosts() {}

  /**
   * Parses a configured allow-list such as {@code "app.example.com, intranet.example:8443,
   * [::1]:8080"}.
   *
   * @param commaList comma-separated entries, each a host name ({@code [a-z0-9.-]}, any case) or a
   *     bracketed IPv6 literal, optionally followed by {@code :port} (1–65535); null or blank means
   *     no entries
   * @return the trimmed, lowercased, non-empty entries; unmodifiable
   * @throws IllegalArgumentException naming the first malformed entry
   */
  public static Set<String> parse(String commaList) {
    if (commaList == null || commaList.isBlank()) {
      return Set.of();
    }
    Set<String> hosts = new LinkedHashSet<>();
    for (String raw : commaList.split(",")) {
      String entry = raw.trim().toLowerCase(Locale.ROOT);
      if (entry.isEmpty()) {
        continue;
      }
      if (!validEntry(entry)) {
        throw new IllegalArgumentException("invalid return URL host entry: '" + raw.trim() + "'");
      }
      hosts.add(entry);
    }
    return Collections.unmodifiableSet(hosts);
  }

  private static boolean validEntry(String entry) {
    String host = entry;
    int close = entry.lastIndexOf(']');
    int colon = entry.lastIndexOf(':');
    if (colon > close) {
      String port = entry.substring(colon + 1);
      if (!PORT.matcher(port).matches()) {
        return false;
      }
      int number = Integer.parseInt(port);
      if (number < 1 || number > 65535) {
        return false;
      }
      host = entry.substring(0, colon);
    }
    if (host.startsWith("[")) {
      return IPV6_LITERAL.matcher(host).matches();
    }
    return HOST_NAME.matcher(host).matches();
  }
}
