package dev.jeton.portal;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Decides whether a return URL supplied by a client may be used as a redirect target after login,
 * so the portal cannot be turned into an open redirector.
 *
 * <p>Only absolute {@code http}/{@code https} URLs whose host is on an explicit allow-list pass.
 * Anything a browser might read differently from {@link URI} (backslashes, whitespace, control
 * characters, user-info, percent-encoded or non-ASCII hosts) is refused rather than interpreted.
 *
 * <p>Stateless and thread-safe.
 */
public final class ReturnUrl {

  /** Longest return URL accepted, in characters. */
  public static final int MAX_LENGTH = 2048;

  private ReturnUrl() {}

  /**
   * Checks a return URL against the allow-list.
   *
   * <p>An allow-list entry without a port allows the host on any port; an entry {@code host:port}
   * allows only that port, where a URL without an explicit port counts as the scheme's default (443
   * or 80).
   *
   * @param candidate the URL as received; may be null or hostile
   * @param allowedHosts lowercase entries as returned by {@link
   *     dev.jeton.config.ReturnHosts#parse}; null or empty allows nothing
   * @return the URL in ASCII form if every rule holds, otherwise empty
   */
  public static Optional<String> allowed(String candidate, Set<String> allowedHosts) {
    if (candidate == null
        || candidate.isBlank()
        || candidate.length() > MAX_LENGTH
        || allowedHosts == null
        || allowedHosts.isEmpty()) {
      return Optional.empty();
    }
    for (int i = 0; i < candidate.length(); i++) {
      char c = candidate.charAt(i);
      // Browsers strip tabs and newlines and read '\' as '/', so "https:/\evil" or "ht\ttps://"
      // would
      // not mean to them what URI parses; refuse instead of guessing.
      if (c < 0x20
          || c == 0x7f
          || c == '\\'
          || Character.isWhitespace(c)
          || Character.isSpaceChar(c)) {
        return Optional.empty();
      }
    }
    URI uri;
    try {
      uri = new URI(candidate);
    } catch (URISyntaxException e) {
      return Optional.empty();
    }
    if (!uri.isAbsolute() || uri.isOpaque()) {
      return Optional.empty();
    }
    String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
    int defaultPort;
    if (scheme.equals("https")) {
      defaultPort = 443;
    } else if (scheme.equals("http")) {
      defaultPort = 80;
    } else {
      return Optional.empty();
    }
    // URI leaves the host null when the authority is not a plain server name (percent escapes,
    // non-ASCII, bad port), so those never reach the allow-list.
    if (uri.getHost() == null || uri.getRawUserInfo() != null) {
      return Optional.empty();
    }
    int port = uri.getPort();
    if (port == 0 || port > 65535) {
      return Optional.empty();
    }
    String host = uri.getHost().toLowerCase(Locale.ROOT);
    int effectivePort = port == -1 ? defaultPort : port;
    if (!allowedHosts.contains(host) && !allowedHosts.contains(host + ":" + effectivePort)) {
      return Optional.empty();
    }
    return Optional.of(uri.toASCIIString());
  }
}
