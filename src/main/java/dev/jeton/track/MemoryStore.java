package dev.jeton.track;

import dev.jeton.crypto.Secrets;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The embedded store: one node, nothing kept across restarts. Every method runs under the
 * instance's lock, holds it for microseconds and does no I/O, so each operation is atomic like its
 * Redis script. Expired entries are dropped by {@link #purge(long)}, which the tracking verticle
 * calls periodically.
 */
public final class MemoryStore implements Store {

  private final Map<String, UserRecord> users = new HashMap<>();
  private final Map<String, TokenRecord> pool = new HashMap<>(); // unassigned tokens, by serial
  private final Map<String, String> owners =
      new HashMap<>(); // serial -> username, for assigned tokens
  private final Map<String, Expiring<FailState>> failures = new HashMap<>();
  private final Map<String, Expiring<Integer>> ipFailures = new HashMap<>();
  private final Map<String, Challenge> challenges = new HashMap<>();
  private final Map<String, ClientRecord> clients = new HashMap<>();
  private final Map<String, OperatorRecord> operators = new HashMap<>();
  private final Map<String, RadiusClientRecord> radiusClients = new TreeMap<>(); // by name
  private final Map<String, String> clientIndex = new HashMap<>(); // secret hash -> client name
  private final Map<String, String> operatorIndex = new HashMap<>(); // secret hash -> operator name
  private final Map<String, SessionMark> sessionMarks =
      new HashMap<>(); // one per user, made with it
  private final Map<String, String> consoleRoles = new TreeMap<>(); // username -> console role

  /**
   * The search index: {@code searchKey NUL username} for each user's identifier and display name,
   * in code point order (as Redis orders its members by UTF-8 bytes).
   */
  private final NavigableSet<String> searchIndex = new TreeSet<>(MemoryStore::byCodePoints);

  /** A user's generation id (new when the user is re-created) and portal session count. */
  private record SessionMark(String gen, long count) {
    SessionMark next() {
      return new SessionMark(gen, count + 1);
    }

    @Override
    public String toString() {
      return gen + "." + count;
    }
  }

  private record Expiring<T>(T value, long expiresAt) {}

  @Override
  public synchronized Future<LoginState> loadLogin(LoadLogin q) {
    Challenge c = q.challengeId() == null ? null : challenges.get(q.challengeId());
    if (c != null && (!c.username().equals(q.username()) || c.expiredAt(q.now()))) {
      c = null;
    }
    SessionMark mark = sessionMarks.get(q.username());
    return Future.succeededFuture(
        new LoginState(
            users.get(q.username()),
            failState(q.username(), q.now()),
            ipFailures(q.ip(), q.now(), q.ipWindowSeconds()),
            c,
            mark == null ? null : mark.toString()));
  }

  /**
   * As {@link RedisStore}'s, except that {@link Commit#audit()} is not kept: the embedded audit log
   * lives in this process too, and the audit verticle writes the event into it whole (a crash loses
   * both alike).
   */
  @Override
  public synchronized Future<CommitResult> commit(Commit c) {
    FailState fail = failState(c.username(), c.now());
    if (fail.lockedAt(c.now())) {
      return result(CommitOutcome.LOCKED, fail.lockedUntil());
    }
    Challenge closing = null;
    if (c.close() != null) {
      closing = challenges.get(c.close());
      if (closing == null
          || !closing.username().equals(c.username())
          || closing.expiredAt(c.now())) {
        return result(CommitOutcome.GONE, 0);
      }
    }
    UserRecord user = users.get(c.username());
    if (user == null) {
      return result(CommitOutcome.GONE, 0);
    }
    Map<String, Long> emergency = user.emergencyCodes();
    TokenRecord token = null;
    if (c.serial() != null) {
      token = user.token(c.serial());
      if (token == null || !token.enabled()) {
        return result(CommitOutcome.GONE, 0);
      }
      if (c.emergencyHash() != null) {
        Long exp = emergency.get(c.emergencyHash());
        if (exp == null || exp <= c.now()) {
          return result(CommitOutcome.REPLAY, 0);
        }
        emergency = new HashMap<>(emergency);
        emergency.remove(c.emergencyHash());
      } else if (c.step() <= token.lastStep()) {
        return result(CommitOutcome.REPLAY, 0);
      }
    }
    if (closing != null) {
      challenges.remove(closing.id());
    }
    if (token != null) {
      long step = c.emergencyHash() != null ? token.lastStep() : c.step();
      int drift = c.drift() != null && c.mode() == CommitMode.ACCEPT ? c.drift() : token.drift();
      long usedAt = c.mode() == CommitMode.ACCEPT ? c.now() : token.lastUsedAt();
      user = replaceToken(user, token.withUse(step, drift, usedAt));
    }
    users.put(
        c.username(),
        new UserRecord(
            user.username(),
            user.displayName(),
            user.passwordHash(),
            user.tokens(),
            emergency,
            user.createdAt()));
    if (c.mode() == CommitMode.ACCEPT) {
      failures.remove(c.username());
    } else if (c.open() != null) {
      challenges.put(c.open().id(), c.open());
    }
    return result(CommitOutcome.OK, 0);
  }

  @Override
  public synchronized Future<FailResult> fail(Fail f) {
    FailState state = failState(f.username(), f.now());
    String ipKey = ipKey(f.ip(), IpWindow.number(f.now(), f.ipWindowSeconds()));
    Expiring<Integer> ip = ipFailures.get(ipKey);
    // Kept for two windows: the next one still counts it, weighted.
    ipFailures.put(
        ipKey,
        new Expiring<>(
            (ip == null ? 0 : ip.value()) + 1, IpWindow.keptUntil(f.now(), f.ipWindowSeconds())));
    int ipCount = ipFailures(f.ip(), f.now(), f.ipWindowSeconds());
    if (state.lockedAt(f.now())) {
      return Future.succeededFuture(
          new FailResult(FailOutcome.LOCKED, state.failures(), state.lockedUntil(), ipCount));
    }
    if (f.fingerprint() != null && f.fingerprint().equals(state.lastBad())) {
      return Future.succeededFuture(
          new FailResult(FailOutcome.REPEATED, state.failures(), state.lockedUntil(), ipCount));
    }
    int n = state.failures() + 1;
    boolean locks = Lockout.locks(n, f.lockoutFailures());
    long until = locks ? Lockout.lockedUntil(f.now(), f.lockoutSeconds()) : state.lockedUntil();
    if (locks) {
      sessionMarks.computeIfPresent(f.username(), (u, m) -> m.next());
    }
    failures.put(
        f.username(),
        new Expiring<>(
            new FailState(n, until, f.fingerprint()),
            f.now() + Lockout.counterMillis(f.lockoutSeconds())));
    if (f.challengeId() != null) {
      Challenge c = challenges.get(f.challengeId());
      if (c != null && c.username().equals(f.username())) {
        if (c.tries() + 1 >= Challenge.MAX_TRIES) {
          challenges.remove(c.id());
        } else {
          challenges.put(
              c.id(),
              new Challenge(
                  c.id(),
                  c.username(),
                  c.kind(),
                  c.serial(),
                  c.step(),
                  c.tries() + 1,
                  c.expiresAt()));
        }
      }
    }
    return Future.succeededFuture(new FailResult(FailOutcome.COUNTED, n, until, ipCount));
  }

  @Override
  public synchronized Future<Boolean> setPin(SetPin s) {
    Challenge c = challenges.get(s.close());
    UserRecord user = users.get(s.username());
    if (c == null || !c.username().equals(s.username()) || c.expiredAt(s.now()) || user == null) {
      return Future.succeededFuture(false);
    }
    TokenRecord token = user.token(s.serial());
    if (token == null) {
      return Future.succeededFuture(false);
    }
    challenges.remove(c.id());
    if (token.pinSet()) {
      // Chosen meanwhile through another NEW_PIN state: never replaced this way.
      return Future.succeededFuture(false);
    }
    users.put(s.username(), replaceToken(user, token.withPin(s.pinHash())));
    challenges.put(s.open().id(), s.open());
    return Future.succeededFuture(true);
  }

  @Override
  public synchronized Future<Boolean> putUser(PutUser p) {
    UserRecord old = users.get(p.username());
    if (old == null) {
      users.put(
          p.username(),
          new UserRecord(
              p.username(), p.displayName(), p.passwordHash(), List.of(), Map.of(), p.now()));
      sessionMarks.put(p.username(), new SessionMark(Secrets.randomId().substring(0, 8), 0));
      index(p.username(), p.displayName());
      return Future.succeededFuture(true);
    }
    String displayName = p.displayName() != null ? p.displayName() : old.displayName();
    users.put(
        p.username(),
        new UserRecord(
            p.username(),
            displayName,
            p.passwordHash() != null ? p.passwordHash() : old.passwordHash(),
            old.tokens(),
            old.emergencyCodes(),
            old.createdAt()));
    unindex(p.username(), old.displayName());
    index(p.username(), displayName);
    return Future.succeededFuture(false);
  }

  @Override
  public synchronized Future<UserView> getUser(String username) {
    UserRecord u = users.get(username);
    Expiring<FailState> f = failures.get(username);
    return Future.succeededFuture(
        u == null ? null : new UserView(u, f == null ? FailState.NONE : f.value()));
  }

  @Override
  public synchronized Future<Boolean> deleteUser(String username) {
    UserRecord u = users.remove(username);
    if (u == null) {
      return Future.succeededFuture(false);
    }
    for (TokenRecord t : u.tokens()) {
      owners.remove(t.serial());
      pool.put(t.serial(), t.withOwner(null).withPin(null));
    }
    failures.remove(username);
    sessionMarks.remove(username);
    challenges.values().removeIf(c -> c.username().equals(username));
    consoleRoles.remove(username);
    unindex(username, u.displayName());
    return Future.succeededFuture(true);
  }

  @Override
  public synchronized Future<List<UserMatch>> searchUsers(String prefix, int limit) {
    String key = Store.searchKey(prefix);
    Set<String> seen = new HashSet<>();
    List<UserMatch> found = new ArrayList<>();
    for (String member : searchIndex.tailSet(key, true)) {
      if (found.size() >= limit || !member.startsWith(key)) {
        break;
      }
      int nul = member.lastIndexOf('\0');
      String username = member.substring(nul + 1);
      UserRecord user = users.get(username);
      if (user == null || !member.substring(0, nul).startsWith(key)) {
        continue;
      }
      if (seen.add(username)) {
        found.add(new UserMatch(username, user.displayName()));
      }
    }
    return Future.succeededFuture(found);
  }

  @Override
  public synchronized Future<Boolean> putConsoleOperator(String username, String role) {
    if (!users.containsKey(username)) {
      return Future.succeededFuture(false);
    }
    consoleRoles.put(username, role);
    return Future.succeededFuture(true);
  }

  @Override
  public synchronized Future<String> consoleRole(String username) {
    return Future.succeededFuture(consoleRoles.get(username));
  }

  @Override
  public synchronized Future<Boolean> deleteConsoleOperator(String username) {
    return Future.succeededFuture(consoleRoles.remove(username) != null);
  }

  @Override
  public synchronized Future<List<ConsoleOperator>> consoleOperators() {
    List<ConsoleOperator> all = new ArrayList<>();
    consoleRoles.forEach((u, r) -> all.add(new ConsoleOperator(u, r)));
    return Future.succeededFuture(all);
  }

  @Override
  public synchronized Future<Boolean> createToken(TokenRecord t) {
    if (pool.containsKey(t.serial()) || owners.containsKey(t.serial())) {
      return Future.succeededFuture(false);
    }
    pool.put(t.serial(), t.withOwner(null));
    return Future.succeededFuture(true);
  }

  @Override
  public synchronized Future<TokenRecord> getToken(String serial) {
    TokenRecord t = pool.get(serial);
    if (t == null && owners.containsKey(serial)) {
      t = users.get(owners.get(serial)).token(serial);
    }
    return Future.succeededFuture(t);
  }

  @Override
  public synchronized Future<AssignResult> assign(Assign a) {
    UserRecord user = users.get(a.username());
    if (user == null) {
      return Future.succeededFuture(AssignResult.NO_USER);
    }
    String owner = owners.get(a.serial());
    if (owner != null) {
      return Future.succeededFuture(
          owner.equals(a.username()) ? AssignResult.OK : AssignResult.OWNED_BY_OTHER);
    }
    TokenRecord t = pool.get(a.serial());
    if (t == null) {
      return Future.succeededFuture(AssignResult.NO_TOKEN);
    }
    if (user.tokens().size() >= UserRecord.MAX_TOKENS) {
      return Future.succeededFuture(AssignResult.TOO_MANY);
    }
    pool.remove(a.serial());
    owners.put(a.serial(), a.username());
    List<TokenRecord> tokens = new ArrayList<>(user.tokens());
    tokens.add(t.withOwner(a.username()));
    users.put(a.username(), withTokens(user, tokens));
    return Future.succeededFuture(AssignResult.OK);
  }

  @Override
  public synchronized Future<Boolean> unassign(Assign a) {
    UserRecord user = users.get(a.username());
    TokenRecord t = user == null ? null : user.token(a.serial());
    if (t == null) {
      return Future.succeededFuture(false);
    }
    List<TokenRecord> tokens = new ArrayList<>(user.tokens());
    tokens.remove(t);
    users.put(a.username(), withTokens(user, tokens));
    owners.remove(a.serial());
    pool.put(a.serial(), t.withOwner(null).withPin(null));
    return Future.succeededFuture(true);
  }

  @Override
  public synchronized Future<Boolean> setEnabled(SetEnabled s) {
    TokenRecord t = pool.get(s.serial());
    if (t != null) {
      pool.put(s.serial(), t.withEnabled(s.enabled()));
      return Future.succeededFuture(true);
    }
    String owner = owners.get(s.serial());
    if (owner == null) {
      return Future.succeededFuture(false);
    }
    UserRecord user = users.get(owner);
    users.put(owner, replaceToken(user, user.token(s.serial()).withEnabled(s.enabled())));
    return Future.succeededFuture(true);
  }

  @Override
  public synchronized Future<Boolean> clearPins(String username) {
    UserRecord user = users.get(username);
    if (user == null) {
      return Future.succeededFuture(false);
    }
    List<TokenRecord> tokens = new ArrayList<>();
    user.tokens().forEach(t -> tokens.add(t.withPin(null)));
    users.put(username, withTokens(user, tokens));
    sessionMarks.computeIfPresent(username, (u, m) -> m.next());
    return Future.succeededFuture(true);
  }

  @Override
  public synchronized Future<Void> unlock(String username) {
    failures.remove(username);
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<Boolean> putEmergencyCodes(EmergencyCodes e) {
    UserRecord u = users.get(e.username());
    if (u == null) {
      return Future.succeededFuture(false);
    }
    Map<String, Long> codes = new LinkedHashMap<>();
    e.hashes().forEach(h -> codes.put(h, e.expiresAt()));
    users.put(
        e.username(),
        new UserRecord(
            u.username(), u.displayName(), u.passwordHash(), u.tokens(), codes, u.createdAt()));
    return Future.succeededFuture(true);
  }

  @Override
  public synchronized Future<Void> putClient(ClientRecord c) {
    ClientRecord old = clients.put(c.name(), c);
    if (old != null) {
      clientIndex.remove(old.secretHash());
    }
    clientIndex.put(c.secretHash(), c.name());
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<List<ClientRecord>> clients() {
    return Future.succeededFuture(
        clients.values().stream()
            .map(c -> new ClientRecord(c.name(), null, c.trustClientIp(), c.defaultLevel()))
            .sorted(Comparator.comparing(ClientRecord::name))
            .toList());
  }

  @Override
  public synchronized Future<ClientRecord> findClient(String secretHash) {
    String name = clientIndex.get(secretHash);
    ClientRecord c = name == null ? null : clients.get(name);
    return Future.succeededFuture(c != null && sameHash(c.secretHash(), secretHash) ? c : null);
  }

  /**
   * One node: the admin API's own publication on the local bus is all the telling there is to do.
   */
  @Override
  public synchronized Future<Void> putRadiusClient(RadiusClientRecord c) {
    radiusClients.put(c.name(), c);
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<List<RadiusClientRecord>> radiusClients() {
    return Future.succeededFuture(List.copyOf(radiusClients.values()));
  }

  @Override
  public synchronized Future<Boolean> deleteRadiusClient(String name) {
    return Future.succeededFuture(radiusClients.remove(name) != null);
  }

  @Override
  public synchronized Future<Void> putOperator(OperatorRecord o) {
    OperatorRecord old = operators.put(o.name(), o);
    if (old != null) {
      operatorIndex.remove(old.secretHash());
    }
    operatorIndex.put(o.secretHash(), o.name());
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<OperatorRecord> findOperator(String secretHash) {
    String name = operatorIndex.get(secretHash);
    OperatorRecord o = name == null ? null : operators.get(name);
    return Future.succeededFuture(o != null && sameHash(o.secretHash(), secretHash) ? o : null);
  }

  @Override
  public synchronized Future<Boolean> deleteOperator(String name) {
    OperatorRecord old = operators.remove(name);
    if (old != null) {
      operatorIndex.remove(old.secretHash());
    }
    return Future.succeededFuture(old != null);
  }

  @Override
  public synchronized Future<String> sessionMark(String username) {
    SessionMark mark = sessionMarks.get(username);
    return Future.succeededFuture(mark == null ? null : mark.toString());
  }

  @Override
  public synchronized Future<Boolean> endSessions(EndSessions e) {
    SessionMark mark = sessionMarks.get(e.username());
    if (mark == null || !mark.toString().equals(e.mark())) {
      return Future.succeededFuture(false);
    }
    sessionMarks.put(e.username(), mark.next());
    return Future.succeededFuture(true);
  }

  @Override
  public synchronized Future<BulkResult> bulk(Bulk b) {
    List<String> errors = new ArrayList<>();
    for (BulkLine line : b.lines()) {
      TokenRecord t = line.token();
      UserRecord existing = users.get(line.username());
      if (t != null && (pool.containsKey(t.serial()) || owners.containsKey(t.serial()))) {
        errors.add("a token with serial " + t.serial() + " exists");
      } else if (t != null
          && existing != null
          && existing.tokens().size() >= UserRecord.MAX_TOKENS) {
        errors.add("the user holds " + UserRecord.MAX_TOKENS + " tokens already");
      } else {
        putUser(new PutUser(line.username(), line.displayName(), line.passwordHash(), b.now()));
        if (t != null) {
          createToken(t);
          assign(new Assign(line.username(), t.serial()));
        }
        errors.add(null);
      }
    }
    return Future.succeededFuture(new BulkResult(errors));
  }

  @Override
  public Future<Void> ping() {
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> close() {
    return Future.succeededFuture();
  }

  /** Drops expired failure counters, IP windows and challenges. */
  public synchronized void purge(long now) {
    removeExpired(failures.values().iterator(), now);
    removeExpired(ipFailures.values().iterator(), now);
    challenges.values().removeIf(c -> c.expiredAt(now));
  }

  private static <T> void removeExpired(Iterator<Expiring<T>> it, long now) {
    while (it.hasNext()) {
      if (it.next().expiresAt() <= now) {
        it.remove();
      }
    }
  }

  private FailState failState(String username, long now) {
    Expiring<FailState> e = failures.get(username);
    return e == null || e.expiresAt() <= now ? FailState.NONE : e.value();
  }

  private int ipFailures(String ip, long now, int windowSeconds) {
    Expiring<Integer> current = ipFailures.get(ipKey(ip, IpWindow.number(now, windowSeconds)));
    Expiring<Integer> previous = ipFailures.get(ipKey(ip, IpWindow.previous(now, windowSeconds)));
    return IpWindow.sliding(
        current == null ? 0 : current.value(),
        previous == null ? 0 : previous.value(),
        now,
        windowSeconds);
  }

  private static String ipKey(String ip, long window) {
    return ip + "|" + window;
  }

  private static boolean sameHash(String stored, String given) {
    return MessageDigest.isEqual(
        stored.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
  }

  /** Adds the user's identifier and display name (if any) to the search index. */
  private void index(String username, String displayName) {
    searchIndex.add(Store.searchKey(username) + '\0' + username);
    if (displayName != null && !displayName.isEmpty()) {
      searchIndex.add(Store.searchKey(displayName) + '\0' + username);
    }
  }

  /**
   * Removes both of the user's entries from the search index, as they were for this display name.
   */
  private void unindex(String username, String displayName) {
    searchIndex.remove(Store.searchKey(username) + '\0' + username);
    if (displayName != null) {
      searchIndex.remove(Store.searchKey(displayName) + '\0' + username);
    }
  }

  /** Code point order, which is the UTF-8 byte order Redis sorts its members in. */
  private static int byCodePoints(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }

  private static Future<CommitResult> result(CommitOutcome o, long until) {
    return Future.succeededFuture(new CommitResult(o, until));
  }

  private static UserRecord replaceToken(UserRecord user, TokenRecord token) {
    List<TokenRecord> tokens = new ArrayList<>(user.tokens());
    tokens.replaceAll(t -> t.serial().equals(token.serial()) ? token : t);
    return withTokens(user, tokens);
  }

  private static UserRecord withTokens(UserRecord u, List<TokenRecord> tokens) {
    return new UserRecord(
        u.username(), u.displayName(), u.passwordHash(), tokens, u.emergencyCodes(), u.createdAt());
  }
}
