package dev.jeton.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * One action of a sequence: what a user, an attacker, the helpdesk or time does. {@code user} picks
 * the TOTP user (0) or the HOTP user (1); indexes ({@code state}, {@code code}) are taken modulo
 * what exists when the action runs, so that every subsequence of a sequence still means something.
 */
sealed interface Op {

  /**
   * PIN + the code the key shows ({@code off} steps or presses from the expected one); the code
   * alone without PIN.
   */
  record Right(int user, int off) implements Op {}

  /** PIN + the code of a step at or before the last one consumed. */
  record Old(int user, int back) implements Op {}

  /** A wrong PIN with the right code. */
  record WrongPin(int user) implements Op {}

  /** The right PIN with a code the key does not show. */
  record WrongCode(int user, int value) implements Op {}

  /** The last request of the user, sent again unchanged. */
  record Resend(int user) implements Op {}

  /** The code alone, PIN or not (NEW_PIN when the token has no PIN). */
  record CodeAlone(int user) implements Op {}

  /** Answers a NEW_PIN state seen before. */
  record ChoosePin(int user, int state, int pin, PinAnswer how) implements Op {}

  /** Answers a NEXT_PASSCODE state seen before. */
  record AnswerNext(int user, int state, NextAnswer how, int value) implements Op {}

  /** PIN + a code outside the normal window but inside the resynchronisation one. */
  record FarOff(int user, int k) implements Op {}

  /** Time passes. */
  record Clock(int seconds) implements Op {}

  /** Helpdesk: unlock the username. */
  record Unlock(int user) implements Op {}

  /** Helpdesk: clear the PIN. */
  record ClearPins(int user) implements Op {}

  /** Admin: disable or enable the token. */
  record Enable(int user, boolean on) implements Op {}

  /** Helpdesk: a new batch of emergency codes. */
  record Emergency(int user, int count, int validSeconds, long seed) implements Op {}

  /** PIN (right or not) + an emergency code of the last batch. */
  record UseEmergency(int user, int code, boolean rightPin) implements Op {}

  /** The same request sent by {@code n} clients at once. */
  record Race(int user, int n, RaceOf what) implements Op {}

  /** Ways to answer NEW_PIN. */
  enum PinAnswer {
    RIGHT,
    MISMATCH,
    POLICY
  }

  /** Ways to answer NEXT_PASSCODE. */
  enum NextAnswer {
    RIGHT,
    WRONG_CODE,
    WRONG_PIN
  }

  /** What a race sends. */
  enum RaceOf {
    PASSCODE,
    EMERGENCY,
    NEXT_ANSWER
  }

  /** A random sequence over every kind of action, weighted towards logins. */
  static List<Op> sequence(Random r, int minLength, int maxLength) {
    int length = minLength + r.nextInt(maxLength - minLength + 1);
    List<Op> ops = new ArrayList<>(length);
    for (int i = 0; i < length; i++) {
      ops.add(one(r));
    }
    return ops;
  }

  private static Op one(Random r) {
    int u = r.nextInt(2);
    int pick = r.nextInt(100);
    if (pick < 16) {
      return new Right(u, r.nextInt(4) == 0 ? r.nextInt(3) - 1 : 0);
    }
    if (pick < 21) {
      return new Old(u, r.nextInt(4));
    }
    if (pick < 28) {
      return new WrongPin(u);
    }
    if (pick < 37) {
      return new WrongCode(u, r.nextInt(1_000_000));
    }
    if (pick < 43) {
      return new Resend(u);
    }
    if (pick < 47) {
      return new CodeAlone(u);
    }
    if (pick < 53) {
      return new ChoosePin(u, r.nextInt(4), r.nextInt(LoginWorld.PINS.size()), pinAnswer(r));
    }
    if (pick < 61) {
      return new AnswerNext(
          u,
          r.nextInt(4),
          NextAnswer.values()[r.nextInt(6) < 4 ? 0 : 1 + r.nextInt(2)],
          r.nextInt(1_000_000));
    }
    if (pick < 65) {
      return new FarOff(u, r.nextInt(2 * LoginWorld.RESYNC_WINDOW) - LoginWorld.RESYNC_WINDOW);
    }
    if (pick < 77) {
      int[] seconds = {
        30, 30, 60, 90, 120, LoginWorld.LOCKOUT_SECONDS, LoginWorld.CHALLENGE_TTL_SECONDS
      };
      return new Clock(seconds[r.nextInt(seconds.length)]);
    }
    if (pick < 80) {
      return new Unlock(u);
    }
    if (pick < 82) {
      return new ClearPins(u);
    }
    if (pick < 84) {
      return new Enable(u, r.nextInt(3) != 0);
    }
    if (pick < 87) {
      return new Emergency(u, 1 + r.nextInt(3), 30 * (1 + r.nextInt(6)), r.nextLong());
    }
    if (pick < 92) {
      return new UseEmergency(u, r.nextInt(4), r.nextInt(5) != 0);
    }
    return new Race(u, 2 + r.nextInt(7), RaceOf.values()[r.nextInt(3)]);
  }

  private static PinAnswer pinAnswer(Random r) {
    int p = r.nextInt(8);
    return p < 6 ? PinAnswer.RIGHT : p == 6 ? PinAnswer.MISMATCH : PinAnswer.POLICY;
  }

  /**
   * The first-login story many times over: codes seen while the token has no PIN open several
   * NEW_PIN states, which are then answered in any order, with time passing and logins in between.
   */
  static List<Op> newPinStory(Random r) {
    List<Op> ops = new ArrayList<>();
    int states = 2 + r.nextInt(3);
    for (int i = 0; i < states; i++) {
      ops.add(new CodeAlone(0));
      ops.add(new CodeAlone(1));
      ops.add(new Clock(30));
    }
    int answers = 2 + r.nextInt(2 * states);
    for (int i = 0; i < answers; i++) {
      int pick = r.nextInt(10);
      int u = r.nextInt(2);
      if (pick < 6) {
        ops.add(
            new ChoosePin(
                u, r.nextInt(states), r.nextInt(LoginWorld.PINS.size()), PinAnswer.RIGHT));
      } else if (pick < 8) {
        ops.add(new AnswerNext(u, r.nextInt(states), NextAnswer.RIGHT, 0));
      } else if (pick < 9) {
        ops.add(new Clock(30));
      } else {
        ops.add(new Right(u, 0));
      }
    }
    return ops;
  }
}
