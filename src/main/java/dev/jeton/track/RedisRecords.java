package dev.jeton.track;

import dev.jeton.crypto.Secrets;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The records of the Redis store as hash fields, both ways: what {@link RedisKeys} names, this
 * reads and writes. Field names are short (Redis keeps them with every user), and a token's fields
 * live in its owner's hash under {@code t:SERIAL:} or, while pooled, bare in the token's own hash.
 * Pure functions, thread-safe.
 */
final class RedisRecords {

  /**
   * The fields of a user with one TOTP token and a PIN, as a user is stored: what an unknown
   * username is decoded as, then forgotten. A known user's fields cost their decoding; an unknown
   * one costs the same, so that the time before verification starts does not tell whether the
   * username exists.
   */
  private static final String[] STAND_IN = {
    "tokens",
    "s",
    "t:s",
    "totp|SHA1|6|30",
    "t:s:k",
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    "t:s:on",
    "1",
    "t:s:last",
    "0",
    "t:s:drift",
    "0",
    "t:s:used",
    "0",
    "t:s:pin",
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    "gen",
    "1",
    "sg",
    "0",
    "at",
    "0",
    "dn",
    "-"
  };

  private RedisRecords() {}

  /**
   * A hash as {@code HGETALL} answers it (field, value, field, value…); empty for a missing key.
   */
  static Map<String, String> map(Response flat) {
    Map<String, String> m = new HashMap<>();
    if (flat == null) {
      return m;
    }
    for (int i = 0; i + 1 < flat.size(); i += 2) {
      m.put(flat.get(i).toString(), flat.get(i + 1).toString());
    }
    return m;
  }

  /**
   * Decodes the stand-in user and drops it: the work a known user's decoding costs, for an unknown
   * username.
   */
  static UserRecord standIn(String username) {
    Map<String, String> h = new HashMap<>();
    for (int i = 0; i < STAND_IN.length; i += 2) {
      h.put(STAND_IN[i], STAND_IN[i + 1]);
    }
    mark(h.get("gen"), h.get("sg"));
    return user(username, h);
  }

  static UserRecord user(String username, Map<String, String> h) {
    List<TokenRecord> tokens = new ArrayList<>();
    for (String serial : serials(h.getOrDefault("tokens", ""))) {
      String cfg = h.get("t:" + serial);
      if (cfg != null) {
        tokens.add(token(serial, cfg, h, "t:" + serial + ":", username));
      }
    }
    Map<String, Long> emergency = new HashMap<>();
    h.forEach(
        (k, v) -> {
          if (k.startsWith("e:")) {
            emergency.put(k.substring(2), Long.parseLong(v));
          }
        });
    return new UserRecord(
        username,
        h.get("dn"),
        h.get("pw"),
        tokens,
        emergency,
        Long.parseLong(h.getOrDefault("at", "0")));
  }

  /**
   * @param cfg "type|algorithm|digits|period"; the encrypted seed is field {@code prefix + "k"}
   */
  static TokenRecord token(
      String serial, String cfg, Map<String, String> h, String prefix, String owner) {
    String[] c = cfg.split("\\|", 4);
    return new TokenRecord(
        serial,
        c[0],
        c[1],
        Integer.parseInt(c[2]),
        Integer.parseInt(c[3]),
        h.get(prefix + "k"),
        "1".equals(h.get(prefix + "on")),
        h.get(prefix + "pin"),
        Long.parseLong(h.getOrDefault(prefix + "last", "-1")),
        Integer.parseInt(h.getOrDefault(prefix + "drift", "0")),
        Long.parseLong(h.getOrDefault(prefix + "used", "0")),
        owner);
  }

  /** A pooled token's fields, as {@code createtoken.lua} writes them. */
  static List<String> tokenFields(TokenRecord t) {
    List<String> fields =
        new ArrayList<>(
            List.of(
                "cfg",
                cfg(t),
                "k",
                t.seed(),
                "on",
                t.enabled() ? "1" : "0",
                "last",
                Long.toString(t.lastStep()),
                "drift",
                Integer.toString(t.drift()),
                "used",
                Long.toString(t.lastUsedAt())));
    if (t.pinHash() != null) {
      fields.addAll(List.of("pin", t.pinHash()));
    }
    return fields;
  }

  /**
   * "type|algorithm|digits|period": a token's settings in one field, so that the user's hash stays
   * small.
   */
  static String cfg(TokenRecord t) {
    return t.type() + "|" + t.algorithm() + "|" + t.digits() + "|" + t.period();
  }

  static FailState failState(Map<String, String> h) {
    if (h.isEmpty()) {
      return FailState.NONE;
    }
    return new FailState(
        Integer.parseInt(h.getOrDefault("n", "0")),
        Long.parseLong(h.getOrDefault("until", "0")),
        h.get("bad"));
  }

  static Challenge challenge(String id, String username, Map<String, String> h) {
    return new Challenge(
        id,
        username,
        Challenge.Kind.valueOf(h.get("kind")),
        h.get("serial"),
        Long.parseLong(h.get("step")),
        Integer.parseInt(h.getOrDefault("tries", "0")),
        Long.parseLong(h.get("exp")));
  }

  /** A client's fields besides its secret's hash, as {@code putsecret.lua} takes them. */
  static List<String> clientFields(ClientRecord c) {
    return List.of("trust", c.trustClientIp() ? "1" : "0", "level", c.defaultLevel());
  }

  static ClientRecord client(String name, Map<String, String> h) {
    return new ClientRecord(name, h.get("hash"), "1".equals(h.get("trust")), h.get("level"));
  }

  /**
   * A RADIUS client as its value in the clients' hash: {@code
   * "network|requireMessageAuthenticator|trustCallingStationId|sealedSecret"}, the flags {@code 1}
   * or {@code 0}. No part holds a {@code |}: a CIDR block, two digits, base64url.
   */
  static String radiusClient(RadiusClientRecord c) {
    return c.network()
        + "|"
        + (c.requireMessageAuthenticator() ? "1" : "0")
        + "|"
        + (c.trustCallingStationId() ? "1" : "0")
        + "|"
        + c.sealedSecret();
  }

  /** The RADIUS client of this name from its value in the clients' hash ({@link #radiusClient}). */
  static RadiusClientRecord radiusClient(String name, String value) {
    String[] f = value.split("\\|", 4);
    if (f.length != 4) {
      throw new IllegalStateException("unreadable RADIUS client " + name);
    }
    return new RadiusClientRecord(name, f[0], "1".equals(f[1]), "1".equals(f[2]), f[3]);
  }

  /** An operator's fields besides its secret's hash, as {@code putsecret.lua} takes them. */
  static List<String> operatorFields(OperatorRecord o) {
    return List.of("role", o.role());
  }

  static OperatorRecord operator(String name, Map<String, String> h) {
    return new OperatorRecord(name, h.get("hash"), h.get("role"));
  }

  /** The serials of a user's comma-separated token list. */
  static List<String> serials(String list) {
    List<String> out = new ArrayList<>();
    for (String s : list.split(",")) {
      if (!s.isEmpty()) {
        out.add(s);
      }
    }
    return out;
  }

  /**
   * A session mark: the user's generation id and session count ({@code sg}, absent until first
   * moved on).
   */
  static String mark(String gen, String sessionCount) {
    return nz(gen) + "." + (sessionCount == null ? "0" : sessionCount);
  }

  /**
   * A user's generation id: 48 random bits, enough to tell a recreated user from the one it
   * replaced.
   */
  static String generation() {
    return Secrets.randomId().substring(0, 8);
  }

  /** A counter that may be missing ({@code GET} of no key): 0. */
  static long count(Response r) {
    return r == null ? 0 : r.toLong();
  }

  /** Null as the empty string, which the scripts read as "none" or "keep". */
  static String nz(String s) {
    return s == null ? "" : s;
  }
}
