package dev.jeton.track;


import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.testsupport.RedisServer;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The store contract on a real redis-server (one per JVM). Keys are isolated by FLUSHALL before each test; the
 * Lua scripts stay cached, as in production.
 */
class RedisStoreContractTest extends StoreContract {

  private static Vertx vertx;
  private static RedisStore store;

  @BeforeAll
  static void startStore() throws Exception {
    RedisServer redis = RedisServer.shared();
    vertx = Vertx.vertx();
    store = new RedisStore(vertx, redis.url(), 2000);
    store.loadScripts().await(10, SECONDS);
  }

  @AfterAll
  static void stopStore() throws Exception {
    try {
      if (store != null) {
        store.close().await(10, SECONDS);
      }
    } finally {
      if (vertx != null) {
        vertx.close().await(10, SECONDS);
      }
    }
  }

  @Override
  protected Store store() {
    return store;
  }

  @Override
  protected void resetStore() {
    RedisServer.shared().flushAll();
  }

  // ---- Redis only: scripts missing from the cache (Redis restarted, or SCRIPT FLUSH) ----

  @Test
  void everyOperationWorksWhenRedisHasForgottenTheScripts() throws Exception {
    userWithToken("alice", "T1");
    scriptFlush();

    assertThat(commit(accept("alice", "T1", 10, NOW)).outcome()).isEqualTo(Store.CommitOutcome.OK);
    scriptFlush();
    assertThat(commit(accept("alice", "T1", 10, NOW)).outcome()).isEqualTo(Store.CommitOutcome.REPLAY);
    scriptFlush();
    assertThat(load("alice", null, NOW).user().token("T1").lastStep()).isEqualTo(10);
  }

  @Test
  void aFailureSentWhileRedisHasForgottenTheScriptsCountsTheIpOnce() throws Exception {
    putUser("alice");
    scriptFlush();

    Store.FailResult r = await(store().fail(fail("alice", "fp1", NOW)));

    assertThat(r.failures()).isEqualTo(1);
    assertThat(r.ipFailures()).isEqualTo(1);
    assertThat(load("alice", null, NOW).ipFailures()).isEqualTo(1);
  }

  // ---- Redis only: a rotation leaves nothing of the secret it replaced ----

  @Test
  void racingRotationsLeaveOneRecordAndOneIndexEntryEach() throws Exception {
    race(30, i -> store().putClient(new ClientRecord("portal", "h-" + i, false, "any")));
    race(30, i -> store().putOperator(new OperatorRecord("desk", "h-" + i, "admin")));

    // A record and an index for each kind; every index holds one entry, for the secret its record holds.
    assertThat(redis(Request.cmd(Command.DBSIZE)).toLong()).isEqualTo(4);
    assertThat(redis(Request.cmd(Command.HLEN).arg("jeton:{clients}:by-secret")).toLong()).isEqualTo(1);
    assertThat(redis(Request.cmd(Command.HLEN).arg("jeton:{ops}:by-secret")).toLong()).isEqualTo(1);
    assertThat(await(store().deleteOperator("desk"))).isTrue();
    assertThat(redis(Request.cmd(Command.DBSIZE)).toLong()).isEqualTo(2);
  }

  private static io.vertx.redis.client.Response redis(Request r) throws Exception {
    Redis raw = Redis.createClient(vertx, RedisServer.shared().url());
    try {
      return raw.send(r).await(10, SECONDS);
    } finally {
      raw.close().await(10, SECONDS);
    }
  }

  private static void scriptFlush() throws Exception {
    Redis raw = Redis.createClient(vertx, RedisServer.shared().url());
    try {
      raw.send(Request.cmd(Command.SCRIPT).arg("FLUSH")).await(10, SECONDS);
    } finally {
      raw.close().await(10, SECONDS);
    }
  }
}
