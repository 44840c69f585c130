package dev.jeton.audit;

import io.vertx.core.Future;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The embedded audit log: the newest {@code maxEvents} events about known users and admin actions,
 * and apart from them the newest {@code unknownMaxEvents} about usernames that do not exist, all
 * younger than {@code maxAgeMillis}, in memory. Kept and answered as {@link RedisAuditSink} keeps
 * and answers them.
 */
public final class MemoryAuditSink implements AuditSink {

  private final int maxEvents;
  private final int unknownMaxEvents;
  private final long maxAgeMillis;
  private final ArrayDeque<AuditEvent> events = new ArrayDeque<>();
  private final ArrayDeque<AuditEvent> unknown = new ArrayDeque<>();

  /**
   * A log keeping {@link AuditSink#UNKNOWN_MAX_EVENTS} events about unknown usernames ({@code
   * maxEvents} if fewer).
   */
  public MemoryAuditSink(int maxEvents, long maxAgeMillis) {
    this(maxEvents, Math.min(maxEvents, UNKNOWN_MAX_EVENTS), maxAgeMillis);
  }

  public MemoryAuditSink(int maxEvents, int unknownMaxEvents, long maxAgeMillis) {
    this.maxEvents = maxEvents;
    this.unknownMaxEvents = unknownMaxEvents;
    this.maxAgeMillis = maxAgeMillis;
  }

  @Override
  public synchronized Future<Void> append(List<AuditEvent> batch) {
    for (AuditEvent e : batch) {
      ArrayDeque<AuditEvent> log = e.knownUser() ? events : unknown;
      log.addLast(e);
      if (log.size() > (e.knownUser() ? maxEvents : unknownMaxEvents)) {
        log.removeFirst();
      }
    }
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<List<AuditEvent>> query(String username, int limit) {
    List<AuditEvent> known = newest(events, username, limit);
    List<AuditEvent> other = newest(unknown, username, limit);
    // Merged as two newest-first lists: each keeps its order of writing.
    List<AuditEvent> out = new ArrayList<>(Math.min(limit, known.size() + other.size()));
    int k = 0;
    int o = 0;
    while (out.size() < limit && (k < known.size() || o < other.size())) {
      if (o == other.size()
          || k < known.size() && AuditEvent.NEWEST_FIRST.compare(known.get(k), other.get(o)) <= 0) {
        out.add(known.get(k++));
      } else {
        out.add(other.get(o++));
      }
    }
    return Future.succeededFuture(out);
  }

  private static List<AuditEvent> newest(ArrayDeque<AuditEvent> log, String username, int limit) {
    List<AuditEvent> out = new ArrayList<>();
    Iterator<AuditEvent> newestFirst = log.descendingIterator();
    while (newestFirst.hasNext() && out.size() < limit) {
      AuditEvent e = newestFirst.next();
      if (username == null || username.equals(e.username())) {
        out.add(e);
      }
    }
    return out;
  }

  @Override
  public synchronized Future<Void> trim(long now) {
    for (ArrayDeque<AuditEvent> log : List.of(events, unknown)) {
      while (!log.isEmpty()
          && Instant.parse(log.peekFirst().at()).toEpochMilli() < now - maxAgeMillis) {
        log.removeFirst();
      }
    }
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> close() {
    return Future.succeededFuture();
  }
}
