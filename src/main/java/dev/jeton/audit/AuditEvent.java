package dev.jeton.audit;

import io.vertx.core.json.JsonObject;
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
 * @param committed the store wrote this event into the user's own trail in the very step it records
 *     (an ACCEPT: see {@code Store.Commit#audit}), so that an ACCEPT a client received cannot lack
 *     its record, even when Jeton dies right after answering. A sink whose store keeps such trails
 *     ({@link RedisAuditSink}) writes it only to the district-wide trail; one whose store does not
 *     (the embedded one) keeps it whole. Never read back: an event read from a trail says false.
 * @param note why an operator did it, in their words (a ticket number), for an action taken in the
 *     console; null for every other event. Bounded and free of control characters by whoever
 *     records it
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
    boolean knownUser,
    boolean committed,
    String note) {

  /** An event without a note. */
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
      long seq,
      boolean knownUser,
      boolean committed) {
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
        knownUser,
        committed,
        null);
  }

  /** An event, not written by a commit (see {@link #committed()}). */
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
      long seq,
      boolean knownUser) {
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
        knownUser,
        false);
  }

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
            known,
            committed,
            note);
  }

  /** The same event with an operator's {@link #note()}. */
  public AuditEvent withNote(String text) {
    return new AuditEvent(
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
        knownUser,
        committed,
        text);
  }

  /**
   * The same event, once the commit that it records has written it into the user's trail (see
   * {@link #committed()}).
   */
  public AuditEvent asCommitted() {
    return committed
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
            knownUser,
            true,
            note);
  }

  /**
   * The same event as {@code other}, whether or not either says it was {@link #committed()}: the
   * copy a commit wrote and the copy the audit verticle still holds are one event.
   */
  boolean sameAs(AuditEvent other) {
    return other != null
        && (committed == other.committed
            ? equals(other)
            : asCommitted().equals(other.asCommitted()));
  }

  // ---- packing ----

  private static final char SEPARATOR = '\t';

  /**
   * The event in one string, for a trail that keeps whole events (the user's trail, where a commit
   * writes it): {@link #tabPacked()} when it packs, else a JSON object (keys {@code at rid u ip c d
   * r m s n q}, absent values left out), so that every event has a packed form. Neither {@link
   * #knownUser()} nor {@link #committed()} is in it: which trail an event is in says the first.
   * Read back by {@link #unpacked}.
   */
  public String packed() {
    String tabs = tabPacked();
    if (tabs != null) {
      return tabs;
    }
    JsonObject o = new JsonObject();
    put(o, "at", at);
    put(o, "rid", requestId);
    put(o, "u", username);
    put(o, "ip", clientIp);
    put(o, "c", client);
    put(o, "d", decision);
    put(o, "r", reason);
    put(o, "m", method);
    put(o, "s", tokenSerial);
    put(o, "n", note);
    return o.put("q", seq).encode();
  }

  /**
   * The event that {@link #packed()} (or {@link #tabPacked()}) made {@code packed} from, as one
   * about a known user, or null when {@code packed} is neither form.
   */
  public static AuditEvent unpacked(String packed) {
    if (packed == null || packed.isEmpty()) {
      return null;
    }
    if (packed.charAt(0) != '{') {
      return fromTabs(packed);
    }
    try {
      JsonObject o = new JsonObject(packed);
      Object q = o.getValue("q");
      return new AuditEvent(
          o.getString("at"),
          o.getString("rid"),
          o.getString("u"),
          o.getString("ip"),
          o.getString("c"),
          o.getString("d"),
          o.getString("r"),
          o.getString("m"),
          o.getString("s"),
          q instanceof Number n ? n.longValue() : 0,
          true,
          false,
          o.getString("n"));
    } catch (RuntimeException e) {
      return null;
    }
  }

  /**
   * The event in one field: at, request id, username, client IP, client, decision, reason, method,
   * token serial and sequence, tab-separated, absent values empty; then the note, when there is one
   * (so that the events of earlier builds, which have none, read as they were written). One field
   * instead of ten costs Redis markedly less an {@code XADD}, on every decision (see {@code
   * docs/2026-12-05-performance-history.md}). Null when a value is empty or holds a tab (none does:
   * every field is validated or chosen by Jeton), so that packing never changes an event.
   */
  String tabPacked() {
    StringBuilder b = new StringBuilder(160);
    for (String v :
        new String[] {
          at, requestId, username, clientIp, client, decision, reason, method, tokenSerial
        }) {
      if (v != null) {
        if (v.isEmpty() || v.indexOf(SEPARATOR) >= 0) {
          return null;
        }
        b.append(v);
      }
      b.append(SEPARATOR);
    }
    b.append(seq);
    if (note != null) {
      if (note.isEmpty() || note.indexOf(SEPARATOR) >= 0) {
        return null;
      }
      b.append(SEPARATOR).append(note);
    }
    return b.toString();
  }

  /** The event {@link #tabPacked()} packed, or null when {@code packed} is not one. */
  static AuditEvent fromTabs(String packed) {
    String[] v = packed.split(String.valueOf(SEPARATOR), -1);
    if (v.length != 10 && v.length != 11) {
      return null;
    }
    long seq;
    try {
      seq = Long.parseLong(v[9]);
    } catch (NumberFormatException e) {
      return null;
    }
    return new AuditEvent(
        orNull(v[0]),
        orNull(v[1]),
        orNull(v[2]),
        orNull(v[3]),
        orNull(v[4]),
        orNull(v[5]),
        orNull(v[6]),
        orNull(v[7]),
        orNull(v[8]),
        seq,
        true,
        false,
        v.length == 11 ? orNull(v[10]) : null);
  }

  private static String orNull(String s) {
    return s.isEmpty() ? null : s;
  }

  private static void put(JsonObject o, String key, String value) {
    if (value != null) {
      o.put(key, value);
    }
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
