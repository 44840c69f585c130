package dev.jeton.audit;

import io.vertx.core.Future;
import java.util.List;

/**
 * Where audit events are kept: Redis Streams ({@link RedisAuditSink}) or capped in-memory logs
 * ({@link MemoryAuditSink}); both capped by length and by age. Events about usernames that do not
 * exist ({@link AuditEvent#knownUser()} false) are kept apart from the others, under a small cap of
 * their own, so that a flood of made-up usernames cannot push the events of real users out. Called
 * from the audit verticle only.
 */
public interface AuditSink {

  /**
   * The default length cap of the events about unknown usernames: at about 150 bytes an entry,
   * under 2 MB. It holds the last 50 windows of one client address at the default per-IP failure
   * limit (200 failures per 5 minutes).
   */
  int UNKNOWN_MAX_EVENTS = 10_000;

  /** Appends the events in order. */
  Future<Void> append(List<AuditEvent> events);

  /** Newest first, known and unknown usernames merged; for one username when it is not null. */
  Future<List<AuditEvent>> query(String username, int limit);

  /** Drops what is older than the age cap. */
  Future<Void> trim(long now);

  Future<Void> close();
}
