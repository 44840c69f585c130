package dev.jeton.track;

import static dev.jeton.testsupport.Eventually.eventuallyAsserts;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.config.RedisSettings;
import dev.jeton.metrics.JetonMetrics;
import dev.jeton.testsupport.RedisClusterTopology;
import dev.jeton.testsupport.RedisNode;
import dev.jeton.testsupport.RedisServer;
import dev.jeton.testsupport.RespClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The backfill of the users' search index on a real Redis and a real Redis Cluster: users written
 * by a Jeton that had no index (simulated by deleting the index and its mark after writing them)
 * are found by the search once a store has started, and the mark then stops later starts from
 * scanning. Each test has a namespace of its own.
 */
class RedisIndexBackfillTest {

  private static final long NOW = 1_700_000_000_000L;
  private static final Duration WITHIN = Duration.ofSeconds(30);

  private static Vertx vertx;
  private final List<RedisStore> stores = new ArrayList<>();

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

  @AfterEach
  void closeStores() throws Exception {
    for (RedisStore s : stores) {
      s.close().await(10, SECONDS);
    }
    stores.clear();
  }

  // ---- one Redis ----

  @Test
  void usersOfAnOlderVersionAreFoundOnceAStoreHasStarted() throws Exception {
    RedisServer redis = RedisServer.shared();
    String ns = redis.freshNamespace();
    RedisKeys keys = new RedisKeys(ns);
    // More users than one SCAN page holds, so that the scan goes on over many cursors.
    int count = 3 * RedisIndexBackfill.SCAN_COUNT;
    writeUsers(writer(single(redis, ns)), count);
    // What the older version left: the users, one's failures (a hash under the user's tag, with a
    // suffix), and a key of the user pattern that is no hash.
    raw(redis, "HSET", keys.failures(username(1)), "n", "1");
    raw(redis, "SET", keys.user("not-a-hash"), "x");
    raw(redis, "DEL", keys.userIndex(), keys.userIndexBuilt());
    assertThat(await(writer(single(redis, ns)).searchUsers(username(7), 5))).isEmpty();

    RedisStore store = started(single(redis, ns));

    eventuallyAsserts(
        WITHIN,
        () -> {
          assertThat(await(store.searchUsers(username(count - 1), 5)))
              .containsExactly(new Store.UserMatch(username(count - 1), name(count - 1)));
          assertThat(await(store.searchUsers(name(17).toUpperCase(), 5)))
              .containsExactly(new Store.UserMatch(username(17), name(17)));
          assertThat(raw(redis, "EXISTS", keys.userIndexBuilt())).isEqualTo(1L);
        });
    assertThat(await(store.backfilled())).isEqualTo(new RedisIndexBackfill.Result(true, count));
    // Two members a user (identifier, display name), nothing for the other keys.
    assertThat(raw(redis, "ZCARD", keys.userIndex())).isEqualTo(2L * count);
  }

  @Test
  void whenTheMarkIsSetNothingIsScannedAndAnUnindexedUserStaysUnfound() throws Exception {
    RedisServer redis = RedisServer.shared();
    String ns = redis.freshNamespace();
    RedisKeys keys = new RedisKeys(ns);
    writeUsers(writer(single(redis, ns)), 3);
    raw(redis, "DEL", keys.userIndex());
    raw(redis, "SET", keys.userIndexBuilt(), "1");

    RedisStore store = started(single(redis, ns));

    // The contract: the mark says the index holds every user, so what is missing stays missing
    // until the user is written again (or the mark is deleted and a node restarted).
    assertThat(await(store.backfilled())).isEqualTo(RedisIndexBackfill.Result.SKIPPED);
    assertThat(await(store.searchUsers(username(1), 5))).isEmpty();
    assertThat(raw(redis, "EXISTS", keys.userIndex())).isEqualTo(0L);

    await(store.putUser(new Store.PutUser(username(1), null, null, NOW)));
    assertThat(await(store.searchUsers(username(1), 5)))
        .containsExactly(new Store.UserMatch(username(1), name(1)));
  }

  @Test
  void aFailedBackfillLeavesTheMarkUnsetAndTheNextStartDoesIt() throws Exception {
    RedisServer redis = RedisServer.shared();
    String ns = redis.freshNamespace();
    RedisKeys keys = new RedisKeys(ns);
    writeUsers(writer(single(redis, ns)), 5);
    raw(redis, "DEL", keys.userIndexBuilt());
    // Every ZADD of the backfill now fails (WRONGTYPE), as it would with Redis gone mid-way.
    raw(redis, "DEL", keys.userIndex());
    raw(redis, "SET", keys.userIndex(), "not a sorted set");

    RedisStore failing = started(single(redis, ns));

    RedisIndexBackfill.Result failed = await(failing.backfilled());
    assertThat(failed.scanned()).isFalse();
    assertThat(raw(redis, "EXISTS", keys.userIndexBuilt())).isEqualTo(0L);

    raw(redis, "DEL", keys.userIndex());
    RedisStore next = started(single(redis, ns));

    assertThat(await(next.backfilled())).isEqualTo(new RedisIndexBackfill.Result(true, 5));
    assertThat(await(next.searchUsers(name(3), 5)))
        .containsExactly(new Store.UserMatch(username(3), name(3)));
    assertThat(raw(redis, "EXISTS", keys.userIndexBuilt())).isEqualTo(1L);
  }

  @Test
  void nodesBackfillingAtOnceLeaveOneIndex() throws Exception {
    RedisServer redis = RedisServer.shared();
    String ns = redis.freshNamespace();
    RedisKeys keys = new RedisKeys(ns);
    writeUsers(writer(single(redis, ns)), 500);
    raw(redis, "DEL", keys.userIndex(), keys.userIndexBuilt());
    Vertx otherNode = Vertx.vertx();
    try {
      RedisStore second = new RedisStore(otherNode, redis.url(), 2000, ns);
      stores.add(second);

      RedisStore first = started(single(redis, ns));
      second.start().await(10, SECONDS);

      // Both usually scan at once; when the first has set the mark before the second looks at it
      // (seen on a busy machine), the second rightly skips. Either way: one index, complete.
      RedisIndexBackfill.Result one = await(first.backfilled());
      RedisIndexBackfill.Result two = await(second.backfilled());
      assertThat(one.scanned() || two.scanned()).as("some node scanned").isTrue();
      for (RedisIndexBackfill.Result r : List.of(one, two)) {
        assertThat(r)
            .isIn(RedisIndexBackfill.Result.SKIPPED, new RedisIndexBackfill.Result(true, 500));
      }
      assertThat(raw(redis, "EXISTS", keys.userIndexBuilt())).isEqualTo(1L);
      assertThat(raw(redis, "ZCARD", keys.userIndex())).isEqualTo(2L * 500);
      assertThat(await(first.searchUsers(name(499), 5)))
          .containsExactly(new Store.UserMatch(username(499), name(499)));
    } finally {
      closeStores();
      otherNode.close().await(10, SECONDS);
    }
  }

  @Test
  void theStoresOfOneNodeLeaveTheBackfillToOne() throws Exception {
    RedisServer redis = RedisServer.shared();
    String ns = redis.freshNamespace();
    RedisKeys keys = new RedisKeys(ns);
    writeUsers(writer(single(redis, ns)), 2000);
    raw(redis, "DEL", keys.userIndex(), keys.userIndexBuilt());

    // As the tracking verticles of one node start: at once, on one Vert.x.
    List<RedisStore> loops = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      loops.add(new RedisStore(vertx, redis.url(), 2000, ns));
    }
    stores.addAll(loops);
    Future.all(loops.stream().map(RedisStore::start).toList()).await(10, SECONDS);

    int scanned = 0;
    for (RedisStore s : loops) {
      scanned += await(s.backfilled()).scanned() ? 1 : 0;
    }
    assertThat(scanned).isEqualTo(1);
    assertThat(raw(redis, "ZCARD", keys.userIndex())).isEqualTo(2L * 2000);
  }

  // ---- Redis Cluster ----

  @Test
  void onRedisClusterEveryMasterIsScanned() throws Exception {
    try (RedisClusterTopology cluster = RedisClusterTopology.start()) {
      String ns = RedisServer.shared().freshNamespace();
      RedisKeys keys = new RedisKeys(ns);
      int count = 300;
      writeUsers(writer(clustered(cluster, ns)), count);
      Set<Integer> masters = new HashSet<>();
      for (int i = 0; i < count; i++) {
        masters.add(cluster.masterOfKey(keys.user(username(i))).port());
      }
      assertThat(masters).as("users on every master").hasSize(3);
      RedisNode indexMaster = cluster.masterOfKey(keys.userIndex());
      indexMaster.call("DEL", keys.userIndex(), keys.userIndexBuilt());

      RedisStore store = started(clustered(cluster, ns));

      eventuallyAsserts(
          WITHIN,
          () -> {
            for (int i = 0; i < count; i += 37) {
              assertThat(await(store.searchUsers(username(i), 1)))
                  .containsExactly(new Store.UserMatch(username(i), name(i)));
              assertThat(await(store.searchUsers(name(i), 1)))
                  .containsExactly(new Store.UserMatch(username(i), name(i)));
            }
            assertThat(indexMaster.call("EXISTS", keys.userIndexBuilt())).isEqualTo(1L);
          });
      assertThat(await(store.backfilled())).isEqualTo(new RedisIndexBackfill.Result(true, count));
      assertThat(indexMaster.call("ZCARD", keys.userIndex())).isEqualTo(2L * count);
      closeStores();
    }
  }

  // ---- helpers ----

  private static RedisStore single(RedisServer redis, String ns) {
    return new RedisStore(vertx, redis.url(), 2000, ns);
  }

  private static RedisStore clustered(RedisClusterTopology cluster, String ns) {
    List<String> seeds = new ArrayList<>();
    for (String node : cluster.nodes().split(",")) {
      seeds.add("redis://" + node);
    }
    RedisSettings settings =
        new RedisSettings(
            RedisSettings.Topology.CLUSTER, seeds, "mymaster", cluster.password(), 0, 250);
    return new RedisStore(vertx, settings, 2000, ns, JetonMetrics.disabled());
  }

  /** A store that only loads its scripts, as an older version's did: it never backfills. */
  private RedisStore writer(RedisStore s) throws Exception {
    stores.add(s);
    s.loadScripts().await(10, SECONDS);
    return s;
  }

  /** A store started as the tracking verticle starts it. */
  private RedisStore started(RedisStore s) throws Exception {
    stores.add(s);
    s.start().await(10, SECONDS);
    assertThat(s.backfilled()).isNotNull();
    return s;
  }

  private static void writeUsers(Store store, int count) throws Exception {
    for (int from = 0; from < count; from += 500) {
      List<Future<Boolean>> puts = new ArrayList<>();
      for (int i = from; i < Math.min(count, from + 500); i++) {
        puts.add(store.putUser(new Store.PutUser(username(i), name(i), null, NOW)));
      }
      Future.all(puts).await(30, SECONDS);
    }
  }

  private static String username(int i) {
    return String.format("bf%05d", i);
  }

  private static String name(int i) {
    return String.format("Backfilled Person %05d", i);
  }

  private static Object raw(RedisServer redis, String... command) throws Exception {
    return RespClient.call(redis.port(), null, 2000, command);
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.await(30, SECONDS);
  }
}
