package dev.jeton.track;

import dev.jeton.bus.Deadline;

import dev.jeton.crypto.Secrets;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.ProtocolVersion;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The production store. Every atomic step is one Lua script, run by SHA (sent whole once after a NOSCRIPT, which
 * also caches it again in a Redis that restarted); the login's read before it is plain pipelined reads, since the
 * step that decides ({@code commit}, {@code fail}) checks again what it relies on. All keys of one user share the
 * hash tag {@code {u:NAME}} and all keys of one pooled token {@code {t:SERIAL}}, so each script touches one slot and
 * works on Redis Cluster.
 *
 * <p>Layout: {@code jeton:{u:NAME}} user hash (display name, password hash, token list, generation id {@code gen},
 * portal session count {@code sg}, per token {@code t:SERIAL} = "type|algorithm|digits|period" and
 * {@code t:SERIAL:k|on|pin|last|drift|used}, emergency codes {@code e:HASH} = expiry), every value short enough
 * (64 bytes at most with a 20-byte seed) for the hash to stay a compact listpack; {@code jeton:{u:NAME}:f} failures; {@code jeton:{u:NAME}:c:ID} challenges (each carries the
 * user's generation id, so that a deleted user's die with it); {@code jeton:{t:SERIAL}} the token while it is in the
 * pool, only its owner while assigned; {@code jeton:ip:{IP}:WINDOW} IP failures; {@code jeton:{clients}:c:NAME} and
 * {@code jeton:{ops}:o:NAME} clients and operators, each found by its secret's hash through the index hash
 * {@code jeton:{clients}:by-secret} or {@code jeton:{ops}:by-secret} (one hash tag each, so that a replaced secret
 * leaves its index in the same script that writes the new one).
 *
 * <p>One instance per verticle, with one pipelined connection ({@link RedisLink}); every call fails with
 * {@link StoreUnavailableException} after the configured timeout, so callers fail closed.
 */
public final class RedisStore implements Store {

  private static final Logger LOG = LoggerFactory.getLogger(RedisStore.class);

  /** Requests in flight on the store's one pipelined connection before new ones are refused (and answered 503). */
  private static final int PIPELINE_DEPTH = 16_384;

  private static final LuaScript COMMIT = LuaScript.load("commit");
  private static final LuaScript FAIL = LuaScript.load("fail");
  private static final LuaScript SET_PIN = LuaScript.load("setpin");
  private static final LuaScript PUT_USER = LuaScript.load("putuser");
  private static final LuaScript CREATE_TOKEN = LuaScript.load("createtoken");
  private static final LuaScript CLAIM = LuaScript.load("claim");
  private static final LuaScript ATTACH = LuaScript.load("attach");
  private static final LuaScript DETACH = LuaScript.load("detach");
  private static final LuaScript RELEASE = LuaScript.load("release");
  private static final LuaScript SET_ENABLED = LuaScript.load("setenabled");
  private static final LuaScript HSET_IF_PRESENT = LuaScript.load("hsetifpresent");
  private static final LuaScript CLEAR_PINS = LuaScript.load("clearpins");
  private static final LuaScript EMERGENCY = LuaScript.load("emergency");
  private static final LuaScript BULK_USER = LuaScript.load("bulkuser");
  private static final LuaScript PUT_SECRET = LuaScript.load("putsecret");
  private static final LuaScript DROP_SECRET = LuaScript.load("dropsecret");
  private static final LuaScript END_SESSIONS = LuaScript.load("endsessions");
  private static final List<LuaScript> ALL = List.of(COMMIT, FAIL, SET_PIN, PUT_USER, CREATE_TOKEN, CLAIM,
      ATTACH, DETACH, RELEASE, SET_ENABLED, HSET_IF_PRESENT, CLEAR_PINS, EMERGENCY, BULK_USER, PUT_SECRET,
      DROP_SECRET, END_SESSIONS);

  /** Index of the clients by secret hash; every client key shares its hash tag, so one script updates both. */
  private static final String CLIENT_INDEX = "jeton:{clients}:by-secret";
  /** Index of the operators by secret hash, under the operators' own hash tag. */
  private static final String OPERATOR_INDEX = "jeton:{ops}:by-secret";

  private final Vertx vertx;
  private final RedisLink redis;
  private final long timeoutMillis;

  /** One store per tracking verticle instance, hence one pipelined connection per event loop. */
  public RedisStore(Vertx vertx, String url, long timeoutMillis) {
    this.vertx = vertx;
    this.redis = new RedisLink(vertx, new RedisOptions()
        .setConnectionString(url)
        .setPreferredProtocolVersion(ProtocolVersion.RESP2)
        .setMaxPoolSize(2)
        .setMaxWaitingHandlers(PIPELINE_DEPTH));
    this.timeoutMillis = timeoutMillis;
  }

  /**
   * Loads every script once. Succeeds even when Redis is down (scripts are then sent on first use), so that Jeton
   * starts, reports not ready, and recovers by itself.
   */
  public Future<Void> loadScripts() {
    List<Request> loads = new ArrayList<>();
    ALL.forEach(s -> loads.add(Request.cmd(Command.SCRIPT).arg("LOAD").arg(s.source())));
    return timed(redis.batch(loads))
        .<Void>mapEmpty()
        .recover(e -> {
          LOG.atWarn().setMessage("redis_unreachable_at_start").addKeyValue("detail", e.getMessage()).log();
          return Future.succeededFuture();
        });
  }

  // ---- login path ----

  @Override
  public Future<LoginState> loadLogin(LoadLogin q) {
    String u = q.username();
    String ipKey = ipKey(q.ip(), IpWindow.number(q.now(), q.ipWindowSeconds()));
    String previousIpKey = ipKey(q.ip(), IpWindow.previous(q.now(), q.ipWindowSeconds()));
    // Plain reads, pipelined: the user, its failures, both windows of the address (one hash tag: one MGET) and the
    // answered challenge if any. Not atomic, and need not be: commit checks again, atomically, all it relies on
    // (lock, challenge, generation, last step). A script would cost Redis several times these reads (see README).
    List<Request> reads = new ArrayList<>(4);
    reads.add(Request.cmd(Command.HGETALL).arg(userKey(u)));
    reads.add(Request.cmd(Command.HGETALL).arg(failKey(u)));
    reads.add(Request.cmd(Command.MGET).arg(ipKey).arg(previousIpKey));
    if (q.challengeId() != null) {
      reads.add(Request.cmd(Command.HGETALL).arg(challengeKey(u, q.challengeId())));
    }
    return timed(redis.batch(reads))
        .map(r -> {
          Map<String, String> user = map(r.get(0));
          Map<String, String> fail = map(r.get(1));
          Map<String, String> challenge = r.size() > 3 ? map(r.get(3)) : Map.of();
          int ipFailures = IpWindow.sliding(count(r.get(2).get(0)), count(r.get(2).get(1)), q.now(),
              q.ipWindowSeconds());
          Challenge c = challenge.isEmpty() ? null : challenge(q.challengeId(), u, challenge);
          if (c != null && (c.expiredAt(q.now()) || !challenge.getOrDefault("gen", "").equals(user.getOrDefault("gen", "")))) {
            c = null;
          }
          if (user.isEmpty()) {
            standIn(u);
            return new LoginState(null, failState(fail), ipFailures, c);
          }
          return new LoginState(user(u, user), failState(fail), ipFailures, c, mark(user.get("gen"), user.get("sg")));
        });
  }

  @Override
  public Future<CommitResult> commit(Commit c) {
    String u = c.username();
    Challenge open = c.open();
    // Only what this commit needs: Redis turns every key and argument into a Lua string on each call.
    List<String> keys = new ArrayList<>(4);
    keys.add(userKey(u));
    keys.add(failKey(u));
    if (c.close() != null) {
      keys.add(challengeKey(u, c.close()));
    }
    List<String> args = new ArrayList<>(12);
    args.add(c.mode().name());
    args.add(nz(c.serial()));
    args.add(Long.toString(c.step()));
    args.add(Long.toString(c.now()));
    args.add(c.drift() == null ? "" : c.drift().toString());
    args.add(nz(c.emergencyHash()));
    args.add(c.close() == null ? "0" : "1");
    if (open != null) {
      keys.add(challengeKey(u, open.id()));
      args.add(open.kind().name());
      args.add(open.serial());
      args.add(Long.toString(open.step()));
      args.add(Long.toString(open.expiresAt()));
      args.add(Long.toString(ttlMillis(c.challengeTtlSeconds())));
    }
    return eval(COMMIT, keys, args).map(r -> new CommitResult(
        CommitOutcome.valueOf(r.get(0).toString()), Long.parseLong(r.get(1).toString())));
  }

  @Override
  public Future<FailResult> fail(Fail f) {
    String u = f.username();
    String ipKey = ipKey(f.ip(), IpWindow.number(f.now(), f.ipWindowSeconds()));
    String previousIpKey = ipKey(f.ip(), IpWindow.previous(f.now(), f.ipWindowSeconds()));
    long lockUntil = Lockout.lockedUntil(f.now(), f.lockoutSeconds());
    long ttl = Lockout.counterMillis(f.lockoutSeconds());
    return batch(retry -> List.of(
        script(FAIL, retry, List.of(failKey(u), challengeKey(u, f.challengeId()), userKey(u)),
            List.of(nz(f.fingerprint()), Long.toString(f.now()), Integer.toString(f.lockoutFailures()),
                Long.toString(lockUntil), Long.toString(ttl), f.challengeId() == null ? "0" : "1",
                Integer.toString(Challenge.MAX_TRIES))),
        // On a retry the first pipeline's INCR did run: read the count instead of counting twice.
        retry ? Request.cmd(Command.GET).arg(ipKey) : Request.cmd(Command.INCR).arg(ipKey),
        // Kept for two windows: the next one still counts it, weighted.
        Request.cmd(Command.PEXPIRE).arg(ipKey).arg(IpWindow.keptMillis(f.ipWindowSeconds())),
        Request.cmd(Command.GET).arg(previousIpKey)))
        .map(r -> {
          Response s = r.get(0);
          return new FailResult(FailOutcome.valueOf(s.get(0).toString()), Integer.parseInt(s.get(1).toString()),
              Long.parseLong(s.get(2).toString()),
              IpWindow.sliding(count(r.get(1)), count(r.get(3)), f.now(), f.ipWindowSeconds()));
        });
  }

  @Override
  public Future<Boolean> setPin(SetPin s) {
    String u = s.username();
    Challenge open = s.open();
    return eval(SET_PIN, List.of(userKey(u), challengeKey(u, s.close()), challengeKey(u, open.id())),
        List.of(s.serial(), s.pinHash(), Long.toString(s.now()), open.kind().name(), Long.toString(open.step()),
            Long.toString(open.expiresAt()), Long.toString(ttlMillis(s.challengeTtlSeconds()))))
        .map(r -> r.toInteger() == 1);
  }

  // ---- admin ----

  @Override
  public Future<Boolean> putUser(PutUser p) {
    return eval(PUT_USER, List.of(userKey(p.username())),
        List.of(nz(p.displayName()), nz(p.passwordHash()), Long.toString(p.now()), generation()))
        .map(r -> r.toInteger() == 1);
  }

  @Override
  public Future<UserView> getUser(String username) {
    return batch(retry -> List.of(Request.cmd(Command.HGETALL).arg(userKey(username)),
        Request.cmd(Command.HGETALL).arg(failKey(username))))
        .map(r -> {
          Map<String, String> user = map(r.get(0));
          return user.isEmpty() ? null : new UserView(user(username, user), failState(map(r.get(1))));
        });
  }

  @Override
  public Future<Boolean> deleteUser(String username) {
    return send(Request.cmd(Command.HGET).arg(userKey(username)).arg("tokens"))
        .compose(list -> {
          if (list == null) {
            return Future.succeededFuture(false);
          }
          Future<Void> chain = Future.succeededFuture();
          for (String serial : serials(list.toString())) {
            chain = chain.compose(v -> unassign(new Assign(username, serial)).mapEmpty());
          }
          return chain.compose(v -> send(Request.cmd(Command.DEL).arg(userKey(username)).arg(failKey(username))))
              .map(true);
        });
  }

  @Override
  public Future<Boolean> createToken(TokenRecord t) {
    return eval(CREATE_TOKEN, List.of(tokenKey(t.serial())), tokenFields(t)).map(r -> r.toInteger() == 1);
  }

  @Override
  public Future<TokenRecord> getToken(String serial) {
    return send(Request.cmd(Command.HGETALL).arg(tokenKey(serial))).compose(r -> {
      Map<String, String> pooled = map(r);
      if (pooled.isEmpty()) {
        return Future.succeededFuture(null);
      }
      String owner = pooled.get("owner");
      if (owner == null) {
        return Future.succeededFuture(token(serial, pooled.get("cfg"), pooled, "", null));
      }
      return send(Request.cmd(Command.HGETALL).arg(userKey(owner)))
          .map(ur -> {
            Map<String, String> user = map(ur);
            String cfg = user.get("t:" + serial);
            return cfg == null ? token(serial, pooled.get("cfg"), pooled, "", owner)
                : token(serial, cfg, user, "t:" + serial + ":", owner);
          });
    });
  }

  @Override
  public Future<AssignResult> assign(Assign a) {
    return eval(CLAIM, List.of(tokenKey(a.serial())), List.of(a.username())).compose(r -> {
      switch (r.get(0).toString()) {
        case "NO_TOKEN": return Future.succeededFuture(AssignResult.NO_TOKEN);
        case "OWNED": return Future.succeededFuture(AssignResult.OWNED_BY_OTHER);
        case "SAME": return Future.succeededFuture(AssignResult.OK);
        default: break;
      }
      List<String> args = new ArrayList<>(List.of(Integer.toString(UserRecord.MAX_TOKENS), a.serial()));
      List<String> state = new ArrayList<>();
      for (int i = 1; i < r.size(); i++) {
        state.add(r.get(i).toString());
      }
      args.addAll(state);
      List<String> undo = new ArrayList<>(List.of(a.username(), "keep-pin"));
      undo.addAll(state);
      return eval(ATTACH, List.of(userKey(a.username())), args).compose(attached -> {
        AssignResult result = AssignResult.valueOf(attached.toString());
        if (result == AssignResult.OK) {
          return Future.succeededFuture(result);
        }
        return eval(RELEASE, List.of(tokenKey(a.serial())), undo).map(result);
      });
    });
  }

  @Override
  public Future<Boolean> unassign(Assign a) {
    return eval(DETACH, List.of(userKey(a.username())), List.of(a.serial())).compose(r -> {
      if (r.size() == 0) {
        return Future.succeededFuture(false);
      }
      List<String> args = new ArrayList<>(List.of(a.username(), "clear-pin"));
      r.forEach(x -> args.add(x.toString()));
      return eval(RELEASE, List.of(tokenKey(a.serial())), args).map(true);
    });
  }

  @Override
  public Future<Boolean> setEnabled(SetEnabled s) {
    String on = s.enabled() ? "1" : "0";
    return eval(SET_ENABLED, List.of(tokenKey(s.serial())), List.of(on)).compose(owner -> {
      if (owner == null) {
        return Future.succeededFuture(false);
      }
      if (owner.toString().isEmpty()) {
        return Future.succeededFuture(true);
      }
      return eval(HSET_IF_PRESENT, List.of(userKey(owner.toString())), List.of(s.serial(), "on", on)).map(true);
    });
  }

  @Override
  public Future<Boolean> clearPins(String username) {
    return eval(CLEAR_PINS, List.of(userKey(username)), List.of()).map(r -> r.toInteger() == 1);
  }

  @Override
  public Future<Void> unlock(String username) {
    return send(Request.cmd(Command.DEL).arg(failKey(username))).mapEmpty();
  }

  @Override
  public Future<Boolean> putEmergencyCodes(EmergencyCodes e) {
    List<String> args = new ArrayList<>(List.of(Long.toString(e.expiresAt())));
    args.addAll(e.hashes());
    return eval(EMERGENCY, List.of(userKey(e.username())), args).map(r -> r.toInteger() == 1);
  }

  @Override
  public Future<Void> putClient(ClientRecord c) {
    return eval(PUT_SECRET, List.of(clientKey(c.name()), CLIENT_INDEX), List.of(c.name(), c.secretHash(),
        "trust", c.trustClientIp() ? "1" : "0", "level", c.defaultLevel())).mapEmpty();
  }

  @Override
  public Future<ClientRecord> findClient(String secretHash) {
    return findBySecret(CLIENT_INDEX, RedisStore::clientKey, secretHash, (name, m) ->
        new ClientRecord(name, m.get("hash"), "1".equals(m.get("trust")), m.get("level")));
  }

  @Override
  public Future<Void> putOperator(OperatorRecord o) {
    return eval(PUT_SECRET, List.of(operatorKey(o.name()), OPERATOR_INDEX),
        List.of(o.name(), o.secretHash(), "role", o.role())).mapEmpty();
  }

  @Override
  public Future<OperatorRecord> findOperator(String secretHash) {
    return findBySecret(OPERATOR_INDEX, RedisStore::operatorKey, secretHash,
        (name, m) -> new OperatorRecord(name, m.get("hash"), m.get("role")));
  }

  @Override
  public Future<Boolean> deleteOperator(String name) {
    return eval(DROP_SECRET, List.of(operatorKey(name), OPERATOR_INDEX), List.of()).map(r -> r.toInteger() == 1);
  }

  /**
   * The record the index names for this secret hash, only if the record still holds that hash: an index entry is
   * never trusted alone (constant-time compare).
   */
  private <T> Future<T> findBySecret(String index, Function<String, String> recordKey, String secretHash,
      BiFunction<String, Map<String, String>, T> record) {
    return send(Request.cmd(Command.HGET).arg(index).arg(secretHash)).compose(name -> {
      if (name == null) {
        return Future.succeededFuture(null);
      }
      return send(Request.cmd(Command.HGETALL).arg(recordKey.apply(name.toString()))).map(r -> {
        Map<String, String> m = map(r);
        String stored = m.get("hash");
        return stored == null || !MessageDigest.isEqual(stored.getBytes(StandardCharsets.UTF_8),
            secretHash.getBytes(StandardCharsets.UTF_8)) ? null : record.apply(name.toString(), m);
      });
    });
  }

  @Override
  public Future<String> sessionMark(String username) {
    return send(Request.cmd(Command.HMGET).arg(userKey(username)).arg("gen").arg("sg"))
        .map(r -> r.get(0) == null ? null : mark(r.get(0).toString(), r.get(1) == null ? null : r.get(1).toString()));
  }

  @Override
  public Future<Boolean> endSessions(EndSessions e) {
    return eval(END_SESSIONS, List.of(userKey(e.username())), List.of(e.mark())).map(r -> r.toInteger() == 1);
  }

  /** A session mark: the user's generation id and session count ({@code sg}, absent until first moved on). */
  private static String mark(String gen, String sessionCount) {
    return nz(gen) + "." + (sessionCount == null ? "0" : sessionCount);
  }

  /**
   * Two pipelined round trips for the whole batch: first every token is created (already owned by its user, never
   * overwriting), then every user is written with its token attached; a token whose user turned out full is removed
   * again in a third, rare, round trip.
   */
  @Override
  public Future<BulkResult> bulk(Bulk b) {
    List<BulkLine> lines = b.lines();
    String[] errors = new String[lines.size()];
    List<Integer> withToken = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).token() != null) {
        withToken.add(i);
      }
    }
    Future<List<Response>> tokens = withToken.isEmpty() ? Future.succeededFuture(List.of()) : batch(retry -> {
      List<Request> creates = new ArrayList<>();
      for (int i : withToken) {
        BulkLine line = lines.get(i);
        // Born assigned: the pool keeps only the owner, the user's hash the token.
        creates.add(script(CREATE_TOKEN, retry, List.of(tokenKey(line.token().serial())),
            List.of("owner", line.username())));
      }
      return creates;
    });
    return tokens.compose(created -> {
      for (int k = 0; k < withToken.size(); k++) {
        if (created.get(k).toInteger() != 1) {
          errors[withToken.get(k)] = "a token with serial " + lines.get(withToken.get(k)).token().serial() + " exists";
        }
      }
      List<Integer> applied = new ArrayList<>();
      for (int i = 0; i < lines.size(); i++) {
        if (errors[i] == null) {
          applied.add(i);
        }
      }
      if (applied.isEmpty()) {
        return Future.succeededFuture(applied);
      }
      return batch(retry -> {
        List<Request> users = new ArrayList<>();
        for (int i : applied) {
          BulkLine l = lines.get(i);
          TokenRecord t = l.token();
          users.add(script(BULK_USER, retry, List.of(userKey(l.username())), List.of(nz(l.displayName()),
              nz(l.passwordHash()), Long.toString(b.now()), generation(), Integer.toString(UserRecord.MAX_TOKENS),
              t == null ? "" : t.serial(), t == null ? "" : cfg(t), t == null || t.enabled() ? "1" : "0",
              t == null ? "" : nz(t.pinHash()), t == null ? "-1" : Long.toString(t.lastStep()),
              t == null ? "" : t.seed())));
        }
        return users;
      }).compose(written -> {
        List<Request> undo = new ArrayList<>();
        for (int k = 0; k < applied.size(); k++) {
          int i = applied.get(k);
          if ("TOO_MANY".equals(written.get(k).toString())) {
            errors[i] = "the user holds " + UserRecord.MAX_TOKENS + " tokens already";
            undo.add(Request.cmd(Command.DEL).arg(tokenKey(lines.get(i).token().serial())));
          }
        }
        return undo.isEmpty() ? Future.succeededFuture(applied) : timed(redis.batch(undo)).map(applied);
      });
    }).map(x -> new BulkResult(Arrays.asList(errors)));
  }

  @Override
  public Future<Void> ping() {
    return send(Request.cmd(Command.PING)).mapEmpty();
  }

  @Override
  public Future<Void> close() {
    return redis.close();
  }

  // ---- keys ----

  static String userKey(String username) {
    return "jeton:{u:" + username + "}";
  }

  static String failKey(String username) {
    return userKey(username) + ":f";
  }

  static String challengeKey(String username, String id) {
    return userKey(username) + ":c:" + (id == null ? "" : id);
  }

  static String tokenKey(String serial) {
    return "jeton:{t:" + serial + "}";
  }

  static String clientKey(String name) {
    return "jeton:{clients}:c:" + name;
  }

  static String operatorKey(String name) {
    return "jeton:{ops}:o:" + name;
  }

  static String ipKey(String ip, long window) {
    return "jeton:ip:{" + ip + "}:" + window;
  }

  // ---- plumbing ----

  private Future<Response> eval(LuaScript s, List<String> keys, List<String> args) {
    return batch(retry -> List.of(script(s, retry, keys, args))).map(r -> r.get(0));
  }

  private Future<Response> send(Request r) {
    return timed(redis.send(r));
  }

  /**
   * Sends the requests pipelined, scripts by SHA. After a NOSCRIPT (Redis restarted or was flushed) the builder is
   * called again with {@code retry} true and the scripts go whole, which also caches them again. The other commands
   * of the first pipeline did run: a builder whose extra commands are not idempotent must leave them out on retry.
   */
  private Future<List<Response>> batch(Function<Boolean, List<Request>> requests) {
    return timed(redis.batch(requests.apply(false))).recover(e -> {
      if (noScript(e)) {
        return timed(redis.batch(requests.apply(true)));
      }
      return Future.failedFuture(e);
    });
  }

  private static boolean noScript(Throwable e) {
    return e.getMessage() != null && e.getMessage().contains("NOSCRIPT");
  }

  private <T> Future<T> timed(Future<T> f) {
    return Deadline.within(vertx, timeoutMillis, f).recover(e -> {
      if (noScript(e)) {
        return Future.failedFuture(e);
      }
      return Future.failedFuture(new StoreUnavailableException("redis: " + e.getMessage(), e));
    });
  }

  private static Request script(LuaScript s, boolean whole, List<String> keys, List<String> args) {
    Request r = whole ? Request.cmd(Command.EVAL).arg(s.source()) : Request.cmd(Command.EVALSHA).arg(s.sha());
    r.arg(keys.size());
    keys.forEach(r::arg);
    args.forEach(r::arg);
    return r;
  }

  private static Map<String, String> map(Response flat) {
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
   * The fields of a user with one TOTP token and a PIN, as a user is stored: what an unknown username is decoded as,
   * then forgotten. A known user's fields cost their decoding; an unknown one costs the same, so that the time before
   * verification starts does not tell whether the username exists.
   */
  private static final String[] STAND_IN = {"tokens", "s", "t:s", "totp|SHA1|6|30",
      "t:s:k", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "t:s:on", "1", "t:s:last", "0",
      "t:s:drift", "0", "t:s:used", "0", "t:s:pin", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "gen", "1", "sg", "0",
      "at", "0", "dn", "-"};

  private static UserRecord standIn(String username) {
    Map<String, String> h = new HashMap<>();
    for (int i = 0; i < STAND_IN.length; i += 2) {
      h.put(STAND_IN[i], STAND_IN[i + 1]);
    }
    mark(h.get("gen"), h.get("sg"));
    return user(username, h);
  }

  private static UserRecord user(String username, Map<String, String> h) {
    List<TokenRecord> tokens = new ArrayList<>();
    for (String serial : serials(h.getOrDefault("tokens", ""))) {
      String cfg = h.get("t:" + serial);
      if (cfg != null) {
        tokens.add(token(serial, cfg, h, "t:" + serial + ":", username));
      }
    }
    Map<String, Long> emergency = new HashMap<>();
    h.forEach((k, v) -> {
      if (k.startsWith("e:")) {
        emergency.put(k.substring(2), Long.parseLong(v));
      }
    });
    return new UserRecord(username, h.get("dn"), h.get("pw"), tokens, emergency, Long.parseLong(h.getOrDefault("at", "0")));
  }

  /** @param cfg "type|algorithm|digits|period"; the encrypted seed is field {@code prefix + "k"} */
  private static TokenRecord token(String serial, String cfg, Map<String, String> h, String prefix, String owner) {
    String[] c = cfg.split("\\|", 4);
    return new TokenRecord(serial, c[0], c[1], Integer.parseInt(c[2]), Integer.parseInt(c[3]), h.get(prefix + "k"),
        "1".equals(h.get(prefix + "on")), h.get(prefix + "pin"),
        Long.parseLong(h.getOrDefault(prefix + "last", "-1")), Integer.parseInt(h.getOrDefault(prefix + "drift", "0")),
        Long.parseLong(h.getOrDefault(prefix + "used", "0")), owner);
  }

  private static List<String> tokenFields(TokenRecord t) {
    List<String> fields = new ArrayList<>(List.of("cfg", cfg(t), "k", t.seed(), "on", t.enabled() ? "1" : "0",
        "last", Long.toString(t.lastStep()), "drift", Integer.toString(t.drift()), "used", Long.toString(t.lastUsedAt())));
    if (t.pinHash() != null) {
      fields.addAll(List.of("pin", t.pinHash()));
    }
    return fields;
  }

  private static String cfg(TokenRecord t) {
    return t.type() + "|" + t.algorithm() + "|" + t.digits() + "|" + t.period();
  }

  private static FailState failState(Map<String, String> h) {
    if (h.isEmpty()) {
      return FailState.NONE;
    }
    return new FailState(Integer.parseInt(h.getOrDefault("n", "0")), Long.parseLong(h.getOrDefault("until", "0")),
        h.get("bad"));
  }

  private static Challenge challenge(String id, String username, Map<String, String> h) {
    return new Challenge(id, username, Challenge.Kind.valueOf(h.get("kind")), h.get("serial"),
        Long.parseLong(h.get("step")), Integer.parseInt(h.getOrDefault("tries", "0")), Long.parseLong(h.get("exp")));
  }

  private static List<String> serials(String list) {
    List<String> out = new ArrayList<>();
    for (String s : list.split(",")) {
      if (!s.isEmpty()) {
        out.add(s);
      }
    }
    return out;
  }

  /** A user's generation id: 48 random bits, enough to tell a recreated user from the one it replaced. */
  private static String generation() {
    return Secrets.randomId().substring(0, 8);
  }

  private static long count(Response r) {
    return r == null ? 0 : r.toLong();
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }

  /** Redis drops a challenge a little after its logical expiry, which the injected clock decides. */
  private static long ttlMillis(int challengeTtlSeconds) {
    return challengeTtlSeconds * 1000L + 60_000L;
  }
}
