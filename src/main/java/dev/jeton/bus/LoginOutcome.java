package dev.jeton.bus;

/**
 * The decision on a {@link LoginRequest}, as the intake turns it into HTTP. {@code auditReason}
 * says why, in more detail than the caller may see (it goes to the audit trail and the log only).
 * {@code knownUser}: the username exists (audit only). {@code sessionMark}: the user's session mark
 * as read for this login (see {@code Store.sessionMark}), which the portal puts in the session it
 * issues on ACCEPT; null when the user is unknown.
 */
public record LoginOutcome(
    Kind kind,
    String username,
    String method,
    String tokenSerial,
    String challenge,
    String state,
    long expiresIn,
    String message,
    long retryAfter,
    String error,
    String detail,
    String auditReason,
    boolean knownUser,
    String sessionMark) {

  public LoginOutcome(
      Kind kind,
      String username,
      String method,
      String tokenSerial,
      String challenge,
      String state,
      long expiresIn,
      String message,
      long retryAfter,
      String error,
      String detail,
      String auditReason,
      boolean knownUser) {
    this(
        kind,
        username,
        method,
        tokenSerial,
        challenge,
        state,
        expiresIn,
        message,
        retryAfter,
        error,
        detail,
        auditReason,
        knownUser,
        null);
  }

  /** What kind of answer. */
  public enum Kind {
    ACCEPT,
    CHALLENGE,
    REJECT,
    LOCKED,
    RATE_LIMITED,
    BAD_REQUEST,
    UNAVAILABLE
  }

  /** The decision as answered and counted: a lockout is a REJECT. */
  public String decision() {
    return kind == Kind.LOCKED ? "REJECT" : kind.name();
  }

  /**
   * The reason as the caller was told it, never finer: a wrong PIN and an unknown username are both
   * invalid_credentials.
   */
  public String answeredReason() {
    switch (kind) {
      case ACCEPT:
        return "ok";
      case CHALLENGE:
        return challenge.toLowerCase(java.util.Locale.ROOT);
      case REJECT:
        return "invalid_credentials";
      case LOCKED:
        return "locked";
      case RATE_LIMITED:
        return "ip_throttled";
      case BAD_REQUEST:
        return error == null ? "invalid_request" : error;
      default:
        return "unavailable";
    }
  }

  public static LoginOutcome accept(String username, String method, String serial) {
    return new LoginOutcome(
        Kind.ACCEPT, username, method, serial, null, null, 0, null, 0, null, null, "ok", false);
  }

  public static LoginOutcome challenge(
      String username,
      String challenge,
      String serial,
      String state,
      long expiresIn,
      String message) {
    return new LoginOutcome(
        Kind.CHALLENGE,
        username,
        "otp",
        serial,
        challenge,
        state,
        expiresIn,
        message,
        0,
        null,
        null,
        challenge.toLowerCase(),
        false);
  }

  public static LoginOutcome reject(String username, String auditReason) {
    return new LoginOutcome(
        Kind.REJECT, username, null, null, null, null, 0, null, 0, null, null, auditReason, false);
  }

  public static LoginOutcome locked(String username, long retryAfterSeconds) {
    return new LoginOutcome(
        Kind.LOCKED,
        username,
        null,
        null,
        null,
        null,
        0,
        null,
        retryAfterSeconds,
        null,
        null,
        "locked",
        false);
  }

  public static LoginOutcome rateLimited(String username, long retryAfterSeconds) {
    return new LoginOutcome(
        Kind.RATE_LIMITED,
        username,
        null,
        null,
        null,
        null,
        0,
        null,
        retryAfterSeconds,
        null,
        null,
        "ip_throttled",
        false);
  }

  public static LoginOutcome badRequest(String username, String error, String detail) {
    return new LoginOutcome(
        Kind.BAD_REQUEST,
        username,
        null,
        null,
        null,
        null,
        0,
        null,
        0,
        error,
        detail,
        error,
        false);
  }

  public static LoginOutcome unavailable(String username, String auditReason) {
    return new LoginOutcome(
        Kind.UNAVAILABLE,
        username,
        null,
        null,
        null,
        null,
        0,
        null,
        0,
        null,
        null,
        auditReason,
        false);
  }

  public LoginOutcome withSerial(String serial) {
    return new LoginOutcome(
        kind,
        username,
        method,
        serial,
        challenge,
        state,
        expiresIn,
        message,
        retryAfter,
        error,
        detail,
        auditReason,
        knownUser,
        sessionMark);
  }

  /**
   * The same outcome, saying whether the username exists. Never shown to a caller or in a metric;
   * the audit keeps the failures of unknown usernames apart, so that a flood of them cannot push
   * real events out of the trail.
   */
  public LoginOutcome withKnownUser(boolean known) {
    return new LoginOutcome(
        kind,
        username,
        method,
        tokenSerial,
        challenge,
        state,
        expiresIn,
        message,
        retryAfter,
        error,
        detail,
        auditReason,
        known,
        sessionMark);
  }

  /**
   * The same outcome, carrying the user's session mark (read with the user: no extra store call).
   */
  public LoginOutcome withSessionMark(String mark) {
    return new LoginOutcome(
        kind,
        username,
        method,
        tokenSerial,
        challenge,
        state,
        expiresIn,
        message,
        retryAfter,
        error,
        detail,
        auditReason,
        knownUser,
        mark);
  }
}
