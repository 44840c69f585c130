package dev.jeton.audit;

import io.vertx.core.Future;

import java.util.List;

/**
 * Where audit events are kept: a Redis Stream ({@link RedisAuditSink}) or a capped in-memory log
 * ({@link MemoryAuditSink}); both capped by length and by age. Called from the audit verticle only.
 */
public interface AuditSink {

  /** Appends the events in order. */
  Future<Void> append(List<AuditEvent> events);

  /** Newest first; for one username when it is not null. */
  Future<List<AuditEvent>> query(String username, int limit);

  /** Drops what is older than the age cap. */
  Future<Void> trim(long now);

  Future<Void> close();
}
