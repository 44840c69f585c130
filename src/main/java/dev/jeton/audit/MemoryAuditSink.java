package dev.jeton.audit;

import io.vertx.core.Future;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** The embedded audit log: the newest {@code maxEvents} events younger than {@code maxAgeMillis}, in memory. */
public final class MemoryAuditSink implements AuditSink {

  private final int maxEvents;
  private final long maxAgeMillis;
  private final ArrayDeque<AuditEvent> events = new ArrayDeque<>();

  public MemoryAuditSink(int maxEvents, long maxAgeMillis) {
    this.maxEvents = maxEvents;
    this.maxAgeMillis = maxAgeMillis;
  }

  @Override
  public synchronized Future<Void> append(List<AuditEvent> batch) {
    for (AuditEvent e : batch) {
      events.addLast(e);
      if (events.size() > maxEvents) {
        events.removeFirst();
      }
    }
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<List<AuditEvent>> query(String username, int limit) {
    List<AuditEvent> out = new ArrayList<>();
    Iterator<AuditEvent> newestFirst = events.descendingIterator();
    while (newestFirst.hasNext() && out.size() < limit) {
      AuditEvent e = newestFirst.next();
      if (username == null || username.equals(e.username())) {
        out.add(e);
      }
    }
    return Future.succeededFuture(out);
  }

  @Override
  public synchronized Future<Void> trim(long now) {
    while (!events.isEmpty() && Instant.parse(events.peekFirst().at()).toEpochMilli() < now - maxAgeMillis) {
      events.removeFirst();
    }
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> close() {
    return Future.succeededFuture();
  }
}
