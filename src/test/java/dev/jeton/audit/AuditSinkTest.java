package dev.jeton.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.testsupport.RedisServer;
import io.vertx.core.Vertx;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AuditSinkTest {

  private static final long T0 = 1_700_000_000_000L;
  private static Vertx vertx;

  @BeforeAll
  static void vertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private static AuditEvent event(long at, String username, String reason) {
    return AuditEvent.of(at, "r", username, "192.0.2.1", "portal", "REJECT", reason, null, null);
  }

  private static AuditEvent unknown(long at, String username, String reason) {
    return AuditEvent.of(
        at, "r", username, "198.51.100.7", "portal", "REJECT", reason, null, null, false);
  }

  /**
   * {@code n} events about made-up usernames, each name its own ("flood" + first, "flood" + (first
   * + 1), ...).
   */
  private static List<AuditEvent> flood(int n, int first, long from) {
    List<AuditEvent> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(unknown(from + i, "flood" + (first + i), "unknown_user"));
    }
    return out;
  }

  private static List<AuditEvent> events(int n, String username, long from) {
    List<AuditEvent> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(event(from + i, username, "e" + i));
    }
    return out;
  }

  @Test
  void theMemoryTrailKeepsTheNewestEventsUpToItsLengthAndAge() throws Exception {
    MemoryAuditSink sink = new MemoryAuditSink(100, 60_000);
    sink.append(events(150, "ann", T0)).await(5, TimeUnit.SECONDS);
    List<AuditEvent> all = sink.query(null, 1000).await(5, TimeUnit.SECONDS);
    assertThat(all).hasSize(100);
    assertThat(all.get(0).reason()).isEqualTo("e149");
    sink.append(List.of(event(T0 + 120_000, "bea", "late"))).await(5, TimeUnit.SECONDS);
    sink.trim(T0 + 120_000).await(5, TimeUnit.SECONDS);
    assertThat(sink.query(null, 1000).await(5, TimeUnit.SECONDS))
        .extracting(AuditEvent::reason)
        .containsExactly("late");
  }

  @Test
  void theRedisTrailAnswersByUsernameNewestFirstAndIsCapped() throws Exception {
    RedisServer redis = RedisServer.shared();
    redis.flushAll();
    RedisAuditSink sink = new RedisAuditSink(vertx, redis.url(), 1000, 60_000, 10_000);
    try {
      List<AuditEvent> mixed = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        mixed.add(event(T0 + i, i % 3 == 0 ? "ann" : "bea", "e" + i));
      }
      sink.append(mixed).await(5, TimeUnit.SECONDS);
      List<AuditEvent> ann = sink.query("ann", 5).await(5, TimeUnit.SECONDS);
      assertThat(ann)
          .extracting(AuditEvent::reason)
          .containsExactly("e297", "e294", "e291", "e288", "e285");
      assertThat(ann).allMatch(e -> e.username().equals("ann") && e.clientIp().equals("192.0.2.1"));
      assertThat(sink.query("nobody", 5).await(5, TimeUnit.SECONDS)).isEmpty();
      assertThat(sink.query(null, 2).await(5, TimeUnit.SECONDS))
          .extracting(AuditEvent::reason)
          .containsExactly("e299", "e298");

      // A long run: the stream stays near its length cap (Redis trims whole nodes, hence "near").
      for (int k = 0; k < 10; k++) {
        sink.append(events(1000, "cid", T0)).await(10, TimeUnit.SECONDS);
      }
      // Each shard holds its share of the cap (exactly, for a share this small).
      assertThat(shardLengths(redis, true)).allMatch(n -> n == 63);
      long length = total(shardLengths(redis, true));
      assertThat(length).isBetween(1000L, 1200L);
      // Every entry is younger than the age cap once trimmed: Redis stream ids carry Redis's own
      // clock.
      sink.trim(System.currentTimeMillis() + 120_000).await(5, TimeUnit.SECONDS);
      assertThat(total(shardLengths(redis, true))).isLessThan(200);
    } finally {
      sink.close().await(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void eachUsersIndexKeepsItsNewestHundredIdsAndExpiresWithTheAgeCap() throws Exception {
    RedisServer redis = RedisServer.shared();
    redis.flushAll();
    RedisAuditSink sink = new RedisAuditSink(vertx, redis.url(), 10_000, 60_000, 10_000);
    try {
      String index = "jeton:{u:dan}:a";
      sink.append(events(60, "dan", T0)).await(5, TimeUnit.SECONDS);
      assertThat(redisCli(redis, "LLEN", index)).isEqualTo("60");
      sink.append(events(30, "dan", T0 + 60)).await(5, TimeUnit.SECONDS);
      assertThat(redisCli(redis, "LLEN", index)).isEqualTo("90");
      // Past the cap, in one batch and then one event at a time: the newest hundred stay.
      sink.append(events(25, "dan", T0 + 90)).await(5, TimeUnit.SECONDS);
      assertThat(redisCli(redis, "LLEN", index))
          .isEqualTo(Integer.toString(RedisAuditSink.PER_USER));
      sink.append(List.of(event(T0 + 200, "dan", "last"))).await(5, TimeUnit.SECONDS);
      assertThat(redisCli(redis, "LLEN", index))
          .isEqualTo(Integer.toString(RedisAuditSink.PER_USER));
      List<AuditEvent> dan = sink.query("dan", 1000).await(5, TimeUnit.SECONDS);
      assertThat(dan).hasSize(RedisAuditSink.PER_USER);
      assertThat(dan.get(0).reason()).isEqualTo("last");
      assertThat(dan.get(RedisAuditSink.PER_USER - 1).reason()).isEqualTo("e16");
      long ttl = Long.parseLong(redisCli(redis, "PTTL", index));
      assertThat(ttl).isBetween(1L, 60_000L);
    } finally {
      sink.close().await(5, TimeUnit.SECONDS);
    }
  }

  /**
   * Each event is one field of its stream entry; absent values come back absent; entries of the
   * earlier layout (one field per value) and events holding a tab (written in that layout) read
   * back the same.
   */
  @Test
  void entriesArePackedInOneFieldAndTheEarlierLayoutIsStillRead() throws Exception {
    RedisServer redis = RedisServer.shared();
    redis.flushAll();
    RedisAuditSink sink = new RedisAuditSink(vertx, redis.url(), 10_000, 60_000, 10_000);
    try {
      AuditEvent full =
          new AuditEvent(
              Instant.ofEpochMilli(T0).toString(),
              "req-1",
              "eve",
              "192.0.2.9",
              "portal",
              "ACCEPT",
              "ok",
              "otp",
              "SER-1",
              41);
      AuditEvent sparse =
          new AuditEvent(
              Instant.ofEpochMilli(T0 + 1).toString(),
              null,
              "eve",
              "192.0.2.9",
              "helpdesk",
              "ADMIN",
              "user_unlocked",
              null,
              null,
              42);
      AuditEvent tabbed =
          new AuditEvent(
              Instant.ofEpochMilli(T0 + 2).toString(),
              "req-3",
              "eve",
              "192.0.2.9",
              "odd\tclient",
              "REJECT",
              "wrong_pin",
              "otp",
              null,
              43);
      sink.append(List.of(full, sparse)).await(5, TimeUnit.SECONDS);
      StringBuilder all = new StringBuilder();
      for (int i = 0; i < AuditLayout.SHARDS; i++) {
        all.append(redisCli(redis, "XRANGE", LAYOUT.known(i), "-", "+")).append('\n');
      }
      String entries = all.toString();
      assertThat(entries.lines().filter(l -> l.equals(RedisAuditSink.PACKED))).hasSize(2);
      assertThat(entries).doesNotContain("\nrid\n");

      // Written as the earlier build wrote them, and indexed the same way.
      String old =
          redisCli(
              redis,
              "XADD",
              RedisAuditSink.STREAM,
              "*",
              "at",
              Instant.ofEpochMilli(T0 + 1).toString(),
              "rid",
              "req-4",
              "u",
              "eve",
              "ip",
              "192.0.2.9",
              "c",
              "portal",
              "d",
              "REJECT",
              "r",
              "wrong_code",
              "m",
              "otp",
              "q",
              "44");
      redisCli(redis, "LPUSH", "jeton:{u:eve}:a", old);
      sink.append(List.of(tabbed)).await(5, TimeUnit.SECONDS);

      List<AuditEvent> eve = sink.query("eve", 10).await(5, TimeUnit.SECONDS);
      assertThat(eve).hasSize(4);
      // Newest first: by time, then by creation (the earlier build's entry is of the same
      // millisecond
      // as sparse, and was made after it).
      assertThat(eve.get(0)).isEqualTo(tabbed);
      assertThat(eve.get(1))
          .isEqualTo(
              new AuditEvent(
                  Instant.ofEpochMilli(T0 + 1).toString(),
                  "req-4",
                  "eve",
                  "192.0.2.9",
                  "portal",
                  "REJECT",
                  "wrong_code",
                  "otp",
                  null,
                  44));
      assertThat(eve.get(2)).isEqualTo(sparse);
      assertThat(eve.get(3)).isEqualTo(full);
      assertThat(RedisAuditSink.pack(tabbed)).isNull();
      assertThat(
              RedisAuditSink.pack(
                  new AuditEvent(
                      full.at(), "", "eve", null, "portal", "ACCEPT", "ok", "otp", null, 1)))
          .as("an empty value would read back absent: written field by field")
          .isNull();
    } finally {
      sink.close().await(5, TimeUnit.SECONDS);
    }
  }

  /**
   * The same rules on both sinks: events about unknown usernames are capped on their own, so that
   * more of them than that cap leave the events of real users in the trail; a query by an unknown
   * username finds its recent attempts; the unfiltered query merges both, newest first.
   */
  @Test
  void aFloodOfUnknownUsernamesLeavesTheRealUsersEventsOnBothSinks() throws Exception {
    RedisServer redis = RedisServer.shared();
    redis.flushAll();
    RedisAuditSink onRedis = new RedisAuditSink(vertx, redis.url(), 1000, 100, 60_000, 10_000);
    try {
      for (AuditSink sink : List.of(new MemoryAuditSink(1000, 100, 60_000), onRedis)) {
        sink.append(events(20, "ann", T0)).await(5, TimeUnit.SECONDS);
        sink.append(List.of(unknown(T0 + 20, "ghost", "unknown_user"))).await(5, TimeUnit.SECONDS);
        sink.append(List.of(unknown(T0 + 21, "ghost", "locked"))).await(5, TimeUnit.SECONDS);
        sink.append(List.of(event(T0 + 22, "ann", "late"))).await(5, TimeUnit.SECONDS);
        List<AuditEvent> all = sink.query(null, 3).await(5, TimeUnit.SECONDS);
        assertThat(all)
            .extracting(AuditEvent::reason)
            .as("%s", sink)
            .containsExactly("late", "locked", "unknown_user");
        assertThat(all).extracting(AuditEvent::knownUser).containsExactly(true, false, false);
        assertThat(sink.query("ghost", 10).await(5, TimeUnit.SECONDS))
            .extracting(AuditEvent::reason)
            .as("%s", sink)
            .containsExactly("locked", "unknown_user");

        // Ten times the cap of unknown usernames, in batches as the audit verticle writes them.
        for (int k = 0; k < 10; k++) {
          sink.append(flood(100, 100 * k, T0 + 100 + 100 * k)).await(5, TimeUnit.SECONDS);
        }
        List<AuditEvent> ann = sink.query("ann", 100).await(5, TimeUnit.SECONDS);
        assertThat(ann).as("%s", sink).hasSize(21);
        assertThat(ann.get(0).reason()).isEqualTo("late");
        assertThat(ann.get(20).reason()).isEqualTo("e0");
        assertThat(sink.query("flood999", 10).await(5, TimeUnit.SECONDS)).as("%s", sink).hasSize(1);
        assertThat(sink.query("flood0", 10).await(5, TimeUnit.SECONDS))
            .as("%s: pushed out", sink)
            .isEmpty();
        List<AuditEvent> newest = sink.query(null, 1200).await(5, TimeUnit.SECONDS);
        assertThat(newest).filteredOn(AuditEvent::knownUser).hasSize(21);
        // Redis trims whole nodes of 100 entries: "near" the cap.
        assertThat(newest).filteredOn(e -> !e.knownUser()).hasSizeBetween(100, 200);
        assertThat(newest.get(0).username()).isEqualTo("flood999");
      }
      assertThat(total(shardLengths(redis, true))).isEqualTo(21);
      assertThat(total(shardLengths(redis, false))).isBetween(100L, 200L);
      // No key per unknown username: the shards and ann's trail.
      List<String> shards = new ArrayList<>();
      for (int i = 0; i < AuditLayout.SHARDS; i++) {
        shards.add(LAYOUT.known(i));
        shards.add(LAYOUT.unknown(i));
      }
      assertThat(redisCli(redis, "KEYS", "*").lines().toList())
          .contains("jeton:{u:ann}:a")
          .allMatch(k -> shards.contains(k) || k.equals("jeton:{u:ann}:a"));
    } finally {
      onRedis.close().await(5, TimeUnit.SECONDS);
    }
  }

  /**
   * A query by username reads the unknown-user stream a page at a time: an event older than the
   * first pages is found, an event on the edge of two pages once, and the oldest events of a known
   * user merge with newer unknown ones.
   */
  @Test
  void theQueryByUsernameScansTheUnknownUserStreamPageByPage() throws Exception {
    RedisServer redis = RedisServer.shared();
    redis.flushAll();
    RedisAuditSink sink = new RedisAuditSink(vertx, redis.url(), 1000, 5000, 60_000, 10_000);
    try {
      int n = 3 * RedisAuditSink.SCAN_PAGE;
      List<AuditEvent> flood = new ArrayList<>(flood(n, 0, T0));
      // Newest first, page one holds entries 0 to 999 and page two starts again at entry 999
      // (inclusive ranges).
      int edge = n - RedisAuditSink.SCAN_PAGE;
      flood.set(edge, unknown(T0 + edge, "ghost", "edge"));
      flood.set(5, unknown(T0 + 5, "ghost", "old"));
      flood.set(n - 1, unknown(T0 + n - 1, "bob", "unknown_then"));
      sink.append(flood).await(10, TimeUnit.SECONDS);
      sink.append(List.of(event(T0 + n, "bob", "known_now"))).await(5, TimeUnit.SECONDS);
      assertThat(sink.query("ghost", 10).await(5, TimeUnit.SECONDS))
          .extracting(AuditEvent::reason)
          .containsExactly("edge", "old");
      assertThat(sink.query("ghost", 1).await(5, TimeUnit.SECONDS))
          .extracting(AuditEvent::reason)
          .containsExactly("edge");
      assertThat(sink.query("bob", 10).await(5, TimeUnit.SECONDS))
          .extracting(AuditEvent::reason)
          .containsExactly("known_now", "unknown_then");
    } finally {
      sink.close().await(5, TimeUnit.SECONDS);
    }
  }

  private static final AuditLayout LAYOUT = new AuditLayout(RedisAuditSink.DEFAULT_NAMESPACE);

  /** The length of each shard of known (or unknown) usernames' events. */
  private static List<Long> shardLengths(RedisServer redis, boolean known) throws Exception {
    List<Long> out = new ArrayList<>();
    for (int i = 0; i < AuditLayout.SHARDS; i++) {
      String shard = known ? LAYOUT.known(i) : LAYOUT.unknown(i);
      out.add(Long.parseLong(redisCli(redis, "XLEN", shard)));
    }
    return out;
  }

  private static long total(List<Long> lengths) {
    return lengths.stream().mapToLong(Long::longValue).sum();
  }

  private static String redisCli(RedisServer redis, String... args) {
    return redis.cli(args);
  }
}
