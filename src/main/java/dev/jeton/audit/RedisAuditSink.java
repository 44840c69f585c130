package dev.jeton.audit;

import dev.jeton.bus.Deadline;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.ProtocolVersion;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The audit trail in Redis, in two streams. No key is made per unknown username.
 *
 * <ul>
 *   <li>{@code jeton:audit}: decisions about usernames that exist, and admin actions; capped by
 *       length ({@code XADD MAXLEN ~ maxEvents}) and by age ({@code XTRIM MINID ~}). Per username,
 *       a short list of its entries' ids ({@code jeton:{u:NAME}:a}, the newest {@value #PER_USER}
 *       kept, expiring with the age cap) so that the helpdesk's query by username is a few lookups
 *       instead of a scan.
 *   <li>{@code jeton:audit:unknown}: decisions about usernames that do not exist ({@link
 *       AuditEvent#knownUser()} false), which anyone can cause at will with made-up names: capped
 *       by its own small length ({@code unknownMaxEvents}, by default {@link
 *       AuditSink#UNKNOWN_MAX_EVENTS} or {@code maxEvents} if smaller) and by the same age, with no
 *       per-username index. A flood of made-up names only replaces the older entries of this
 *       stream: it neither grows Redis past that cap nor pushes real users' events out of the main
 *       stream.
 * </ul>
 *
 * Entries of both streams have one layout: one field {@code e} holding the event packed by {@link
 * #pack} (at, request id, username, client IP, client, decision, reason, method, token serial,
 * sequence, tab-separated), or, for an event that cannot be packed and in entries written by
 * earlier builds, one field per value ({@code at rid u ip c d r m s q}). Which stream an entry is
 * in says whether its username existed; the entry itself does not. A query by username reads the
 * user's index and scans the unknown-user stream (newest first, {@value #SCAN_PAGE} entries a round
 * trip, at most its cap), so that the recent attempts of a name that does not exist show too; an
 * unfiltered query merges the newest of both. Each batch costs one round trip, two when it has
 * events about known users (three when a user's list outgrew its cap). Keys are named here for the
 * default namespace {@code jeton}; a sink given another namespace, as the store is, puts it in
 * place of {@code jeton} in every key.
 */
public final class RedisAuditSink implements AuditSink {

  /** The key namespace of a sink that names none, the store's default too. */
  static final String DEFAULT_NAMESPACE = "jeton";

  /** The main stream, in the default namespace (every key is {@code NAMESPACE:...}). */
  static final String STREAM = DEFAULT_NAMESPACE + ":audit";

  static final String UNKNOWN_STREAM = DEFAULT_NAMESPACE + ":audit:unknown";
  static final int PER_USER = 100;

  /** Entries of the unknown-user stream read in one round trip of a query by username. */
  static final int SCAN_PAGE = 1000;

  /**
   * The one field of an entry ({@link #pack}); entries of the earlier layout have one field per
   * value.
   */
  static final String PACKED = "e";

  private static final char SEPARATOR = '\t';

  /**
   * Newest first by the millisecond of the stream id (both streams take their ids from the same
   * Redis clock), then by creation. Not by the whole id: each stream numbers the entries of one
   * millisecond on its own, so "ms-1" of one stream may have been written after "ms-5" of the
   * other.
   */
  private static final Comparator<Map.Entry<String, AuditEvent>> NEWEST_ENTRY_FIRST =
      Comparator.<Map.Entry<String, AuditEvent>>comparingLong(e -> idMillis(e.getKey()))
          .thenComparing(e -> e.getValue().seq())
          .reversed();

  private final Vertx vertx;
  private final Redis redis;
  private final int maxEvents;
  private final int unknownMaxEvents;
  private final long maxAgeMillis;
  private final long timeoutMillis;
  private final String namespace;
  private final String stream;
  private final String unknownStream;

  /**
   * A key no one creates: the index commands of an unknown username's event go to it, and change
   * nothing.
   */
  private final String noIndex;

  /**
   * A trail whose unknown-user stream keeps {@link AuditSink#UNKNOWN_MAX_EVENTS}, or {@code
   * maxEvents} if fewer.
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

  /**
   * @param maxEvents length cap of the main stream (approximate: Redis trims whole nodes)
   * @param unknownMaxEvents length cap of the unknown-user stream (approximate too)
   */
  public RedisAuditSink(
      Vertx vertx,
      String url,
      int maxEvents,
      int unknownMaxEvents,
      long maxAgeMillis,
      long timeoutMillis) {
    this(vertx, url, maxEvents, unknownMaxEvents, maxAgeMillis, timeoutMillis, DEFAULT_NAMESPACE);
  }

  /**
   * @param namespace what every key starts with, the same as the store's ({@code RedisStore}), so
   *     that the per-user lists share the user's hash tag and deployments sharing a Redis never
   *     meet
   */
  public RedisAuditSink(
      Vertx vertx,
      String url,
      int maxEvents,
      int unknownMaxEvents,
      long maxAgeMillis,
      long timeoutMillis,
      String namespace) {
    this.namespace = namespace;
    this.stream = namespace + ":audit";
    this.unknownStream = namespace + ":audit:unknown";
    this.noIndex = namespace + ":audit:no-index";
    this.vertx = vertx;
    this.redis =
        Redis.createClient(
            vertx,
            new RedisOptions()
                .setConnectionString(url)
                .setPreferredProtocolVersion(ProtocolVersion.RESP2)
                .setMaxPoolSize(2)
                .setMaxPoolWaiting(64)
                .setMaxWaitingHandlers(16_384));
    this.maxEvents = maxEvents;
    this.unknownMaxEvents = unknownMaxEvents;
    this.maxAgeMillis = maxAgeMillis;
    this.timeoutMillis = timeoutMillis;
  }

  @Override
  public Future<Void> append(List<AuditEvent> events) {
    List<Request> adds = new ArrayList<>(events.size());
    for (AuditEvent e : events) {
      Request r =
          Request.cmd(Command.XADD)
              .arg(e.knownUser() ? stream : unknownStream)
              .arg("MAXLEN")
              .arg("~")
              .arg(e.knownUser() ? maxEvents : unknownMaxEvents)
              .arg("*");
      String packed = pack(e);
      if (packed != null) {
        r.arg(PACKED).arg(packed);
      } else {
        field(r, "at", e.at());
        field(r, "rid", e.requestId());
        field(r, "u", e.username());
        field(r, "ip", e.clientIp());
        field(r, "c", e.client());
        field(r, "d", e.decision());
        field(r, "r", e.reason());
        field(r, "m", e.method());
        field(r, "s", e.tokenSerial());
        field(r, "q", Long.toString(e.seq()));
      }
      adds.add(r);
    }
    return timed(redis.batch(adds))
        .compose(
            ids -> {
              List<Request> index = new ArrayList<>();
              for (int i = 0; i < events.size(); i++) {
                String username = events.get(i).username();
                if (username == null) {
                  continue;
                }
                // Only a username that exists has an index: one for each made-up name would grow
                // Redis without bound. A
                // made-up name still costs the same round trip and commands, on a key that never
                // exists (LPUSHX creates
                // nothing), and every index is trimmed in the same round trip, needed or not:
                // otherwise the time the next
                // request waits behind this one would tell whether the name exists, or how often it
                // failed.
                boolean known = events.get(i).knownUser();
                String key = known ? index(username) : noIndex;
                index.add(
                    Request.cmd(known ? Command.LPUSH : Command.LPUSHX)
                        .arg(key)
                        .arg(ids.get(i).toString()));
                index.add(Request.cmd(Command.LTRIM).arg(key).arg(0).arg(PER_USER - 1));
                index.add(Request.cmd(Command.PEXPIRE).arg(key).arg(maxAgeMillis));
              }
              return index.isEmpty()
                  ? Future.succeededFuture()
                  : timed(redis.batch(index)).mapEmpty();
            });
  }

  private String index(String username) {
    return namespace + ":{u:" + username + "}:a";
  }

  @Override
  public Future<List<AuditEvent>> query(String username, int limit) {
    if (username == null) {
      return timed(
              redis.batch(
                  List.of(newest(stream, "+", "-", limit), newest(unknownStream, "+", "-", limit))))
          .map(
              both -> {
                List<Map.Entry<String, AuditEvent>> all = entryList(both.get(0), true);
                all.addAll(entryList(both.get(1), false));
                return firstOf(all, limit);
              });
    }
    return indexed(username, limit)
        .compose(
            known -> {
              // When the index filled the answer, unknown-user entries older than its oldest cannot
              // be in it.
              String floor = known.size() >= limit ? known.get(limit - 1).getKey() : "-";
              return scanUnknown(username, limit, floor, "+", 0, new ArrayList<>())
                  .map(
                      unknown -> {
                        List<Map.Entry<String, AuditEvent>> all = new ArrayList<>(known);
                        all.addAll(unknown);
                        return firstOf(all, limit);
                      });
            });
  }

  /** The events the user's index points to, newest first. */
  private Future<List<Map.Entry<String, AuditEvent>>> indexed(String username, int limit) {
    return timed(
            redis.send(Request.cmd(Command.LRANGE).arg(index(username)).arg(0).arg(PER_USER - 1)))
        .compose(
            ids -> {
              if (ids == null || ids.size() == 0) {
                return Future.succeededFuture(new ArrayList<>());
              }
              List<Request> reads = new ArrayList<>();
              ids.forEach(
                  id ->
                      reads.add(
                          Request.cmd(Command.XRANGE)
                              .arg(stream)
                              .arg(id.toString())
                              .arg(id.toString())));
              return timed(redis.batch(reads))
                  .map(
                      found -> {
                        List<Map.Entry<String, AuditEvent>> all = new ArrayList<>();
                        found.forEach(r -> all.addAll(entryList(r, true)));
                        all.sort(NEWEST_ENTRY_FIRST);
                        return all;
                      });
            });
  }

  /**
   * The newest {@code limit} events of {@code username} in the unknown-user stream at or above
   * {@code floor}, a page at a time from {@code from} down; at most the stream's cap is read (plus
   * the slack of its approximate trimming). A page starts at the last id of the one before,
   * inclusive (exclusive ranges need Redis 6.2): that entry is skipped.
   */
  private Future<List<Map.Entry<String, AuditEvent>>> scanUnknown(
      String username,
      int limit,
      String floor,
      String from,
      int page,
      List<Map.Entry<String, AuditEvent>> found) {
    return timed(redis.send(newest(unknownStream, from, floor, SCAN_PAGE)))
        .compose(
            r -> {
              List<Map.Entry<String, AuditEvent>> entries = entryList(r, false);
              String last = null;
              for (Map.Entry<String, AuditEvent> e : entries) {
                if (page > 0 && last == null && e.getKey().equals(from)) {
                  last = from;
                  continue;
                }
                last = e.getKey();
                if (found.size() < limit && username.equals(e.getValue().username())) {
                  found.add(e);
                }
              }
              boolean more =
                  entries.size() == SCAN_PAGE
                      && found.size() < limit
                      && page < unknownMaxEvents / SCAN_PAGE + 1;
              return more
                  ? scanUnknown(username, limit, floor, last, page + 1, found)
                  : Future.succeededFuture(found);
            });
  }

  private static Request newest(String stream, String from, String to, int count) {
    return Request.cmd(Command.XREVRANGE).arg(stream).arg(from).arg(to).arg("COUNT").arg(count);
  }

  private static List<AuditEvent> firstOf(List<Map.Entry<String, AuditEvent>> entries, int limit) {
    entries.sort(NEWEST_ENTRY_FIRST);
    List<AuditEvent> out = new ArrayList<>(Math.min(limit, entries.size()));
    for (int i = 0; i < entries.size() && i < limit; i++) {
      out.add(entries.get(i).getValue());
    }
    return out;
  }

  @Override
  public Future<Void> trim(long now) {
    long minId = now - maxAgeMillis;
    return timed(
            redis.batch(
                List.of(
                    Request.cmd(Command.XTRIM).arg(stream).arg("MINID").arg("~").arg(minId),
                    Request.cmd(Command.XTRIM)
                        .arg(unknownStream)
                        .arg("MINID")
                        .arg("~")
                        .arg(minId))))
        .mapEmpty();
  }

  @Override
  public Future<Void> close() {
    return redis.close();
  }

  private <T> Future<T> timed(Future<T> f) {
    return Deadline.within(vertx, timeoutMillis, f);
  }

  /**
   * The event in one field: at, request id, username, client IP, client, decision, reason, method,
   * token serial and sequence, tab-separated, absent values empty. One field instead of ten costs
   * Redis markedly less an {@code XADD} ({@code redis-benchmark -P 32}; {@code
   * docs/2026-12-05-performance-history.md}), on every decision. Null when a value is empty or
   * holds a tab (none does: every field is validated or chosen by Jeton), so that packing never
   * changes an event; such an event is written field by field, the layout that entries written
   * before this one have.
   */
  static String pack(AuditEvent e) {
    StringBuilder b = new StringBuilder(160);
    for (String v :
        new String[] {
          e.at(),
          e.requestId(),
          e.username(),
          e.clientIp(),
          e.client(),
          e.decision(),
          e.reason(),
          e.method(),
          e.tokenSerial()
        }) {
      if (v != null) {
        if (v.isEmpty() || v.indexOf(SEPARATOR) >= 0) {
          return null;
        }
        b.append(v);
      }
      b.append(SEPARATOR);
    }
    return b.append(e.seq()).toString();
  }

  /** The event {@link #pack} packed, or null when {@code packed} is not one. */
  static AuditEvent unpack(String packed) {
    String[] v = packed.split(String.valueOf(SEPARATOR), -1);
    if (v.length != 10) {
      return null;
    }
    return new AuditEvent(
        orNull(v[0]),
        orNull(v[1]),
        orNull(v[2]),
        orNull(v[3]),
        orNull(v[4]),
        orNull(v[5]),
        orNull(v[6]),
        orNull(v[7]),
        orNull(v[8]),
        Long.parseLong(v[9]));
  }

  private static String orNull(String s) {
    return s.isEmpty() ? null : s;
  }

  private static void field(Request r, String name, String value) {
    if (value != null) {
      r.arg(name).arg(value);
    }
  }

  /**
   * XRANGE/XREVRANGE reply: [[id, [field, value, ...]], ...], entries of either layout, read as
   * events about known users or not ({@code known}: which stream they come from).
   */
  private static List<Map.Entry<String, AuditEvent>> entryList(Response stream, boolean known) {
    List<Map.Entry<String, AuditEvent>> out = new ArrayList<>();
    if (stream == null) {
      return out;
    }
    for (Response entry : stream) {
      Map<String, String> f = new HashMap<>();
      Response fields = entry.get(1);
      for (int i = 0; i + 1 < fields.size(); i += 2) {
        f.put(fields.get(i).toString(), fields.get(i + 1).toString());
      }
      AuditEvent packed = f.containsKey(PACKED) ? unpack(f.get(PACKED)) : null;
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
                  Long.parseLong(f.getOrDefault("q", "0")));
      out.add(Map.entry(entry.get(0).toString(), e.withKnownUser(known)));
    }
    return out;
  }

  private static long idMillis(String id) {
    return Long.parseLong(id.substring(0, id.indexOf('-')));
  }
}
