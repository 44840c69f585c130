package dev.jeton.audit;

import java.time.Instant;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One decision or admin action, as the audit trail keeps it. No secret in it, ever.
 *
 * @param at ISO-8601 instant
 * @param decision ACCEPT, REJECT, CHALLENGE, RATE_LIMITED, BAD_REQUEST, UNAVAILABLE, or ADMIN for an admin action
 * @param reason why, in more detail than the caller was told (e.g. {@code wrong_pin}, {@code replayed_code}); for an
 *     admin action, the action
 * @param client the portal (or, for an admin action, the operator) that asked
 * @param seq order of creation on this node: events of the same millisecond keep their order
 */
public record AuditEvent(String at, String requestId, String username, String clientIp, String client,
    String decision, String reason, String method, String tokenSerial, long seq) {

  private static final AtomicLong SEQUENCE = new AtomicLong();

  /** Newest first: by time, then by order of creation. */
  public static final Comparator<AuditEvent> NEWEST_FIRST =
      Comparator.comparing((AuditEvent e) -> Instant.parse(e.at())).thenComparingLong(AuditEvent::seq).reversed();

  /** An event happening now (by {@code epochMillis}), numbered in order of creation. */
  public static AuditEvent of(long epochMillis, String requestId, String username, String clientIp, String client,
      String decision, String reason, String method, String tokenSerial) {
    return new AuditEvent(Instant.ofEpochMilli(epochMillis).toString(), requestId, username, clientIp, client,
        decision, reason, method, tokenSerial, SEQUENCE.incrementAndGet());
  }
}
