package dev.jeton.verify;

import dev.jeton.config.Config;
import dev.jeton.crypto.PasswordHasher;
import dev.jeton.crypto.Secrets;
import dev.jeton.metrics.JetonMetrics;
import dev.jeton.otp.Codes;
import dev.jeton.otp.Hotp;
import dev.jeton.otp.OtpAlgorithm;
import dev.jeton.otp.Totp;
import dev.jeton.track.Challenge;
import dev.jeton.track.Store;
import dev.jeton.track.Store.Commit;
import dev.jeton.track.Store.CommitMode;
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
import java.util.function.Function;

/**
 * The login state machine of API.md §2: password, PIN + code, code alone → NEW_PIN → NEXT_PASSCODE, resynchronisation,
 * NEXT_PASSCODE after failures, emergency codes, lockout and IP throttling. It reads with one store call, decides in
 * plain Java, and writes with one atomic store call; any store failure is an UNAVAILABLE answer, never an ACCEPT.
 *
 * <p>Thread-safe; non-blocking except through {@code blocking}, which runs password hashing off the event loop.
 */
public final class Verifier {

  /** Digits of an emergency code, longer than any token code so the two never mix. */
  public static final int EMERGENCY_DIGITS = 8;

  private final Config config;
  private final Store store;
  private final Clock clock;
  private final Keys keys;
  private final PasswordHasher passwords;
  private final Function<Callable<Boolean>, Future<Boolean>> blocking;
  private final PinPolicy pinPolicy;
  private final UserRecord dummyUser;
  private final JetonMetrics metrics;

  /**
   * @param blocking runs a password check on a bounded worker pool; fails when the pool is saturated
   */
  public Verifier(Config config, Store store, Clock clock, Keys keys, PasswordHasher passwords,
      Function<Callable<Boolean>, Future<Boolean>> blocking, JetonMetrics metrics) {
    this.metrics = metrics;
    this.config = config;
    this.store = store;
    this.clock = clock;
    this.keys = keys;
    this.passwords = passwords;
    this.blocking = blocking;
    this.pinPolicy = new PinPolicy(config.pinMinLength(), config.pinMaxLength(), config.pinForbidTrivial());
    this.dummyUser = dummyUser(keys);
  }

  public PinPolicy pinPolicy() {
    return pinPolicy;
  }

  /** Decides one request. The future always succeeds: store trouble becomes {@code UNAVAILABLE}. */
  public Future<LoginOutcome> login(LoginRequest r) {
    long now = clock.millis();
    Future<LoginOutcome> outcome;
    try {
      outcome = store.loadLogin(new Store.LoadLogin(r.username(), r.clientIp(), r.state(), now,
              config.ipFailureWindowSeconds()))
          .compose(s -> evaluate(r, s, now)
              .map(o -> o.withKnownUser(s.user() != null).withSessionMark(s.sessionMark())));
    } catch (RuntimeException e) {
      outcome = Future.failedFuture(e);
    }
    return outcome.recover(e -> Future.succeededFuture(LoginOutcome.unavailable(r.username(), "store_unavailable")));
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
      return Future.succeededFuture(LoginOutcome.badRequest(r.username(), "invalid_request", "password is required"));
    }
    return first(r, s, now);
  }

  // ---- a login without state ----

  private Future<LoginOutcome> first(LoginRequest r, LoginState s, long now) {
    UserRecord user = s.user() != null ? s.user() : dummyUser;
    boolean known = s.user() != null;
    Match m = match(user, r.password(), now);
    if (known && m.kind != MatchKind.NONE) {
      return onMatch(r, s, user, m, now);
    }
    boolean passwordAllowed = !"otp".equals(r.level());
    if (known && passwordAllowed && user.passwordHash() != null) {
      String hash = user.passwordHash();
      return blocking.apply(() -> passwords.verify(r.password(), hash))
          .compose(ok -> ok
              ? commit(r, new Commit(r.username(), CommitMode.ACCEPT, null, 0, null, null, null, null, now,
                  config.challengeTtlSeconds()), LoginOutcome.accept(r.username(), "password", null), now)
              : failure(r, null, now, m.reason != null ? m.reason : "wrong_password"));
    }
    if (!m.shaped && passwordAllowed) {
      // Not a passcode and no password to check: spend the same work as a password check would.
      return blocking.apply(() -> {
        passwords.dummyVerify(r.password());
        return false;
      }).compose(x -> failure(r, null, now, known ? "no_password" : "unknown_user"));
    }
    String reason = !known ? "unknown_user" : m.reason != null ? m.reason : "wrong_passcode";
    return failure(r, null, now, reason);
  }

  private Future<LoginOutcome> onMatch(LoginRequest r, LoginState s, UserRecord user, Match m, long now) {
    TokenRecord t = m.token;
    String u = r.username();
    int ttl = config.challengeTtlSeconds();
    switch (m.kind) {
      case NEW_PIN: {
        Challenge open = open(u, Challenge.Kind.NEW_PIN, t, m.step, now);
        return commit(r, new Commit(u, CommitMode.CONSUME, t.serial(), m.step, null, null, null, open, now, ttl),
            LoginOutcome.challenge(u, "NEW_PIN", t.serial(), open.id(), ttl, newPinMessage()), now);
      }
      case RESYNC: {
        Challenge open = open(u, Challenge.Kind.NEXT_EXACT, t, m.step, now);
        return commit(r, new Commit(u, CommitMode.CONSUME, t.serial(), m.step, null, null, null, open, now, ttl),
            nextPasscode(u, t, open, "resync"), now);
      }
      case EMERGENCY:
        return commit(r, new Commit(u, CommitMode.ACCEPT, t.serial(), 0, null, m.emergencyHash, null, null, now, ttl),
            LoginOutcome.accept(u, "emergency", t.serial()), now);
      case CODE:
        if (s.fail().failures() >= config.nextCodeAfterFailures()) {
          Challenge open = open(u, Challenge.Kind.NEXT_LATER, t, m.step, now);
          return commit(r, new Commit(u, CommitMode.CONSUME, t.serial(), m.step, null, null, null, open, now, ttl),
              nextPasscode(u, t, open, "next_after_failures"), now);
        }
        return commit(r, new Commit(u, CommitMode.ACCEPT, t.serial(), m.step, null, null, null, null, now, ttl),
            LoginOutcome.accept(u, "otp", t.serial()), now);
      case REPLAY:
        return failure(r, null, now, "replayed_code");
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
      return failure(r, null, now, c == null ? "unknown_or_expired_state" : "token_gone");
    }
    if (c.kind() == Challenge.Kind.NEW_PIN) {
      return newPin(r, c, t, now);
    }
    if (r.password() == null || r.password().isEmpty()) {
      return Future.succeededFuture(LoginOutcome.badRequest(r.username(), "invalid_request", "password is required"));
    }
    byte[] seed = seed(t);
    String code = pinAndCode(t, r.password());
    if (code == null) {
      return failure(r, c.id(), now, "wrong_pin");
    }
    long step;
    Integer drift = null;
    if (c.kind() == Challenge.Kind.NEXT_EXACT) {
      step = c.step() + 1;
      String expected = t.totp() ? totp(t).generate(seed, step) : hotp(t).generate(seed, step);
      if (!Codes.equal(expected, code)) {
        return failure(r, c.id(), now, "wrong_next_passcode");
      }
      if (t.totp()) {
        drift = (int) (step - totp(t).stepAt(Instant.ofEpochMilli(now)));
      }
    } else {
      step = t.totp()
          ? totp(t).find(seed, code, totp(t).stepAt(Instant.ofEpochMilli(now)) + t.drift(), config.totpWindow())
          : hotp(t).find(seed, code, c.step() + 1, config.hotpLookahead());
      if (step == Long.MIN_VALUE || step == -1 || step <= c.step()) {
        return failure(r, c.id(), now, "wrong_next_passcode");
      }
    }
    return commit(r, new Commit(r.username(), CommitMode.ACCEPT, t.serial(), step, drift, null, c.id(), null, now,
        config.challengeTtlSeconds()), LoginOutcome.accept(r.username(), "otp", t.serial()), now);
  }

  private Future<LoginOutcome> newPin(LoginRequest r, Challenge c, TokenRecord t, long now) {
    if (r.newPin() == null || r.confirmPin() == null) {
      return Future.succeededFuture(
          LoginOutcome.badRequest(r.username(), "invalid_request", "newPin and confirmPin are required"));
    }
    String refusal = pinPolicy.refusal(r.newPin());
    if (refusal != null) {
      return Future.succeededFuture(LoginOutcome.badRequest(r.username(), "pin_policy", refusal));
    }
    if (!Codes.equal(r.newPin(), r.confirmPin())) {
      return Future.succeededFuture(
          LoginOutcome.badRequest(r.username(), "pin_mismatch", "the PIN and its confirmation differ"));
    }
    Challenge next = open(r.username(), Challenge.Kind.NEXT_LATER, t, c.step(), now);
    String pinHash = keys.pins().hash(t.serial(), r.newPin());
    return store.setPin(new Store.SetPin(r.username(), t.serial(), pinHash, c.id(), next, now,
            config.challengeTtlSeconds()))
        .compose(ok -> ok
            ? Future.succeededFuture(nextPasscode(r.username(), t, next, "pin_set"))
            : failure(r, null, now, "state_gone"));
  }

  // ---- writes ----

  private Future<LoginOutcome> commit(LoginRequest r, Commit c, LoginOutcome onSuccess, long now) {
    return store.commit(c).compose(result -> afterCommit(r, result, onSuccess, now));
  }

  private Future<LoginOutcome> afterCommit(LoginRequest r, CommitResult result, LoginOutcome onSuccess, long now) {
    switch (result.outcome()) {
      case OK:
        return Future.succeededFuture(onSuccess);
      case LOCKED:
        return Future.succeededFuture(locked(r.username(), result.lockedUntil(), now));
      case REPLAY:
        return failure(r, null, now, "replayed_code");
      default:
        return failure(r, null, now, "state_gone");
    }
  }

  private Future<LoginOutcome> failure(LoginRequest r, String challengeId, long now, String reason) {
    String fingerprint = keys.fingerprints().hash(r.username(), r.state() == null ? "" : r.state(),
        r.password() == null ? "" : r.password());
    return store.fail(new Store.Fail(r.username(), r.clientIp(), fingerprint, challengeId, now,
            config.lockoutFailures(), config.lockoutSeconds(), config.ipFailureWindowSeconds()))
        .map(f -> {
          if (f.outcome() == Store.FailOutcome.LOCKED) {
            return locked(r.username(), f.lockedUntil(), now);
          }
          if (f.outcome() == Store.FailOutcome.COUNTED && f.failures() >= config.lockoutFailures()) {
            metrics.lockout();
          }
          return LoginOutcome.reject(r.username(), reason);
        });
  }

  // ---- matching a passcode ----

  private enum MatchKind { NONE, CODE, NEW_PIN, RESYNC, EMERGENCY, REPLAY }

  /** What a value matched. {@code shaped}: it had the form of a passcode for at least one token. */
  private static final class Match {
    MatchKind kind = MatchKind.NONE;
    TokenRecord token;
    long step;
    String emergencyHash;
    boolean shaped;
    String reason;
  }

  /**
   * Tries the value as a passcode on every enabled token. The PIN and the code are both checked whatever the other
   * gives, and unknown users go through the same on a dummy user, so timing does not tell what was wrong.
   */
  private Match match(UserRecord user, String value, long now) {
    Match best = new Match();
    if (!PinPolicy.digits(value)) {
      return best;
    }
    for (TokenRecord t : user.tokens()) {
      if (!t.enabled()) {
        continue;
      }
      Match m = matchToken(user, t, value, now);
      best.shaped |= m.shaped;
      if (m.reason != null && best.reason == null) {
        best.reason = m.reason;
      }
      if (m.kind != MatchKind.NONE && (best.kind == MatchKind.NONE || best.kind == MatchKind.REPLAY)) {
        m.shaped = best.shaped;
        best = m;
      }
    }
    return best;
  }

  private Match matchToken(UserRecord user, TokenRecord t, String value, long now) {
    Match m = new Match();
    m.token = t;
    byte[] seed = seed(t);
    int digits = t.digits();
    if (!t.pinSet()) {
      if (value.length() != digits) {
        return m;
      }
      m.shaped = true;
      long step = searchNormal(t, seed, value, now);
      if (step != NO_STEP) {
        m.kind = step > t.lastStep() ? MatchKind.NEW_PIN : MatchKind.REPLAY;
        m.step = step;
      } else {
        m.reason = "wrong_code";
      }
      return m;
    }
    for (int pinLength = config.pinMinLength(); pinLength <= config.pinMaxLength(); pinLength++) {
      boolean codeShaped = value.length() == pinLength + digits;
      boolean emergencyShaped = value.length() == pinLength + EMERGENCY_DIGITS;
      if (!codeShaped && !emergencyShaped) {
        continue;
      }
      m.shaped = true;
      boolean pinOk = keys.pins().matches(t.pinHash(), t.serial(), value.substring(0, pinLength));
      String rest = value.substring(pinLength);
      if (codeShaped) {
        // The normal window first (3 steps): only a code that is not there pays for the resync window (21 steps).
        long step = searchNormal(t, seed, rest, now);
        boolean inWindow = step != NO_STEP;
        if (!inWindow) {
          step = searchResync(t, seed, rest, now);
        }
        if (pinOk && step != NO_STEP) {
          m.step = step;
          m.kind = step <= t.lastStep() ? MatchKind.REPLAY : inWindow ? MatchKind.CODE : MatchKind.RESYNC;
          return m;
        }
      }
      if (emergencyShaped) {
        String hash = keys.emergencyCodes().hash(user.username(), rest);
        Long expires = lookup(user.emergencyCodes(), hash);
        if (pinOk && expires != null && expires > now) {
          m.kind = MatchKind.EMERGENCY;
          m.emergencyHash = hash;
          return m;
        }
      }
      m.reason = pinOk ? "wrong_code" : "wrong_pin";
    }
    return m;
  }

  private static final long NO_STEP = Long.MIN_VALUE;

  private long searchNormal(TokenRecord t, byte[] seed, String code, long now) {
    return search(t, seed, code, now, config.totpWindow(), config.hotpLookahead());
  }

  /** The whole resynchronisation window, nearest steps first (so a normal-window match wins). */
  private long searchResync(TokenRecord t, byte[] seed, String code, long now) {
    return search(t, seed, code, now, config.resyncWindow(), config.hotpResyncWindow());
  }

  /** TOTP: around the expected step (with the learned drift); HOTP: forward from the counter after the last one. */
  private long search(TokenRecord t, byte[] seed, String code, long now, int totpWindow, int hotpWindow) {
    if (t.totp()) {
      Totp totp = totp(t);
      return totp.find(seed, code, totp.stepAt(Instant.ofEpochMilli(now)) + t.drift(), totpWindow);
    }
    long c = hotp(t).find(seed, code, t.lastStep() + 1, hotpWindow);
    return c < 0 ? NO_STEP : c;
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
        ? value.substring(pinLength) : null;
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
    return new Challenge(Secrets.randomId(), username, kind, t.serial(), step, 0,
        now + config.challengeTtlSeconds() * 1000L);
  }

  private LoginOutcome nextPasscode(String username, TokenRecord t, Challenge c, String why) {
    LoginOutcome o = LoginOutcome.challenge(username, "NEXT_PASSCODE", t.serial(), c.id(), config.challengeTtlSeconds(),
        "Wait for the code on your key to change, then enter your PIN followed by the new code.");
    return new LoginOutcome(o.kind(), o.username(), o.method(), o.tokenSerial(), o.challenge(), o.state(),
        o.expiresIn(), o.message(), 0, null, null, why, true);
  }

  private String newPinMessage() {
    String length = pinPolicy.minLength() == pinPolicy.maxLength()
        ? pinPolicy.minLength() + " digits" : pinPolicy.minLength() + " to " + pinPolicy.maxLength() + " digits";
    return "Choose a new PIN of " + length + ", then confirm it.";
  }

  private static LoginOutcome locked(String username, long lockedUntil, long now) {
    return LoginOutcome.locked(username, Math.max(1, (lockedUntil - now + 999) / 1000));
  }

  /** A user with one TOTP token and a PIN, never stored: unknown usernames are checked against it. */
  private static UserRecord dummyUser(Keys keys) {
    String serial = "dummy";
    byte[] seed = new byte[20];
    new java.security.SecureRandom().nextBytes(seed);
    String encrypted = Base64.getEncoder().encodeToString(keys.seeds().encrypt(seed, serial));
    TokenRecord t = new TokenRecord(serial, "totp", "SHA1", 6, 30, encrypted, true,
        keys.pins().hash(serial, Secrets.randomDigits(4)), -1, 0, 0, null);
    return new UserRecord("", null, null, List.of(t), Map.of(), 0);
  }
}
