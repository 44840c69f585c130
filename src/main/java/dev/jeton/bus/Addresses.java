package dev.jeton.bus;

/** Event-bus addresses, one per message kind. */
public final class Addresses {
  /** Intake → verification: a {@code LoginRequest}, answered by a {@code LoginOutcome}. */
  public static final String VERIFY_LOGIN = "jeton.verify.login";
  /** Verification → anyone listening: one {@code AuditEvent} per decision (published). */
  public static final String AUDIT_DECISION = "jeton.audit.decision";
  /** Admin → audit: an {@code AuditVerticle.Query}, answered by {@code AuditVerticle.Events}. */
  public static final String AUDIT_QUERY = "jeton.audit.query";
  /** Prefix of tracking's addresses: {@code jeton.track.<store operation>}. */
  public static final String TRACK = "jeton.track.";

  private Addresses() {}
}
