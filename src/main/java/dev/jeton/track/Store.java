package dev.jeton.track;

import io.vertx.core.Future;
import java.util.List;
import java.util.Locale;

/**
 * Everything Jeton keeps, and every step that must be atomic across nodes. Two implementations:
 * {@link RedisStore} (production) and {@link MemoryStore} (embedded, one node); one contract suite
 * runs against both.
 *
 * <p>Times are epoch milliseconds from the caller's {@code Clock}, so that expiry follows the
 * injected clock. A failed future means the store could not answer: callers MUST fail closed.
 */
public interface Store {

  /**
   * Everything one login needs, read in one round trip (not necessarily one snapshot: the write
   * re-checks).
   */
  Future<LoginState> loadLogin(LoadLogin q);

  /**
   * Atomically: refuse if locked or the challenge to close is gone; compare-and-set the step; then
   * apply.
   */
  Future<CommitResult> commit(Commit c);

  /**
   * Counts one failure for the username and the client IP (a resent identical value counts once). A
   * failure that locks the username also ends the user's portal sessions (see {@link
   * #sessionMark}); an unknown username leaves no user behind.
   */
  Future<FailResult> fail(Fail f);

  /**
   * Atomically closes a NEW_PIN challenge, sets the PIN and opens the NEXT_PASSCODE challenge;
   * false if gone.
   */
  Future<Boolean> setPin(SetPin s);

  Future<Boolean> putUser(PutUser p);

  /** The user with its failure state, or null. */
  Future<UserView> getUser(String username);

  /**
   * Deletes the user; its tokens go back to the pool unassigned, keeping their replay position, and
   * its console role (if any) goes with it.
   */
  Future<Boolean> deleteUser(String username);

  /**
   * The users whose identifier or display name starts with {@code prefix}, compared in lower case
   * ({@link #searchKey}), each once, at most {@code limit} of them.
   *
   * <p>Order: by the lower-cased identifier or display name that matched (by UTF-8 bytes, which is
   * code point order), then by username; a user whom both match comes at the first of its two
   * places. So a page is the start of one sorted list, and costs O(log N + page) at any population
   * (Redis: one sorted set in lexical order). Kept by every write of users (create, rename, delete,
   * bulk load); on Redis that upkeep is a separate command from the user's own write (another
   * slot), so a reader may meet an entry that a concurrent write has not yet removed: such an entry
   * (user gone, display name changed) is never answered.
   *
   * @param prefix 1 or more characters (the caller bounds it); its case does not matter
   * @param limit 1 or more (the caller bounds it)
   * @return the matches, in that order; empty when none
   */
  Future<List<UserMatch>> searchUsers(String prefix, int limit);

  /**
   * Gives the user a console role ({@code admin} or {@code helpdesk}: the caller checks it),
   * replacing any other. False, and nothing kept, when there is no such user; a user deleted at the
   * same time keeps no role either ({@link #deleteUser}).
   */
  Future<Boolean> putConsoleOperator(String username, String role);

  /** The user's console role, or null when the user has none. */
  Future<String> consoleRole(String username);

  /** Withdraws the user's console role; false when the user had none. */
  Future<Boolean> deleteConsoleOperator(String username);

  /** Every console operator, sorted by username. */
  Future<List<ConsoleOperator>> consoleOperators();

  /** False when a token with this serial exists already (never overwritten). */
  Future<Boolean> createToken(TokenRecord t);

  /** The token, or null. */
  Future<TokenRecord> getToken(String serial);

  Future<AssignResult> assign(Assign a);

  /** False when the token is not assigned to that user. The token loses its PIN. */
  Future<Boolean> unassign(Assign a);

  /** False when there is no such token. */
  Future<Boolean> setEnabled(SetEnabled s);

  /**
   * Clears the PIN of every token of the user and ends their portal sessions; false when there is
   * no such user.
   */
  Future<Boolean> clearPins(String username);

  /** Resets the failure count and the lock of a username. */
  Future<Void> unlock(String username);

  /** Replaces the user's emergency codes; false when there is no such user. */
  Future<Boolean> putEmergencyCodes(EmergencyCodes e);

  /** Creates or replaces a client (a new secret invalidates the old one). */
  Future<Void> putClient(ClientRecord c);

  /** The client whose secret hashes to this, or null. */
  Future<ClientRecord> findClient(String secretHash);

  /**
   * Every client, sorted by name, each without its secret's hash (null): a list is for reading by
   * people, and the hash is of no use to them.
   */
  Future<List<ClientRecord>> clients();

  /**
   * Creates or replaces the RADIUS client of this name, and tells every node's intakes that it
   * changed (on Redis, in the same step as the write; {@link InvalidationVerticle}).
   */
  Future<Void> putRadiusClient(RadiusClientRecord c);

  /**
   * Every RADIUS client, sorted by name, each WITH its sealed secret: the RADIUS intake needs it to
   * check and sign packets. Never hand the sealed secret to a person (the admin API does not).
   */
  Future<List<RadiusClientRecord>> radiusClients();

  /**
   * Deletes the RADIUS client of this name, telling every node as {@link #putRadiusClient} does;
   * false (and nothing published) when there is none.
   */
  Future<Boolean> deleteRadiusClient(String name);

  Future<Void> putOperator(OperatorRecord o);

  Future<OperatorRecord> findOperator(String secretHash);

  Future<Boolean> deleteOperator(String name);

  /**
   * The user's session mark, or null when there is no such user. Portal sessions carry the mark
   * they were issued under and are valid only while it is current. It changes when the user is
   * re-created (a new generation id) and when their sessions are ended: by {@link #endSessions}, by
   * a failure that locks the username ({@link #fail}) and by {@link #clearPins}; deleting the user
   * makes it null. Opaque, not secret, at most a few dozen characters.
   */
  Future<String> sessionMark(String username);

  /**
   * Logout: ends every portal session of the user, atomically, if {@code mark} is still the user's
   * current session mark; false (nothing changed) when it is not or there is no such user, so that
   * a revoked session cannot end the newer ones.
   */
  Future<Boolean> endSessions(EndSessions e);

  /**
   * Applies the lines of a bulk load, pipelined: each line creates or updates its user and, when it
   * carries one, creates its token assigned to that user. A line is applied whole or not at all.
   */
  Future<BulkResult> bulk(Bulk b);

  /** Succeeds when the store answers. */
  Future<Void> ping();

  Future<Void> close();

  // ---- messages ----

  record LoadLogin(String username, String ip, String challengeId, long now, int ipWindowSeconds) {}

  /**
   * @param user null when the username is unknown
   * @param challenge the challenge named in the request, or null (unknown, expired, or another
   *     user's)
   * @param sessionMark the user's {@link #sessionMark} as read with the user (no extra read), null
   *     when unknown
   */
  record LoginState(
      UserRecord user, FailState fail, int ipFailures, Challenge challenge, String sessionMark) {
    public LoginState(UserRecord user, FailState fail, int ipFailures, Challenge challenge) {
      this(user, fail, ipFailures, challenge, null);
    }
  }

  enum CommitMode {
    /** ACCEPT: reset the failures, record the use (and drift), close the challenge if any. */
    ACCEPT,
    /** The code is right but the answer is a challenge: consume the step and open {@code open}. */
    CONSUME
  }

  /**
   * @param serial null for a password ACCEPT (no step to check)
   * @param step the matched TOTP step or HOTP counter; must be above the token's last one
   * @param drift the drift to store on ACCEPT, or null to keep it
   * @param emergencyHash the emergency code used instead of a step, removed atomically, or null
   * @param close id of the challenge this answers, or null; the commit fails with GONE if it is no
   *     longer there
   * @param open the challenge to open in CONSUME mode
   * @param audit the ACCEPT's audit record, or null for none: on OK the commit pushes it onto the
   *     user's audit trail in the same atomic step that consumes the code, so that an ACCEPT a
   *     client received cannot lack its record. Only in ACCEPT mode. A store that keeps no audit
   *     trail of its own (the embedded one: its audit log lives, and dies, in the same process, and
   *     the audit verticle writes the event there whole) leaves it
   * @throws IllegalArgumentException for an audit record in CONSUME mode or with a challenge to
   *     open
   */
  record Commit(
      String username,
      CommitMode mode,
      String serial,
      long step,
      Integer drift,
      String emergencyHash,
      String close,
      Challenge open,
      long now,
      int challengeTtlSeconds,
      Audit audit) {

    public Commit {
      if (audit != null && (mode != CommitMode.ACCEPT || open != null)) {
        throw new IllegalArgumentException("an audit record goes with an ACCEPT only");
      }
    }

    /** A commit that writes no audit record. */
    public Commit(
        String username,
        CommitMode mode,
        String serial,
        long step,
        Integer drift,
        String emergencyHash,
        String close,
        Challenge open,
        long now,
        int challengeTtlSeconds) {
      this(
          username,
          mode,
          serial,
          step,
          drift,
          emergencyHash,
          close,
          open,
          now,
          challengeTtlSeconds,
          null);
    }

    /** The same commit, writing {@code a} into the user's audit trail when it succeeds. */
    public Commit withAudit(Audit a) {
      return new Commit(
          username,
          mode,
          serial,
          step,
          drift,
          emergencyHash,
          close,
          open,
          now,
          challengeTtlSeconds,
          a);
    }

    /**
     * An audit record and the rules of the trail it goes to, which are the audit's to set: the
     * store only applies them.
     *
     * @param record the event, packed: opaque to the store, not secret, a few hundred characters at
     *     most
     * @param keep the user's trail keeps its newest {@code keep} entries
     * @param ttlMillis and expires this long after its last entry
     */
    public record Audit(String record, int keep, long ttlMillis) {
      public Audit {
        if (record == null || keep < 1 || ttlMillis < 1) {
          throw new IllegalArgumentException("an audit record, a length and a time to keep it");
        }
      }
    }
  }

  enum CommitOutcome {
    OK,
    REPLAY,
    LOCKED,
    GONE
  }

  record CommitResult(CommitOutcome outcome, long lockedUntil) {}

  /**
   * @param fingerprint keyed hash of the wrong value: the same value again is not counted twice
   * @param challengeId the challenge wrongly answered, or null; it closes at {@link
   *     Challenge#MAX_TRIES}
   */
  record Fail(
      String username,
      String ip,
      String fingerprint,
      String challengeId,
      long now,
      int lockoutFailures,
      int lockoutSeconds,
      int ipWindowSeconds) {}

  enum FailOutcome {
    /** Counted as a new failure. */
    COUNTED,
    /** The same value as the last failure: not counted again. */
    REPEATED,
    /** The username was locked already: not evaluated, not counted. */
    LOCKED
  }

  record FailResult(FailOutcome outcome, int failures, long lockedUntil, int ipFailures) {}

  record SetPin(
      String username,
      String serial,
      String pinHash,
      String close,
      Challenge open,
      long now,
      int challengeTtlSeconds) {}

  record PutUser(String username, String displayName, String passwordHash, long now) {}

  /**
   * @param mark the session mark of the session that logs out
   */
  record EndSessions(String username, String mark) {}

  record UserView(UserRecord user, FailState fail) {}

  /** A user found by {@link #searchUsers}; {@code displayName} is null when the user has none. */
  record UserMatch(String username, String displayName) {}

  /** A user who may sign in to the console, and as what ({@code admin} or {@code helpdesk}). */
  record ConsoleOperator(String username, String role) {}

  /**
   * The key a user is found by in {@link #searchUsers}: an identifier or display name, or a prefix
   * of one, in lower case under {@link Locale#ROOT} (the same whatever the server's language).
   */
  static String searchKey(String s) {
    return s.toLowerCase(Locale.ROOT);
  }

  record Assign(String username, String serial) {}

  enum AssignResult {
    OK,
    NO_USER,
    NO_TOKEN,
    OWNED_BY_OTHER,
    TOO_MANY
  }

  record SetEnabled(String serial, boolean enabled) {}

  record EmergencyCodes(String username, List<String> hashes, long expiresAt) {
    public EmergencyCodes {
      hashes = List.copyOf(hashes);
    }
  }

  /**
   * @param token a new token to create and assign to the user, or null
   */
  record BulkLine(String username, String displayName, String passwordHash, TokenRecord token) {}

  record Bulk(List<BulkLine> lines, long now) {
    public Bulk {
      lines = List.copyOf(lines);
    }
  }

  /**
   * @param errors one per line, in order: null when the line was applied, else why not
   */
  record BulkResult(List<String> errors) {}

  /** Message classes that travel on the local event bus between verification and tracking. */
  static List<Class<?>> messageTypes() {
    return List.of(
        LoadLogin.class,
        LoginState.class,
        Commit.class,
        CommitResult.class,
        Fail.class,
        FailResult.class,
        SetPin.class,
        PutUser.class,
        UserView.class,
        TokenRecord.class,
        Assign.class,
        AssignResult.class,
        SetEnabled.class,
        EmergencyCodes.class,
        ClientRecord.class,
        RadiusClientRecord.class,
        OperatorRecord.class,
        BulkLine.class,
        Bulk.class,
        BulkResult.class,
        EndSessions.class,
        ConsoleOperator.class,
        BusStore.SearchUsers.class,
        BusStore.Listed.class);
  }
}
