package dev.jeton.model;

import dev.jeton.bus.LoginOutcome;
import dev.jeton.bus.LoginRequest;
import dev.jeton.config.Config;
import dev.jeton.crypto.Keys;
import dev.jeton.crypto.PasswordHasher;
import dev.jeton.metrics.JetonMetrics;
import dev.jeton.otp.Hotp;
import dev.jeton.otp.OtpAlgorithm;
import dev.jeton.testsupport.MutableClock;
import dev.jeton.testsupport.TestJeton;
import dev.jeton.track.Challenge;
import dev.jeton.track.Store;
import dev.jeton.track.Store.UserView;
import dev.jeton.track.TokenRecord;
import dev.jeton.verify.Verifier;
import io.vertx.core.Promise;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * One run of a sequence: two users on a real store (a TOTP token that starts with a PIN, an HOTP
 * token that starts without), the real {@link Verifier}, a clock moved by hand, and a small model
 * of API.md §2 beside them.
 *
 * <p>The model is about safety. It knows for sure which codes were consumed (an ACCEPT, or a code
 * that opened a challenge), whether the username is locked, which PIN and emergency codes are
 * valid, and whether a wrong value is new. It does not try to know whether a value sent again
 * counts (that rule is being changed: "the same wrong value counts once while the code it would
 * have to match is the same"): it reads the count from the store and checks that each rejected
 * request added 0 or 1, a value never rejected before at least 1, and that reaching the threshold
 * locks. Where it is sure of an answer (a right passcode while unlocked, a fresh wrong value), it
 * checks that too, so that a store that rejects everything cannot pass. After every action:
 *
 * <ul>
 *   <li>no ACCEPT, and no challenge opened by a code, for a step at or below the last consumed one;
 *   <li>a (token, step) and an emergency code are accepted at most once, also among racing
 *       identical requests;
 *   <li>while the model says locked, every attempt answers LOCKED and changes nothing;
 *   <li>a counted failure that brings the count to the threshold locks (again) for the full time;
 *   <li>the store's last step, PIN and switch are those the model expects.
 * </ul>
 *
 * Not thread-safe: one sequence at a time (races use their own threads inside one action).
 */
final class LoginWorld {

  static final int TOTP_WINDOW = 1;
  static final int RESYNC_WINDOW = 6;
  static final int HOTP_LOOKAHEAD = 3;
  static final int HOTP_RESYNC_WINDOW = 12;
  static final int NEXT_CODE_AFTER_FAILURES = 2;
  static final int LOCKOUT_FAILURES = 4;
  static final int LOCKOUT_SECONDS = 90;
  static final int CHALLENGE_TTL_SECONDS = 150;
  static final List<String> PINS = List.of("4071", "5926", "3814", "7302");
  private static final String TRIVIAL_PIN = "1111";

  /**
   * Small windows and thresholds, so that short sequences reach locks, resynchronisation and
   * expiry.
   */
  static final Config CONFIG =
      Config.from(
          Map.of(
              "JETON_MASTER_KEY", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
              "JETON_ADMIN_TOKEN", TestJeton.ADMIN_TOKEN,
              "JETON_TOTP_WINDOW", Integer.toString(TOTP_WINDOW),
              "JETON_RESYNC_WINDOW", Integer.toString(RESYNC_WINDOW),
              "JETON_HOTP_LOOKAHEAD", Integer.toString(HOTP_LOOKAHEAD),
              "JETON_HOTP_RESYNC_WINDOW", Integer.toString(HOTP_RESYNC_WINDOW),
              "JETON_NEXT_CODE_AFTER_FAILURES", Integer.toString(NEXT_CODE_AFTER_FAILURES),
              "JETON_LOCKOUT_FAILURES", Integer.toString(LOCKOUT_FAILURES),
              "JETON_LOCKOUT_SECONDS", Integer.toString(LOCKOUT_SECONDS),
              "JETON_CHALLENGE_TTL_SECONDS", Integer.toString(CHALLENGE_TTL_SECONDS)));

  static final Keys KEYS = Keys.from(CONFIG.masterKey());

  /** One second into a 30-second step, so that whole-step clock moves never land on a boundary. */
  private static final long START = 1_700_000_010_000L + 1_000;

  private static final long WAIT_SECONDS = 10;
  private static final AtomicLong IDS = new AtomicLong();
  private static final String RUN = Long.toString(new SecureRandom().nextInt(1 << 30), 36);
  private static final Hotp HOTP = new Hotp(OtpAlgorithm.SHA1, 6);

  /**
   * The users have no password, but a value that is no passcode still pays for a dummy password
   * check: the smallest Argon2id parameters keep thousands of those cheap (the model is about the
   * rules, not the cost of hashing).
   */
  private static final PasswordHasher CHEAP_PASSWORDS = new PasswordHasher(64, 1, 1);

  private final Store store;
  private final Verifier verifier;
  private final MutableClock clock = new MutableClock(Instant.ofEpochMilli(START));
  private final ExecutorService racers;
  private final boolean strictNewPin;
  private final String ip;
  private final User[] users = new User[2];
  private final String tag;
  private final boolean totpStartsWithPin;
  private final Stats stats;
  private final List<String> trace = new ArrayList<>();
  private int index;

  /**
   * @param racers threads for the racing requests of {@link Op.Race}
   * @param workers runs the Verifier's password checks (the dummy check of a value that is no
   *     passcode)
   * @param metrics must have made its Vert.x already ({@link JetonMetrics#newVertx()} registers its
   *     meters)
   * @param strictNewPin fail as soon as a NEW_PIN state replaces a PIN that is set (issue 15, item
   *     3)
   * @param totpStartsWithPin false for the first-login story, where both tokens start without a PIN
   */
  LoginWorld(
      Store store,
      ExecutorService racers,
      ExecutorService workers,
      JetonMetrics metrics,
      boolean strictNewPin,
      boolean totpStartsWithPin,
      Stats stats) {
    this.store = store;
    this.racers = racers;
    this.strictNewPin = strictNewPin;
    this.stats = stats;
    long id = IDS.incrementAndGet();
    this.ip = "10." + (id >> 16 & 255) + "." + (id >> 8 & 255) + "." + (id & 255);
    Function<Callable<Boolean>, io.vertx.core.Future<Boolean>> blocking =
        c -> {
          Promise<Boolean> p = Promise.promise();
          workers.execute(
              () -> {
                try {
                  p.complete(c.call());
                } catch (Exception e) {
                  p.fail(e);
                }
              });
          return p.future();
        };
    this.verifier = new Verifier(CONFIG, store, clock, KEYS, CHEAP_PASSWORDS, blocking, metrics);
    this.tag = RUN + "-" + id;
    this.totpStartsWithPin = totpStartsWithPin;
  }

  /**
   * Provisions the two users, then runs the whole sequence; throws AssertionError, with the trace,
   * at the first broken rule. The token seeds come from the sequence's text, so that a replayed
   * sequence meets the same codes.
   */
  void run(List<Op> ops) {
    Random seeds = new Random(ops.toString().hashCode());
    users[0] =
        provision("t-" + tag, "T-" + tag, true, totpStartsWithPin ? PINS.get(0) : null, seeds);
    users[1] = provision("h-" + tag, "H-" + tag, false, null, seeds);
    for (Op op : ops) {
      index++;
      try {
        step(op);
      } catch (AssertionError | RuntimeException e) {
        throw new Harness.Broken(index - 1, e);
      }
    }
  }

  // ---- actions ----

  private void step(Op op) {
    if (op instanceof Op.Clock c) {
      clock.advanceSeconds(c.seconds());
      note(op, "now +" + c.seconds() + " s");
      return;
    }
    User u = users[user(op)];
    UserView v = view(u);
    TokenRecord t = token(v, u);
    long now = clock.millis();
    Attempt a = null;
    int racing = 1;
    if (op instanceof Op.Right r) {
      a = right(u, t, r.off(), "right passcode");
    } else if (op instanceof Op.Old o) {
      a = old(u, t, o.back());
    } else if (op instanceof Op.WrongPin) {
      a = wrongPin(u, t);
    } else if (op instanceof Op.WrongCode w) {
      a = wrongCode(u, t, w.value());
    } else if (op instanceof Op.Resend) {
      a = u.last == null ? null : u.last.resent(u.pin != null);
    } else if (op instanceof Op.CodeAlone) {
      a = codeAlone(u, t);
    } else if (op instanceof Op.ChoosePin p) {
      a = choosePin(u, p, now);
    } else if (op instanceof Op.AnswerNext n) {
      a = answerNext(u, t, pick(u, false, n.state(), now, false), n.how(), n.value(), now);
    } else if (op instanceof Op.FarOff f) {
      a = farOff(u, t, f.k());
    } else if (op instanceof Op.UseEmergency e) {
      a = useEmergency(u, e.code(), e.rightPin(), now);
    } else if (op instanceof Op.Race r) {
      racing = r.n();
      a =
          switch (r.what()) {
            case PASSCODE -> right(u, t, 0, "right passcode");
            case EMERGENCY -> useEmergency(u, firstUnused(u), true, now);
            case NEXT_ANSWER ->
                answerNext(u, t, pick(u, false, 0, now, true), Op.NextAnswer.RIGHT, 0, now);
          };
    } else {
      helpdesk(op, u, now);
      return;
    }
    if (a == null) {
      stats.skipped++;
      note(op, "skipped (nothing to do, or a code that would match two steps)");
      return;
    }
    send(op, u, a, v, racing, now);
  }

  private Attempt right(User u, TokenRecord t, int off, String what) {
    long step = u.totp ? expectedStep(t) + off : t.lastStep() + 2 + off;
    if (step < 0) {
      return null;
    }
    String code = code(u, step);
    if (ambiguous(u, t, code, step)) {
      return null;
    }
    boolean alone = u.pin == null;
    Expect e =
        !u.enabled || step <= u.consumed
            ? Expect.REJECT
            : alone
                ? Expect.NEW_PIN
                : u.failures >= NEXT_CODE_AFTER_FAILURES ? Expect.NEXT : Expect.ACCEPT;
    return Attempt.login(
        what + " (step " + step + ")", request(u, alone ? code : u.pin + code), step, e, alone);
  }

  private Attempt old(User u, TokenRecord t, int back) {
    long step = u.consumed - back;
    if (step < 0) {
      return null;
    }
    String code = code(u, step);
    if (ambiguous(u, t, code, step)) {
      return null;
    }
    boolean alone = u.pin == null;
    return Attempt.login(
        "old code (step " + step + ")",
        request(u, alone ? code : u.pin + code),
        step,
        Expect.REJECT,
        alone);
  }

  private Attempt wrongPin(User u, TokenRecord t) {
    long step = u.totp ? expectedStep(t) : t.lastStep() + 1;
    String code = code(u, step);
    if (ambiguous(u, t, code, step)) {
      return null;
    }
    return Attempt.login(
        "wrong PIN + right code", request(u, otherPin(u) + code), null, Expect.REJECT, false);
  }

  private Attempt wrongCode(User u, TokenRecord t, int value) {
    String code = String.format("%06d", value);
    if (ambiguous(u, t, code, Long.MIN_VALUE)) {
      return null;
    }
    return Attempt.login(
        "right PIN + wrong code " + code,
        request(u, (u.pin == null ? "" : u.pin) + code),
        null,
        Expect.REJECT,
        u.pin == null);
  }

  private Attempt codeAlone(User u, TokenRecord t) {
    long step = u.totp ? expectedStep(t) : t.lastStep() + 1;
    String code = code(u, step);
    if (ambiguous(u, t, code, step)) {
      return null;
    }
    Expect e = !u.enabled || u.pin != null || step <= u.consumed ? Expect.REJECT : Expect.NEW_PIN;
    return Attempt.login("code alone (step " + step + ")", request(u, code), step, e, true);
  }

  private Attempt farOff(User u, TokenRecord t, int k) {
    long step;
    boolean resync;
    if (u.totp) {
      long distance = clockStep() + k - expectedStep(t);
      if (Math.abs(distance) <= TOTP_WINDOW) {
        return right(u, t, (int) distance, "far-off code that is in the window");
      }
      step = clockStep() + k;
      resync = Math.abs(distance) <= RESYNC_WINDOW;
    } else {
      step =
          t.lastStep()
              + 1
              + HOTP_LOOKAHEAD
              + 1
              + Math.floorMod(k, HOTP_RESYNC_WINDOW - HOTP_LOOKAHEAD);
      resync = true;
    }
    if (step < 0) {
      return null;
    }
    String code = code(u, step);
    if (ambiguous(u, t, code, step)) {
      return null;
    }
    boolean alone = u.pin == null;
    Expect e = !u.enabled || alone || !resync || step <= u.consumed ? Expect.REJECT : Expect.NEXT;
    return Attempt.login(
        "far-off code (step " + step + ")",
        request(u, alone ? code : u.pin + code),
        step,
        e,
        alone);
  }

  private Attempt choosePin(User u, Op.ChoosePin p, long now) {
    State s = pick(u, true, p.state(), now, false);
    if (s == null) {
      return null;
    }
    String pin = p.how() == Op.PinAnswer.POLICY ? TRIVIAL_PIN : PINS.get(p.pin());
    String confirm = p.how() == Op.PinAnswer.MISMATCH ? PINS.get((p.pin() + 1) % PINS.size()) : pin;
    boolean replacing = p.how() == Op.PinAnswer.RIGHT && u.pin != null;
    Expect e;
    if (s.gone(now) || !u.enabled) {
      e = Expect.REJECT;
    } else if (!s.surelyOpen(now)) {
      e = Expect.UNSURE;
    } else if (p.how() != Op.PinAnswer.RIGHT) {
      e = Expect.BAD_REQUEST;
    } else {
      // The PIN is set already: today the old state replaces it; once fixed, REJECT (checked by the
      // strict story).
      e = replacing ? Expect.UNSURE : Expect.NEXT;
    }
    LoginRequest r =
        new LoginRequest(
            requestId(),
            u.username,
            null,
            s.id,
            pin,
            confirm,
            ip,
            "model",
            "any",
            System.nanoTime());
    return new Attempt(
        "choose PIN " + p.how() + " for NEW_PIN of step " + s.step,
        r,
        null,
        null,
        s,
        e,
        !replacing,
        p.how() == Op.PinAnswer.RIGHT ? pin : null,
        false);
  }

  private Attempt answerNext(
      User u, TokenRecord t, State s, Op.NextAnswer how, int value, long now) {
    if (s == null) {
      return null;
    }
    long step;
    if (s.kind == Kind.NEXT_EXACT) {
      step = s.step + 1;
    } else if (u.totp) {
      step = expectedStep(t);
    } else {
      step = Math.min(Math.max(s.step, t.lastStep()) + 1, s.step + 1 + HOTP_LOOKAHEAD);
    }
    String code = how == Op.NextAnswer.WRONG_CODE ? String.format("%06d", value) : code(u, step);
    if (ambiguous(u, t, code, how == Op.NextAnswer.WRONG_CODE ? Long.MIN_VALUE : step)) {
      return null;
    }
    String pin = how == Op.NextAnswer.WRONG_PIN || u.pin == null ? otherPin(u) : u.pin;
    Expect e;
    if (how != Op.NextAnswer.RIGHT
        || s.gone(now)
        || !u.enabled
        || u.pin == null
        || step <= u.consumed
        || step <= s.step) {
      e = Expect.REJECT;
    } else if (!s.surelyOpen(now)
        || s.kind == Kind.NEXT_EXACT && u.totp && Math.abs(step - clockStep()) > RESYNC_WINDOW) {
      // A drift beyond the resync window may be capped or refused (issue 15, item 9): not this
      // model's business.
      e = Expect.UNSURE;
    } else {
      e = Expect.ACCEPT;
    }
    LoginRequest r =
        new LoginRequest(
            requestId(),
            u.username,
            pin + code,
            s.id,
            null,
            null,
            ip,
            "model",
            "any",
            System.nanoTime());
    return new Attempt(
        "answer " + how + " to " + s.kind + " of step " + s.step + " (step " + step + ")",
        r,
        how == Op.NextAnswer.RIGHT ? step : null,
        null,
        s,
        e,
        true,
        null,
        false);
  }

  private Attempt useEmergency(User u, int index, boolean rightPin, long now) {
    if (u.batch.isEmpty() || index < 0) {
      return null;
    }
    String code = u.batch.get(index % u.batch.size());
    boolean users = rightPin && u.pin != null;
    String pin = users ? u.pin : otherPin(u);
    boolean valid = users && u.enabled && !u.usedEmergency.contains(code) && now < u.batchExpiresAt;
    LoginRequest r = request(u, pin + code);
    return new Attempt(
        "emergency code " + index % u.batch.size() + (users ? "" : " with a wrong PIN"),
        r,
        null,
        users ? code : null,
        null,
        valid ? Expect.ACCEPT : Expect.REJECT,
        true,
        null,
        false);
  }

  private static int firstUnused(User u) {
    for (int i = 0; i < u.batch.size(); i++) {
      if (!u.usedEmergency.contains(u.batch.get(i))) {
        return i;
      }
    }
    return -1;
  }

  /**
   * A NEW_PIN state ({@code newPin}) or a NEXT_PASSCODE one, by index among those seen, or null.
   */
  private static State pick(User u, boolean newPin, int index, long now, boolean surelyOpen) {
    List<State> candidates = new ArrayList<>();
    for (State s : u.states) {
      if ((s.kind == Kind.NEW_PIN) == newPin && (!surelyOpen || s.surelyOpen(now))) {
        candidates.add(s);
      }
    }
    return candidates.isEmpty() ? null : candidates.get(index % candidates.size());
  }

  private void helpdesk(Op op, User u, long now) {
    if (op instanceof Op.Unlock) {
      await(store.unlock(u.username));
      u.failures = 0;
      u.lockedUntil = 0;
    } else if (op instanceof Op.ClearPins) {
      check(await(store.clearPins(u.username)), "clearPins found no user");
      u.pin = null;
    } else if (op instanceof Op.Enable e) {
      check(
          await(store.setEnabled(new Store.SetEnabled(u.serial, e.on()))),
          "setEnabled found no token");
      u.enabled = e.on();
    } else if (op instanceof Op.Emergency e) {
      Random r = new Random(e.seed());
      List<String> codes = new ArrayList<>();
      List<String> hashes = new ArrayList<>();
      for (int i = 0; i < e.count(); i++) {
        String code = String.format("%08d", r.nextInt(100_000_000));
        codes.add(code);
        hashes.add(KEYS.emergencyCodes().hash(u.username, code));
      }
      long expires = now + e.validSeconds() * 1000L;
      check(
          await(store.putEmergencyCodes(new Store.EmergencyCodes(u.username, hashes, expires))),
          "putEmergencyCodes found no user");
      u.batch = codes;
      u.batchExpiresAt = expires;
      u.usedEmergency.clear();
    } else {
      throw new IllegalStateException("unknown action " + op);
    }
    note(op, "done");
    UserView after = view(u);
    checkToken(u, after);
    check(
        after.fail().failures() == u.failures && after.fail().lockedAt(now) == u.locked(now),
        "after %s the failure state is %s, the model says %d failures, locked %s",
        op,
        after.fail(),
        u.failures,
        u.locked(now));
  }

  // ---- sending and judging ----

  private void send(Op op, User u, Attempt a, UserView before, int n, long now) {
    check(
        before.fail().failures() == u.failures && before.fail().lockedAt(now) == u.locked(now),
        "before %s the failure state is %s, the model says %d failures, locked %s",
        op,
        before.fail(),
        u.failures,
        u.locked(now));
    List<LoginOutcome> outs =
        n == 1 ? List.of(await(verifier.login(a.request))) : race(a.request, n);
    UserView after = view(u);
    note(op, a.what + " -> " + summary(outs));
    judge(u, a, outs, before, after, now);
    u.last = a;
  }

  private void judge(
      User u, Attempt a, List<LoginOutcome> outs, UserView before, UserView after, long now) {
    TokenRecord tb = token(before, u);
    TokenRecord ta = token(after, u);
    for (LoginOutcome o : outs) {
      check(
          o.kind() != LoginOutcome.Kind.UNAVAILABLE && o.kind() != LoginOutcome.Kind.RATE_LIMITED,
          "%s answered %s (%s)",
          a.what,
          o.kind(),
          o.auditReason());
    }
    if (u.locked(now)) {
      for (LoginOutcome o : outs) {
        check(
            o.kind() == LoginOutcome.Kind.LOCKED,
            "a lock was skipped: the username is locked until %d (now %d) but %s answered %s",
            u.lockedUntil,
            now,
            a.what,
            describe(o));
      }
      check(
          after.fail().failures() == before.fail().failures()
              && after.fail().lockedUntil() == before.fail().lockedUntil(),
          "an attempt during a lock changed the failure state: %s -> %s",
          before.fail(),
          after.fail());
      check(
          ta.lastStep() == tb.lastStep()
              && Objects.equals(ta.pinHash(), tb.pinHash())
              && after.user().emergencyCodes().equals(before.user().emergencyCodes()),
          "an attempt during a lock changed the token or the emergency codes");
      stats.lockedAnswers += outs.size();
      return;
    }
    List<LoginOutcome> wins = new ArrayList<>();
    int rejects = 0;
    int locked = 0;
    int bad = 0;
    for (LoginOutcome o : outs) {
      switch (o.kind()) {
        case ACCEPT, CHALLENGE -> wins.add(o);
        case REJECT -> rejects++;
        case LOCKED -> locked++;
        case BAD_REQUEST -> bad++;
        default -> throw new AssertionError("unreachable " + o.kind());
      }
    }
    check(
        wins.size() <= 1,
        "two answers share one code or state: %d of %d identical requests (%s) got %s",
        wins.size(),
        outs.size(),
        a.what,
        summary(outs));
    check(
        outs.size() > 1 || locked == 0,
        "%s answered LOCKED though the username is not locked (%d failures)",
        a.what,
        u.failures);
    check(bad == 0 || a.request.newPin() != null, "%s answered BAD_REQUEST", a.what);
    expectation(a, outs, wins);
    int before0 = u.failures;
    LoginOutcome win = wins.isEmpty() ? null : wins.get(0);
    boolean accepted = win != null && win.kind() == LoginOutcome.Kind.ACCEPT;
    if (win != null) {
      onWin(u, a, win, tb, now);
      if (outs.size() > 1) {
        stats.raceWins++;
      }
    }
    if (rejects > 0
        && a.answers != null
        && a.answers.kind == Kind.NEW_PIN
        && a.newPin != null
        && u.pin != null) {
      a.answers.closed = true; // the fix of item 3: the state is closed and REJECT
    }
    // The failure count, whatever the rule for a value sent again: +0 or +1 a rejected request, +1
    // a new value.
    int after0 = after.fail().failures();
    int base = accepted ? 0 : before0;
    check(
        after0 >= base && after0 <= base + rejects,
        "the failure count went from %d to %d with %d rejected of %d (%s)",
        before0,
        after0,
        rejects,
        outs.size(),
        accepted ? "one ACCEPT" : "no ACCEPT");
    boolean fresh = !u.wrongKeys.contains(key(a.request));
    if (rejects > 0 && fresh && a.countSure) {
      check(
          after0 > base,
          "a wrong value never rejected before was not counted (%s; failures stay %d)",
          a.what,
          after0);
    }
    if (after0 > base && after0 >= LOCKOUT_FAILURES) {
      long until = now + LOCKOUT_SECONDS * 1000L;
      check(
          after.fail().lockedUntil() == until,
          "a lock was skipped: failure %d (threshold %d) left the username locked until %d, not %d",
          after0,
          LOCKOUT_FAILURES,
          after.fail().lockedUntil(),
          until);
      u.lockedUntil = until;
      stats.locks++;
    } else {
      check(
          !after.fail().lockedAt(now),
          "locked though no failure reached the threshold (%d failures)",
          after0);
      if (accepted) {
        u.lockedUntil = 0;
      }
    }
    check(
        locked == 0 || after.fail().lockedAt(now),
        "a racer got LOCKED but the username is not locked");
    u.failures = after0;
    if (rejects > 0) {
      u.wrongKeys.add(key(a.request));
      stats.rejects += rejects;
      if (a.answers != null) {
        a.answers.maxTries += rejects;
      }
    }
    stats.badRequests += bad;
    checkToken(u, after);
    check(
        ta.lastStep() == u.consumed,
        "the token's last step is %d but the last code consumed was step %d",
        ta.lastStep(),
        u.consumed);
  }

  /** What an ACCEPT or a CHALLENGE consumed and opened. */
  private void onWin(User u, Attempt a, LoginOutcome win, TokenRecord before, long now) {
    check(u.enabled, "%s got %s with the token disabled", a.what, describe(win));
    check(
        u.serial.equals(win.tokenSerial()), "%s names token %s", describe(win), win.tokenSerial());
    if (win.kind() == LoginOutcome.Kind.ACCEPT) {
      if ("emergency".equals(win.method())) {
        check(a.emergency != null, "ACCEPT by emergency code for %s", a.what);
        check(
            u.batch.contains(a.emergency) && now < u.batchExpiresAt,
            "an expired or unknown emergency code " + "was accepted");
        check(u.usedEmergency.add(a.emergency), "an emergency code was accepted twice");
        stats.emergencyAccepts++;
        return;
      }
      check("otp".equals(win.method()), "ACCEPT by %s for %s", win.method(), a.what);
      check(a.step != null, "ACCEPT for a request with no right code: %s", a.what);
      check(
          a.step > u.consumed,
          "an old code was accepted: step %d, when step %d was consumed already",
          a.step,
          u.consumed);
      check(u.accepted.add(a.step), "step %d was accepted twice", a.step);
      if (a.answers != null) {
        State s = a.answers;
        check(
            s.kind != Kind.NEW_PIN
                && a.step > s.step
                && (s.kind != Kind.NEXT_EXACT || a.step == s.step + 1),
            "%s accepted step %d",
            s.kind,
            a.step);
        s.closed = true;
      } else {
        check(u.pin != null && !a.codeAlone, "ACCEPT without the PIN: %s", a.what);
      }
      u.consumed = a.step;
      stats.accepts++;
      return;
    }
    if ("NEW_PIN".equals(win.challenge())) {
      check(a.codeAlone && a.step != null && a.answers == null, "NEW_PIN for %s", a.what);
      check(u.pin == null, "NEW_PIN though the token has a PIN (%s)", a.what);
      check(
          a.step > u.consumed,
          "an old code opened NEW_PIN: step %d, when step %d was consumed already",
          a.step,
          u.consumed);
      u.consumed = a.step;
      u.states.add(
          new State(win.state(), Kind.NEW_PIN, a.step, now + CHALLENGE_TTL_SECONDS * 1000L));
      stats.newPins++;
      return;
    }
    check("NEXT_PASSCODE".equals(win.challenge()), "unknown challenge %s", win.challenge());
    if (a.answers != null && a.answers.kind == Kind.NEW_PIN) {
      check(a.newPin != null, "a refused PIN opened NEXT_PASSCODE");
      if (u.pin != null) {
        check(
            !strictNewPin,
            "a NEW_PIN state (opened at step %d) answered after the PIN was set replaced it",
            a.answers.step);
        stats.pinReplaced++;
      }
      u.pin = a.newPin;
      a.answers.closed = true;
      u.states.add(
          new State(
              win.state(), Kind.NEXT_LATER, a.answers.step, now + CHALLENGE_TTL_SECONDS * 1000L));
      stats.pinsChosen++;
      return;
    }
    check(
        a.answers == null && a.step != null && !a.codeAlone && u.pin != null,
        "NEXT_PASSCODE for %s",
        a.what);
    check(
        a.step > u.consumed,
        "an old code opened NEXT_PASSCODE: step %d, when step %d was consumed already",
        a.step,
        u.consumed);
    u.consumed = a.step;
    Kind opens = opens(u, before, a.step);
    u.states.add(new State(win.state(), opens, a.step, now + CHALLENGE_TTL_SECONDS * 1000L));
    if (opens == Kind.NEXT_EXACT) {
      stats.resyncs++;
    } else {
      stats.nextAfterFailures++;
    }
  }

  private void expectation(Attempt a, List<LoginOutcome> outs, List<LoginOutcome> wins) {
    if (a.expect == Expect.UNSURE) {
      return;
    }
    if (outs.size() == 1) {
      check(
          a.expect.matches(outs.get(0)),
          "%s: expected %s, got %s",
          a.what,
          a.expect,
          describe(outs.get(0)));
    } else if (a.expect.wins()) {
      check(
          wins.size() == 1 && a.expect.matches(wins.get(0)),
          "%d identical right requests (%s): expected exactly one %s, got %s",
          outs.size(),
          a.what,
          a.expect,
          summary(outs));
    } else {
      check(
          wins.isEmpty(),
          "%d identical requests (%s): expected none to win, got %s",
          outs.size(),
          a.what,
          summary(outs));
    }
  }

  private void checkToken(User u, UserView v) {
    TokenRecord t = token(v, u);
    check(t.enabled() == u.enabled, "the token is %s, the model says %s", t.enabled(), u.enabled);
    if (u.pin == null) {
      check(t.pinHash() == null, "the token has a PIN, the model says none");
    } else {
      check(
          KEYS.pins().matches(t.pinHash(), u.serial, u.pin),
          "the token's PIN is not %s, the PIN last chosen",
          u.pin);
    }
    for (String used : u.usedEmergency) {
      check(
          !v.user().emergencyCodes().containsKey(KEYS.emergencyCodes().hash(u.username, used)),
          "an emergency code accepted once is still stored");
    }
  }

  private List<LoginOutcome> race(LoginRequest r, int n) {
    CountDownLatch start = new CountDownLatch(1);
    List<Future<LoginOutcome>> futures = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      futures.add(
          racers.submit(
              () -> {
                start.await(WAIT_SECONDS, TimeUnit.SECONDS);
                return await(verifier.login(r));
              }));
    }
    start.countDown();
    List<LoginOutcome> outs = new ArrayList<>();
    for (Future<LoginOutcome> f : futures) {
      try {
        outs.add(f.get(WAIT_SECONDS * 2, TimeUnit.SECONDS));
      } catch (Exception e) {
        throw new IllegalStateException("a racing request did not finish", e);
      }
    }
    stats.races++;
    return outs;
  }

  // ---- the token's side ----

  private User provision(String username, String serial, boolean totp, String pin, Random seeds) {
    byte[] seed = new byte[20];
    seeds.nextBytes(seed);
    String encrypted = Base64.getEncoder().encodeToString(KEYS.seeds().encrypt(seed, serial));
    TokenRecord t =
        new TokenRecord(
            serial,
            totp ? "totp" : "hotp",
            "SHA1",
            6,
            totp ? 30 : 0,
            encrypted,
            true,
            pin == null ? null : KEYS.pins().hash(serial, pin),
            -1,
            0,
            0,
            null);
    await(store.putUser(new Store.PutUser(username, null, null, clock.millis())));
    check(await(store.createToken(t)), "token %s exists already", serial);
    check(
        await(store.assign(new Store.Assign(username, serial))) == Store.AssignResult.OK,
        "assign failed");
    User u = new User(username, serial, totp, seed);
    u.pin = pin;
    return u;
  }

  private long clockStep() {
    return Math.floorDiv(clock.millis(), 30_000L);
  }

  /** The TOTP step the store expects now: the clock's, plus the drift it learned. */
  private long expectedStep(TokenRecord t) {
    return clockStep() + t.drift();
  }

  /**
   * The NEXT_PASSCODE a right code of this step opens now: in the normal window, the one after
   * failures (any later step); outside it, resynchronisation (exactly the next step). Decided when
   * the code is sent, since a code sent again later may have left the window.
   */
  private Kind opens(User u, TokenRecord t, long step) {
    boolean inWindow =
        u.totp
            ? Math.abs(step - expectedStep(t)) <= TOTP_WINDOW
            : step - (t.lastStep() + 1) <= HOTP_LOOKAHEAD;
    return inWindow ? Kind.NEXT_LATER : Kind.NEXT_EXACT;
  }

  private static String code(User u, long step) {
    return HOTP.generate(u.seed, step);
  }

  /**
   * True when {@code code} is also the code of another step the Verifier may search now (normal,
   * resynchronisation and challenge windows): the action is skipped, so that the model always knows
   * which step an answer consumed.
   */
  private boolean ambiguous(User u, TokenRecord t, String code, long intended) {
    long from;
    long to;
    if (u.totp) {
      long e = expectedStep(t);
      from = e - RESYNC_WINDOW - 2;
      to = e + RESYNC_WINDOW + 2;
    } else {
      from = t.lastStep() - 4;
      to = t.lastStep() + HOTP_RESYNC_WINDOW + 3;
    }
    long now = clock.millis();
    for (State s : u.states) {
      if (!s.gone(now)) {
        from = Math.min(from, s.step - 1);
        to = Math.max(to, s.step + HOTP_LOOKAHEAD + 2);
      }
    }
    for (long s = Math.max(0, from); s <= to; s++) {
      if (s != intended && code(u, s).equals(code)) {
        return true;
      }
    }
    return false;
  }

  private static String otherPin(User u) {
    for (String p : PINS) {
      if (!p.equals(u.pin)) {
        return p;
      }
    }
    throw new IllegalStateException("unreachable");
  }

  // ---- helpers ----

  private LoginRequest request(User u, String password) {
    return new LoginRequest(
        requestId(), u.username, password, null, null, null, ip, "model", "any", System.nanoTime());
  }

  private static String requestId() {
    return "model-" + IDS.incrementAndGet();
  }

  /** What the fingerprint of a wrong value is made of (besides the username). */
  private static String key(LoginRequest r) {
    return (r.state() == null ? "" : r.state())
        + '\u0000'
        + (r.password() == null ? "" : r.password());
  }

  private static int user(Op op) {
    return op instanceof Op.Right o
        ? o.user()
        : op instanceof Op.Old o
            ? o.user()
            : op instanceof Op.WrongPin o
                ? o.user()
                : op instanceof Op.WrongCode o
                    ? o.user()
                    : op instanceof Op.Resend o
                        ? o.user()
                        : op instanceof Op.CodeAlone o
                            ? o.user()
                            : op instanceof Op.ChoosePin o
                                ? o.user()
                                : op instanceof Op.AnswerNext o
                                    ? o.user()
                                    : op instanceof Op.FarOff o
                                        ? o.user()
                                        : op instanceof Op.Unlock o
                                            ? o.user()
                                            : op instanceof Op.ClearPins o
                                                ? o.user()
                                                : op instanceof Op.Enable o
                                                    ? o.user()
                                                    : op instanceof Op.Emergency o
                                                        ? o.user()
                                                        : op instanceof Op.UseEmergency o
                                                            ? o.user()
                                                            : ((Op.Race) op).user();
  }

  private UserView view(User u) {
    UserView v = await(store.getUser(u.username));
    check(v != null && token(v, u) != null, "user %s or its token is gone", u.username);
    return v;
  }

  private static TokenRecord token(UserView v, User u) {
    return v.user().token(u.serial);
  }

  private static <T> T await(io.vertx.core.Future<T> f) {
    try {
      return f.await(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("the store did not answer", e);
    }
  }

  private void note(Op op, String what) {
    trace.add(String.format("%3d %-60s %s", index, op, what));
  }

  private void check(boolean ok, String format, Object... args) {
    if (!ok) {
      StringBuilder b =
          new StringBuilder(String.format(format, args)).append("\nafter these actions:\n");
      int from = Math.max(0, trace.size() - 40);
      for (String line : trace.subList(from, trace.size())) {
        b.append("  ").append(line).append('\n');
      }
      throw new AssertionError(b.toString());
    }
  }

  private static String describe(LoginOutcome o) {
    return o.kind()
        + (o.challenge() != null ? " " + o.challenge() : "")
        + (o.method() != null ? " " + o.method() : "")
        + " ("
        + o.auditReason()
        + ")";
  }

  private static String summary(List<LoginOutcome> outs) {
    if (outs.size() == 1) {
      return describe(outs.get(0));
    }
    Map<String, Integer> counts = new java.util.TreeMap<>();
    outs.forEach(o -> counts.merge(describe(o), 1, Integer::sum));
    return counts.toString();
  }

  // ---- the model ----

  /** The kinds of challenge state the model follows. */
  enum Kind {
    NEW_PIN,
    NEXT_LATER,
    NEXT_EXACT
  }

  /** What the model is sure an answer is; UNSURE where only the safety rules are checked. */
  enum Expect {
    ACCEPT,
    NEW_PIN,
    NEXT,
    REJECT,
    BAD_REQUEST,
    UNSURE;

    boolean wins() {
      return this == ACCEPT || this == NEW_PIN || this == NEXT;
    }

    boolean matches(LoginOutcome o) {
      return switch (this) {
        case ACCEPT -> o.kind() == LoginOutcome.Kind.ACCEPT;
        case NEW_PIN -> o.kind() == LoginOutcome.Kind.CHALLENGE && "NEW_PIN".equals(o.challenge());
        case NEXT ->
            o.kind() == LoginOutcome.Kind.CHALLENGE && "NEXT_PASSCODE".equals(o.challenge());
        case REJECT -> o.kind() == LoginOutcome.Kind.REJECT;
        case BAD_REQUEST -> o.kind() == LoginOutcome.Kind.BAD_REQUEST;
        case UNSURE -> true;
      };
    }
  }

  /**
   * One request and what it means to the model.
   *
   * @param step the step (or counter) of the right code it carries, or null when it carries none
   *     (any ACCEPT or challenge for it breaks a rule)
   * @param emergency the valid-looking emergency code it carries with the right PIN, or null
   * @param answers the state it answers, or null
   * @param countSure a REJECT of a value never rejected before must be counted
   * @param newPin the PIN it chooses (NEW_PIN answers)
   * @param codeAlone the code without PIN
   */
  private record Attempt(
      String what,
      LoginRequest request,
      Long step,
      String emergency,
      State answers,
      Expect expect,
      boolean countSure,
      String newPin,
      boolean codeAlone) {

    static Attempt login(String what, LoginRequest r, Long step, Expect e, boolean codeAlone) {
      return new Attempt(what, r, step, null, null, e, true, null, codeAlone);
    }

    /**
     * The same request again: the model no longer knows its answer, only the rules. A PIN choice
     * sent again once the PIN is set is in the case where the count is not asserted (see {@code
     * choosePin}).
     */
    Attempt resent(boolean pinSet) {
      LoginRequest r =
          new LoginRequest(
              requestId(),
              request.username(),
              request.password(),
              request.state(),
              request.newPin(),
              request.confirmPin(),
              request.clientIp(),
              request.client(),
              request.level(),
              System.nanoTime());
      return new Attempt(
          "resent: " + what,
          r,
          step,
          emergency,
          answers,
          Expect.UNSURE,
          countSure && !(newPin != null && pinSet),
          newPin,
          codeAlone);
    }
  }

  /** A challenge state the model saw opened. */
  private static final class State {
    final String id;
    final Kind kind;
    final long step;
    final long expiresAt;

    /** Wrong answers that may have counted against it. */
    int maxTries;

    boolean closed;

    State(String id, Kind kind, long step, long expiresAt) {
      this.id = id;
      this.kind = kind;
      this.step = step;
      this.expiresAt = expiresAt;
    }

    boolean gone(long now) {
      return closed || now >= expiresAt;
    }

    boolean surelyOpen(long now) {
      return !gone(now) && maxTries < Challenge.MAX_TRIES;
    }
  }

  /** A user, its one token, and what the model knows of them. */
  private static final class User {
    final String username;
    final String serial;
    final boolean totp;
    final byte[] seed;
    String pin;
    boolean enabled = true;

    /** The highest step (or counter) consumed by an ACCEPT or by a code that opened a challenge. */
    long consumed = -1;

    final Set<Long> accepted = new HashSet<>();
    int failures;
    long lockedUntil;

    /** Values (state + password) answered REJECT before: sent again, they may or may not count. */
    final Set<String> wrongKeys = new HashSet<>();

    final List<State> states = new ArrayList<>();
    List<String> batch = List.of();
    long batchExpiresAt;
    final Set<String> usedEmergency = new HashSet<>();
    Attempt last;

    User(String username, String serial, boolean totp, byte[] seed) {
      this.username = username;
      this.serial = serial;
      this.totp = totp;
      this.seed = seed;
    }

    boolean locked(long now) {
      return lockedUntil > now;
    }
  }

  /**
   * What the runs exercised, so that the test can tell it did not pass by never reaching a rule.
   */
  static final class Stats {
    long accepts;
    long emergencyAccepts;
    long newPins;
    long pinsChosen;
    long pinReplaced;
    long nextAfterFailures;
    long resyncs;
    long rejects;
    long badRequests;
    long locks;
    long lockedAnswers;
    long races;
    long raceWins;
    long skipped;

    @Override
    public String toString() {
      return "accepts="
          + accepts
          + " emergencyAccepts="
          + emergencyAccepts
          + " newPins="
          + newPins
          + " pinsChosen="
          + pinsChosen
          + " pinReplaced="
          + pinReplaced
          + " nextAfterFailures="
          + nextAfterFailures
          + " resyncs="
          + resyncs
          + " rejects="
          + rejects
          + " badRequests="
          + badRequests
          + " locks="
          + locks
          + " lockedAnswers="
          + lockedAnswers
          + " races="
          + races
          + " raceWins="
          + raceWins
          + " skipped="
          + skipped;
    }
  }
}
