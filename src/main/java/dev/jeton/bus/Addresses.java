package dev.jeton.bus;

/** Event-bus addresses, one per message kind. */
public final class Addresses {
  /** Intake → verification: a {@code LoginRequest}, answered by a {@code LoginOutcome}. */
  public static final String VERIFY_LOGIN = "jeton.verify.login";

  /** Verification → anyone listening: one {@code AuditEvent} per decision (published). */
  public static final String AUDIT_DECISION = "jeton.audit.decision";

  /** Admin → audit: an {@code AuditVerticle.Query}, answered by {@code AuditVerticle.Events}. */
  public static final String AUDIT_QUERY = "jeton.audit.query";

  /**
   * Admin → verification: an {@code EmergencyCodes.Request}, answered by {@code
   * EmergencyCodes.Issued} or failed.
   */
  public static final String VERIFY_EMERGENCY_CODES = "jeton.verify.emergency-codes";

  /**
   * Admin → every intake (published): the name of a client that changed, so that each drops its
   * cached copy.
   */
  public static final String CLIENTS_CHANGED = "jeton.intake.clients-changed";

  /**
   * Admin, and every node's changes through Redis → the RADIUS intake (published): the name of a
   * RADIUS client that was written or deleted, so that the intake reloads its clients; a null body
   * means anything may have changed (a new subscription to Redis), reload everything.
   */
  public static final String RADIUS_CLIENTS_CHANGED = "jeton.intake.radius-clients-changed";

  /** Prefix of tracking's addresses: {@code jeton.track.<store operation>}. */
  public static final String TRACK = "jeton.track.";

  private Addresses() {}
}
