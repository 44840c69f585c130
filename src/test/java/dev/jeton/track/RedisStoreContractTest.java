package dev.jeton.track;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.testsupport.RedisServer;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The store contract on a real redis-server (one per JVM). Each test has a store of its own under a
 * fresh key namespace, so that no test sees another's keys and none is ever flushed; the Lua
 * scripts stay cached, as in production.
 */
class RedisStoreContractTest extends StoreContract {

  private static Vertx vertx;
  private RedisStore store;
  private String namespace;

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stopVertx() throws Exception {
    if (vertx != null) {
      vertx.close().await(10, SECONDS);
    }
  }

  @Override
  protected Store store() {
    return store;
  }

  @Override
  protected void resetStore() throws Exception {
    RedisServer redis = RedisServer.shared();
    namespace = redis.freshNamespace();
    store = new RedisStore(vertx, redis.url(), 2000, namespace);
    store.loadScripts().await(10, SECONDS);
  }

  @Override
  protected void releaseStore() throws Exception {
    if (store != null) {
      store.close().await(10, SECONDS);
    }
  }

  // ---- Redis only: every key the store writes is in its namespace ----

  @Test
  void everyKeyWrittenCarriesTheNamespace() throws Exception {
    // On a Redis of its own, so that every key in it is this store's.
    try (RedisServer own = RedisServer.start()) {
      store.close().await(10, SECONDS);
      store = new RedisStore(vertx, own.url(), 2000, namespace);
      store.loadScripts().await(10, SECONDS);

      userWithToken("alice", "T1");
      createToken(token("T2"));
      await(store().fail(fail("alice", "fp1", NOW)));
      commit(
          consume(
              "alice",
              "T1",
              10,
              challenge("c1", "alice", Challenge.Kind.NEXT_LATER, "T1", 11, NOW + 60_000),
              NOW));
      await(store().putClient(new ClientRecord("portal", "h-1", false, "any")));
      await(store().putOperator(new OperatorRecord("desk", "h-2", "admin")));
      await(store().putConsoleOperator("alice", "admin"));
      await(
          store().putRadiusClient(new RadiusClientRecord("vpn", "10.1.0.0/16", true, false, "s")));

      String ns = namespace;
      assertThat(keys(own.url(), "*"))
          .containsExactlyInAnyOrder(
              ns + ":{u:alice}",
              ns + ":{u:alice}:f",
              ns + ":{u:alice}:c:c1",
              ns + ":ip:{" + IP + "}:" + (NOW / 1000 / WINDOW),
              ns + ":{t:T1}",
              ns + ":{t:T2}",
              ns + ":{clients}:c:portal",
              ns + ":{clients}:by-secret",
              ns + ":{ops}:o:desk",
              ns + ":{ops}:by-secret",
              ns + ":{ops}:console",
              ns + ":{radius}:clients",
              ns + ":{idx}:users");
      store.close().await(10, SECONDS);
      store = null;
    }
  }

  // ---- Redis only: the search index is written beside the users, and may hold stale entries ----

  @Test
  void staleSearchEntriesAreSkippedAndThePageStillFills() throws Exception {
    // Entries a failed or raced upkeep could leave: users gone, and a name its user no longer has.
    String index = namespace + ":{idx}:users";
    for (int i = 0; i < 8; i++) {
      redis(Request.cmd(Command.ZADD).arg(index).arg(0).arg("stale" + i + "\0ghost" + i));
    }
    await(store().putUser(new Store.PutUser("stu1", null, null, NOW)));
    await(store().putUser(new Store.PutUser("stu2", "Someone", null, NOW)));
    redis(Request.cmd(Command.ZADD).arg(index).arg(0).arg("stu old\0stu2"));

    assertThat(await(store().searchUsers("st", 2)))
        .containsExactly(new Store.UserMatch("stu1", null), new Store.UserMatch("stu2", "Someone"));
    assertThat(await(store().searchUsers("stu o", 5))).isEmpty();
    assertThat(await(store().searchUsers("stale", 5))).isEmpty();
  }

  @Test
  void theSearchIndexHoldsOneEntryPerNameAndLosesThemWithTheUser() throws Exception {
    String index = namespace + ":{idx}:users";
    await(store().putUser(new Store.PutUser("alice", "Martin Alice", null, NOW)));
    await(store().putUser(new Store.PutUser("alice", "Zoé Alice", null, NOW)));
    await(store().putUser(new Store.PutUser("max", "Max", null, NOW)));

    assertThat(members(index)).containsExactly("alice\0alice", "max\0max", "zoé alice\0alice");

    // A bulk load renames as a put does; the identifier's entry stays when the old name was it.
    await(
        store()
            .bulk(
                new Store.Bulk(
                    List.of(
                        new Store.BulkLine("alice", "Bella Alice", null, null),
                        new Store.BulkLine("max", "Maxime", null, null)),
                    NOW)));
    assertThat(members(index))
        .containsExactly("alice\0alice", "bella alice\0alice", "max\0max", "maxime\0max");

    await(store().deleteUser("alice"));
    await(store().deleteUser("max"));
    assertThat(redis(Request.cmd(Command.ZCARD).arg(index)).toLong()).isZero();
  }

  private static List<String> members(String index) throws Exception {
    List<String> members = new ArrayList<>();
    redis(Request.cmd(Command.ZRANGE).arg(index).arg(0).arg(-1))
        .forEach(m -> members.add(m.toString()));
    return members;
  }

  // ---- Redis only: scripts missing from the cache (Redis restarted, or SCRIPT FLUSH) ----

  @Test
  void everyOperationWorksWhenRedisHasForgottenTheScripts() throws Exception {
    userWithToken("alice", "T1");
    scriptFlush();

    assertThat(commit(accept("alice", "T1", 10, NOW)).outcome()).isEqualTo(Store.CommitOutcome.OK);
    scriptFlush();
    assertThat(commit(accept("alice", "T1", 10, NOW)).outcome())
        .isEqualTo(Store.CommitOutcome.REPLAY);
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

    // A record and an index for each kind; every index holds one entry, for the secret its record
    // holds.
    assertThat(keys(RedisServer.shared().url(), namespace + ":*")).hasSize(4);
    assertThat(redis(Request.cmd(Command.HLEN).arg(namespace + ":{clients}:by-secret")).toLong())
        .isEqualTo(1);
    assertThat(redis(Request.cmd(Command.HLEN).arg(namespace + ":{ops}:by-secret")).toLong())
        .isEqualTo(1);
    assertThat(await(store().deleteOperator("desk"))).isTrue();
    assertThat(keys(RedisServer.shared().url(), namespace + ":*")).hasSize(2);
  }

  /**
   * The keys that match a pattern (a test's few: {@code KEYS} is fine here, never in production).
   */
  private static List<String> keys(String url, String pattern) throws Exception {
    List<String> keys = new ArrayList<>();
    redis(url, Request.cmd(Command.KEYS).arg(pattern)).forEach(k -> keys.add(k.toString()));
    return keys;
  }

  private static io.vertx.redis.client.Response redis(Request r) throws Exception {
    return redis(RedisServer.shared().url(), r);
  }

  private static io.vertx.redis.client.Response redis(String url, Request r) throws Exception {
    Redis raw = Redis.createClient(vertx, url);
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
