package dev.jeton.track;

import static dev.jeton.track.RedisRecords.challenge;
import static dev.jeton.track.RedisRecords.count;
import static dev.jeton.track.RedisRecords.failState;
import static dev.jeton.track.RedisRecords.generation;
import static dev.jeton.track.RedisRecords.map;
import static dev.jeton.track.RedisRecords.mark;
import static dev.jeton.track.RedisRecords.nz;
import static dev.jeton.track.RedisRecords.serials;
import static dev.jeton.track.RedisRecords.standIn;
import static dev.jeton.track.RedisRecords.token;
import static dev.jeton.track.RedisRecords.tokenFields;
import static dev.jeton.track.RedisRecords.user;

import dev.jeton.config.RedisSettings;
import dev.jeton.metrics.JetonMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The production store: the operations of {@link Store} on Redis. Every atomic step is one Lua
 * script ({@link RedisScripts}); the login's read before it is plain pipelined reads, since the
 * step that decides ({@code commit}, {@code fail}) checks again what it relies on. Where each thing
 * is kept is {@link RedisKeys}' to say, how a record is laid out in its hash {@link RedisRecords}',
 * how calls reach Redis (by SHA, under the deadline) {@link RedisCalls}', the bulk load is {@link
 * RedisBulk}, and the search index's catching up with users an older Jeton wrote, at start, {@link
 * RedisIndexBackfill}.
 *
 * <p>One instance per verticle, with one pipelined connection ({@link RedisLink}) and, when
 * replicas must acknowledge ACCEPTs, {@value #ACK_LINKS} more for those commits alone; every call
 * fails with {@link StoreUnavailableException} after the configured timeout, so callers fail
 * closed.
 */
public final class RedisStore implements Store {

  /**
   * Requests in flight on the store's one pipelined connection before new ones are refused (and
   * answered 503).
   */
  private static final int PIPELINE_DEPTH = 16_384;

  /**
   * Connections per store (so per event loop) that carry the commits of ACCEPTs and their {@code
   * WAIT}, when replicas must acknowledge them (RedisCalls).
   */
  static final int ACK_LINKS = 4;

  private final RedisKeys keys;
  private final RedisCalls calls;
  private final RedisBulk bulk;
  private final RedisUserIndex userIndex;
  private final RedisIndexBackfill backfill;
  private volatile Future<RedisIndexBackfill.Result> backfilled;

  /** A store under the default namespace ({@code jeton}): one per tracking verticle instance. */
  public RedisStore(Vertx vertx, String url, long timeoutMillis) {
    this(vertx, url, timeoutMillis, RedisKeys.DEFAULT_NAMESPACE);
  }

  /**
   * One store per tracking verticle instance, hence one pipelined connection per event loop.
   *
   * @param namespace what every key starts with, so that deployments sharing a Redis never meet: 1
   *     to 64 letters, digits, {@code . _ : -}
   * @throws IllegalArgumentException when the namespace is not such
   */
  public RedisStore(Vertx vertx, String url, long timeoutMillis, String namespace) {
    this(
        vertx,
        RedisTopology.single(url, PIPELINE_DEPTH),
        0,
        1,
        timeoutMillis,
        namespace,
        JetonMetrics.disabled());
  }

  /**
   * A store on any topology (one Redis, Sentinel, Cluster), as configured.
   *
   * @param metrics where replicas that failed to confirm, and reconnections, are counted
   */
  public RedisStore(
      Vertx vertx,
      RedisSettings settings,
      long timeoutMillis,
      String namespace,
      JetonMetrics metrics) {
    this(
        vertx,
        RedisTopology.options(settings, PIPELINE_DEPTH),
        settings.replicaAcks(),
        settings.replicaAckTimeoutMillis(),
        timeoutMillis,
        namespace,
        metrics);
  }

  private RedisStore(
      Vertx vertx,
      RedisOptions options,
      int replicaAcks,
      int ackTimeoutMillis,
      long timeoutMillis,
      String namespace,
      JetonMetrics metrics) {
    this.keys = new RedisKeys(namespace);
    this.calls =
        new RedisCalls(
            vertx,
            new RedisLink(vertx, options, metrics::redisReconnected),
            ackLinks(vertx, options, replicaAcks, metrics),
            timeoutMillis,
            replicaAcks,
            ackTimeoutMillis,
            metrics::replicaAcksFailed);
    this.userIndex = new RedisUserIndex(keys, calls);
    this.bulk = new RedisBulk(keys, calls, userIndex);
    this.backfill = new RedisIndexBackfill(vertx, options, keys, calls, userIndex, timeoutMillis);
  }

  /** The connections of the replica-acknowledged commits (none without replica acks). */
  private static List<RedisLink> ackLinks(
      Vertx vertx, RedisOptions options, int replicaAcks, JetonMetrics metrics) {
    List<RedisLink> links = new ArrayList<>();
    for (int i = 0; replicaAcks > 0 && i < ACK_LINKS; i++) {
      links.add(new RedisLink(vertx, options, metrics::redisReconnected));
    }
    return links;
  }

  /**
   * Loads every script once. Succeeds even when Redis is down (scripts are then sent on first use),
   * so that Jeton starts, reports not ready, and recovers by itself.
   */
  public Future<Void> loadScripts() {
    return calls.loadScripts();
  }

  /**
   * What the tracking verticle runs at start: {@link #loadScripts}, whose future this is, then, in
   * the background (nothing waits for it: neither the start nor readiness), the backfill of the
   * users' search index with the users an older Jeton wrote ({@link RedisIndexBackfill}), unless it
   * was completed before.
   */
  public Future<Void> start() {
    return loadScripts().onSuccess(v -> backfilled = backfill.run());
  }

  /** The backfill {@link #start} began, or null before it. */
  Future<RedisIndexBackfill.Result> backfilled() {
    return backfilled;
  }

  // ---- login path ----

  @Override
  public Future<LoginState> loadLogin(LoadLogin q) {
    String u = q.username();
    String ipKey = keys.ip(q.ip(), IpWindow.number(q.now(), q.ipWindowSeconds()));
    String previousIpKey = keys.ip(q.ip(), IpWindow.previous(q.now(), q.ipWindowSeconds()));
    // Plain reads, pipelined: the user, its failures and the answered challenge if any (one hash
    // tag: one slot), and both windows of the address (another tag: MGET, sent beside them; in
    // Redis Cluster the two may live on different nodes). Not atomic, and need not be: commit
    // checks again, atomically, all it relies on (lock, challenge, generation, last step). A script
    // would cost Redis several times these reads (see docs/2026-12-05-performance-history.md).
    List<Request> reads = new ArrayList<>(3);
    reads.add(Request.cmd(Command.HGETALL).arg(keys.user(u)));
    reads.add(Request.cmd(Command.HGETALL).arg(keys.failures(u)));
    if (q.challengeId() != null) {
      reads.add(Request.cmd(Command.HGETALL).arg(keys.challenge(u, q.challengeId())));
    }
    Future<Response> windows = calls.send(Request.cmd(Command.MGET).arg(ipKey).arg(previousIpKey));
    Future<List<Response>> userReads = calls.pipeline(reads);
    return Future.all(userReads, windows)
        .map(
            all -> {
              List<Response> r = userReads.result();
              Response w = windows.result();
              Map<String, String> user = map(r.get(0));
              Map<String, String> fail = map(r.get(1));
              Map<String, String> challenge = r.size() > 2 ? map(r.get(2)) : Map.of();
              int ipFailures =
                  IpWindow.sliding(count(w.get(0)), count(w.get(1)), q.now(), q.ipWindowSeconds());
              Challenge c = challenge.isEmpty() ? null : challenge(q.challengeId(), u, challenge);
              if (c != null
                  && (c.expiredAt(q.now())
                      || !challenge.getOrDefault("gen", "").equals(user.getOrDefault("gen", "")))) {
                c = null;
              }
              if (user.isEmpty()) {
                standIn(u);
                return new LoginState(null, failState(fail), ipFailures, c);
              }
              return new LoginState(
                  user(u, user),
                  failState(fail),
                  ipFailures,
                  c,
                  mark(user.get("gen"), user.get("sg")));
            });
  }

  @Override
  public Future<CommitResult> commit(Commit c) {
    String u = c.username();
    Challenge open = c.open();
    // Only what this commit needs: Redis turns every key and argument into a Lua string on each
    // call.
    List<String> touched = new ArrayList<>(4);
    touched.add(keys.user(u));
    touched.add(keys.failures(u));
    if (c.close() != null) {
      touched.add(keys.challenge(u, c.close()));
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
      touched.add(keys.challenge(u, open.id()));
      args.add(open.kind().name());
      args.add(open.serial());
      args.add(Long.toString(open.step()));
      args.add(Long.toString(open.expiresAt()));
      args.add(Long.toString(ttlMillis(c.challengeTtlSeconds())));
    } else if (c.audit() != null) {
      touched.add(keys.auditTrail(u));
      args.add(c.audit().record());
      args.add(Integer.toString(c.audit().keep()));
      args.add(Long.toString(c.audit().ttlMillis()));
    }
    // An ACCEPT is answered only once the step it consumed survives a failover (RedisCalls). A
    // challenge opened by a code needs no such wait: losing it in a failover costs the user one
    // more round, never a second ACCEPT.
    Future<Response> committed =
        c.mode() == CommitMode.ACCEPT
            ? calls.evalReplicated(
                RedisScripts.COMMIT, touched, args, r -> "OK".equals(r.get(0).toString()))
            : calls.eval(RedisScripts.COMMIT, touched, args);
    return committed.map(
        r ->
            new CommitResult(
                CommitOutcome.valueOf(r.get(0).toString()), Long.parseLong(r.get(1).toString())));
  }

  @Override
  public Future<FailResult> fail(Fail f) {
    String u = f.username();
    String ipKey = keys.ip(f.ip(), IpWindow.number(f.now(), f.ipWindowSeconds()));
    String previousIpKey = keys.ip(f.ip(), IpWindow.previous(f.now(), f.ipWindowSeconds()));
    long lockUntil = Lockout.lockedUntil(f.now(), f.lockoutSeconds());
    long ttl = Lockout.counterMillis(f.lockoutSeconds());
    Future<Response> counted =
        calls.eval(
            RedisScripts.FAIL,
            List.of(keys.failures(u), keys.challenge(u, f.challengeId()), keys.user(u)),
            List.of(
                nz(f.fingerprint()),
                Long.toString(f.now()),
                Integer.toString(f.lockoutFailures()),
                Long.toString(lockUntil),
                Long.toString(ttl),
                f.challengeId() == null ? "0" : "1",
                Integer.toString(Challenge.MAX_TRIES)));
    // The address's windows have their own hash tag (in Redis Cluster, maybe another node): sent
    // beside the script, not in its batch. Counted even when the script fails, as a failure is.
    Future<List<Response>> window =
        calls.pipeline(
            List.of(
                Request.cmd(Command.INCR).arg(ipKey),
                // Kept for two windows: the next one still counts it, weighted.
                Request.cmd(Command.PEXPIRE)
                    .arg(ipKey)
                    .arg(IpWindow.keptMillis(f.ipWindowSeconds())),
                Request.cmd(Command.GET).arg(previousIpKey)));
    return Future.all(counted, window)
        .map(
            all -> {
              Response s = counted.result();
              List<Response> w = window.result();
              return new FailResult(
                  FailOutcome.valueOf(s.get(0).toString()),
                  Integer.parseInt(s.get(1).toString()),
                  Long.parseLong(s.get(2).toString()),
                  IpWindow.sliding(count(w.get(0)), count(w.get(2)), f.now(), f.ipWindowSeconds()));
            });
  }

  @Override
  public Future<Boolean> setPin(SetPin s) {
    String u = s.username();
    Challenge open = s.open();
    return calls
        .eval(
            RedisScripts.SET_PIN,
            List.of(keys.user(u), keys.challenge(u, s.close()), keys.challenge(u, open.id())),
            List.of(
                s.serial(),
                s.pinHash(),
                Long.toString(s.now()),
                open.kind().name(),
                Long.toString(open.step()),
                Long.toString(open.expiresAt()),
                Long.toString(ttlMillis(s.challengeTtlSeconds()))))
        .map(r -> r.toInteger() == 1);
  }

  // ---- admin ----

  /**
   * The user's script, then the search index (another slot) from the display name it had. Fails
   * when the index could not be written, although the user was: the same put again repairs it.
   */
  @Override
  public Future<Boolean> putUser(PutUser p) {
    return calls
        .eval(
            RedisScripts.PUT_USER,
            List.of(keys.user(p.username())),
            List.of(
                nz(p.displayName()), nz(p.passwordHash()), Long.toString(p.now()), generation()))
        .compose(
            r -> {
              boolean created = r.get(0).toInteger() == 1;
              String old = r.get(1).toString();
              String now = nz(p.displayName()).isEmpty() ? old : p.displayName();
              return userIndex.update(p.username(), old, now).map(created);
            });
  }

  @Override
  public Future<UserView> getUser(String username) {
    return calls
        .batch(
            retry ->
                List.of(
                    Request.cmd(Command.HGETALL).arg(keys.user(username)),
                    Request.cmd(Command.HGETALL).arg(keys.failures(username))))
        .map(
            r -> {
              Map<String, String> user = map(r.get(0));
              return user.isEmpty()
                  ? null
                  : new UserView(user(username, user), failState(map(r.get(1))));
            });
  }

  /**
   * Its tokens back to the pool one by one, the user's keys, then what other slots hold of it: its
   * search index members and its console role.
   */
  @Override
  public Future<Boolean> deleteUser(String username) {
    return calls
        .send(Request.cmd(Command.HMGET).arg(keys.user(username)).arg("tokens").arg("dn"))
        .compose(
            r -> {
              Response list = r.get(0);
              if (list == null) {
                return Future.succeededFuture(false);
              }
              String name = r.get(1) == null ? null : r.get(1).toString();
              Future<Void> chain = Future.succeededFuture();
              for (String serial : serials(list.toString())) {
                chain = chain.compose(v -> unassign(new Assign(username, serial)).mapEmpty());
              }
              return chain
                  .compose(
                      v ->
                          calls.send(
                              Request.cmd(Command.DEL)
                                  .arg(keys.user(username))
                                  .arg(keys.failures(username))))
                  .compose(
                      v ->
                          calls.sendEach(
                              List.of(
                                  userIndex.removal(username, name),
                                  Request.cmd(Command.HDEL)
                                      .arg(keys.consoleOperators())
                                      .arg(username))))
                  .map(true);
            });
  }

  @Override
  public Future<List<UserMatch>> searchUsers(String prefix, int limit) {
    return userIndex.search(prefix, limit);
  }

  /**
   * The user's existence and the role live in different slots, so no one step holds both: the role
   * is written once the user is seen, and taken back if the user is gone when read again after it.
   * A deletion removes the role after the user; whichever order the two interleave in, no role
   * outlives its user.
   */
  @Override
  public Future<Boolean> putConsoleOperator(String username, String role) {
    return calls
        .send(Request.cmd(Command.EXISTS).arg(keys.user(username)))
        .compose(
            before -> {
              if (before.toInteger() == 0) {
                return Future.succeededFuture(false);
              }
              return calls
                  .send(
                      Request.cmd(Command.HSET)
                          .arg(keys.consoleOperators())
                          .arg(username)
                          .arg(role))
                  .compose(v -> calls.send(Request.cmd(Command.EXISTS).arg(keys.user(username))))
                  .compose(
                      after ->
                          after.toInteger() == 1
                              ? Future.succeededFuture(true)
                              : calls
                                  .send(
                                      Request.cmd(Command.HDEL)
                                          .arg(keys.consoleOperators())
                                          .arg(username))
                                  .map(false));
            });
  }

  @Override
  public Future<String> consoleRole(String username) {
    return calls
        .send(Request.cmd(Command.HGET).arg(keys.consoleOperators()).arg(username))
        .map(r -> r == null ? null : r.toString());
  }

  @Override
  public Future<Boolean> deleteConsoleOperator(String username) {
    return calls
        .send(Request.cmd(Command.HDEL).arg(keys.consoleOperators()).arg(username))
        .map(r -> r.toInteger() == 1);
  }

  @Override
  public Future<List<ConsoleOperator>> consoleOperators() {
    return calls
        .send(Request.cmd(Command.HGETALL).arg(keys.consoleOperators()))
        .map(
            r -> {
              List<ConsoleOperator> all = new ArrayList<>();
              map(r).forEach((u, role) -> all.add(new ConsoleOperator(u, role)));
              all.sort(Comparator.comparing(ConsoleOperator::username));
              return all;
            });
  }

  @Override
  public Future<Boolean> createToken(TokenRecord t) {
    return calls
        .eval(RedisScripts.CREATE_TOKEN, List.of(keys.token(t.serial())), tokenFields(t))
        .map(r -> r.toInteger() == 1);
  }

  @Override
  public Future<TokenRecord> getToken(String serial) {
    return calls
        .send(Request.cmd(Command.HGETALL).arg(keys.token(serial)))
        .compose(
            r -> {
              Map<String, String> pooled = map(r);
              if (pooled.isEmpty()) {
                return Future.succeededFuture(null);
              }
              String owner = pooled.get("owner");
              if (owner == null) {
                return Future.succeededFuture(token(serial, pooled.get("cfg"), pooled, "", null));
              }
              return calls
                  .send(Request.cmd(Command.HGETALL).arg(keys.user(owner)))
                  .map(
                      ur -> {
                        Map<String, String> user = map(ur);
                        String cfg = user.get("t:" + serial);
                        return cfg == null
                            ? token(serial, pooled.get("cfg"), pooled, "", owner)
                            : token(serial, cfg, user, "t:" + serial + ":", owner);
                      });
            });
  }

  @Override
  public Future<AssignResult> assign(Assign a) {
    return calls
        .eval(RedisScripts.CLAIM, List.of(keys.token(a.serial())), List.of(a.username()))
        .compose(
            r -> {
              switch (r.get(0).toString()) {
                case "NO_TOKEN":
                  return Future.succeededFuture(AssignResult.NO_TOKEN);
                case "OWNED":
                  return Future.succeededFuture(AssignResult.OWNED_BY_OTHER);
                case "SAME":
                  return Future.succeededFuture(AssignResult.OK);
                default:
                  break;
              }
              List<String> args =
                  new ArrayList<>(List.of(Integer.toString(UserRecord.MAX_TOKENS), a.serial()));
              List<String> state = new ArrayList<>();
              for (int i = 1; i < r.size(); i++) {
                state.add(r.get(i).toString());
              }
              args.addAll(state);
              List<String> undo = new ArrayList<>(List.of(a.username(), "keep-pin"));
              undo.addAll(state);
              return calls
                  .eval(RedisScripts.ATTACH, List.of(keys.user(a.username())), args)
                  .compose(
                      attached -> {
                        AssignResult result = AssignResult.valueOf(attached.toString());
                        if (result == AssignResult.OK) {
                          return Future.succeededFuture(result);
                        }
                        return calls
                            .eval(RedisScripts.RELEASE, List.of(keys.token(a.serial())), undo)
                            .map(result);
                      });
            });
  }

  @Override
  public Future<Boolean> unassign(Assign a) {
    return calls
        .eval(RedisScripts.DETACH, List.of(keys.user(a.username())), List.of(a.serial()))
        .compose(
            r -> {
              if (r.size() == 0) {
                return Future.succeededFuture(false);
              }
              List<String> args = new ArrayList<>(List.of(a.username(), "clear-pin"));
              r.forEach(x -> args.add(x.toString()));
              return calls
                  .eval(RedisScripts.RELEASE, List.of(keys.token(a.serial())), args)
                  .map(true);
            });
  }

  @Override
  public Future<Boolean> setEnabled(SetEnabled s) {
    String on = s.enabled() ? "1" : "0";
    return calls
        .eval(RedisScripts.SET_ENABLED, List.of(keys.token(s.serial())), List.of(on))
        .compose(
            owner -> {
              if (owner == null) {
                return Future.succeededFuture(false);
              }
              if (owner.toString().isEmpty()) {
                return Future.succeededFuture(true);
              }
              return calls
                  .eval(
                      RedisScripts.HSET_IF_PRESENT,
                      List.of(keys.user(owner.toString())),
                      List.of(s.serial(), "on", on))
                  .map(true);
            });
  }

  @Override
  public Future<Boolean> clearPins(String username) {
    return calls
        .eval(RedisScripts.CLEAR_PINS, List.of(keys.user(username)), List.of())
        .map(r -> r.toInteger() == 1);
  }

  @Override
  public Future<Void> unlock(String username) {
    return calls.send(Request.cmd(Command.DEL).arg(keys.failures(username))).mapEmpty();
  }

  @Override
  public Future<Boolean> putEmergencyCodes(EmergencyCodes e) {
    List<String> args = new ArrayList<>(List.of(Long.toString(e.expiresAt())));
    args.addAll(e.hashes());
    return calls
        .eval(RedisScripts.EMERGENCY, List.of(keys.user(e.username())), args)
        .map(r -> r.toInteger() == 1);
  }

  @Override
  public Future<Void> putClient(ClientRecord c) {
    return putSecret(
        keys.client(c.name()),
        keys.clientIndex(),
        keys.clientsChanged(),
        c.name(),
        c.secretHash(),
        RedisRecords.clientFields(c));
  }

  /**
   * The index names every client once (each record keeps exactly one secret, and the script that
   * replaces it replaces its index entry), so its values are the clients' names; all records share
   * its hash tag, so one pipeline reads them.
   */
  @Override
  public Future<List<ClientRecord>> clients() {
    return calls
        .send(Request.cmd(Command.HVALS).arg(keys.clientIndex()))
        .compose(
            names -> {
              TreeSet<String> unique = new TreeSet<>();
              names.forEach(n -> unique.add(n.toString()));
              List<String> sorted = List.copyOf(unique);
              if (sorted.isEmpty()) {
                return Future.succeededFuture(List.<ClientRecord>of());
              }
              List<Request> reads = new ArrayList<>();
              sorted.forEach(n -> reads.add(Request.cmd(Command.HGETALL).arg(keys.client(n))));
              return calls
                  .pipeline(reads)
                  .map(
                      records -> {
                        List<ClientRecord> all = new ArrayList<>();
                        for (int i = 0; i < sorted.size(); i++) {
                          Map<String, String> h = map(records.get(i));
                          if (!h.isEmpty()) {
                            ClientRecord c = RedisRecords.client(sorted.get(i), h);
                            all.add(
                                new ClientRecord(
                                    c.name(), null, c.trustClientIp(), c.defaultLevel()));
                          }
                        }
                        return all;
                      });
            });
  }

  @Override
  public Future<ClientRecord> findClient(String secretHash) {
    return findBySecret(keys.clientIndex(), keys::client, secretHash, RedisRecords::client);
  }

  @Override
  public Future<Void> putRadiusClient(RadiusClientRecord c) {
    return calls
        .eval(
            RedisScripts.RADIUS_CLIENT,
            List.of(keys.radiusClients()),
            List.of(c.name(), keys.radiusClientsChanged(), RedisRecords.radiusClient(c)))
        .mapEmpty();
  }

  @Override
  public Future<List<RadiusClientRecord>> radiusClients() {
    return calls
        .send(Request.cmd(Command.HGETALL).arg(keys.radiusClients()))
        .map(
            r -> {
              List<RadiusClientRecord> all = new ArrayList<>();
              map(r).forEach((name, value) -> all.add(RedisRecords.radiusClient(name, value)));
              all.sort(Comparator.comparing(RadiusClientRecord::name));
              return all;
            });
  }

  @Override
  public Future<Boolean> deleteRadiusClient(String name) {
    return calls
        .eval(
            RedisScripts.RADIUS_CLIENT,
            List.of(keys.radiusClients()),
            List.of(name, keys.radiusClientsChanged(), ""))
        .map(r -> r.toInteger() == 1);
  }

  @Override
  public Future<Void> putOperator(OperatorRecord o) {
    // No channel: nothing caches operators (every admin request looks its caller up).
    return putSecret(
        keys.operator(o.name()),
        keys.operatorIndex(),
        "",
        o.name(),
        o.secretHash(),
        RedisRecords.operatorFields(o));
  }

  @Override
  public Future<OperatorRecord> findOperator(String secretHash) {
    return findBySecret(keys.operatorIndex(), keys::operator, secretHash, RedisRecords::operator);
  }

  @Override
  public Future<Boolean> deleteOperator(String name) {
    return calls
        .eval(
            RedisScripts.DROP_SECRET, List.of(keys.operator(name), keys.operatorIndex()), List.of())
        .map(r -> r.toInteger() == 1);
  }

  /**
   * A record found by its secret's hash, written with its index entry in one step; its name is
   * published on {@code channel} in the same step, unless the channel is empty.
   */
  private Future<Void> putSecret(
      String record,
      String index,
      String channel,
      String name,
      String secretHash,
      List<String> fields) {
    List<String> args = new ArrayList<>(List.of(name, secretHash, channel));
    args.addAll(fields);
    return calls.eval(RedisScripts.PUT_SECRET, List.of(record, index), args).mapEmpty();
  }

  /**
   * The record the index names for this secret hash, only if the record still holds that hash: an
   * index entry is never trusted alone (constant-time compare).
   */
  private <T> Future<T> findBySecret(
      String index,
      Function<String, String> recordKey,
      String secretHash,
      BiFunction<String, Map<String, String>, T> record) {
    return calls
        .send(Request.cmd(Command.HGET).arg(index).arg(secretHash))
        .compose(
            name -> {
              if (name == null) {
                return Future.succeededFuture(null);
              }
              return calls
                  .send(Request.cmd(Command.HGETALL).arg(recordKey.apply(name.toString())))
                  .map(
                      r -> {
                        Map<String, String> m = map(r);
                        String stored = m.get("hash");
                        return stored == null
                                || !MessageDigest.isEqual(
                                    stored.getBytes(StandardCharsets.UTF_8),
                                    secretHash.getBytes(StandardCharsets.UTF_8))
                            ? null
                            : record.apply(name.toString(), m);
                      });
            });
  }

  @Override
  public Future<String> sessionMark(String username) {
    return calls
        .send(Request.cmd(Command.HMGET).arg(keys.user(username)).arg("gen").arg("sg"))
        .map(
            r ->
                r.get(0) == null
                    ? null
                    : mark(r.get(0).toString(), r.get(1) == null ? null : r.get(1).toString()));
  }

  @Override
  public Future<Boolean> endSessions(EndSessions e) {
    return calls
        .eval(RedisScripts.END_SESSIONS, List.of(keys.user(e.username())), List.of(e.mark()))
        .map(r -> r.toInteger() == 1);
  }

  @Override
  public Future<BulkResult> bulk(Bulk b) {
    return bulk.load(b);
  }

  @Override
  public Future<Void> ping() {
    return calls.send(Request.cmd(Command.PING)).mapEmpty();
  }

  @Override
  public Future<Void> close() {
    return calls.close();
  }

  /**
   * Redis drops a challenge a little after its logical expiry, which the injected clock decides.
   */
  private static long ttlMillis(int challengeTtlSeconds) {
    return challengeTtlSeconds * 1000L + 60_000L;
  }
}
