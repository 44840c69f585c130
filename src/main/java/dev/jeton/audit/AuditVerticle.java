package dev.jeton.audit;

import dev.jeton.bus.Addresses;
import dev.jeton.bus.LoopLocal;
import dev.jeton.metrics.JetonMetrics;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyFailure;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Audit: collects every {@link AuditEvent} sent to {@code jeton.audit.decision} and writes it off
 * the login path (a login never waits for its audit write), one write in flight at a time: what
 * arrives meanwhile goes in the next. Answers {@code jeton.audit.query} with what its sink holds
 * and what it has not written yet. On stop, writes all it holds (after the write in flight) before
 * closing the sink. While the sink is unreachable events wait in memory, up to {@value
 * #MAX_PENDING}; beyond that the oldest are dropped and counted. One instance per event loop, each
 * taking the events of its loop (so that a decision's audit event does not wake another thread),
 * all writing to the same trail. What the trail keeps apart (events about usernames that do not
 * exist, see {@link AuditEvent#knownUser()}) is the sink's business; decisions answered 429 never
 * arrive here (they are counted, not audited: see the verification verticle). An ACCEPT arrives
 * {@link AuditEvent#committed() committed}: the commit that decided it wrote it into the user's
 * trail already, so that it is kept even when this node dies before writing it; the sink writes it
 * to the district-wide trail only.
 */
public final class AuditVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger("jeton.audit");
  static final int MAX_PENDING = 100_000;

  /**
   * Events in one write at most (a backlog left by an outage drains in writes of this size, one
   * after the other).
   */
  static final int MAX_BATCH = 500;

  /** How often a write is tried after one failed (and, as a safety net, whenever events wait). */
  private static final long FLUSH_MILLIS = 50;

  /** A query of the audit trail. {@code username} null means every event. */
  public record Query(String username, int limit) {}

  /** The answer to a {@link Query}. */
  public record Events(List<AuditEvent> events) {}

  private final Supplier<AuditSink> sinks;
  private final Clock clock;
  private final JetonMetrics metrics;
  private final ArrayDeque<AuditEvent> pending = new ArrayDeque<>();
  private AuditSink sink;

  /** The last write started: in flight until it completes. */
  private Future<Void> lastWrite = Future.succeededFuture();

  /**
   * The last write failed: the next is left to the periodic flush, not tried again at every event.
   */
  private boolean failing;

  private String localAddress;
  private long dropped;

  public AuditVerticle(Supplier<AuditSink> sinks, Clock clock, JetonMetrics metrics) {
    this.sinks = sinks;
    this.clock = clock;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    sink = sinks.get();
    vertx.setPeriodic(FLUSH_MILLIS, id -> flush());
    // At once too: a sink applies the age cap to what it reads from the time of its last trim.
    sink.trim(clock.millis());
    vertx.setPeriodic(60_000, id -> sink.trim(clock.millis()));
    localAddress = LoopLocal.register(vertx, Addresses.AUDIT_DECISION);
    return Future.all(
        vertx
            .eventBus()
            .<AuditEvent>localConsumer(Addresses.AUDIT_DECISION, m -> collect(m.body()))
            .completion(),
        vertx
            .eventBus()
            .<AuditEvent>localConsumer(localAddress, m -> collect(m.body()))
            .completion(),
        vertx.eventBus().<Query>localConsumer(Addresses.AUDIT_QUERY, this::query).completion());
  }

  @Override
  public Future<?> stop() {
    LoopLocal.unregister(vertx, localAddress);
    return drain().transform(ar -> sink.close());
  }

  /** Waits for the write in flight, then writes what is left, until nothing is or a write fails. */
  private Future<Void> drain() {
    if (!lastWrite.isComplete()) {
      return lastWrite.transform(ar -> ar.failed() ? Future.succeededFuture() : drain());
    }
    return pending.isEmpty()
        ? Future.succeededFuture()
        : write().transform(ar -> ar.failed() ? Future.succeededFuture() : drain());
  }

  private void collect(AuditEvent e) {
    pending.addLast(e);
    if (pending.size() > MAX_PENDING) {
      pending.pollFirst();
      dropped++;
      metrics.auditDropped(1);
    }
    // Written at once unless a write is in flight (the events arriving meanwhile go in the next
    // one, sent when it
    // ends): writes stay as small as the traffic allows. Batches of up to 500 every 50 ms held the
    // event loop
    // (building the commands, then reading the answers) and Redis long enough to show in the
    // logins' p99.
    if (!failing) {
      flush();
    }
  }

  private void flush() {
    if (lastWrite.isComplete() && !pending.isEmpty()) {
      write();
    }
  }

  private Future<Void> write() {
    if (pending.isEmpty()) {
      return Future.succeededFuture();
    }
    List<AuditEvent> batch = new ArrayList<>(Math.min(MAX_BATCH, pending.size()));
    for (Iterator<AuditEvent> it = pending.iterator(); it.hasNext() && batch.size() < MAX_BATCH; ) {
      batch.add(it.next());
    }
    Promise<Void> written = Promise.promise();
    lastWrite = written.future();
    sink.append(batch)
        .onComplete(
            ar -> {
              failing = ar.failed();
              if (ar.succeeded()) {
                // Drops may have removed some of the batch from the head meanwhile: remove only
                // what is still there.
                for (AuditEvent e : batch) {
                  if (pending.peekFirst() == e) {
                    pending.pollFirst();
                  }
                }
                if (dropped > 0) {
                  LOG.atWarn()
                      .setMessage("audit_events_dropped")
                      .addKeyValue("count", dropped)
                      .log();
                  dropped = 0;
                }
              } else {
                LOG.atWarn()
                    .setMessage("audit_write_failed")
                    .addKeyValue("pending", pending.size())
                    .addKeyValue("detail", ar.cause().getMessage())
                    .log();
              }
              written.handle(ar);
              if (ar.succeeded()) {
                flush();
              }
            });
    return written.future();
  }

  private void query(Message<Query> msg) {
    // Events not yet written are part of the answer too: the helpdesk sees a login that just
    // happened.
    Query q = msg.body();
    List<AuditEvent> recent = new ArrayList<>();
    for (Iterator<AuditEvent> it = pending.descendingIterator();
        it.hasNext() && recent.size() < q.limit(); ) {
      AuditEvent e = it.next();
      if (q.username() == null || q.username().equals(e.username())) {
        recent.add(e);
      }
    }
    if (recent.size() >= q.limit()) {
      msg.reply(new Events(recent));
      return;
    }
    sink.query(q.username(), q.limit() - recent.size())
        .onComplete(
            ar -> {
              if (ar.succeeded()) {
                List<AuditEvent> all = new ArrayList<>(recent);
                for (AuditEvent e : ar.result()) {
                  // An ACCEPT this instance holds is in its user's trail already (its commit wrote
                  // it there): one event, whichever copy.
                  if (recent.stream().noneMatch(e::sameAs)) {
                    all.add(e);
                  }
                }
                // Instances flush on their own beat: order by time (stable, so that events of one
                // instant keep their order).
                all.sort(AuditEvent.NEWEST_FIRST);
                msg.reply(new Events(all.subList(0, Math.min(q.limit(), all.size()))));
              } else {
                msg.fail(
                    ReplyFailure.RECIPIENT_FAILURE.toInt(), "audit: " + ar.cause().getMessage());
              }
            });
  }
}
