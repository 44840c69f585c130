package dev.jeton.audit;

import dev.jeton.bus.Deadline;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.ProtocolVersion;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The audit trail in Redis, laid out for Redis Cluster as much as for one Redis ({@link
 * AuditLayout}): the district-wide trail in {@value AuditLayout#SHARDS} stream shards spread over
 * the slot ranges, each user's own trail in the user's slot. No key is made per unknown username.
 *
 * <ul>
 *   <li>Decisions about usernames that exist, and admin actions, go to the shards in turn ({@code
 *       XADD MAXLEN}, each shard capped at its share of {@code maxEvents}, and by age: {@code XTRIM
 *       MINID ~}), and, when they name a user, onto the user's own trail ({@link UserTrail}: the
 *       newest {@value UserTrail#KEEP} events whole, expiring with the age cap). An ACCEPT is on
 *       the user's trail already: the commit that consumed the code wrote it there, in the same
 *       atomic step ({@link AuditEvent#committed()}); the sink writes it to a shard only.
 *   <li>Decisions about usernames that do not exist ({@link AuditEvent#knownUser()} false), which
 *       anyone can cause at will with made-up names, go to the unknown-user shards, capped at their
 *       share of their own small length ({@code unknownMaxEvents}, by default {@link
 *       AuditSink#UNKNOWN_MAX_EVENTS} or {@code maxEvents} if smaller) and by the same age, with no
 *       trail. A flood of made-up names only replaces older entries of these shards: it neither
 *       grows Redis past that cap nor pushes real users' events out.
 * </ul>
 *
 * A shard keeps its cap exactly when that cap is under {@value #APPROXIMATE_FROM}, and
 * approximately ({@code ~}, whole stream nodes of 100 entries by default) from there: on a small
 * shard, whole-node trimming would overshoot the cap several times over, and on a large one the
 * exact trim is work for nothing.
 *
 * <p>Stream entries have one layout: one field {@code e} holding the event packed by {@link
 * AuditEvent#tabPacked()}, or, for an event that cannot be packed and in entries written by earlier
 * builds, one field per value ({@code at rid u ip c d r m s q}). Which stream an entry is in says
 * whether its username existed; the entry itself does not.
 *
 * <p>A query by username reads the user's trail (and resolves the ids that earlier builds put there
 * in their single stream), then scans the unknown-user shards for the name (newest first, {@value
 * #SCAN_PAGE} entries a stream a round trip, at most each one's cap), so that the recent attempts
 * of a name that does not exist show too; an unfiltered query merges the newest of every shard.
 * Both order as {@link AuditEvent#NEWEST_FIRST}: by the time of the event, then by creation. Not by
 * the stream ids: on a cluster the shards are stamped by several masters' clocks, in whatever order
 * the masters ran the parts of one write. The single streams of earlier builds are read as one more
 * shard each: an upgrade loses no history.
 *
 * <p>Writing a batch of events costs one round trip. On Redis Cluster every batch the sink sends
 * touches one slot: what it has to send is split by slot and the parts sent together on one
 * connection. On one Redis, or Sentinel, it goes as one batch.
 */
public final class RedisAuditSink implements AuditSink {

  /** The key namespace of a sink that names none, the store's default too. */
  static final String DEFAULT_NAMESPACE = "jeton";

  /** The single stream of earlier builds, in the default namespace; read, no longer written. */
  static final String STREAM = DEFAULT_NAMESPACE + ":audit";

  /** The single unknown-user stream of earlier builds, in the default namespace. */
  static final String UNKNOWN_STREAM = DEFAULT_NAMESPACE + ":audit:unknown";

  static final int PER_USER = UserTrail.KEEP;

  /** Entries of one unknown-user stream read in one round trip of a query by username. */
  static final int SCAN_PAGE = 1000;

  /**
   * The one field of an entry ({@link AuditEvent#tabPacked()}); entries of the earlier layout have
   * one field per value.
   */
  static final String PACKED = "e";

  /** A shard's cap from which it is trimmed approximately (see the class comment). */
  static final int APPROXIMATE_FROM = 1000;

  /**
   * How far the clock of a Jeton node and Redis's may disagree: a query by username reads the
   * unknown-user entries that Redis stamped up to this much before the oldest event of the answer.
   */
  static final long CLOCK_SLACK_MILLIS = 60_000;

  /** {@link AuditEvent#NEWEST_FIRST}, each event's time parsed once. */
  private static final Comparator<Entry> NEWEST_FIRST =
      Comparator.comparingLong(Entry::at).thenComparingLong(e -> e.event().seq()).reversed();

  private final Vertx vertx;
  private final Redis redis;
  private final boolean cluster;
  private final AuditLayout layout;
  private final int shardMax;
  private final int unknownShardMax;
  private final int unknownMaxEvents;
  private final long maxAgeMillis;
  private final long timeoutMillis;

  /** The shard of the next event (called from one audit verticle, on its event loop). */
  private int next;

  /**
   * Events older than this are past the age cap: the user trails are lists, which Redis cannot trim
   * by age, so a query leaves out of them what the last {@link #trim} would have dropped.
   */
  private volatile long oldestKept = Long.MIN_VALUE;

  /**
   * A trail on the Redis of {@code url}, whose unknown-user shards keep {@link
   * AuditSink#UNKNOWN_MAX_EVENTS} in all, or {@code maxEvents} if fewer.
   */
  public RedisAuditSink(
      Vertx vertx, String url, int maxEvents, long maxAgeMillis, long timeoutMillis) {
    this(
        vertx,
        url,
        maxEvents,
        Math.min(maxEvents, UNKNOWN_MAX_EVENTS),
        maxAgeMillis,
        timeoutMillis);
  }

  /** A trail on the Redis of {@code url}, in the default namespace. */
  public RedisAuditSink(
      Vertx vertx,
      String url,
      int maxEvents,
      int unknownMaxEvents,
      long maxAgeMillis,
      long timeoutMillis) {
    this(vertx, url, maxEvents, unknownMaxEvents, maxAgeMillis, timeoutMillis, DEFAULT_NAMESPACE);
  }

  /** A trail on the one Redis of {@code url} ({@code redis://host:port[/db]}). */
  public RedisAuditSink(
      Vertx vertx,
      String url,
      int maxEvents,
      int unknownMaxEvents,
      long maxAgeMillis,
      long timeoutMillis,
      String namespace) {
    this(
        vertx,
        new RedisOptions().setConnectionString(url),
        maxEvents,
        unknownMaxEvents,
        maxAgeMillis,
        timeoutMillis,
        namespace);
  }

  /**
   * @param options where Redis is and how to reach it: one Redis, Sentinel or Cluster (type,
   *     endpoints, master name, password), as the store is given it; copied, with the sink's own
   *     pool (two connections) and protocol (RESP2)
   * @param maxEvents length cap of the district-wide trail, shared evenly by its shards
   * @param unknownMaxEvents length cap of the unknown-user events, shared evenly by their shards
   * @param namespace what every key starts with, the same as the store's ({@code RedisStore}), so
   *     that the user trails share the user's hash tag and deployments sharing a Redis never meet
   */
  public RedisAuditSink(
      Vertx vertx,
      RedisOptions options,
      int maxEvents,
      int unknownMaxEvents,
      long maxAgeMillis,
      long timeoutMillis,
      String namespace) {
    this.vertx = vertx;
    this.cluster = options.getType() == RedisClientType.CLUSTER;
    this.redis =
        Redis.createClient(
            vertx,
            new RedisOptions(options)
                .setPreferredProtocolVersion(ProtocolVersion.RESP2)
                .setMaxPoolSize(2)
                .setMaxPoolWaiting(64)
                .setMaxWaitingHandlers(16_384));
    this.layout = new AuditLayout(namespace);
    this.shardMax = share(maxEvents);
    this.unknownShardMax = share(unknownMaxEvents);
    this.unknownMaxEvents = unknownMaxEvents;
    this.maxAgeMillis = maxAgeMillis;
    this.timeoutMillis = timeoutMillis;
  }

  private static int share(int max) {
    return Math.max(1, (max + AuditLayout.SHARDS - 1) / AuditLayout.SHARDS);
  }

  // ---- writes ----

  @Override
  public Future<Void> append(List<AuditEvent> events) {
    if (events.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Request> writes = new ArrayList<>(2 * events.size());
    List<String> keys = new ArrayList<>(2 * events.size());
    for (AuditEvent e : events) {
      int shard = next;
      next = (next + 1) % AuditLayout.SHARDS;
      String stream = e.knownUser() ? layout.known(shard) : layout.unknown(shard);
      writes.add(add(stream, e, e.knownUser() ? shardMax : unknownShardMax));
      keys.add(stream);
      // An event written by its commit is on the user's trail already; one with no username has no
      // trail.
      if (e.username() == null || e.committed()) {
        continue;
      }
      // Only a username that exists has a trail: one for each made-up name would grow Redis without
      // bound. A made-up name still costs the same commands, on a key that never exists (LPUSHX
      // creates nothing): otherwise the time the next request waits behind this one would tell
      // whether the name exists, or how often it failed.
      boolean known = e.knownUser();
      String key = known ? layout.trail(e.username()) : layout.noIndex(shard);
      writes.add(Request.cmd(known ? Command.LPUSH : Command.LPUSHX).arg(key).arg(e.packed()));
      writes.add(Request.cmd(Command.LTRIM).arg(key).arg(0).arg(PER_USER - 1));
      writes.add(Request.cmd(Command.PEXPIRE).arg(key).arg(maxAgeMillis));
      keys.add(key);
      keys.add(key);
      keys.add(key);
    }
    return timed(send(writes, keys)).mapEmpty();
  }

  /** The event's entry of {@code stream}, capped at {@code max}. */
  private static Request add(String stream, AuditEvent e, int max) {
    Request r =
        Request.cmd(Command.XADD)
            .arg(stream)
            .arg("MAXLEN")
            .arg(max < APPROXIMATE_FROM ? "=" : "~")
            .arg(max)
            .arg("*");
    String packed = e.tabPacked();
    if (packed != null) {
      return r.arg(PACKED).arg(packed);
    }
    field(r, "at", e.at());
    field(r, "rid", e.requestId());
    field(r, "u", e.username());
    field(r, "ip", e.clientIp());
    field(r, "c", e.client());
    field(r, "d", e.decision());
    field(r, "r", e.reason());
    field(r, "m", e.method());
    field(r, "s", e.tokenSerial());
    field(r, "n", e.note());
    field(r, "q", Long.toString(e.seq()));
    return r;
  }

  @Override
  public Future<Void> trim(long now) {
    long minId = now - maxAgeMillis;
    oldestKept = minId;
    List<Request> trims = new ArrayList<>();
    List<String> keys = layout.streams();
    for (String stream : keys) {
      trims.add(Request.cmd(Command.XTRIM).arg(stream).arg("MINID").arg("~").arg(minId));
    }
    return timed(send(trims, keys)).mapEmpty();
  }

  @Override
  public Future<Void> close() {
    return redis.close();
  }

  // ---- queries ----

  @Override
  public Future<List<AuditEvent>> query(String username, int limit) {
    return username == null ? newest(limit) : ofUser(username, limit);
  }

  /** The newest of every shard, and of the streams of earlier builds, merged. */
  private Future<List<AuditEvent>> newest(int limit) {
    List<Request> reads = new ArrayList<>();
    List<String> keys = new ArrayList<>();
    List<Boolean> known = new ArrayList<>();
    for (int i = 0; i < AuditLayout.SHARDS; i++) {
      for (boolean k : new boolean[] {true, false}) {
        String stream = k ? layout.known(i) : layout.unknown(i);
        reads.add(newest(stream, "+", "-", limit));
        keys.add(stream);
        known.add(k);
      }
    }
    for (boolean k : new boolean[] {true, false}) {
      String stream = k ? layout.legacy() : layout.legacyUnknown();
      reads.add(newest(stream, "+", "-", limit));
      keys.add(stream);
      known.add(k);
    }
    return timed(send(reads, keys))
        .map(
            all -> {
              List<Entry> entries = new ArrayList<>();
              for (int i = 0; i < all.size(); i++) {
                entries.addAll(entryList(all.get(i), known.get(i)));
              }
              return firstOf(entries, limit);
            });
  }

  /** The user's trail, and the recent attempts under the name while it did not exist. */
  private Future<List<AuditEvent>> ofUser(String username, int limit) {
    return trail(username)
        .compose(
            known -> {
              known.sort(NEWEST_FIRST);
              // When the trail filled the answer, unknown-user entries older than its oldest cannot
              // be in it; Redis stamped them at least as late as they happened, give or take the
              // clocks' disagreement.
              long oldest =
                  known.size() >= limit
                      ? known.get(limit - 1).at() - CLOCK_SLACK_MILLIS
                      : Long.MIN_VALUE;
              String floor = oldest > 0 ? Long.toString(oldest) : "-";
              return scanUnknown(username, limit, floor)
                  .map(
                      unknown -> {
                        List<Entry> all = new ArrayList<>(known);
                        all.addAll(unknown);
                        return firstOf(all, limit);
                      });
            });
  }

  /**
   * The events of the user's trail younger than the age cap; ids that earlier builds put there are
   * looked up in their single stream.
   */
  private Future<List<Entry>> trail(String username) {
    long oldest = oldestKept;
    return timed(
            redis.send(
                Request.cmd(Command.LRANGE).arg(layout.trail(username)).arg(0).arg(PER_USER - 1)))
        .compose(
            list -> {
              List<Entry> found = new ArrayList<>();
              List<Request> lookups = new ArrayList<>();
              List<String> keys = new ArrayList<>();
              if (list != null) {
                for (Response r : list) {
                  String entry = r.toString();
                  if (UserTrail.isStreamId(entry)) {
                    lookups.add(
                        Request.cmd(Command.XRANGE).arg(layout.legacy()).arg(entry).arg(entry));
                    keys.add(layout.legacy());
                    continue;
                  }
                  Entry e = entry(null, AuditEvent.unpacked(entry));
                  if (e != null && e.at() >= oldest) {
                    found.add(e);
                  }
                }
              }
              if (lookups.isEmpty()) {
                return Future.succeededFuture(found);
              }
              return timed(send(lookups, keys))
                  .map(
                      earlier -> {
                        earlier.forEach(r -> found.addAll(entryList(r, true)));
                        return found;
                      });
            });
  }

  /** One unknown-user stream being scanned for a username, a page at a time. */
  private static final class Scan {
    final String stream;
    final int maxPage;
    final List<Entry> found = new ArrayList<>();
    String from = "+";
    int page;
    boolean done;

    Scan(String stream, int max) {
      this.stream = stream;
      // At most the stream's cap is read, plus the slack of approximate trimming.
      this.maxPage = max / SCAN_PAGE + 1;
    }
  }

  /**
   * The newest {@code limit} events of {@code username} in each unknown-user stream, at or above
   * {@code floor}: every stream a page at a time from its newest down, all streams in one round
   * trip a page. A page starts at the last id of the one before, inclusive (exclusive ranges need
   * Redis 6.2): that entry is skipped.
   */
  private Future<List<Entry>> scanUnknown(String username, int limit, String floor) {
    List<Scan> scans = new ArrayList<>(AuditLayout.SHARDS + 1);
    for (int i = 0; i < AuditLayout.SHARDS; i++) {
      scans.add(new Scan(layout.unknown(i), unknownShardMax));
    }
    scans.add(new Scan(layout.legacyUnknown(), unknownMaxEvents));
    return scanPages(scans, username, limit, floor)
        .map(
            v -> {
              List<Entry> all = new ArrayList<>();
              scans.forEach(s -> all.addAll(s.found));
              return all;
            });
  }

  private Future<Void> scanPages(List<Scan> scans, String username, int limit, String floor) {
    List<Scan> active = scans.stream().filter(s -> !s.done).toList();
    if (active.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Request> reads = new ArrayList<>(active.size());
    List<String> keys = new ArrayList<>(active.size());
    for (Scan s : active) {
      reads.add(newest(s.stream, s.from, floor, SCAN_PAGE));
      keys.add(s.stream);
    }
    return timed(send(reads, keys))
        .compose(
            pages -> {
              for (int i = 0; i < active.size(); i++) {
                scanned(active.get(i), entryList(pages.get(i), false), username, limit);
              }
              return scanPages(scans, username, limit, floor);
            });
  }

  private static void scanned(Scan s, List<Entry> entries, String username, int limit) {
    String last = null;
    for (Entry e : entries) {
      if (s.page > 0 && last == null && e.id().equals(s.from)) {
        last = s.from;
        continue;
      }
      last = e.id();
      if (s.found.size() < limit && username.equals(e.event().username())) {
        s.found.add(e);
      }
    }
    if (entries.size() == SCAN_PAGE && s.found.size() < limit && s.page < s.maxPage) {
      s.from = last;
      s.page++;
    } else {
      s.done = true;
    }
  }

  private static Request newest(String stream, String from, String to, int count) {
    return Request.cmd(Command.XREVRANGE).arg(stream).arg(from).arg(to).arg("COUNT").arg(count);
  }

  private static List<AuditEvent> firstOf(List<Entry> entries, int limit) {
    entries.sort(NEWEST_FIRST);
    List<AuditEvent> out = new ArrayList<>(Math.min(limit, entries.size()));
    for (int i = 0; i < entries.size() && i < limit; i++) {
      out.add(entries.get(i).event());
    }
    return out;
  }

  // ---- sending ----

  /**
   * {@code requests} ({@code keys}: the key of each), answered in order: as one batch, or on Redis
   * Cluster as one batch per slot, all sent at once on one connection (a batch may not span slots
   * there). A failure of any part fails the whole.
   */
  private Future<List<Response>> send(List<Request> requests, List<String> keys) {
    if (!cluster) {
      return redis.batch(requests);
    }
    Map<Integer, List<Integer>> bySlot = new LinkedHashMap<>();
    for (int i = 0; i < requests.size(); i++) {
      bySlot.computeIfAbsent(KeySlots.slot(keys.get(i)), s -> new ArrayList<>()).add(i);
    }
    if (bySlot.size() == 1) {
      return redis.batch(requests);
    }
    return redis
        .connect()
        .compose(
            conn -> {
              List<List<Integer>> parts = new ArrayList<>(bySlot.values());
              List<Future<List<Response>>> sent = new ArrayList<>(parts.size());
              for (List<Integer> part : parts) {
                List<Request> batch = new ArrayList<>(part.size());
                part.forEach(i -> batch.add(requests.get(i)));
                sent.add(conn.batch(batch));
              }
              return Future.join(sent)
                  .eventually(() -> close(conn))
                  .map(
                      all -> {
                        Response[] answers = new Response[requests.size()];
                        for (int p = 0; p < parts.size(); p++) {
                          List<Response> got = sent.get(p).result();
                          for (int j = 0; j < got.size(); j++) {
                            answers[parts.get(p).get(j)] = got.get(j);
                          }
                        }
                        return Arrays.asList(answers);
                      });
            });
  }

  private static Future<Void> close(RedisConnection conn) {
    return conn.close().recover(e -> Future.succeededFuture());
  }

  private <T> Future<T> timed(Future<T> f) {
    return Deadline.within(vertx, timeoutMillis, f);
  }

  /** The event in the stream-entry layout's one field; null when it must go field by field. */
  static String pack(AuditEvent e) {
    return e.tabPacked();
  }

  private static void field(Request r, String name, String value) {
    if (value != null) {
      r.arg(name).arg(value);
    }
  }

  /**
   * An event of a stream or a user trail, with its time in milliseconds and, for a stream entry,
   * its id.
   */
  private record Entry(long at, String id, AuditEvent event) {}

  /** The entry of {@code e}, or null when there is no event or its time does not read. */
  private static Entry entry(String id, AuditEvent e) {
    if (e == null || e.at() == null) {
      return null;
    }
    try {
      return new Entry(Instant.parse(e.at()).toEpochMilli(), id, e);
    } catch (DateTimeParseException ex) {
      return null;
    }
  }

  /**
   * XRANGE/XREVRANGE reply: [[id, [field, value, ...]], ...], entries of either layout, read as
   * events about known users or not ({@code known}: which stream they come from).
   */
  private static List<Entry> entryList(Response stream, boolean known) {
    List<Entry> out = new ArrayList<>();
    if (stream == null) {
      return out;
    }
    for (Response entry : stream) {
      Map<String, String> f = new HashMap<>();
      Response fields = entry.get(1);
      for (int i = 0; i + 1 < fields.size(); i += 2) {
        f.put(fields.get(i).toString(), fields.get(i + 1).toString());
      }
      AuditEvent packed = f.containsKey(PACKED) ? AuditEvent.fromTabs(f.get(PACKED)) : null;
      AuditEvent e =
          packed != null
              ? packed
              : new AuditEvent(
                  f.get("at"),
                  f.get("rid"),
                  f.get("u"),
                  f.get("ip"),
                  f.get("c"),
                  f.get("d"),
                  f.get("r"),
                  f.get("m"),
                  f.get("s"),
                  Long.parseLong(f.getOrDefault("q", "0")),
                  true,
                  false,
                  f.get("n"));
      Entry read = entry(entry.get(0).toString(), e.withKnownUser(known));
      if (read != null) {
        out.add(read);
      }
    }
    return out;
  }
}
