package dev.jeton.audit;

import java.time.Instant;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One decision or admin action, as the audit trail keeps it. No secret in it, ever.
 *
 * @param at ISO-8601 instant
 * @param decision ACCEPT, REJECT, CHALLENGE, RATE_LIMITED, BAD_REQUEST, UNAVAILABLE, or ADMIN for
 *     an admin action
 * @param reason why, in more detail than the caller was told (e.g. {@code wrong_pin}, {@code
 *     replayed_code}); for an admin action, the action
 * @param client the portal (or, for an admin action, the operator) that asked
 * @param seq order of creation on this node: events of the same millisecond keep their order
 * @param knownUser the username exists (or the event is an admin action). False: a decision about a
 *     username that does not exist, which anyone can cause at will; the trail keeps those apart, in
 *     a small capped log of their own with no per-username index, so that a flood of them grows
 *     nothing per username and cannot push the events of real users out of the trail
 */
public record AuditEvent(
    String at,
    String requestId,
    String username,
    String clientIp,
    String client,
    String decision,
    String reason,
    String method,
    String tokenSerial,
    long seq,
    boolean knownUser) {

  /** An event about a known user or an admin action. */
  public AuditEvent(
      String at,
      String requestId,
      String username,
      String clientIp,
      String client,
      String decision,
      String reason,
      String method,
      String tokenSerial,
      long seq) {
    this(
        at,
        requestId,
        username,
        clientIp,
        client,
        decision,
        reason,
        method,
        tokenSerial,
        seq,
        true);
  }

  private static final AtomicLong SEQUENCE = new AtomicLong();

  /** Newest first: by time, then by order of creation. */
  public static final Comparator<AuditEvent> NEWEST_FIRST =
      Comparator.comparing((AuditEvent e) -> Instant.parse(e.at()))
          .thenComparingLong(AuditEvent::seq)
          .reversed();

  /**
   * An event about a known user or an admin action, happening now (by {@code epochMillis}),
   * numbered in order.
   */
  public static AuditEvent of(
      long epochMillis,
      String requestId,
      String username,
      String clientIp,
      String client,
      String decision,
      String reason,
      String method,
      String tokenSerial) {
    return of(
        epochMillis,
        requestId,
        username,
        clientIp,
        client,
        decision,
        reason,
        method,
        tokenSerial,
        true);
  }

  /** An event happening now (by {@code epochMillis}), numbered in order of creation. */
  public static AuditEvent of(
      long epochMillis,
      String requestId,
      String username,
      String clientIp,
      String client,
      String decision,
      String reason,
      String method,
      String tokenSerial,
      boolean knownUser) {
    return new AuditEvent(
        iso(epochMillis),
        requestId,
        username,
        clientIp,
        client,
        decision,
        reason,
        method,
        tokenSerial,
        SEQUENCE.incrementAndGet(),
        knownUser);
  }

  /** The same event, as one about a username that exists or not. */
  AuditEvent withKnownUser(boolean known) {
    return known == knownUser
        ? this
        : new AuditEvent(
            at,
            requestId,
            username,
            clientIp,
            client,
            decision,
            reason,
            method,
            tokenSerial,
            seq,
            known);
  }

  /** The second a thread last formatted, and its text without the zone ("2026-11-28T08:00:01"). */
  private static final class Second {
    long second = Long.MIN_VALUE;
    String text;
  }

  private static final ThreadLocal<Second> SECOND = ThreadLocal.withInitial(Second::new);

  /**
   * {@code Instant.ofEpochMilli(epochMillis).toString()}, with the text up to the seconds kept per
   * thread from one call to the next: events come thousands a second, and formatting each instant
   * whole showed in the login rush's profile ({@code docs/2026-12-05-performance-history.md}).
   */
  static String iso(long epochMillis) {
    long second = Math.floorDiv(epochMillis, 1000L);
    int millis = (int) Math.floorMod(epochMillis, 1000L);
    Second s = SECOND.get();
    if (s.second != second) {
      String whole = Instant.ofEpochSecond(second).toString();
      s.text = whole.substring(0, whole.length() - 1);
      s.second = second;
    }
    if (millis == 0) {
      return s.text + "Z";
    }
    return s.text
        + '.'
        + (char) ('0' + millis / 100)
        + (char) ('0' + millis / 10 % 10)
        + (char) ('0' + millis % 10)
        + 'Z';
  }
}
