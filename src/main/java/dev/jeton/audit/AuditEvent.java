package dev.jeton.audit;

/**
 * One decision or admin action, as the audit trail keeps it. No secret in it, ever.
 *
 * @param at ISO-8601 instant
 * @param decision ACCEPT, REJECT, CHALLENGE, RATE_LIMITED, BAD_REQUEST, UNAVAILABLE, or ADMIN for an admin action
 * @param reason why, in more detail than the caller was told (e.g. {@code wrong_pin}, {@code replayed_code}); for an
 *     admin action, the action
 * @param client the portal (or, for an admin action, the operator) that asked
 */
public record AuditEvent(String at, String requestId, String username, String clientIp, String client,
    String decision, String reason, String method, String tokenSerial) {}
