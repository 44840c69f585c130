package dev.jeton.track;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jeton.audit.AuditEvent;
import dev.jeton.audit.RedisAuditSink;
import dev.jeton.audit.UserTrail;
import dev.jeton.testsupport.RedisServer;
import dev.jeton.track.Store.Assign;
import dev.jeton.track.Store.AssignResult;
import dev.jeton.track.Store.Commit;
import dev.jeton.track.Store.CommitMode;
import dev.jeton.track.Store.CommitOutcome;
import dev.jeton.track.Store.PutUser;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An ACCEPT's audit record is written by the commit that consumes the code, in the same atomic
 * step: it is in the user's audit trail as soon as the commit answers OK, with no audit verticle
 * running at all (as when Jeton dies right after answering), and only then.
 */
class AcceptAuditRecordTest {

  private static final long NOW = 1_764_316_800_000L;
  private static final int TTL = 300;
  private static final long AGE = 86_400_000L;
  private static Vertx vertx;

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stopVertx() throws Exception {
    vertx.close().await(10, SECONDS);
  }

  private static AuditEvent accept(long at, String username, String serial) {
    return AuditEvent.of(
        at, "req-" + at, username, "192.0.2.1", "portal", "ACCEPT", "ok", "otp", serial, true);
  }

  private static Commit acceptCode(String username, long step, AuditEvent record) {
    return new Commit(username, CommitMode.ACCEPT, "T1", step, null, null, null, null, NOW, TTL)
        .withAudit(new Commit.Audit(record.packed(), UserTrail.KEEP, AGE));
  }

  private static void userWithToken(Store store, String username) throws Exception {
    assertThat(store.putUser(new PutUser(username, null, null, NOW)).await(5, SECONDS)).isTrue();
    assertThat(
            store
                .createToken(
                    new TokenRecord(
                        "T1", "totp", "SHA1", 6, 30, "c2VlZA==", true, null, -1, 0, 0, null))
                .await(5, SECONDS))
        .isTrue();
    assertThat(store.assign(new Assign(username, "T1")).await(5, SECONDS))
        .isEqualTo(AssignResult.OK);
  }

  @Test
  void theAcceptedCommitHasWrittenItsRecordBeforeAnyAuditWrite() throws Exception {
    RedisServer redis = RedisServer.shared();
    String ns = redis.freshNamespace();
    RedisStore store = new RedisStore(vertx, redis.url(), 2000, ns);
    RedisAuditSink sink = new RedisAuditSink(vertx, redis.url(), 10_000, 1_000, AGE, 2000, ns);
    try {
      store.loadScripts().await(10, SECONDS);
      userWithToken(store, "ann");
      AuditEvent first = accept(NOW, "ann", "T1");

      assertThat(store.commit(acceptCode("ann", 100, first)).await(5, SECONDS).outcome())
          .isEqualTo(CommitOutcome.OK);
      // No audit verticle, no sink write: the record is there all the same.
      assertThat(sink.query("ann", 10).await(5, SECONDS)).containsExactly(first);

      // A refused commit writes no record.
      AuditEvent replayed = accept(NOW + 1, "ann", "T1");
      assertThat(store.commit(acceptCode("ann", 100, replayed)).await(5, SECONDS).outcome())
          .isEqualTo(CommitOutcome.REPLAY);
      assertThat(sink.query("ann", 10).await(5, SECONDS)).containsExactly(first);

      // The audit verticle writes the ACCEPT, committed, to the district-wide trail only; other
      // events of the user go to both. The user's answer holds each event once, newest first.
      AuditEvent reject =
          AuditEvent.of(
              NOW + 2, "req-r", "ann", "192.0.2.1", "portal", "REJECT", "wrong_pin", "otp", null);
      sink.append(List.of(first.asCommitted(), reject)).await(5, SECONDS);
      assertThat(sink.query("ann", 10).await(5, SECONDS)).containsExactly(reject, first);
      assertThat(sink.query(null, 10).await(5, SECONDS)).containsExactly(reject, first);
    } finally {
      sink.close().await(5, SECONDS);
      store.close().await(5, SECONDS);
    }
  }

  @Test
  void theTrailWrittenByCommitsIsCappedAndExpires() throws Exception {
    RedisServer redis = RedisServer.shared();
    String ns = redis.freshNamespace();
    RedisStore store = new RedisStore(vertx, redis.url(), 2000, ns);
    RedisAuditSink sink = new RedisAuditSink(vertx, redis.url(), 10_000, 1_000, AGE, 2000, ns);
    try {
      store.loadScripts().await(10, SECONDS);
      userWithToken(store, "bob");
      List<AuditEvent> records = new ArrayList<>();
      for (int i = 0; i < UserTrail.KEEP + 5; i++) {
        AuditEvent e = accept(NOW + i, "bob", "T1");
        records.add(e);
        assertThat(store.commit(acceptCode("bob", 100 + i, e)).await(5, SECONDS).outcome())
            .isEqualTo(CommitOutcome.OK);
      }
      List<AuditEvent> bob = sink.query("bob", 1000).await(5, SECONDS);
      assertThat(bob).hasSize(UserTrail.KEEP);
      assertThat(bob.get(0)).isEqualTo(records.get(records.size() - 1));
      assertThat(bob.get(UserTrail.KEEP - 1)).isEqualTo(records.get(5));
      String pttl = redisCli(redis, "PTTL", ns + ":{u:bob}:a");
      assertThat(Long.parseLong(pttl)).isBetween(1L, AGE);
    } finally {
      sink.close().await(5, SECONDS);
      store.close().await(5, SECONDS);
    }
  }

  /** The embedded store answers the same with a record as without (its audit log is elsewhere). */
  @Test
  void theEmbeddedStoreCommitsTheSameWithARecord() throws Exception {
    MemoryStore store = new MemoryStore();
    userWithToken(store, "cid");
    assertThat(store.commit(acceptCode("cid", 100, accept(NOW, "cid", "T1"))).await().outcome())
        .isEqualTo(CommitOutcome.OK);
    assertThat(store.commit(acceptCode("cid", 100, accept(NOW, "cid", "T1"))).await().outcome())
        .isEqualTo(CommitOutcome.REPLAY);
  }

  @Test
  void onlyAnAcceptCarriesARecord() {
    Commit.Audit audit = new Commit.Audit("x", UserTrail.KEEP, AGE);
    assertThatThrownBy(
            () ->
                new Commit("u", CommitMode.CONSUME, "T1", 1, null, null, null, null, NOW, TTL)
                    .withAudit(audit))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static String redisCli(RedisServer redis, String... args) {
    return redis.cli(args);
  }
}
