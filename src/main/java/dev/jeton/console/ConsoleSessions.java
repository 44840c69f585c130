package dev.jeton.console;

import dev.jeton.crypto.Sealer;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

/**
 * The console's session cookie, {@value #COOKIE}: sealed (AES-256-GCM, {@link Sealer}) so that the
 * browser can neither read nor change nor make one. It holds the operator's username, a random
 * session id (what the session's CSRF tokens are bound to), the sign-in time, the time of the last
 * request, and the user's session mark at sign-in (see {@code Store.sessionMark}: a lock, a PIN
 * cleared, a sign-out anywhere ends the session).
 *
 * <p>A session ends when it has not been used for the idle time, or when the lifetime has passed
 * since its sign-in, whichever comes first; every request that uses it is answered with a copy
 * sealed anew ({@link #renew}), which moves the last use on. Times come from the injected clock.
 *
 * <p>Immutable and thread-safe.
 */
public final class ConsoleSessions {

  /** Name of the cookie. */
  public static final String COOKIE = "jeton_console";

  /** Longest cookie value {@link #open} looks at, in characters. */
  public static final int MAX_LENGTH = 1024;

  /** How far in the future a time may lie, to allow for clock differences between nodes. */
  static final Duration MAX_CLOCK_SKEW = Duration.ofSeconds(60);

  private static final String VERSION = "c1";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Sealer sealer;
  private final Clock clock;
  private final Duration idle;
  private final Duration lifetime;

  /**
   * A session as its cookie says it.
   *
   * @param id random, base64url: the session's CSRF tokens are bound to it
   * @param mark the user's session mark at sign-in
   */
  public record Session(
      String username, String id, Instant signedInAt, Instant lastSeen, String mark) {}

  /**
   * @param sealer seals under the console's session key
   * @param idle a session unused this long ends
   * @param lifetime a session ends this long after its sign-in
   */
  public ConsoleSessions(Sealer sealer, Clock clock, Duration idle, Duration lifetime) {
    if (sealer == null || clock == null || idle == null || lifetime == null) {
      throw new IllegalArgumentException("sealer, clock, idle and lifetime are required");
    }
    if (idle.toSeconds() < 1 || lifetime.compareTo(idle) < 0) {
      throw new IllegalArgumentException("idle must be at least a second, lifetime at least idle");
    }
    this.sealer = sealer;
    this.clock = clock;
    this.idle = idle;
    this.lifetime = lifetime;
  }

  /** How long a session lives at most: the cookie's {@code Max-Age}. */
  public Duration lifetime() {
    return lifetime;
  }

  /**
   * A new session, signed in now.
   *
   * @param username who signed in; a valid username (no line break)
   * @param mark their session mark, as verification read it for this sign-in
   */
  public Session start(String username, String mark) {
    if (username == null || username.isEmpty() || username.indexOf('\n') >= 0) {
      throw new IllegalArgumentException("a username of one line is required");
    }
    if (mark == null || mark.isEmpty() || mark.indexOf('\n') >= 0) {
      throw new IllegalArgumentException("a session mark of one line is required");
    }
    byte[] id = new byte[24];
    RANDOM.nextBytes(id);
    Instant now = now();
    return new Session(
        username, Base64.getUrlEncoder().withoutPadding().encodeToString(id), now, now, mark);
  }

  /** The cookie value of {@code s}, used now. */
  public String renew(Session s) {
    String text =
        String.join(
            "\n",
            VERSION,
            s.username(),
            s.id(),
            Long.toString(s.signedInAt().getEpochSecond()),
            Long.toString(now().getEpochSecond()),
            s.mark());
    return sealer.seal(text, COOKIE);
  }

  /**
   * The session a cookie value holds, if it is genuine and neither idle too long nor past its
   * lifetime.
   *
   * @param value the cookie value as received; may be null or hostile
   */
  public Optional<Session> open(String value) {
    if (value == null || value.isEmpty() || value.length() > MAX_LENGTH) {
      return Optional.empty();
    }
    String text = sealer.open(value, COOKIE);
    if (text == null) {
      return Optional.empty();
    }
    String[] f = text.split("\n", -1);
    if (f.length != 6 || !VERSION.equals(f[0])) {
      return Optional.empty();
    }
    try {
      Instant signedInAt = Instant.ofEpochSecond(Long.parseLong(f[3]));
      Instant lastSeen = Instant.ofEpochSecond(Long.parseLong(f[4]));
      Instant now = now();
      Instant future = now.plus(MAX_CLOCK_SKEW);
      if (signedInAt.isAfter(future)
          || lastSeen.isAfter(future)
          || !now.isBefore(signedInAt.plus(lifetime))
          || !now.isBefore(lastSeen.plus(idle))) {
        return Optional.empty();
      }
      return Optional.of(new Session(f[1], f[2], signedInAt, lastSeen, f[5]));
    } catch (NumberFormatException | DateTimeException | ArithmeticException e) {
      return Optional.empty();
    }
  }

  private Instant now() {
    return clock.instant();
  }
}
