package dev.jeton.track;

/**
 * An open challenge, bound to its username and token, with an absolute expiry.
 *
 * @param step the TOTP step or HOTP counter that opened it
 * @param tries wrong answers so far; the challenge closes at {@link #MAX_TRIES}
 * @param expiresAt epoch milliseconds
 */
public record Challenge(
    String id, String username, Kind kind, String serial, long step, int tries, long expiresAt) {

  public static final int MAX_TRIES = 3;

  /** What answer the challenge waits for. */
  public enum Kind {
    /** newPin + confirmPin. */
    NEW_PIN,
    /** PIN + the code of any step after {@code step}, inside the normal window. */
    NEXT_LATER,
    /**
     * PIN + the code of exactly {@code step + 1} (resynchronisation); the drift is learned from it.
     */
    NEXT_EXACT
  }

  public boolean expiredAt(long now) {
    return expiresAt <= now;
  }
}
