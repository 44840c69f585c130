package dev.jeton.portal;

import dev.jeton.crypto.HmacSha256;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Locale;
import javax.crypto.Mac;

/**
 * CSRF protection for the portal's forms by signed double submit.
 *
 * <p>The browser holds a random value in the {@link #COOKIE} cookie; each form carries, in the {@link #FIELD}
 * field, {@link #token} of that value: an HMAC under a server key. A cross-site page can make the browser send
 * the cookie but can neither read it nor compute the token, and because the token is keyed, planting a cookie
 * of the attacker's choosing (e.g. from a sibling subdomain) does not help without the key. {@link #crossSite}
 * adds the browser's own Fetch Metadata and Origin checks in front.
 *
 * <p>Immutable and thread-safe: each call works on its own clone of an initialised {@link Mac}.
 */
public final class Csrf {

    /** Name of the cookie holding the random value. */
    public static final String COOKIE = "jeton_csrf";

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
     * @param key HMAC key, exactly 32 bytes, distinct from the session cookie key; copied, so the caller may
     *            wipe it afterwards
     * @throws IllegalArgumentException if the key is null or not 32 bytes
     */
    public Csrf(byte[] key) {
        if (key == null || key.length != KEY_LENGTH) {
            throw new IllegalArgumentException("CSRF key must be " + KEY_LENGTH + " bytes");
        }
        this.hmac = new HmacSha256(key);
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
     * @return the token to put in the form: base64url without padding of HMAC-SHA256 over
     *         {@code "csrf\n" + cookieValue} (43 characters)
     * @throws IllegalArgumentException if the cookie value is null
     */
    public String token(String cookieValue) {
        if (cookieValue == null) {
            throw new IllegalArgumentException("cookie value must not be null");
        }
        Mac mac = hmac.mac();
        return ENCODER.encodeToString(mac.doFinal(("csrf\n" + cookieValue).getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Checks a submitted form token against the cookie, in constant time.
     *
     * @param cookieValue the {@link #COOKIE} cookie as received; may be null
     * @param formToken   the {@link #FIELD} form field as received; may be null
     * @return true only if both are present, at most {@link #MAX_LENGTH} characters, and the token is
     *         {@link #token} of the cookie
     */
    public boolean valid(String cookieValue, String formToken) {
        if (cookieValue == null || cookieValue.isEmpty() || cookieValue.length() > MAX_LENGTH
                || formToken == null || formToken.isEmpty() || formToken.length() > MAX_LENGTH) {
            return false;
        }
        byte[] expected = token(cookieValue).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, formToken.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Tells from request headers whether a state-changing request comes from another site and must be refused.
     * Absent headers (older browsers, non-browser clients) do not count against the request; the token check
     * still applies to them.
     *
     * @param secFetchSite   the {@code Sec-Fetch-Site} header, or null if absent
     * @param origin         the {@code Origin} header, or null if absent
     * @param expectedOrigin the portal's own origin, {@code scheme://host[:port]} as the browser spells it,
     *                       e.g. {@code http://127.0.0.1:8080}; not null
     * @return true if {@code Sec-Fetch-Site} is present and neither {@code same-origin} nor {@code none}, or
     *         if {@code Origin} is present and is {@code null} or differs (ignoring case) from the expected one
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
            String expected = expectedOrigin.endsWith("/")
                    ? expectedOrigin.substring(0, expectedOrigin.length() - 1)
                    : expectedOrigin;
            // Browsers send the literal "null" for sandboxed frames, file: pages and some redirects.
            return actual.equals("null") || !actual.equalsIgnoreCase(expected);
        }
        return false;
    }
}
