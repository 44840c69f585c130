package dev.jeton.verify;

import dev.jeton.audit.AuditEvent;
import dev.jeton.bus.DirectoryBus;
import dev.jeton.bus.LoginOutcome;
import dev.jeton.bus.LoginRequest;
import dev.jeton.config.Config;
import dev.jeton.crypto.Keys;
import dev.jeton.crypto.PasswordHasher;
import dev.jeton.crypto.Secrets;
import dev.jeton.metrics.JetonMetrics;
import dev.jeton.otp.Codes;
import dev.jeton.otp.Hotp;
import dev.jeton.otp.OtpAlgorithm;
import dev.jeton.otp.Totp;
import dev.jeton.policy.PinPolicy;
import dev.jeton.track.Challenge;
import dev.jeton.track.Store;
import dev.jeton.track.Store.Commit;
import dev.jeton.track.Store.CommitMode;
import dev.jeton.track.Store.CommitOutcome;
import dev.jeton.track.Store.CommitResult;
import dev.jeton.track.Store.LoginState;
import dev.jeton.track.TokenRecord;
import dev.jeton.track.UserRecord;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The login state machine of API.md §2: password, PIN + code, code alone → NEW_PIN → NEXT_PASSCODE,
 * resynchronisation, NEXT_PASSCODE after failures, emergency codes, lockout and IP throttling. It
 * reads with one store call, decides in plain Java, and writes with one atomic store call; any
 * store failure is an UNAVAILABLE answer, never an ACCEPT.
 *
 * <p>An ACCEPT's audit event is made here, with the commit that decides it: the commit writes it
 * into the user's audit trail in the same atomic step, and once it succeeds the event goes to
 * {@code accepted} (before the answer), so that an ACCEPT a client received always has its record.
 *
 * <p>Thread-safe; non-blocking except through {@code blocking}, which runs password hashing off the
 * event loop.
 */
public final class Verifier {

  /** Digits of an emergency code, longer than any token code so the two never mix. */
  public static final int EMERGENCY_DIGITS = 8;

  private final Config config;
  private final Store store;
  private final Clock clock;
  private final Keys keys;
  private final PasswordHasher passwords;
  private final Function<DirectoryBus.PasswordCheck, Future<DirectoryBus.PasswordResult>> directory;
  private final Function<Callable<Boolean>, Future<Boolean>> blocking;
  private final PinPolicy pinPolicy;
  private final UserRecord dummyUser;
  private final TokenRecord dummyToken;
  private final String dummyPinHash;
  private final byte[] dummySeed;

  /** {@code passcodeLengths[n]}: a value of n digits may be a passcode under this configuration. */
  private final boolean[] passcodeLengths;

  /**
   * OTP codes a failed search costs on the dearest token type (TOTP or HOTP): what every token is
   * padded to.
   */
  private final int codesPerToken;

  private final JetonMetrics metrics;
  private final Consumer<AuditEvent> accepted;
  private final long auditTtlMillis;

  /** Computes the padding codes of a failed match. */
  private static final Hotp PAD = new Hotp(OtpAlgorithm.SHA1, 6);

  /** A verifier whose ACCEPTs' audit events go nowhere but into the user's trail. */
  public Verifier(
      Config config,
      Store store,
      Clock clock,
      Keys keys,
      PasswordHasher passwords,
      Function<Callable<Boolean>, Future<Boolean>> blocking,
      JetonMetrics metrics) {
    this(config, store, clock, keys, passwords, blocking, metrics, e -> {}, null);
  }

  /**
   * @param blocking runs a password check on a bounded worker pool; fails when the pool is
   *     saturated
   * @param accepted takes the audit event of each ACCEPT, {@link AuditEvent#committed() committed},
   *     once its commit has succeeded and before the answer; on the calling event loop
   * @param directory checks a password in the district's directory (LDAP), which then is the only
   *     place passwords are checked; null when none is configured (passwords are Jeton's own)
   */
  public Verifier(
      Config config,
      Store store,
      Clock clock,
      Keys keys,
      PasswordHasher passwords,
      Function<Callable<Boolean>, Future<Boolean>> blocking,
      JetonMetrics metrics,
      Consumer<AuditEvent> accepted,
      Function<DirectoryBus.PasswordCheck, Future<DirectoryBus.PasswordResult>> directory) {
    this.directory = directory;
    this.metrics = metrics;
    this.accepted = accepted;
    this.auditTtlMillis = config.auditMaxAgeDays() * 86_400_000L;
    this.config = config;
    this.store = store;
    this.clock = clock;
    this.keys = keys;
    this.passwords = passwords;
    this.blocking = blocking;
    this.pinPolicy =
        new PinPolicy(config.pinMinLength(), config.pinMaxLength(), config.pinForbidTrivial());
    this.dummyUser = dummyUser(keys);
    this.dummyToken = dummyUser.tokens().get(0);
    this.dummyPinHash = keys.pins().hash("dummy", Secrets.randomDigits(4));
    this.dummySeed = new byte[20];
    new java.security.SecureRandom().nextBytes(dummySeed);
    this.passcodeLengths = passcodeLengths(config);
    this.codesPerToken =
        Math.max(
            2 * config.totpWindow() + 2 * config.resyncWindow() + 2,
            config.hotpLookahead() + config.hotpResyncWindow() + 2);
  }

  /** A code alone (6 or 8 digits), or a PIN followed by a code or by an emergency code. */
  private static boolean[] passcodeLengths(Config config) {
    boolean[] lengths = new boolean[config.pinMaxLength() + EMERGENCY_DIGITS + 1];
    lengths[6] = true;
    lengths[8] = true;
    for (int p = config.pinMinLength(); p <= config.pinMaxLength(); p++) {
      lengths[p + 6] = true;
      lengths[p + 8] = true;
    }
    return lengths;
  }

  public PinPolicy pinPolicy() {
    return pinPolicy;
  }

  /** Decides one request. The future always succeeds: store trouble becomes {@code UNAVAILABLE}. */
  public Future<LoginOutcome> login(LoginRequest r) {
    long now = clock.millis();
    Future<LoginOutcome> outcome;
    try {
      outcome =
          store
              .loadLogin(
                  new Store.LoadLogin(
                      r.username(),
                      ThrottleKey.of(r.clientIp()),
                      r.state(),
                      now,
                      config.ipFailureWindowSeconds()))
              .compose(
                  s ->
                      evaluate(r, s, now)
                          .map(
                              o ->
                                  o.withKnownUser(s.user() != null)
                                      .withSessionMark(s.sessionMark())));
    } catch (RuntimeException e) {
      outcome = Future.failedFuture(e);
    }
    return outcome.recover(
        e -> Future.succeededFuture(LoginOutcome.unavailable(r.username(), "store_unavailable")));
  }

  private Future<LoginOutcome> evaluate(LoginRequest r, LoginState s, long now) {
    if (s.ipFailures() >= config.ipFailureLimit()) {
      long windowMillis = config.ipFailureWindowSeconds() * 1000L;
      long retry = (windowMillis - now % windowMillis + 999) / 1000;
      return Future.succeededFuture(LoginOutcome.rateLimited(r.username(), Math.max(1, retry)));
    }
    if (s.fail().lockedAt(now)) {
      return Future.succeededFuture(locked(r.username(), s.fail().lockedUntil(), now));
    }
    if (r.state() != null) {
      return answer(r, s, now);
    }
    if (r.password() == null || r.password().isEmpty()) {
      return Future.succeededFuture(
          LoginOutcome.badRequest(r.username(), "invalid_request", "password is required"));
    }
    return first(r, s, now);
  }

  // ---- a login without state ----

  /**
   * A password checked by the directory, the only place passwords are checked when one is
   * configured: Jeton's own password hashes are then never read. The directory does the same work
   * for a username it does not have as for a wrong password, and answers both alike. A user the
   * directory accepts and Jeton does not have yet is added to Jeton's store at that moment (its
   * display name from the directory, no password), so that its failures, lock, audit trail and keys
   * live where everyone's do; Jeton never writes to the directory. A directory that cannot answer
   * makes this login unavailable (503), never an ACCEPT, and takes nothing else down.
   */
  private Future<LoginOutcome> directoryPassword(LoginRequest r, LoginState s, long now) {
    return directory
        .apply(new DirectoryBus.PasswordCheck(r.username(), r.password()))
        .otherwise(new DirectoryBus.PasswordResult(DirectoryBus.Verdict.UNAVAILABLE, null))
        .compose(
            result ->
                switch (result.verdict()) {
                  case OK ->
                      (s.user() != null
                              ? Future.succeededFuture(false)
                              : store.putUser(
                                  new Store.PutUser(r.username(), result.displayName(), null, now)))
                          .compose(
                              created ->
                                  commit(
                                      r,
                                      Commits.acceptPassword(
                                          r.username(), now, config.challengeTtlSeconds()),
                                      LoginOutcome.accept(r.username(), "password", null),
                                      now));
                  case WRONG -> failure(r, null, null, now, "wrong_password");
                  case UNAVAILABLE ->
                      Future.succeededFuture(
                          LoginOutcome.unavailable(r.username(), "directory_unavailable"));
                });
  }

  /**
   * What a value is checked as depends on its shape and the configuration only, never on the user:
   * a value that could be a passcode (digits, of a passcode's length) is only ever a passcode,
   * anything else only ever a password. So every username, known or not, with or without a password
   * or a PIN, does the same expensive steps for the same input: one Argon2id (real or dummy) for a
   * password, the same OTP work for a passcode (see {@link #match}).
   */
  private Future<LoginOutcome> first(LoginRequest r, LoginState s, long now) {
    boolean known = s.user() != null;
    UserRecord user = known ? s.user() : dummyUser;
    String value = r.password();
    if (!passcodeShaped(value)) {
      if ("otp".equals(r.level())) {
        return failure(r, null, null, now, known ? "not_a_passcode" : "unknown_user");
      }
      if (directory != null) {
        return directoryPassword(r, s, now);
      }
      String hash = known ? user.passwordHash() : null;
      return blocking
          .apply(
              () -> {
                if (hash != null) {
                  return passwords.verify(value, hash);
                }
                passwords.dummyVerify(value);
                return false;
              })
          .compose(
              ok ->
                  ok
                      ? commit(
                          r,
                          Commits.acceptPassword(r.username(), now, config.challengeTtlSeconds()),
                          LoginOutcome.accept(r.username(), "password", null),
                          now)
                      : failure(
                          r,
                          null,
                          null,
                          now,
                          !known
                              ? "unknown_user"
                              : hash == null ? "no_password" : "wrong_password"));
    }
    Match m = match(user, value, now);
    if (known && m.kind != MatchKind.NONE) {
      return onMatch(r, s, user, m, now);
    }
    return failure(r, user, null, now, known ? "wrong_passcode" : "unknown_user");
  }

  private Future<LoginOutcome> onMatch(
      LoginRequest r, LoginState s, UserRecord user, Match m, long now) {
    TokenRecord t = m.token;
    String u = r.username();
    int ttl = config.challengeTtlSeconds();
    switch (m.kind) {
      case NEW_PIN:
        {
          Challenge open = open(u, Challenge.Kind.NEW_PIN, t, m.step, now);
          return commit(
              r,
              Commits.openChallenge(u, t.serial(), m.step, open, now, ttl),
              LoginOutcome.challenge(u, "NEW_PIN", t.serial(), open.id(), ttl, newPinMessage()),
              now);
        }
      case RESYNC:
        {
          Challenge open = open(u, Challenge.Kind.NEXT_EXACT, t, m.step, now);
          return commit(
              r,
              Commits.openChallenge(u, t.serial(), m.step, open, now, ttl),
              nextPasscode(u, t, open, "resync"),
              now);
        }
      case EMERGENCY:
        return commit(
            r,
            Commits.acceptEmergency(u, t.serial(), m.emergencyHash, now, ttl),
            LoginOutcome.accept(u, "emergency", t.serial()),
            now);
      case CODE:
        if (s.fail().failures() >= config.nextCodeAfterFailures()) {
          Challenge open = open(u, Challenge.Kind.NEXT_LATER, t, m.step, now);
          return commit(
              r,
              Commits.openChallenge(u, t.serial(), m.step, open, now, ttl),
              nextPasscode(u, t, open, "next_after_failures"),
              now);
        }
        return commit(
            r,
            Commits.acceptCode(u, t.serial(), m.step, now, ttl),
            LoginOutcome.accept(u, "otp", t.serial()),
            now);
      case REPLAY:
        return failure(r, user, null, now, "replayed_code");
      default:
        throw new IllegalStateException("unreachable: " + m.kind);
    }
  }

  // ---- answers to a challenge ----

  private Future<LoginOutcome> answer(LoginRequest r, LoginState s, long now) {
    Challenge c = s.challenge();
    UserRecord user = s.user();
    TokenRecord t = c == null || user == null ? null : user.token(c.serial());
    if (t == null || !t.enabled()) {
      return failure(r, user, null, now, c == null ? "unknown_or_expired_state" : "token_gone");
    }
    if (c.kind() == Challenge.Kind.NEW_PIN) {
      return newPin(r, user, c, t, now);
    }
    if (r.password() == null || r.password().isEmpty()) {
      return Future.succeededFuture(
          LoginOutcome.badRequest(r.username(), "invalid_request", "password is required"));
    }
    byte[] seed = seed(t);
    String code = pinAndCode(t, r.password());
    if (code == null) {
      return failure(r, user, c.id(), now, "wrong_passcode");
    }
    long step;
    Integer drift = null;
    if (c.kind() == Challenge.Kind.NEXT_EXACT) {
      step = c.step() + 1;
      String expected = t.totp() ? totp(t).generate(seed, step) : hotp(t).generate(seed, step);
      if (!Codes.equal(expected, code)) {
        return failure(r, user, c.id(), now, "wrong_passcode");
      }
      if (t.totp()) {
        // Never more than the resync window: a token that drifted further is re-synchronised again,
        // not followed.
        long learned = step - totp(t).stepAt(Instant.ofEpochMilli(now));
        drift = (int) Math.max(-config.resyncWindow(), Math.min(config.resyncWindow(), learned));
      }
    } else {
      step =
          t.totp()
              ? find(t, seed, code, expectedStep(t, now), config.totpWindow())
              : find(t, seed, code, c.step() + 1, config.hotpLookahead());
      if (step == NO_STEP || step <= c.step()) {
        return failure(r, user, c.id(), now, "wrong_passcode");
      }
    }
    return commit(
        r,
        Commits.acceptAnswer(
            r.username(), t.serial(), step, drift, c.id(), now, config.challengeTtlSeconds()),
        LoginOutcome.accept(r.username(), "otp", t.serial()),
        now);
  }

  private Future<LoginOutcome> newPin(
      LoginRequest r, UserRecord user, Challenge c, TokenRecord t, long now) {
    if (r.newPin() == null || r.confirmPin() == null) {
      return Future.succeededFuture(
          LoginOutcome.badRequest(
              r.username(), "invalid_request", "newPin and confirmPin are required"));
    }
    String refusal = pinPolicy.refusal(r.newPin());
    if (refusal != null) {
      return Future.succeededFuture(LoginOutcome.badRequest(r.username(), "pin_policy", refusal));
    }
    if (!Codes.equal(r.newPin(), r.confirmPin())) {
      return Future.succeededFuture(
          LoginOutcome.badRequest(
              r.username(), "pin_mismatch", "the PIN and its confirmation differ"));
    }
    Challenge next = open(r.username(), Challenge.Kind.NEXT_LATER, t, c.step(), now);
    String pinHash = keys.pins().hash(t.serial(), r.newPin());
    return store
        .setPin(
            new Store.SetPin(
                r.username(), t.serial(), pinHash, c.id(), next, now, config.challengeTtlSeconds()))
        .compose(
            ok ->
                ok
                    ? Future.succeededFuture(nextPasscode(r.username(), t, next, "pin_set"))
                    : failure(r, user, null, now, "state_gone"));
  }

  // ---- writes ----

  private Future<LoginOutcome> commit(LoginRequest r, Commit c, LoginOutcome onSuccess, long now) {
    if (c.mode() != CommitMode.ACCEPT) {
      return store.commit(c).compose(result -> afterCommit(r, result, onSuccess, now));
    }
    AuditEvent plain =
        AuditEvent.of(
            clock.millis(),
            r.requestId(),
            r.username(),
            r.clientIp(),
            r.client(),
            onSuccess.decision(),
            onSuccess.auditReason(),
            onSuccess.method(),
            onSuccess.tokenSerial(),
            true);
    AuditEvent event = r.note() == null ? plain : plain.withNote(r.note());
    return store
        .commit(Commits.recorded(c, event, auditTtlMillis))
        .compose(
            result -> {
              if (result.outcome() == CommitOutcome.OK) {
                accepted.accept(event.asCommitted());
              }
              return afterCommit(r, result, onSuccess, now);
            });
  }

  private Future<LoginOutcome> afterCommit(
      LoginRequest r, CommitResult result, LoginOutcome onSuccess, long now) {
    switch (result.outcome()) {
      case OK:
        return Future.succeededFuture(onSuccess);
      case LOCKED:
        return Future.succeededFuture(locked(r.username(), result.lockedUntil(), now));
      case REPLAY:
        return failure(r, null, null, now, "replayed_code");
      default:
        return failure(r, null, null, now, "state_gone");
    }
  }

  /**
   * Counts a failure. The same wrong value sent again counts once only while the code it would have
   * to match is the same: its fingerprint covers the value and the moment of {@code user}'s tokens
   * (TOTP step, HOTP counter), so a fixed guess tried again at the next step counts again. A
   * password is not tied to a moment ({@code user} null).
   */
  private Future<LoginOutcome> failure(
      LoginRequest r, UserRecord user, String challengeId, long now, String reason) {
    String fingerprint =
        keys.fingerprints()
            .hash(
                r.username(),
                r.state() == null ? "" : r.state(),
                r.password() == null ? "" : r.password(),
                user == null ? "" : moment(user, now));
    return store
        .fail(
            new Store.Fail(
                r.username(),
                ThrottleKey.of(r.clientIp()),
                fingerprint,
                challengeId,
                now,
                config.lockoutFailures(),
                config.lockoutSeconds(),
                config.ipFailureWindowSeconds()))
        .map(
            f -> {
              if (f.outcome() == Store.FailOutcome.LOCKED) {
                return locked(r.username(), f.lockedUntil(), now);
              }
              if (f.outcome() == Store.FailOutcome.COUNTED
                  && f.failures() >= config.lockoutFailures()) {
                metrics.lockout();
              }
              return LoginOutcome.reject(r.username(), reason);
            });
  }

  /**
   * Where each enabled token of the user stands: the TOTP step it expects now, or the HOTP counter
   * it is at.
   */
  private String moment(UserRecord user, long now) {
    StringBuilder b = new StringBuilder();
    for (TokenRecord t : user.tokens()) {
      if (t.enabled()) {
        b.append(t.totp() ? Math.floorDiv(now / 1000, t.period()) + t.drift() : t.lastStep())
            .append(',');
      }
    }
    return b.toString();
  }

  // ---- matching a passcode ----

  private enum MatchKind {
    NONE,
    CODE,
    NEW_PIN,
    RESYNC,
    EMERGENCY,
    REPLAY;

    /** A match that is answered by a commit rather than a failure. */
    boolean success() {
      return this != NONE && this != REPLAY;
    }
  }

  /** What a value matched on one token, and how many OTP codes finding it computed. */
  private record Match(
      MatchKind kind, TokenRecord token, long step, String emergencyHash, int codes) {
    static final Match NONE = new Match(MatchKind.NONE, null, 0, null, 0);
  }

  /** True when the value could be a passcode under this configuration, whoever sends it. */
  private boolean passcodeShaped(String value) {
    int n = value.length();
    return n < passcodeLengths.length && passcodeLengths[n] && PinPolicy.digits(value);
  }

  /**
   * Tries the value as a passcode on every enabled token. A success ends the search (it is answered
   * at once, and an ACCEPT tells its own story); a failure costs the same for every username: the
   * user's enabled tokens, then dummy tokens up to {@link UserRecord#MAX_TOKENS}, each tried the
   * same way (see {@link #matchToken}), and the OTP codes computed padded to what the dearest token
   * type would have cost. Otherwise how long a wrong answer takes would tell whether the username
   * exists, how many tokens it has, and whether their PIN is set.
   */
  private Match match(UserRecord user, String value, long now) {
    Match best = Match.NONE;
    int slots = 0;
    int codes = 0;
    for (TokenRecord t : user.tokens()) {
      if (!t.enabled()) {
        continue;
      }
      Match m = matchToken(user, t, value, now);
      if (m.kind.success()) {
        return m;
      }
      if (best.kind == MatchKind.NONE) {
        best = m;
      }
      slots++;
      codes += m.codes;
    }
    for (; slots < UserRecord.MAX_TOKENS; slots++) {
      codes += matchToken(dummyUser, dummyToken, value, now).codes;
    }
    int pad = UserRecord.MAX_TOKENS * codesPerToken - codes;
    if (pad > 0) {
      PAD.find(dummySeed, "", 0, pad - 1);
    }
    return best;
  }

  /**
   * One token, with the same steps whatever the token and the value: one seed decryption; for every
   * PIN length the PIN's keyed hash (against a dummy hash when the token has none yet) and the
   * emergency code's; one search of the normal window and, when the code is not there, of the
   * resynchronisation window — on the value's code part, or on a stand-in of the token's length
   * when the value cannot be a passcode of this token.
   */
  private Match matchToken(UserRecord user, TokenRecord t, String value, long now) {
    byte[] seed = seed(t);
    int n = value.length();
    String code = !t.pinSet() && n == t.digits() ? value : null;
    boolean pinOk = !t.pinSet();
    String emergencyHash = null;
    for (int p = config.pinMinLength(); p <= config.pinMaxLength(); p++) {
      int cut = Math.min(p, n);
      boolean ok =
          keys.pins()
              .matches(
                  t.pinSet() ? t.pinHash() : dummyPinHash, t.serial(), value.substring(0, cut));
      String rest = value.substring(cut);
      String hash = keys.emergencyCodes().hash(user.username(), rest);
      Long expires = lookup(user.emergencyCodes(), hash);
      if (t.pinSet() && n == p + t.digits()) {
        code = rest;
        pinOk = ok;
      }
      if (t.pinSet()
          && n == p + EMERGENCY_DIGITS
          && ok
          && expires != null
          && expires > now
          && emergencyHash == null) {
        emergencyHash = hash;
      }
    }
    String candidate = code != null ? code : value.substring(Math.max(0, n - t.digits()));
    long step = searchNormal(t, seed, candidate, now);
    int codes = normalCodes(t);
    boolean inWindow = step != NO_STEP;
    if (!inWindow) {
      step = searchResync(t, seed, candidate, now);
      codes += resyncCodes(t);
    }
    // A token without a PIN takes its code alone, in the normal window only (the resync search was
    // for the cost).
    if (code != null && pinOk && step != NO_STEP && (t.pinSet() || inWindow)) {
      MatchKind kind =
          step <= t.lastStep()
              ? MatchKind.REPLAY
              : !t.pinSet() ? MatchKind.NEW_PIN : inWindow ? MatchKind.CODE : MatchKind.RESYNC;
      return new Match(kind, t, step, null, codes);
    }
    if (emergencyHash != null) {
      return new Match(MatchKind.EMERGENCY, t, 0, emergencyHash, codes);
    }
    return new Match(MatchKind.NONE, t, 0, null, codes);
  }

  /** What every OTP search here returns when the code is not in its window (see {@link #find}). */
  private static final long NO_STEP = Long.MIN_VALUE;

  /**
   * Codes computed by a search of the normal window: TOTP ±window, HOTP the counter after the last
   * and lookahead.
   */
  private int normalCodes(TokenRecord t) {
    return t.totp() ? 2 * config.totpWindow() + 1 : config.hotpLookahead() + 1;
  }

  private int resyncCodes(TokenRecord t) {
    return t.totp() ? 2 * config.resyncWindow() + 1 : config.hotpResyncWindow() + 1;
  }

  private long searchNormal(TokenRecord t, byte[] seed, String code, long now) {
    return search(t, seed, code, now, config.totpWindow(), config.hotpLookahead());
  }

  /** The whole resynchronisation window, nearest steps first (so a normal-window match wins). */
  private long searchResync(TokenRecord t, byte[] seed, String code, long now) {
    return search(t, seed, code, now, config.resyncWindow(), config.hotpResyncWindow());
  }

  /**
   * TOTP: around the expected step (with the learned drift); HOTP: forward from the counter after
   * the last one.
   */
  private long search(
      TokenRecord t, byte[] seed, String code, long now, int totpWindow, int hotpWindow) {
    return t.totp()
        ? find(t, seed, code, expectedStep(t, now), totpWindow)
        : find(t, seed, code, t.lastStep() + 1, hotpWindow);
  }

  /**
   * The one OTP search of both token types, with one "not found": {@link #NO_STEP}. TOTP tries the
   * steps around {@code start} up to ±{@code window}, HOTP the counters from {@code start} up to
   * {@code window} further.
   */
  private long find(TokenRecord t, byte[] seed, String code, long start, int window) {
    long found =
        t.totp()
            ? totp(t).find(seed, code, start, window)
            : hotp(t).find(seed, code, start, window);
    // Totp reports no match as Long.MIN_VALUE, Hotp as -1; neither ever finds a negative step or
    // counter.
    return found < 0 ? NO_STEP : found;
  }

  /** The TOTP step at which the token's code is expected now, its learned drift included. */
  private long expectedStep(TokenRecord t, long now) {
    return totp(t).stepAt(Instant.ofEpochMilli(now)) + t.drift();
  }

  /** A map lookup that does not stop early on a near key (the map holds at most ten hashes). */
  private static Long lookup(Map<String, Long> codes, String hash) {
    Long found = null;
    for (Map.Entry<String, Long> e : codes.entrySet()) {
      if (Codes.equal(e.getKey(), hash)) {
        found = e.getValue();
      }
    }
    return found;
  }

  private String pinAndCode(TokenRecord t, String value) {
    if (!t.pinSet() || !PinPolicy.digits(value)) {
      return null;
    }
    int pinLength = value.length() - t.digits();
    if (pinLength < config.pinMinLength() || pinLength > config.pinMaxLength()) {
      return null;
    }
    return keys.pins().matches(t.pinHash(), t.serial(), value.substring(0, pinLength))
        ? value.substring(pinLength)
        : null;
  }

  // ---- helpers ----

  private byte[] seed(TokenRecord t) {
    return keys.seeds().decrypt(Base64.getDecoder().decode(t.seed()), t.serial());
  }

  private Totp totp(TokenRecord t) {
    return new Totp(hotp(t), Duration.ofSeconds(t.period()), clock);
  }

  private static Hotp hotp(TokenRecord t) {
    return new Hotp(OtpAlgorithm.parse(t.algorithm()), t.digits());
  }

  private Challenge open(String username, Challenge.Kind kind, TokenRecord t, long step, long now) {
    return new Challenge(
        Secrets.randomId(),
        username,
        kind,
        t.serial(),
        step,
        0,
        now + config.challengeTtlSeconds() * 1000L);
  }

  private LoginOutcome nextPasscode(String username, TokenRecord t, Challenge c, String why) {
    LoginOutcome o =
        LoginOutcome.challenge(
            username,
            "NEXT_PASSCODE",
            t.serial(),
            c.id(),
            config.challengeTtlSeconds(),
            "Wait for the code on your key to change, then enter your PIN followed by the new code.");
    return new LoginOutcome(
        o.kind(),
        o.username(),
        o.method(),
        o.tokenSerial(),
        o.challenge(),
        o.state(),
        o.expiresIn(),
        o.message(),
        0,
        null,
        null,
        why,
        true);
  }

  private String newPinMessage() {
    String length =
        pinPolicy.minLength() == pinPolicy.maxLength()
            ? pinPolicy.minLength() + " digits"
            : pinPolicy.minLength() + " to " + pinPolicy.maxLength() + " digits";
    return "Choose a new PIN of " + length + ", then confirm it.";
  }

  private static LoginOutcome locked(String username, long lockedUntil, long now) {
    return LoginOutcome.locked(username, Math.max(1, (lockedUntil - now + 999) / 1000));
  }

  /**
   * A user with one TOTP token and a PIN, never stored: unknown usernames are checked against it.
   */
  private static UserRecord dummyUser(Keys keys) {
    String serial = "dummy";
    byte[] seed = new byte[20];
    new java.security.SecureRandom().nextBytes(seed);
    String encrypted = Base64.getEncoder().encodeToString(keys.seeds().encrypt(seed, serial));
    TokenRecord t =
        new TokenRecord(
            serial,
            "totp",
            "SHA1",
            6,
            30,
            encrypted,
            true,
            keys.pins().hash(serial, Secrets.randomDigits(4)),
            -1,
            0,
            0,
            null);
    return new UserRecord("", null, null, List.of(t), Map.of(), 0);
  }
}
