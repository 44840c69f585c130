package dev.jeton.verify;

import dev.jeton.audit.AuditEvent;
import dev.jeton.audit.UserTrail;
import dev.jeton.track.Challenge;
import dev.jeton.track.Store.Commit;
import dev.jeton.track.Store.CommitMode;

/**
 * The commits the verifier makes, one factory each, so that every call site says what it commits
 * instead of passing {@link Commit}'s ten fields by position with nulls for the parts that do not
 * apply. Each factory fills exactly the fields its case always filled; the store sees the same
 * commit as before.
 */
final class Commits {

  private Commits() {}

  /** A right password: reset the failures; no token, no step to check. */
  static Commit acceptPassword(String username, long now, int challengeTtlSeconds) {
    return new Commit(
        username, CommitMode.ACCEPT, null, 0, null, null, null, null, now, challengeTtlSeconds);
  }

  /**
   * A right code in the normal window, without a challenge: record {@code step} as the token's last
   * one.
   */
  static Commit acceptCode(
      String username, String serial, long step, long now, int challengeTtlSeconds) {
    return new Commit(
        username,
        CommitMode.ACCEPT,
        serial,
        step,
        null,
        null,
        null,
        null,
        now,
        challengeTtlSeconds);
  }

  /** A right emergency code: remove it (it is used instead of a step). */
  static Commit acceptEmergency(
      String username, String serial, String emergencyHash, long now, int challengeTtlSeconds) {
    return new Commit(
        username,
        CommitMode.ACCEPT,
        serial,
        0,
        null,
        emergencyHash,
        null,
        null,
        now,
        challengeTtlSeconds);
  }

  /**
   * A right answer to the NEXT_PASSCODE challenge {@code challengeId}: record {@code step}, and
   * {@code drift} when the answer taught one (null keeps the token's), and close the challenge.
   */
  static Commit acceptAnswer(
      String username,
      String serial,
      long step,
      Integer drift,
      String challengeId,
      long now,
      int challengeTtlSeconds) {
    return new Commit(
        username,
        CommitMode.ACCEPT,
        serial,
        step,
        drift,
        null,
        challengeId,
        null,
        now,
        challengeTtlSeconds);
  }

  /**
   * The ACCEPT {@code accept}, writing {@code event} into the user's audit trail in the same atomic
   * step, kept as the audit keeps a user's trail: its newest {@value UserTrail#KEEP} entries, for
   * {@code ttlMillis} after the last.
   */
  static Commit recorded(Commit accept, AuditEvent event, long ttlMillis) {
    return accept.withAudit(new Commit.Audit(event.packed(), UserTrail.KEEP, ttlMillis));
  }

  /** A right code whose answer is a challenge: consume {@code step} and open {@code open}. */
  static Commit openChallenge(
      String username,
      String serial,
      long step,
      Challenge open,
      long now,
      int challengeTtlSeconds) {
    return new Commit(
        username,
        CommitMode.CONSUME,
        serial,
        step,
        null,
        null,
        null,
        open,
        now,
        challengeTtlSeconds);
  }
}
