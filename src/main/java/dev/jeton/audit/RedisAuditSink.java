package dev.jeton.audit;

import dev.jeton.track.Deadline;
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
 * The audit trail in Redis: one stream {@code jeton:audit} capped by length ({@code XADD MAXLEN ~}) and by age
 * ({@code XTRIM MINID ~}), plus, per username, a short list of its entries' ids ({@code jeton:{u:NAME}:a}, the
 * newest {@value #PER_USER} kept, expiring with the age cap) so that the helpdesk's query by username is a few
 * lookups instead of a scan. Each batch costs two pipelined round trips (three when a user's list outgrew its cap).
 */
public final class RedisAuditSink implements AuditSink {

  static final String STREAM = "jeton:audit";
  static final int PER_USER = 100;
  /** The one field of an entry ({@link #pack}); entries of the earlier layout have one field per value. */
  static final String PACKED = "e";
  private static final char SEPARATOR = '\t';

  private final Vertx vertx;
  private final Redis redis;
  private final int maxEvents;
  private final long maxAgeMillis;
  private final long timeoutMillis;

  public RedisAuditSink(Vertx vertx, String url, int maxEvents, long maxAgeMillis, long timeoutMillis) {
    this.vertx = vertx;
    this.redis = Redis.createClient(vertx, new RedisOptions().setConnectionString(url)
        .setPreferredProtocolVersion(ProtocolVersion.RESP2).setMaxPoolSize(2).setMaxPoolWaiting(64)
        .setMaxWaitingHandlers(16_384));
    this.maxEvents = maxEvents;
    this.maxAgeMillis = maxAgeMillis;
    this.timeoutMillis = timeoutMillis;
  }

  @Override
  public Future<Void> append(List<AuditEvent> events) {
    List<Request> adds = new ArrayList<>(events.size());
    for (AuditEvent e : events) {
      Request r = Request.cmd(Command.XADD).arg(STREAM).arg("MAXLEN").arg("~").arg(maxEvents).arg("*");
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
    return timed(redis.batch(adds)).compose(ids -> {
      List<Request> index = new ArrayList<>();
      List<String> keys = new ArrayList<>();
      for (int i = 0; i < events.size(); i++) {
        String username = events.get(i).username();
        if (username != null) {
          String key = "jeton:{u:" + username + "}:a";
          keys.add(key);
          index.add(Request.cmd(Command.LPUSH).arg(key).arg(ids.get(i).toString()));
          index.add(Request.cmd(Command.PEXPIRE).arg(key).arg(maxAgeMillis));
        }
      }
      return index.isEmpty() ? Future.succeededFuture() : timed(redis.batch(index)).compose(r -> trimIndexes(keys, r));
    });
  }

  /** Trims the lists that grew past {@value #PER_USER} (LPUSH answers the length): most never do. */
  private Future<Void> trimIndexes(List<String> keys, List<Response> pushed) {
    List<Request> trims = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      if (pushed.get(2 * i).toLong() > PER_USER) {
        trims.add(Request.cmd(Command.LTRIM).arg(keys.get(i)).arg(0).arg(PER_USER - 1));
      }
    }
    return trims.isEmpty() ? Future.succeededFuture() : timed(redis.batch(trims)).mapEmpty();
  }

  @Override
  public Future<List<AuditEvent>> query(String username, int limit) {
    if (username == null) {
      return timed(redis.send(Request.cmd(Command.XREVRANGE).arg(STREAM).arg("+").arg("-").arg("COUNT").arg(limit)))
          .map(RedisAuditSink::entries);
    }
    String key = "jeton:{u:" + username + "}:a";
    return timed(redis.send(Request.cmd(Command.LRANGE).arg(key).arg(0).arg(PER_USER - 1))).compose(ids -> {
      if (ids == null || ids.size() == 0) {
        return Future.succeededFuture(List.of());
      }
      List<Request> reads = new ArrayList<>();
      ids.forEach(id -> reads.add(Request.cmd(Command.XRANGE).arg(STREAM).arg(id.toString()).arg(id.toString())));
      return timed(redis.batch(reads)).map(found -> {
        List<Map.Entry<String, AuditEvent>> all = new ArrayList<>();
        found.forEach(r -> all.addAll(entryList(r)));
        all.sort(Map.Entry.<String, AuditEvent>comparingByKey(RedisAuditSink::compareIds).reversed());
        List<AuditEvent> out = new ArrayList<>();
        for (Map.Entry<String, AuditEvent> e : all) {
          if (out.size() < limit) {
            out.add(e.getValue());
          }
        }
        return out;
      });
    });
  }

  @Override
  public Future<Void> trim(long now) {
    return timed(redis.send(Request.cmd(Command.XTRIM).arg(STREAM).arg("MINID").arg("~").arg(now - maxAgeMillis)))
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
   * The event in one field: at, request id, username, client IP, client, decision, reason, method, token serial and
   * sequence, tab-separated, absent values empty. One field instead of ten costs Redis 1.4 µs an {@code XADD} instead
   * of 2.4 ({@code redis-benchmark -P 32}), on every decision. Null when a value is empty or holds a tab (none does:
   * every field is validated or chosen by Jeton), so that packing never changes an event; such an event is written
   * field by field, the layout that entries written before this one have.
   */
  static String pack(AuditEvent e) {
    StringBuilder b = new StringBuilder(160);
    for (String v : new String[] {e.at(), e.requestId(), e.username(), e.clientIp(), e.client(), e.decision(),
        e.reason(), e.method(), e.tokenSerial()}) {
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
    return new AuditEvent(orNull(v[0]), orNull(v[1]), orNull(v[2]), orNull(v[3]), orNull(v[4]), orNull(v[5]),
        orNull(v[6]), orNull(v[7]), orNull(v[8]), Long.parseLong(v[9]));
  }

  private static String orNull(String s) {
    return s.isEmpty() ? null : s;
  }

  private static void field(Request r, String name, String value) {
    if (value != null) {
      r.arg(name).arg(value);
    }
  }

  private static List<AuditEvent> entries(Response stream) {
    List<AuditEvent> out = new ArrayList<>();
    entryList(stream).forEach(e -> out.add(e.getValue()));
    return out;
  }

  /** XRANGE/XREVRANGE reply: [[id, [field, value, ...]], ...], entries of either layout. */
  private static List<Map.Entry<String, AuditEvent>> entryList(Response stream) {
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
      out.add(Map.entry(entry.get(0).toString(), packed != null ? packed : new AuditEvent(f.get("at"), f.get("rid"),
          f.get("u"), f.get("ip"), f.get("c"), f.get("d"), f.get("r"), f.get("m"), f.get("s"),
          Long.parseLong(f.getOrDefault("q", "0")))));
    }
    return out;
  }

  /** Stream ids "ms-seq" in numeric order. */
  static int compareIds(String a, String b) {
    return Comparator.<String>comparingLong(id -> Long.parseLong(id.substring(0, id.indexOf('-'))))
        .thenComparingLong(id -> Long.parseLong(id.substring(id.indexOf('-') + 1)))
        .compare(a, b);
  }
}
