package dev.jeton.web;

import dev.jeton.crypto.HmacSha256;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Locale;
import javax.crypto.Mac;

/**
 * CSRF protection for the forms of Jeton's pages (the portal's, the console's) by signed double
 * submit, bound to the browser.
 *
 * <p>The browser holds a random id in a cookie ({@link #cookieName}); each form carries, in the
 * {@link #FIELD} field, {@link #token} of that id: an HMAC under a server key. A cross-site page
 * can make the browser send the cookie but can neither read it nor compute the token. The HMAC
 * alone does not stop an attacker who can set a cookie for the portal's host: they fetch a page
 * themselves, plant their own id in the victim's browser and post their own token with it. What
 * stops that is a cookie they cannot plant:
 *
 * <ul>
 *   <li>Over HTTPS (served here or by a trusted proxy that says so) the id lives in {@link
 *       #HOST_COOKIE}, a {@code __Host-} cookie: {@code Secure}, {@code Path=/}, no {@code Domain}.
 *       Browsers accept a cookie of that name only from this very origin over HTTPS, so neither a
 *       sibling subdomain nor a plain-HTTP network attacker can set or overwrite it, and a token is
 *       valid only with the id of the browser it was minted for. A cookie named {@link #COOKIE} is
 *       ignored then.
 *   <li>Over plain HTTP (a development setup) there is no such cookie: {@link #COOKIE} can be
 *       planted by anyone who can set cookies for the host (a sibling subdomain, the network). What
 *       still holds there is {@link #crossSite}: browsers send {@code Origin} with every form POST,
 *       so a form posted from another site or a sibling subdomain is refused; only a client that
 *       sends neither {@code Origin} nor {@code Sec-Fetch-Site} (an old browser) can be tricked,
 *       and then only into submitting the login form (login CSRF), never into revealing anything.
 * </ul>
 *
 * {@link #crossSite} stands in front of the token check in both cases.
 *
 * <p>Immutable and thread-safe: each call works on its own clone of an initialised {@link Mac}.
 */
public final class Csrf {

  /** Name of the cookie holding the browser's random id over plain HTTP, on the portal. */
  public static final String COOKIE = "jeton_csrf";

  /**
   * Name of the cookie holding the browser's random id over HTTPS: {@code Secure}, {@code Path=/},
   * no Domain.
   */
  public static final String HOST_COOKIE = "__Host-" + COOKIE;

  /** Name of the form field holding the token. */
  public static final String FIELD = "csrf";

  /** Longest cookie value or form token {@link #valid} looks at, in characters. */
  public static final int MAX_LENGTH = 256;

  private static final int KEY_LENGTH = 32;
  private static final int COOKIE_BYTES = 32;
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final SecureRandom RANDOM = new SecureRandom();

  private final HmacSha256 hmac;

  /**
   * @param key HMAC key, exactly 32 bytes, distinct from the session cookie key; copied, so the
   *     caller may wipe it afterwards
   * @throws IllegalArgumentException if the key is null or not 32 bytes
   */
  public Csrf(byte[] key) {
    if (key == null || key.length != KEY_LENGTH) {
      throw new IllegalArgumentException("CSRF key must be " + KEY_LENGTH + " bytes");
    }
    this.hmac = new HmacSha256(key);
  }

  /**
   * @param https whether the browser reaches the portal over HTTPS
   * @return the name of the cookie that holds the browser's id: {@link #HOST_COOKIE} over HTTPS,
   *     else {@link #COOKIE}
   */
  public static String cookieName(boolean https) {
    return cookieName(COOKIE, https);
  }

  /**
   * @param base the cookie's name over plain HTTP, e.g. {@link #COOKIE}; another intake names its
   *     own so that two sets of pages on one host never share an id
   * @param https whether the browser reaches the pages over HTTPS
   * @return {@code "__Host-" + base} over HTTPS, else {@code base}
   */
  public static String cookieName(String base, boolean https) {
    return https ? "__Host-" + base : base;
  }

  /**
   * @return a fresh cookie value: 32 random bytes as base64url without padding (43 characters)
   */
  public static String newCookieValue() {
    byte[] bytes = new byte[COOKIE_BYTES];
    RANDOM.nextBytes(bytes);
    return ENCODER.encodeToString(bytes);
  }

  /**
   * @param cookieValue the value of the {@link #COOKIE} cookie, not null
   * @return the token to put in the form: base64url without padding of HMAC-SHA256 over {@code
   *     "csrf\n" + cookieValue} (43 characters)
   * @throws IllegalArgumentException if the cookie value is null
   */
  public String token(String cookieValue) {
    if (cookieValue == null) {
      throw new IllegalArgumentException("cookie value must not be null");
    }
    Mac mac = hmac.mac();
    return ENCODER.encodeToString(
        mac.doFinal(("csrf\n" + cookieValue).getBytes(StandardCharsets.UTF_8)));
  }

  /**
   * Checks a submitted form token against the cookie, in constant time.
   *
   * @param cookieValue the {@link #COOKIE} cookie as received; may be null
   * @param formToken the {@link #FIELD} form field as received; may be null
   * @return true only if both are present, at most {@link #MAX_LENGTH} characters, and the token is
   *     {@link #token} of the cookie
   */
  public boolean valid(String cookieValue, String formToken) {
    if (cookieValue == null
        || cookieValue.isEmpty()
        || cookieValue.length() > MAX_LENGTH
        || formToken == null
        || formToken.isEmpty()
        || formToken.length() > MAX_LENGTH) {
      return false;
    }
    byte[] expected = token(cookieValue).getBytes(StandardCharsets.US_ASCII);
    return MessageDigest.isEqual(expected, formToken.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Tells from request headers whether a state-changing request comes from another site and must be
   * refused. Absent headers (older browsers, non-browser clients) do not count against the request;
   * the token check still applies to them.
   *
   * @param secFetchSite the {@code Sec-Fetch-Site} header, or null if absent
   * @param origin the {@code Origin} header, or null if absent
   * @param expectedOrigin the portal's own origin, {@code scheme://host[:port]} as the browser
   *     spells it, e.g. {@code http://127.0.0.1:8080}; not null
   * @return true if {@code Sec-Fetch-Site} is present and neither {@code same-origin} nor {@code
   *     none}, or if {@code Origin} is present and is {@code null} or differs (ignoring case) from
   *     the expected one
   * @throws IllegalArgumentException if the expected origin is null
   */
  public static boolean crossSite(String secFetchSite, String origin, String expectedOrigin) {
    if (expectedOrigin == null) {
      throw new IllegalArgumentException("expected origin must not be null");
    }
    if (secFetchSite != null) {
      String site = secFetchSite.trim().toLowerCase(Locale.ROOT);
      // "same-site" is refused too: a sibling subdomain is another party.
      if (!site.equals("same-origin") && !site.equals("none")) {
        return true;
      }
    }
    if (origin != null) {
      String actual = origin.trim();
      String expected =
          expectedOrigin.endsWith("/")
              ? expectedOrigin.substring(0, expectedOrigin.length() - 1)
              : expectedOrigin;
      // Browsers send the literal "null" for sandboxed frames, file: pages and some redirects.
      return actual.equals("null") || !actual.equalsIgnoreCase(expected);
    }
    return false;
  }
}
