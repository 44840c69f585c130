package dev.jeton.audit;

import static dev.jeton.testsupport.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.bus.Addresses;
import dev.jeton.bus.LocalCodec;
import dev.jeton.metrics.JetonMetrics;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How the audit verticle writes: each event at once when no write is in flight, what arrives
 * meanwhile in the next write, a backlog in writes of {@value AuditVerticle#MAX_BATCH}, nothing
 * lost (on stop too), no write tried at every event while the sink fails.
 */
class AuditVerticleTest {

  private static final int EVENTS = 1_000;

  private Vertx vertx;
  private String deployment;
  private final List<List<AuditEvent>> writes = new CopyOnWriteArrayList<>();
  private final AtomicBoolean reachable = new AtomicBoolean(true);
  private final AtomicInteger refused = new AtomicInteger();

  /**
   * When set, each write stays in flight until the test ends it (on the verticle's context, as
   * Redis's would).
   */
  private final List<Runnable> held = new CopyOnWriteArrayList<>();

  private final AtomicBoolean hold = new AtomicBoolean();

  /** What the sink answers to a query, whatever was written. */
  private final List<AuditEvent> stored = new CopyOnWriteArrayList<>();

  /** A sink that keeps what it is given, or refuses it while "unreachable". */
  private final AuditSink sink =
      new AuditSink() {
        @Override
        public Future<Void> append(List<AuditEvent> events) {
          if (!reachable.get()) {
            refused.incrementAndGet();
            return Future.failedFuture("unreachable");
          }
          writes.add(List.copyOf(events));
          if (hold.get()) {
            Promise<Void> p = Promise.promise();
            Context context = Vertx.currentContext();
            held.add(() -> context.runOnContext(v -> p.complete()));
            return p.future();
          }
          return Future.succeededFuture();
        }

        @Override
        public Future<List<AuditEvent>> query(String username, int limit) {
          return Future.succeededFuture(List.copyOf(stored));
        }

        @Override
        public Future<Void> trim(long now) {
          return Future.succeededFuture();
        }

        @Override
        public Future<Void> close() {
          return Future.succeededFuture();
        }
      };

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    LocalCodec.registerAll(
        vertx, List.of(AuditEvent.class, AuditVerticle.Query.class, AuditVerticle.Events.class));
    deployment =
        vertx
            .deployVerticle(
                new AuditVerticle(() -> sink, Clock.systemUTC(), JetonMetrics.disabled()))
            .await(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private List<AuditEvent> send(int n) {
    List<AuditEvent> sent = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      AuditEvent e =
          AuditEvent.of(
              1_764_316_800_000L + i,
              "r" + i,
              "user" + i,
              "192.0.2.1",
              "portal",
              "ACCEPT",
              "ok",
              "otp",
              "S" + i);
      sent.add(e);
      vertx.eventBus().send(Addresses.AUDIT_DECISION, e);
    }
    return sent;
  }

  /**
   * What the verticle holds, written or not (its answer to a query includes what it has not written
   * yet).
   */
  private AuditVerticle.Events holding() throws Exception {
    return vertx
        .eventBus()
        .<AuditVerticle.Events>request(
            Addresses.AUDIT_QUERY, new AuditVerticle.Query(null, 2 * EVENTS))
        .await(5, TimeUnit.SECONDS)
        .body();
  }

  private List<AuditEvent> written() {
    List<AuditEvent> all = new ArrayList<>();
    writes.forEach(all::addAll);
    return all;
  }

  @Test
  void eachEventIsWrittenAtOnceWhenNoWriteIsInFlight() throws Exception {
    List<AuditEvent> sent = send(EVENTS);

    eventually("every event written", () -> written().size() == EVENTS);
    assertThat(written()).as("every event once, in order").containsExactlyElementsOf(sent);
    // This sink answers at once, so no write is ever in flight when an event arrives. (Sent within
    // milliseconds:
    // writes left to the periodic flush would each hold hundreds.)
    assertThat(writes).as("writes").hasSize(EVENTS).allSatisfy(w -> assertThat(w).hasSize(1));
  }

  /** One event in a write held in flight, then 700 more sent: returns the 701 events sent. */
  private List<AuditEvent> oneWriteInFlightAnd700Waiting() throws Exception {
    hold.set(true);
    List<AuditEvent> sent = send(1);
    eventually("the first write held in flight", () -> held.size() == 1);
    sent.addAll(send(700));
    eventually("all 701 events held by the verticle", () -> holding().events().size() == 701);
    assertThat(writes).as("one write in flight at a time").hasSize(1);
    return sent;
  }

  @Test
  void whatArrivesDuringAWriteGoesInTheNextWritesInOrder() throws Exception {
    List<AuditEvent> sent = oneWriteInFlightAnd700Waiting();

    hold.set(false);
    held.get(0).run();
    eventually("all 701 events written", () -> written().size() == 701);
    assertThat(written()).as("every event once, in order").containsExactlyElementsOf(sent);
    assertThat(writes)
        .extracting(List::size)
        .containsExactly(1, AuditVerticle.MAX_BATCH, 700 - AuditVerticle.MAX_BATCH);
  }

  @Test
  void stoppingWritesAllItHoldsAfterTheWriteInFlight() throws Exception {
    List<AuditEvent> sent = oneWriteInFlightAnd700Waiting();

    Future<Void> stopped = vertx.undeploy(deployment);
    hold.set(false);
    held.get(0).run();
    stopped.await(10, TimeUnit.SECONDS);
    assertThat(written()).as("every event once, in order").containsExactlyElementsOf(sent);
    assertThat(writes)
        .extracting(List::size)
        .containsExactly(1, AuditVerticle.MAX_BATCH, 700 - AuditVerticle.MAX_BATCH);
  }

  @Test
  void aBacklogLeftByAnOutageDrainsInBiggerBatchesWithNothingLost() throws Exception {
    reachable.set(false);
    List<AuditEvent> sent = send(EVENTS);
    // All of them held by the verticle, none written.
    eventually("every event held by the verticle", () -> holding().events().size() == EVENTS);
    assertThat(writes).as("nothing written while unreachable").isEmpty();
    // After a failed write the next waits for the periodic flush (every 50 ms), not for the next
    // event.
    assertThat(refused.get())
        .as("writes tried during the outage")
        .isPositive()
        .isLessThan(EVENTS / 10);

    reachable.set(true);
    eventually("every event written", () -> written().size() == EVENTS);
    assertThat(written()).as("every event once, in order").containsExactlyElementsOf(sent);
    assertThat(writes.get(0))
        .as("the first write after the outage")
        .hasSize(AuditVerticle.MAX_BATCH);
    assertThat(writes)
        .allSatisfy(b -> assertThat(b).hasSizeLessThanOrEqualTo(AuditVerticle.MAX_BATCH));
  }

  /**
   * An ACCEPT is in its user's trail as soon as its commit succeeds, before the verticle writes it:
   * the copy the sink reads and the one the verticle holds are one event in the answer.
   */
  @Test
  void anAcceptTheCommitWroteIsAnsweredOnceWhileTheVerticleHoldsIt() throws Exception {
    hold.set(true);
    send(1);
    eventually("a write held in flight", () -> held.size() == 1);
    AuditEvent accept =
        AuditEvent.of(
            1_764_316_900_000L, "ra", "ann", "192.0.2.1", "portal", "ACCEPT", "ok", "otp", "A1");
    stored.add(accept);
    vertx.eventBus().send(Addresses.AUDIT_DECISION, accept.asCommitted());
    eventually("the ACCEPT held by the verticle", () -> query("ann").size() >= 1);
    assertThat(query("ann")).hasSize(1).allMatch(e -> e.sameAs(accept));
    hold.set(false);
    held.get(0).run();
  }

  private List<AuditEvent> query(String username) throws Exception {
    return vertx
        .eventBus()
        .<AuditVerticle.Events>request(Addresses.AUDIT_QUERY, new AuditVerticle.Query(username, 10))
        .await(5, TimeUnit.SECONDS)
        .body()
        .events();
  }
}
