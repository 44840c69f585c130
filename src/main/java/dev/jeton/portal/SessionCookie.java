package dev.jeton.portal;

import dev.jeton.crypto.HmacSha256;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import javax.crypto.Mac;

/**
 * Signed, stateless values for the portal's session cookie.
 *
 * <p>A value reads {@code v2.<payload>.<signature>}: the payload is base64url (no padding) of the
 * UTF-8 text {@code username \n method \n issuedAt \n expiresAt \n nonce \n mark} (times in epoch
 * seconds, nonce 16 random bytes in hex, mark the user's session mark at login), the signature
 * base64url (no padding) of HMAC-SHA256 over {@code "v2." + payload}. The payload is signed, not
 * encrypted: it MUST NOT carry anything secret.
 *
 * <p>{@link #verify} checks only what the value itself says (signature, times). A session is
 * revocable because it carries the mark: the caller MUST also compare {@link Session#mark()} with
 * the user's current session mark in the store, which changes at logout (on any device), at a lock,
 * when the PINs are cleared and when the user is deleted or re-created. Rotating the key ends every
 * session. Values of version 1 (no mark) are refused.
 *
 * <p>Immutable and thread-safe: each call works on its own clone of an initialised {@link Mac}.
 */
public final class SessionCookie {

  /** Name of the cookie. */
  public static final String NAME = "jeton_session";

  /** Longest cookie value {@link #verify} looks at, in characters. */
  public static final int MAX_LENGTH = 1024;

  /**
   * How far in the future an issue time may lie, to allow for clock differences between instances.
   */
  public static final Duration MAX_CLOCK_SKEW = Duration.ofSeconds(60);

  private static final String VERSION = "v2";
  private static final int KEY_LENGTH = 32;
  private static final int NONCE_LENGTH = 16;
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
  private static final SecureRandom RANDOM = new SecureRandom();

  private final HmacSha256 hmac;
  private final Clock clock;
  private final Duration lifetime;

  /**
   * A verified session.
   *
   * @param username who logged in
   * @param method how they logged in, as given to {@link #issue}
   * @param issuedAt when the value was issued, to the second
   * @param expiresAt when it stops being accepted, to the second
   * @param mark the user's session mark when it was issued, as given to {@link #issue}
   */
  public record Session(
      String username, String method, Instant issuedAt, Instant expiresAt, String mark) {}

  /**
   * @param key HMAC key, exactly 32 bytes; copied, so the caller may wipe it afterwards
   * @param clock source of the current time, not null
   * @param lifetime how long an issued value is accepted, at least one second
   * @throws IllegalArgumentException if an argument is invalid
   */
  public SessionCookie(byte[] key, Clock clock, Duration lifetime) {
    if (key == null || key.length != KEY_LENGTH) {
      throw new IllegalArgumentException("session key must be " + KEY_LENGTH + " bytes");
    }
    if (clock == null) {
      throw new IllegalArgumentException("clock must not be null");
    }
    if (lifetime == null || lifetime.getSeconds() < 1) {
      throw new IllegalArgumentException("lifetime must be at least one second");
    }
    this.hmac = new HmacSha256(key);
    this.clock = clock;
    this.lifetime = lifetime;
  }

  /**
   * @return how long an issued value is accepted
   */
  public Duration lifetime() {
    return lifetime;
  }

  /**
   * Issues a new value, valid from now for {@link #lifetime()} (whole seconds). Two calls never
   * return the same value.
   *
   * @param username who logged in; not null or empty, no line break
   * @param method how they logged in, e.g. {@code "totp"}; not null or empty, no line break
   * @param mark the user's session mark read for this login; not null or empty, no line break
   * @return the cookie value, ASCII, at most a few hundred characters for ordinary usernames
   * @throws IllegalArgumentException if an argument is invalid or the value would exceed {@link
   *     #MAX_LENGTH}
   */
  public String issue(String username, String method, String mark) {
    requireField(username, "username");
    requireField(method, "method");
    requireField(mark, "mark");
    long issuedAt = clock.instant().getEpochSecond();
    long expiresAt = issuedAt + lifetime.getSeconds();
    byte[] nonce = new byte[NONCE_LENGTH];
    RANDOM.nextBytes(nonce);
    String payload =
        username
            + "\n"
            + method
            + "\n"
            + issuedAt
            + "\n"
            + expiresAt
            + "\n"
            + HexFormat.of().formatHex(nonce)
            + "\n"
            + mark;
    String payloadB64 = ENCODER.encodeToString(payload.getBytes(StandardCharsets.UTF_8));
    String value = VERSION + "." + payloadB64 + "." + sign(payloadB64);
    if (value.length() > MAX_LENGTH) {
      throw new IllegalArgumentException("username is too long for a session cookie");
    }
    return value;
  }

  /**
   * Checks a cookie value: shape, signature (in constant time), then times. A value is refused once
   * {@code now >= expiresAt}, once it is older than the current {@link #lifetime()} (so shortening
   * the lifetime also shortens sessions already issued), or if it was issued more than {@link
   * #MAX_CLOCK_SKEW} in the future.
   *
   * @param value the cookie value as received; may be null or hostile
   * @return the session if the value is genuine and current, otherwise empty
   */
  public Optional<Session> verify(String value) {
    if (value == null || value.length() > MAX_LENGTH) {
      return Optional.empty();
    }
    String[] parts = value.split("\\.", -1);
    if (parts.length != 3
        || !parts[0].equals(VERSION)
        || !isBase64Url(parts[1])
        || !isBase64Url(parts[2])) {
      return Optional.empty();
    }
    // Comparing the encoded signature, not decoded bytes, leaves no second spelling of a valid
    // value.
    byte[] expected = sign(parts[1]).getBytes(StandardCharsets.US_ASCII);
    if (!MessageDigest.isEqual(expected, parts[2].getBytes(StandardCharsets.UTF_8))) {
      return Optional.empty();
    }
    return parse(parts[1]);
  }

  private Optional<Session> parse(String payloadB64) {
    String payload;
    try {
      payload = new String(DECODER.decode(payloadB64), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    String[] fields = payload.split("\n", -1);
    if (fields.length != 6 || fields[0].isEmpty() || fields[1].isEmpty() || fields[5].isEmpty()) {
      return Optional.empty();
    }
    try {
      Instant issuedAt = Instant.ofEpochSecond(Long.parseLong(fields[2]));
      Instant expiresAt = Instant.ofEpochSecond(Long.parseLong(fields[3]));
      Instant now = clock.instant();
      if (!now.isBefore(expiresAt)
          || !now.isBefore(issuedAt.plus(lifetime))
          || issuedAt.isAfter(now.plus(MAX_CLOCK_SKEW))) {
        return Optional.empty();
      }
      return Optional.of(new Session(fields[0], fields[1], issuedAt, expiresAt, fields[5]));
    } catch (NumberFormatException | DateTimeException | ArithmeticException e) {
      return Optional.empty();
    }
  }

  private String sign(String payloadB64) {
    Mac mac = hmac.mac();
    return ENCODER.encodeToString(
        mac.doFinal((VERSION + "." + payloadB64).getBytes(StandardCharsets.US_ASCII)));
  }

  private static boolean isBase64Url(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok =
          (c >= 'A' && c <= 'Z')
              || (c >= 'a' && c <= 'z')
              || (c >= '0' && c <= '9')
              || c == '-'
              || c == '_';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private static void requireField(String field, String name) {
    if (field == null || field.isEmpty()) {
      throw new IllegalArgumentException(name + " must not be null or empty");
    }
    if (field.indexOf('\n') >= 0) {
      throw new IllegalArgumentException(name + " must not contain a line break");
    }
  }
}
