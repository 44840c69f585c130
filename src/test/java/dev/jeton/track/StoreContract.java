package dev.jeton.track;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.track.Store.Assign;
import dev.jeton.track.Store.AssignResult;
import dev.jeton.track.Store.Bulk;
import dev.jeton.track.Store.BulkLine;
import dev.jeton.track.Store.BulkResult;
import dev.jeton.track.Store.Commit;
import dev.jeton.track.Store.CommitMode;
import dev.jeton.track.Store.CommitOutcome;
import dev.jeton.track.Store.CommitResult;
import dev.jeton.track.Store.ConsoleOperator;
import dev.jeton.track.Store.EmergencyCodes;
import dev.jeton.track.Store.Fail;
import dev.jeton.track.Store.FailOutcome;
import dev.jeton.track.Store.FailResult;
import dev.jeton.track.Store.LoadLogin;
import dev.jeton.track.Store.LoginState;
import dev.jeton.track.Store.PutUser;
import dev.jeton.track.Store.SetEnabled;
import dev.jeton.track.Store.SetPin;
import dev.jeton.track.Store.UserMatch;
import dev.jeton.track.Store.UserView;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The rules every {@link Store} obeys, run against each implementation. All times are explicit
 * epoch milliseconds: the store must follow the caller's clock, never its own.
 */
@Timeout(30)
abstract class StoreContract {

  static final long NOW = 1_700_000_000_000L;
  static final int TTL = 300;
  static final int WINDOW = 300;
  static final String IP = "192.0.2.10";
  static final String SEED = "c2VlZA==";
  static final long DAY = 86_400_000L;

  /** The store under test, empty at the start of each test. */
  protected abstract Store store();

  /** Gives the next test an empty store. */
  protected abstract void resetStore() throws Exception;

  /** Releases what {@link #resetStore()} took for one test. */
  protected void releaseStore() throws Exception {}

  @BeforeEach
  final void contractSetUp() throws Exception {
    resetStore();
  }

  @AfterEach
  final void contractTearDown() throws Exception {
    releaseStore();
  }

  /** Users: created, updated, looked up and deleted, and what a deletion takes with it. */
  @Nested
  class Users {
    @Test
    void putUserCreatesThenUpdatesKeepingTheFieldsNotGiven() throws Exception {
      assertThat(await(store().putUser(new PutUser("alice", "Alice A", "$argon2id$pw1", NOW))))
          .isTrue();

      UserRecord created = user("alice");
      assertThat(created.username()).isEqualTo("alice");
      assertThat(created.displayName()).isEqualTo("Alice A");
      assertThat(created.passwordHash()).isEqualTo("$argon2id$pw1");
      assertThat(created.createdAt()).isEqualTo(NOW);
      assertThat(created.tokens()).isEmpty();
      assertThat(created.emergencyCodes()).isEmpty();

      assertThat(await(store().putUser(new PutUser("alice", "Alice B", null, NOW + 1_000))))
          .isFalse();
      UserRecord renamed = user("alice");
      assertThat(renamed.displayName()).isEqualTo("Alice B");
      assertThat(renamed.passwordHash()).isEqualTo("$argon2id$pw1");
      assertThat(renamed.createdAt()).isEqualTo(NOW);

      assertThat(await(store().putUser(new PutUser("alice", null, "$argon2id$pw2", NOW + 2_000))))
          .isFalse();
      UserRecord repassworded = user("alice");
      assertThat(repassworded.displayName()).isEqualTo("Alice B");
      assertThat(repassworded.passwordHash()).isEqualTo("$argon2id$pw2");
      assertThat(repassworded.createdAt()).isEqualTo(NOW);
    }

    @Test
    void putUserMayCreateAUserWithoutPasswordOrDisplayName() throws Exception {
      assertThat(await(store().putUser(new PutUser("bare", null, null, NOW)))).isTrue();

      UserRecord u = user("bare");
      assertThat(u.displayName()).isNull();
      assertThat(u.passwordHash()).isNull();
    }

    @Test
    void putUserKeepsTheTokensOfAnExistingUser() throws Exception {
      userWithToken("alice", "T1");

      await(store().putUser(new PutUser("alice", "New name", "$argon2id$new", NOW + 1_000)));

      assertThat(serials(user("alice"))).containsExactly("T1");
    }

    @Test
    void getUserIsNullForAnUnknownUsername() throws Exception {
      assertThat(await(store().getUser("nobody"))).isNull();
    }

    @Test
    void getUserShowsTheFailureStateOfTheUser() throws Exception {
      putUser("alice");
      await(store().fail(fail("alice", "fp1", NOW)));

      UserView view = await(store().getUser("alice"));

      assertThat(view.fail().failures()).isEqualTo(1);
      assertThat(view.fail().lastBad()).isEqualTo("fp1");
      assertThat(await(store().getUser("alice")).user().username()).isEqualTo("alice");
    }

    @Test
    void deleteUserReturnsItsTokensToThePoolWithoutPinKeepingTheirReplayPosition()
        throws Exception {
      putUser("alice");
      createToken(token("T1").withPin("pin-hash-1"));
      createToken(token("T2"));
      assertThat(assign("alice", "T1")).isEqualTo(AssignResult.OK);
      assertThat(assign("alice", "T2")).isEqualTo(AssignResult.OK);
      assertThat(commit(accept("alice", "T1", 100, NOW)).outcome()).isEqualTo(CommitOutcome.OK);

      assertThat(await(store().deleteUser("alice"))).isTrue();

      assertThat(await(store().getUser("alice"))).isNull();
      TokenRecord t1 = await(store().getToken("T1"));
      assertThat(t1.owner()).isNull();
      assertThat(t1.pinHash()).isNull();
      assertThat(t1.lastStep()).isEqualTo(100);
      assertThat(t1.lastUsedAt()).isEqualTo(NOW);
      assertThat(await(store().getToken("T2")).owner()).isNull();

      // Back in the pool: a new owner may have it, and the old code still cannot be replayed.
      putUser("bob");
      assertThat(assign("bob", "T1")).isEqualTo(AssignResult.OK);
      assertThat(commit(accept("bob", "T1", 100, NOW + 1_000)).outcome())
          .isEqualTo(CommitOutcome.REPLAY);
      assertThat(commit(accept("bob", "T1", 101, NOW + 1_000)).outcome())
          .isEqualTo(CommitOutcome.OK);
    }

    @Test
    void deleteUserIsFalseForAnUnknownUsername() throws Exception {
      assertThat(await(store().deleteUser("nobody"))).isFalse();
    }

    @Test
    void deleteUserForgetsItsFailuresSoARecreatedUserStartsClean() throws Exception {
      putUser("alice");
      await(store().fail(fail("alice", "fp1", NOW)));
      await(store().fail(fail("alice", "fp2", NOW)));

      await(store().deleteUser("alice"));
      putUser("alice");

      assertThat(await(store().getUser("alice")).fail()).isEqualTo(FailState.NONE);
      assertThat(load("alice", null, NOW).fail()).isEqualTo(FailState.NONE);
    }

    @Test
    void deleteUserClosesItsOpenChallengesSoARecreatedUserCannotAnswerThem() throws Exception {
      userWithToken("alice", "T1");
      Challenge open =
          challenge("c-old", "alice", Challenge.Kind.NEXT_LATER, "T1", 10, NOW + TTL * 1000L);
      assertThat(commit(consume("alice", "T1", 10, open, NOW)).outcome())
          .isEqualTo(CommitOutcome.OK);

      await(store().deleteUser("alice"));
      putUser("alice");
      assertThat(assign("alice", "T1")).isEqualTo(AssignResult.OK);

      assertThat(load("alice", "c-old", NOW + 1_000).challenge()).isNull();
      assertThat(
              commit(
                      new Commit(
                          "alice",
                          CommitMode.ACCEPT,
                          "T1",
                          11,
                          null,
                          null,
                          "c-old",
                          null,
                          NOW + 1_000,
                          TTL))
                  .outcome())
          .isEqualTo(CommitOutcome.GONE);
    }
  }

  /** Tokens: created once per serial, looked up, enabled and disabled, their PINs cleared. */
  @Nested
  class Tokens {
    @Test
    void createTokenNeverOverwritesAnExistingSerial() throws Exception {
      TokenRecord original = token("T1");
      assertThat(await(store().createToken(original))).isTrue();

      TokenRecord other =
          new TokenRecord(
              "T1", "hotp", "SHA256", 8, 30, "b3RoZXI=", false, "pin-x", 41, 0, 0, null);
      assertThat(await(store().createToken(other))).isFalse();

      assertThat(await(store().getToken("T1"))).isEqualTo(original);
    }

    @Test
    void createTokenRefusesTheSerialOfAnAssignedToken() throws Exception {
      userWithToken("alice", "T1");

      assertThat(await(store().createToken(token("T1")))).isFalse();

      assertThat(await(store().getToken("T1")).owner()).isEqualTo("alice");
      assertThat(serials(user("alice"))).containsExactly("T1");
    }

    @Test
    void getTokenIsNullForAnUnknownSerial() throws Exception {
      assertThat(await(store().getToken("nope"))).isNull();
    }

    @Test
    void getTokenShowsAPooledTokenAsCreatedAndUnassigned() throws Exception {
      TokenRecord t =
          new TokenRecord("H1", "hotp", "SHA512", 8, 30, SEED, true, "pin-hash", 41, 0, 0, null);
      createToken(t);

      assertThat(await(store().getToken("H1"))).isEqualTo(t);
    }

    @Test
    void getTokenShowsTheOwnerOfAnAssignedTokenAndTheUserListsIt() throws Exception {
      putUser("alice");
      createToken(token("T1"));
      assertThat(assign("alice", "T1")).isEqualTo(AssignResult.OK);

      TokenRecord got = await(store().getToken("T1"));
      assertThat(got).isEqualTo(token("T1").withOwner("alice"));
      assertThat(user("alice").tokens()).containsExactly(got);
    }

    @Test
    void createTokenKeepsAnInitialPinThroughAssignment() throws Exception {
      putUser("alice");
      createToken(token("T1").withPin("pin-hash-initial"));

      assertThat(assign("alice", "T1")).isEqualTo(AssignResult.OK);

      assertThat(await(store().getToken("T1")).pinHash()).isEqualTo("pin-hash-initial");
      assertThat(user("alice").token("T1").pinHash()).isEqualTo("pin-hash-initial");
    }

    @Test
    void setEnabledOnAPooledTokenShowsInGetToken() throws Exception {
      createToken(token("T1"));

      assertThat(await(store().setEnabled(new SetEnabled("T1", false)))).isTrue();
      assertThat(await(store().getToken("T1")).enabled()).isFalse();

      assertThat(await(store().setEnabled(new SetEnabled("T1", true)))).isTrue();
      assertThat(await(store().getToken("T1")).enabled()).isTrue();
    }

    @Test
    void setEnabledOnAnAssignedTokenShowsInGetTokenAndInTheUsersTokens() throws Exception {
      userWithToken("alice", "T1");

      assertThat(await(store().setEnabled(new SetEnabled("T1", false)))).isTrue();

      assertThat(await(store().getToken("T1")).enabled()).isFalse();
      assertThat(user("alice").token("T1").enabled()).isFalse();
      assertThat(load("alice", null, NOW).user().token("T1").enabled()).isFalse();

      assertThat(await(store().setEnabled(new SetEnabled("T1", true)))).isTrue();

      assertThat(await(store().getToken("T1")).enabled()).isTrue();
      assertThat(user("alice").token("T1").enabled()).isTrue();
    }

    @Test
    void aDisabledTokenStaysDisabledWhenUnassigned() throws Exception {
      userWithToken("alice", "T1");
      await(store().setEnabled(new SetEnabled("T1", false)));

      await(store().unassign(new Assign("alice", "T1")));

      assertThat(await(store().getToken("T1")).enabled()).isFalse();
    }

    @Test
    void setEnabledIsFalseForAnUnknownSerial() throws Exception {
      assertThat(await(store().setEnabled(new SetEnabled("nope", false)))).isFalse();
      assertThat(await(store().getToken("nope"))).isNull();
    }

    @Test
    void clearPinsRemovesThePinOfEveryTokenOfThatUserOnly() throws Exception {
      putUser("alice");
      putUser("bob");
      createToken(token("A1").withPin("pin-a1"));
      createToken(token("A2").withPin("pin-a2"));
      createToken(token("B1").withPin("pin-b1"));
      assign("alice", "A1");
      assign("alice", "A2");
      assign("bob", "B1");

      assertThat(await(store().clearPins("alice"))).isTrue();

      assertThat(user("alice").tokens())
          .extracting(TokenRecord::pinHash)
          .containsExactly(null, null);
      assertThat(await(store().getToken("A1")).pinHash()).isNull();
      assertThat(user("bob").token("B1").pinHash()).isEqualTo("pin-b1");
    }

    @Test
    void clearPinsIsFalseForAnUnknownUsername() throws Exception {
      assertThat(await(store().clearPins("nobody"))).isFalse();
    }
  }

  /** Assigning tokens to users and taking them back: owners, the limit of three, the pool. */
  @Nested
  class Assignments {
    @Test
    void assignToAnUnknownUserIsNoUserAndLeavesTheTokenInThePool() throws Exception {
      createToken(token("T1"));

      assertThat(assign("ghost", "T1")).isEqualTo(AssignResult.NO_USER);

      assertThat(await(store().getToken("T1"))).isEqualTo(token("T1"));
      putUser("alice");
      assertThat(assign("alice", "T1")).isEqualTo(AssignResult.OK);
    }

    @Test
    void assignOfAnUnknownSerialIsNoToken() throws Exception {
      putUser("alice");

      assertThat(assign("alice", "nope")).isEqualTo(AssignResult.NO_TOKEN);

      assertThat(user("alice").tokens()).isEmpty();
      assertThat(await(store().getToken("nope"))).isNull();
    }

    @Test
    void assignOfATokenOwnedBySomeoneElseIsOwnedByOther() throws Exception {
      userWithToken("alice", "T1");
      putUser("bob");

      assertThat(assign("bob", "T1")).isEqualTo(AssignResult.OWNED_BY_OTHER);

      assertThat(await(store().getToken("T1")).owner()).isEqualTo("alice");
      assertThat(serials(user("alice"))).containsExactly("T1");
      assertThat(user("bob").tokens()).isEmpty();
    }

    @Test
    void assignAllowsAtMostThreeTokensPerUserKeptInAssignmentOrder() throws Exception {
      putUser("alice");
      for (String s : List.of("T3", "T1", "T2", "T4")) {
        createToken(token(s));
      }
      assertThat(assign("alice", "T3")).isEqualTo(AssignResult.OK);
      assertThat(assign("alice", "T1")).isEqualTo(AssignResult.OK);
      assertThat(assign("alice", "T2")).isEqualTo(AssignResult.OK);

      assertThat(assign("alice", "T4")).isEqualTo(AssignResult.TOO_MANY);

      assertThat(serials(user("alice"))).containsExactly("T3", "T1", "T2");
      assertThat(await(store().getToken("T4"))).isEqualTo(token("T4"));
    }

    @Test
    void aRefusedAssignmentChangesNothingOnThePooledToken() throws Exception {
      TokenRecord withPin = token("TP").withPin("pin-hash-initial");
      createToken(withPin);
      putUser("full");
      for (String s : List.of("F1", "F2", "F3")) {
        createToken(token(s));
        assertThat(assign("full", s)).isEqualTo(AssignResult.OK);
      }

      assertThat(assign("full", "TP")).isEqualTo(AssignResult.TOO_MANY);
      assertThat(await(store().getToken("TP"))).as("after TOO_MANY").isEqualTo(withPin);

      assertThat(assign("ghost", "TP")).isEqualTo(AssignResult.NO_USER);
      assertThat(await(store().getToken("TP"))).as("after NO_USER").isEqualTo(withPin);
    }

    @Test
    void assigningTheSameTokenToTheSameUserAgainIsOkAndAddsNothing() throws Exception {
      userWithToken("alice", "T1");

      assertThat(assign("alice", "T1")).isEqualTo(AssignResult.OK);

      assertThat(serials(user("alice"))).containsExactly("T1");
      assertThat(await(store().getToken("T1")).owner()).isEqualTo("alice");
    }

    @Test
    void unassignReturnsTheTokenToThePoolWithoutPinButKeepingItsLastStep() throws Exception {
      putUser("alice");
      createToken(token("T1").withPin("pin-hash-1"));
      assertThat(assign("alice", "T1")).isEqualTo(AssignResult.OK);
      assertThat(
              commit(
                      new Commit(
                          "alice", CommitMode.ACCEPT, "T1", 500, 2, null, null, null, NOW, TTL))
                  .outcome())
          .isEqualTo(CommitOutcome.OK);

      assertThat(await(store().unassign(new Assign("alice", "T1")))).isTrue();

      assertThat(user("alice").tokens()).isEmpty();
      TokenRecord pooled = await(store().getToken("T1"));
      assertThat(pooled).isEqualTo(token("T1").withUse(500, 2, NOW));
      assertThat(pooled.owner()).isNull();
      assertThat(pooled.pinHash()).isNull();

      // Reassigned, the token still refuses the old code and any older one.
      putUser("bob");
      assertThat(assign("bob", "T1")).isEqualTo(AssignResult.OK);
      assertThat(commit(accept("bob", "T1", 500, NOW + 1_000)).outcome())
          .isEqualTo(CommitOutcome.REPLAY);
      assertThat(commit(accept("bob", "T1", 499, NOW + 1_000)).outcome())
          .isEqualTo(CommitOutcome.REPLAY);
      assertThat(commit(accept("bob", "T1", 501, NOW + 1_000)).outcome())
          .isEqualTo(CommitOutcome.OK);
    }

    @Test
    void unassignIsFalseWhenTheUserDoesNotHoldTheToken() throws Exception {
      userWithToken("alice", "T1");
      putUser("bob");
      createToken(token("T2"));

      assertThat(await(store().unassign(new Assign("bob", "T1")))).isFalse();
      assertThat(await(store().unassign(new Assign("alice", "T2")))).isFalse();
      assertThat(await(store().unassign(new Assign("ghost", "T1")))).isFalse();
      assertThat(await(store().unassign(new Assign("alice", "nope")))).isFalse();

      assertThat(await(store().getToken("T1")).owner()).isEqualTo("alice");
      assertThat(serials(user("alice"))).containsExactly("T1");
    }

    @Test
    void unassignKeepsTheOtherTokensOfTheUserInOrder() throws Exception {
      putUser("alice");
      for (String s : List.of("T1", "T2", "T3")) {
        createToken(token(s));
        assign("alice", s);
      }

      assertThat(await(store().unassign(new Assign("alice", "T2")))).isTrue();

      assertThat(serials(user("alice"))).containsExactly("T1", "T3");
      createToken(token("T4"));
      assertThat(assign("alice", "T4")).isEqualTo(AssignResult.OK);
      assertThat(serials(user("alice"))).containsExactly("T1", "T3", "T4");
    }
  }

  /** Emergency codes: a set replaces the last, each code is used once. */
  @Nested
  class Emergency {
    @Test
    void emergencyCodesReplaceTheOldSet() throws Exception {
      putUser("alice");

      assertThat(
              await(
                  store()
                      .putEmergencyCodes(
                          new EmergencyCodes("alice", List.of("h1", "h2"), NOW + DAY))))
          .isTrue();
      assertThat(user("alice").emergencyCodes())
          .isEqualTo(Map.of("h1", NOW + DAY, "h2", NOW + DAY));

      assertThat(
              await(
                  store()
                      .putEmergencyCodes(
                          new EmergencyCodes("alice", List.of("h3"), NOW + 2 * DAY))))
          .isTrue();
      assertThat(user("alice").emergencyCodes()).isEqualTo(Map.of("h3", NOW + 2 * DAY));
    }

    @Test
    void emergencyCodesAreFalseForAnUnknownUsername() throws Exception {
      assertThat(
              await(
                  store()
                      .putEmergencyCodes(new EmergencyCodes("nobody", List.of("h1"), NOW + DAY))))
          .isFalse();
      assertThat(await(store().getUser("nobody"))).isNull();
    }

    @Test
    void commitOfAnEmergencyCodeBurnsItOnce() throws Exception {
      userWithToken("alice", "T1");
      commit(accept("alice", "T1", 100, NOW));
      await(store().putEmergencyCodes(new EmergencyCodes("alice", List.of("e1", "e2"), NOW + DAY)));
      Commit useE1 =
          new Commit("alice", CommitMode.ACCEPT, "T1", 0, null, "e1", null, null, NOW + 1_000, TTL);

      assertThat(commit(useE1).outcome()).isEqualTo(CommitOutcome.OK);
      assertThat(commit(useE1).outcome()).isEqualTo(CommitOutcome.REPLAY);

      UserRecord u = user("alice");
      assertThat(u.emergencyCodes()).isEqualTo(Map.of("e2", NOW + DAY));
      TokenRecord t = u.token("T1");
      assertThat(t.lastStep()).as("an emergency code does not move the step").isEqualTo(100);
      assertThat(t.lastUsedAt()).isEqualTo(NOW + 1_000);
      assertThat(commit(accept("alice", "T1", 101, NOW + 30_000)).outcome())
          .isEqualTo(CommitOutcome.OK);
    }

    @Test
    void anExpiredOrUnknownEmergencyCodeIsReplay() throws Exception {
      userWithToken("alice", "T1");
      long expiresAt = NOW + 60_000;
      await(store().putEmergencyCodes(new EmergencyCodes("alice", List.of("e1"), expiresAt)));

      assertThat(
              commit(
                      new Commit(
                          "alice",
                          CommitMode.ACCEPT,
                          "T1",
                          0,
                          null,
                          "e1",
                          null,
                          null,
                          expiresAt,
                          TTL))
                  .outcome())
          .isEqualTo(CommitOutcome.REPLAY);
      assertThat(
              commit(
                      new Commit(
                          "alice", CommitMode.ACCEPT, "T1", 0, null, "zz", null, null, NOW, TTL))
                  .outcome())
          .isEqualTo(CommitOutcome.REPLAY);
      assertThat(
              commit(
                      new Commit(
                          "alice",
                          CommitMode.ACCEPT,
                          "T1",
                          0,
                          null,
                          "e1",
                          null,
                          null,
                          expiresAt - 1,
                          TTL))
                  .outcome())
          .isEqualTo(CommitOutcome.OK);
    }

    @Test
    void replacedEmergencyCodesCanNoLongerBeUsed() throws Exception {
      userWithToken("alice", "T1");
      await(store().putEmergencyCodes(new EmergencyCodes("alice", List.of("old"), NOW + DAY)));
      await(store().putEmergencyCodes(new EmergencyCodes("alice", List.of("new"), NOW + DAY)));

      assertThat(
              commit(
                      new Commit(
                          "alice", CommitMode.ACCEPT, "T1", 0, null, "old", null, null, NOW, TTL))
                  .outcome())
          .isEqualTo(CommitOutcome.REPLAY);
      assertThat(
              commit(
                      new Commit(
                          "alice", CommitMode.ACCEPT, "T1", 0, null, "new", null, null, NOW, TTL))
                  .outcome())
          .isEqualTo(CommitOutcome.OK);
    }
  }

  /** What a login reads in one call: the user, failures, IP failures and the named challenge. */
  @Nested
  class LoginLoads {
    @Test
    void loadLoginReturnsUserFailStateIpFailuresAndTheNamedChallenge() throws Exception {
      userWithToken("alice", "T1");
      await(store().fail(fail("alice", "fp1", NOW)));
      await(store().fail(fail("alice", "fp2", NOW)));
      Challenge open =
          challenge("c1", "alice", Challenge.Kind.NEXT_LATER, "T1", 10, NOW + TTL * 1000L);
      assertThat(commit(consume("alice", "T1", 10, open, NOW)).outcome())
          .isEqualTo(CommitOutcome.OK);

      LoginState s = load("alice", "c1", NOW + 1_000);

      assertThat(s.user()).isEqualTo(user("alice"));
      assertThat(s.user().token("T1").lastStep()).isEqualTo(10);
      assertThat(s.fail()).isEqualTo(new FailState(2, 0, "fp2"));
      assertThat(s.ipFailures()).isEqualTo(2);
      assertThat(s.challenge()).isEqualTo(open);
    }

    @Test
    void loadLoginOfAnUnknownUsernameHasNoUserNoFailuresAndNoChallenge() throws Exception {
      LoginState s = load("nobody", "c1", NOW);

      assertThat(s.user()).isNull();
      assertThat(s.fail()).isEqualTo(FailState.NONE);
      assertThat(s.ipFailures()).isZero();
      assertThat(s.challenge()).isNull();
    }

    @Test
    void loadLoginWithoutChallengeIdHasNoChallenge() throws Exception {
      userWithToken("alice", "T1");
      commit(
          consume(
              "alice",
              "T1",
              10,
              challenge("c1", "alice", Challenge.Kind.NEXT_LATER, "T1", 10, NOW + 60_000),
              NOW));

      assertThat(load("alice", null, NOW).challenge()).isNull();
      assertThat(load("alice", "other", NOW).challenge()).isNull();
    }

    @Test
    void loadLoginReturnsAChallengeOnlyToItsOwnUsername() throws Exception {
      userWithToken("alice", "T1");
      putUser("bob");
      commit(
          consume(
              "alice",
              "T1",
              10,
              challenge("c1", "alice", Challenge.Kind.NEXT_LATER, "T1", 10, NOW + 60_000),
              NOW));

      assertThat(load("bob", "c1", NOW).challenge()).isNull();
      assertThat(load("alice", "c1", NOW).challenge()).isNotNull();
    }

    @Test
    void loadLoginDoesNotReturnAnExpiredChallenge() throws Exception {
      userWithToken("alice", "T1");
      long expiresAt = NOW + 60_000;
      commit(
          consume(
              "alice",
              "T1",
              10,
              challenge("c1", "alice", Challenge.Kind.NEXT_LATER, "T1", 10, expiresAt),
              NOW));

      assertThat(load("alice", "c1", expiresAt - 1).challenge()).isNotNull();
      assertThat(load("alice", "c1", expiresAt).challenge()).isNull();
      assertThat(load("alice", "c1", expiresAt + 1_000).challenge()).isNull();
    }
  }

  /**
   * Commits: a step is accepted only above the last one (no replay), and what an accept or a
   * consume changes.
   */
  @Nested
  class Commits {
    @Test
    void commitAcceptsAStepOnlyWhenStrictlyAboveTheLastOne() throws Exception {
      userWithToken("alice", "T1");

      assertThat(commit(accept("alice", "T1", 100, NOW)))
          .isEqualTo(new CommitResult(CommitOutcome.OK, 0));
      assertThat(commit(accept("alice", "T1", 100, NOW)).outcome()).isEqualTo(CommitOutcome.REPLAY);
      assertThat(commit(accept("alice", "T1", 99, NOW)).outcome()).isEqualTo(CommitOutcome.REPLAY);
      assertThat(commit(accept("alice", "T1", 101, NOW)).outcome()).isEqualTo(CommitOutcome.OK);
      assertThat(commit(accept("alice", "T1", 100, NOW)).outcome()).isEqualTo(CommitOutcome.REPLAY);

      assertThat(user("alice").token("T1").lastStep()).isEqualTo(101);
    }

    @Test
    void commitAcceptsTheFirstStepOfANewTokenAboveItsInitialPosition() throws Exception {
      putUser("alice");
      createToken(new TokenRecord("H1", "hotp", "SHA1", 6, 30, SEED, true, null, 41, 0, 0, null));
      assign("alice", "H1");

      assertThat(commit(accept("alice", "H1", 41, NOW)).outcome()).isEqualTo(CommitOutcome.REPLAY);
      assertThat(commit(accept("alice", "H1", 42, NOW)).outcome()).isEqualTo(CommitOutcome.OK);
    }

    @Test
    void aReplayedCommitChangesNothing() throws Exception {
      userWithToken("alice", "T1");
      commit(new Commit("alice", CommitMode.ACCEPT, "T1", 100, 1, null, null, null, NOW, TTL));
      await(store().fail(fail("alice", "fp1", NOW + 1_000)));

      assertThat(
              commit(
                      new Commit(
                          "alice",
                          CommitMode.ACCEPT,
                          "T1",
                          100,
                          5,
                          null,
                          null,
                          null,
                          NOW + 2_000,
                          TTL))
                  .outcome())
          .isEqualTo(CommitOutcome.REPLAY);

      assertThat(user("alice").token("T1"))
          .isEqualTo(token("T1").withOwner("alice").withUse(100, 1, NOW));
      assertThat(load("alice", null, NOW + 2_000).fail().failures()).isEqualTo(1);
    }

    @Test
    void commitAcceptResetsFailuresAndRecordsLastUseAndDrift() throws Exception {
      userWithToken("alice", "T1");
      for (String fp : List.of("fp1", "fp2", "fp3")) {
        await(store().fail(fail("alice", fp, NOW)));
      }

      assertThat(
              commit(
                      new Commit(
                          "alice",
                          CommitMode.ACCEPT,
                          "T1",
                          10,
                          -2,
                          null,
                          null,
                          null,
                          NOW + 5_000,
                          TTL))
                  .outcome())
          .isEqualTo(CommitOutcome.OK);

      assertThat(load("alice", null, NOW + 5_000).fail()).isEqualTo(FailState.NONE);
      assertThat(await(store().getUser("alice")).fail()).isEqualTo(FailState.NONE);
      TokenRecord t = user("alice").token("T1");
      assertThat(t.lastStep()).isEqualTo(10);
      assertThat(t.drift()).isEqualTo(-2);
      assertThat(t.lastUsedAt()).isEqualTo(NOW + 5_000);

      // No drift given: the learned one is kept.
      assertThat(commit(accept("alice", "T1", 11, NOW + 35_000)).outcome())
          .isEqualTo(CommitOutcome.OK);
      TokenRecord later = user("alice").token("T1");
      assertThat(later.drift()).isEqualTo(-2);
      assertThat(later.lastUsedAt()).isEqualTo(NOW + 35_000);
      assertThat(later.lastStep()).isEqualTo(11);
    }

    @Test
    void commitAcceptOfAPasswordResetsFailures() throws Exception {
      putUser("alice");
      await(store().fail(fail("alice", "fp1", NOW)));

      assertThat(
              commit(
                      new Commit(
                          "alice", CommitMode.ACCEPT, null, 0, null, null, null, null, NOW, TTL))
                  .outcome())
          .isEqualTo(CommitOutcome.OK);

      assertThat(load("alice", null, NOW).fail()).isEqualTo(FailState.NONE);
    }

    @Test
    void commitForAnUnknownUserIsGone() throws Exception {
      assertThat(
              commit(
                      new Commit(
                          "ghost", CommitMode.ACCEPT, null, 0, null, null, null, null, NOW, TTL))
                  .outcome())
          .isEqualTo(CommitOutcome.GONE);
    }

    @Test
    void commitOfATokenTheUserDoesNotHoldIsGone() throws Exception {
      userWithToken("alice", "T1");
      userWithToken("bob", "B1");
      createToken(token("P1"));

      assertThat(commit(accept("alice", "B1", 10, NOW)).outcome()).isEqualTo(CommitOutcome.GONE);
      assertThat(commit(accept("alice", "P1", 10, NOW)).outcome()).isEqualTo(CommitOutcome.GONE);
      assertThat(commit(accept("alice", "nope", 10, NOW)).outcome()).isEqualTo(CommitOutcome.GONE);

      assertThat(user("bob").token("B1").lastStep()).isEqualTo(-1);
      assertThat(await(store().getToken("P1")).lastStep()).isEqualTo(-1);
    }

    @Test
    void commitOfADisabledTokenIsGoneAndDoesNotBurnTheStep() throws Exception {
      userWithToken("alice", "T1");
      await(store().setEnabled(new SetEnabled("T1", false)));

      assertThat(commit(accept("alice", "T1", 10, NOW)).outcome()).isEqualTo(CommitOutcome.GONE);

      await(store().setEnabled(new SetEnabled("T1", true)));
      assertThat(commit(accept("alice", "T1", 10, NOW)).outcome()).isEqualTo(CommitOutcome.OK);
    }

    @Test
    void commitConsumeBurnsTheStepOpensTheChallengeAndKeepsFailures() throws Exception {
      userWithToken("alice", "T1");
      for (String fp : List.of("fp1", "fp2", "fp3")) {
        await(store().fail(fail("alice", fp, NOW)));
      }
      Challenge open =
          challenge("c1", "alice", Challenge.Kind.NEXT_EXACT, "T1", 10, NOW + TTL * 1000L);

      assertThat(commit(consume("alice", "T1", 10, open, NOW + 1_000)).outcome())
          .isEqualTo(CommitOutcome.OK);

      LoginState s = load("alice", "c1", NOW + 2_000);
      assertThat(s.challenge()).isEqualTo(open);
      assertThat(s.fail().failures()).isEqualTo(3);
      TokenRecord t = s.user().token("T1");
      assertThat(t.lastStep()).isEqualTo(10);
      assertThat(t.lastUsedAt()).as("a consumed step is not a use").isZero();
      assertThat(commit(accept("alice", "T1", 10, NOW + 2_000)).outcome())
          .isEqualTo(CommitOutcome.REPLAY);
    }

    @Test
    void commitConsumeOfAReplayedStepOpensNoChallenge() throws Exception {
      userWithToken("alice", "T1");
      commit(accept("alice", "T1", 10, NOW));

      Challenge open =
          challenge("c1", "alice", Challenge.Kind.NEW_PIN, "T1", 10, NOW + TTL * 1000L);
      assertThat(commit(consume("alice", "T1", 10, open, NOW)).outcome())
          .isEqualTo(CommitOutcome.REPLAY);

      assertThat(load("alice", "c1", NOW).challenge()).isNull();
    }

    @Test
    void commitThatClosesAnAbsentChallengeIsGoneAndBurnsNothing() throws Exception {
      userWithToken("alice", "T1");

      assertThat(
              commit(
                      new Commit(
                          "alice", CommitMode.ACCEPT, "T1", 11, null, null, "nope", null, NOW, TTL))
                  .outcome())
          .isEqualTo(CommitOutcome.GONE);

      assertThat(user("alice").token("T1").lastStep()).isEqualTo(-1);
    }

    @Test
    void commitThatClosesAnExpiredChallengeIsGoneAndBurnsNothing() throws Exception {
      userWithToken("alice", "T1");
      long expiresAt = NOW + 60_000;
      commit(
          consume(
              "alice",
              "T1",
              10,
              challenge("c1", "alice", Challenge.Kind.NEXT_LATER, "T1", 10, expiresAt),
              NOW));

      assertThat(
              commit(
                      new Commit(
                          "alice",
                          CommitMode.ACCEPT,
                          "T1",
                          11,
                          null,
                          null,
                          "c1",
                          null,
                          expiresAt,
                          TTL))
                  .outcome())
          .isEqualTo(CommitOutcome.GONE);

      assertThat(user("alice").token("T1").lastStep()).isEqualTo(10);
    }

    @Test
    void commitThatClosesAnotherUsersChallengeIsGone() throws Exception {
      userWithToken("alice", "T1");
      userWithToken("bob", "B1");
      commit(
          consume(
              "alice",
              "T1",
              10,
              challenge("c1", "alice", Challenge.Kind.NEXT_LATER, "T1", 10, NOW + 60_000),
              NOW));

      assertThat(
              commit(
                      new Commit(
                          "bob", CommitMode.ACCEPT, "B1", 11, null, null, "c1", null, NOW, TTL))
                  .outcome())
          .isEqualTo(CommitOutcome.GONE);

      assertThat(load("alice", "c1", NOW).challenge()).isNotNull();
    }

    @Test
    void commitThatAnswersAChallengeClosesIt() throws Exception {
      userWithToken("alice", "T1");
      commit(
          consume(
              "alice",
              "T1",
              10,
              challenge("c1", "alice", Challenge.Kind.NEXT_EXACT, "T1", 10, NOW + 60_000),
              NOW));

      assertThat(
              commit(
                      new Commit(
                          "alice",
                          CommitMode.ACCEPT,
                          "T1",
                          11,
                          1,
                          null,
                          "c1",
                          null,
                          NOW + 30_000,
                          TTL))
                  .outcome())
          .isEqualTo(CommitOutcome.OK);

      assertThat(load("alice", "c1", NOW + 30_000).challenge()).isNull();
      assertThat(user("alice").token("T1").drift()).isEqualTo(1);
      assertThat(
              commit(
                      new Commit(
                          "alice",
                          CommitMode.ACCEPT,
                          "T1",
                          12,
                          null,
                          null,
                          "c1",
                          null,
                          NOW + 60_000,
                          TTL))
                  .outcome())
          .isEqualTo(CommitOutcome.GONE);
    }

    @Test
    void commitIsLockedWhileTheUsernameIsLockedAndChangesNothing() throws Exception {
      userWithToken("alice", "T1");
      Challenge open =
          challenge("c1", "alice", Challenge.Kind.NEXT_LATER, "T1", 10, NOW + TTL * 1000L);
      commit(consume("alice", "T1", 10, open, NOW));
      await(store().putEmergencyCodes(new EmergencyCodes("alice", List.of("e1"), NOW + DAY)));
      for (String fp : List.of("fp1", "fp2", "fp3")) {
        await(store().fail(new Fail("alice", IP, fp, null, NOW, 3, 60, WINDOW)));
      }
      long lockedUntil = NOW + 60_000;

      assertThat(commit(accept("alice", "T1", 11, NOW + 1_000)))
          .isEqualTo(new CommitResult(CommitOutcome.LOCKED, lockedUntil));
      assertThat(
              commit(
                      new Commit(
                          "alice",
                          CommitMode.ACCEPT,
                          "T1",
                          12,
                          null,
                          null,
                          "c1",
                          null,
                          NOW + 1_000,
                          TTL))
                  .outcome())
          .isEqualTo(CommitOutcome.LOCKED);
      assertThat(
              commit(
                      new Commit(
                          "alice",
                          CommitMode.ACCEPT,
                          "T1",
                          0,
                          null,
                          "e1",
                          null,
                          null,
                          NOW + 1_000,
                          TTL))
                  .outcome())
          .isEqualTo(CommitOutcome.LOCKED);
      assertThat(
              commit(
                      new Commit(
                          "alice",
                          CommitMode.ACCEPT,
                          null,
                          0,
                          null,
                          null,
                          null,
                          null,
                          NOW + 1_000,
                          TTL))
                  .outcome())
          .isEqualTo(CommitOutcome.LOCKED);

      LoginState s = load("alice", "c1", NOW + 1_000);
      assertThat(s.user().token("T1").lastStep()).isEqualTo(10);
      assertThat(s.user().emergencyCodes()).containsKey("e1");
      assertThat(s.challenge()).isEqualTo(open);
      assertThat(s.fail().failures()).isEqualTo(3);
      assertThat(s.fail().lockedUntil()).isEqualTo(lockedUntil);

      // Once the lock has run out, the same answer goes through.
      assertThat(
              commit(
                      new Commit(
                          "alice",
                          CommitMode.ACCEPT,
                          "T1",
                          12,
                          null,
                          null,
                          "c1",
                          null,
                          lockedUntil,
                          TTL))
                  .outcome())
          .isEqualTo(CommitOutcome.OK);
      assertThat(load("alice", null, lockedUntil).fail()).isEqualTo(FailState.NONE);
    }
  }

  /** Failures and the lockout: counted once per wrong value, a lock at the threshold, unlock. */
  @Nested
  class Lockout {
    @Test
    void failCountsEachNewWrongValue() throws Exception {
      putUser("alice");

      FailResult r1 = await(store().fail(fail("alice", "fp1", NOW)));
      FailResult r2 = await(store().fail(fail("alice", "fp2", NOW)));
      FailResult r3 = await(store().fail(fail("alice", "fp3", NOW)));

      assertThat(List.of(r1, r2, r3))
          .extracting(FailResult::outcome)
          .containsOnly(FailOutcome.COUNTED);
      assertThat(List.of(r1, r2, r3)).extracting(FailResult::failures).containsExactly(1, 2, 3);
      assertThat(r3.lockedUntil()).isZero();
      assertThat(load("alice", null, NOW).fail()).isEqualTo(new FailState(3, 0, "fp3"));
    }

    @Test
    void failForAnUnknownUsernameIsCountedToo() throws Exception {
      assertThat(await(store().fail(fail("ghost", "fp1", NOW))).outcome())
          .isEqualTo(FailOutcome.COUNTED);

      assertThat(load("ghost", null, NOW).fail().failures()).isEqualTo(1);
    }

    @Test
    void failCountsTheSameWrongValueSentTwiceOnce() throws Exception {
      putUser("alice");

      assertThat(await(store().fail(fail("alice", "fp1", NOW))))
          .isEqualTo(new FailResult(FailOutcome.COUNTED, 1, 0, 1));
      FailResult again = await(store().fail(fail("alice", "fp1", NOW + 500)));
      assertThat(again.outcome()).isEqualTo(FailOutcome.REPEATED);
      assertThat(again.failures()).isEqualTo(1);

      assertThat(await(store().fail(fail("alice", "fp2", NOW + 1_000))).failures()).isEqualTo(2);
      assertThat(await(store().fail(fail("alice", "fp1", NOW + 1_500))).outcome())
          .isEqualTo(FailOutcome.COUNTED);
      assertThat(load("alice", null, NOW + 2_000).fail().failures()).isEqualTo(3);
    }

    @Test
    void reachingTheLockoutThresholdLocksForLockoutSeconds() throws Exception {
      putUser("alice");
      await(store().fail(new Fail("alice", IP, "fp1", null, NOW, 3, 60, WINDOW)));
      await(store().fail(new Fail("alice", IP, "fp2", null, NOW + 1_000, 3, 60, WINDOW)));

      FailResult third =
          await(store().fail(new Fail("alice", IP, "fp3", null, NOW + 2_000, 3, 60, WINDOW)));

      assertThat(third.outcome()).isEqualTo(FailOutcome.COUNTED);
      assertThat(third.failures()).isEqualTo(3);
      assertThat(third.lockedUntil()).isEqualTo(NOW + 2_000 + 60_000);
      FailState state = load("alice", null, NOW + 3_000).fail();
      assertThat(state.lockedUntil()).isEqualTo(NOW + 62_000);
      assertThat(state.lockedAt(NOW + 3_000)).isTrue();
    }

    @Test
    void whileLockedAFailureIsNotCounted() throws Exception {
      putUser("alice");
      for (String fp : List.of("fp1", "fp2", "fp3")) {
        await(store().fail(new Fail("alice", IP, fp, null, NOW, 3, 60, WINDOW)));
      }

      FailResult r =
          await(store().fail(new Fail("alice", IP, "fp4", null, NOW + 59_999, 3, 60, WINDOW)));

      assertThat(r.outcome()).isEqualTo(FailOutcome.LOCKED);
      assertThat(r.failures()).isEqualTo(3);
      assertThat(r.lockedUntil()).isEqualTo(NOW + 60_000);
      assertThat(load("alice", null, NOW + 59_999).fail())
          .isEqualTo(new FailState(3, NOW + 60_000, "fp3"));
    }

    @Test
    void afterTheLockExpiresOneMoreFailureReArmsTheLock() throws Exception {
      putUser("alice");
      for (String fp : List.of("fp1", "fp2", "fp3")) {
        await(store().fail(new Fail("alice", IP, fp, null, NOW, 3, 60, WINDOW)));
      }
      long expired = NOW + 60_000;

      assertThat(load("alice", null, expired).fail().lockedAt(expired)).isFalse();
      FailResult r =
          await(store().fail(new Fail("alice", IP, "fp4", null, expired, 3, 60, WINDOW)));

      assertThat(r.outcome()).isEqualTo(FailOutcome.COUNTED);
      assertThat(r.failures()).isEqualTo(4);
      assertThat(r.lockedUntil()).isEqualTo(expired + 60_000);
      assertThat(
              commit(
                  new Commit(
                      "alice",
                      CommitMode.ACCEPT,
                      null,
                      0,
                      null,
                      null,
                      null,
                      null,
                      expired + 1,
                      TTL)))
          .isEqualTo(new CommitResult(CommitOutcome.LOCKED, expired + 60_000));
    }

    @Test
    void unlockResetsTheFailuresAndTheLock() throws Exception {
      putUser("alice");
      for (String fp : List.of("fp1", "fp2", "fp3")) {
        await(store().fail(new Fail("alice", IP, fp, null, NOW, 3, 60, WINDOW)));
      }

      await(store().unlock("alice"));

      assertThat(load("alice", null, NOW + 1).fail()).isEqualTo(FailState.NONE);
      FailResult r =
          await(store().fail(new Fail("alice", IP, "fp9", null, NOW + 1, 3, 60, WINDOW)));
      assertThat(r.outcome()).isEqualTo(FailOutcome.COUNTED);
      assertThat(r.failures()).isEqualTo(1);
      assertThat(r.lockedUntil()).isZero();
    }
  }

  /** Failures per client address, over a sliding window. */
  @Nested
  class IpWindows {
    @Test
    void ipFailuresCountPerIpOverASlidingWindow() throws Exception {
      long windowStart = NOW / 1000 / WINDOW * WINDOW * 1000L;
      long nextWindow = windowStart + WINDOW * 1000L;
      String ipA = "198.51.100.1";
      String ipB = "198.51.100.2";

      assertThat(
              await(store().fail(new Fail("alice", ipA, "fp1", null, NOW, 10, 60, WINDOW)))
                  .ipFailures())
          .isEqualTo(1);
      assertThat(
              await(store().fail(new Fail("bob", ipA, "fp1", null, NOW, 10, 60, WINDOW)))
                  .ipFailures())
          .isEqualTo(2);
      assertThat(
              await(store().fail(new Fail("carol", ipB, "fp1", null, NOW, 10, 60, WINDOW)))
                  .ipFailures())
          .isEqualTo(1);

      assertThat(
              await(store().loadLogin(new LoadLogin("anyone", ipA, null, nextWindow - 1, WINDOW)))
                  .ipFailures())
          .isEqualTo(2);
      assertThat(
              await(store().loadLogin(new LoadLogin("anyone", ipB, null, NOW, WINDOW)))
                  .ipFailures())
          .isEqualTo(1);
      assertThat(
              await(store().loadLogin(new LoadLogin("anyone", "198.51.100.3", null, NOW, WINDOW)))
                  .ipFailures())
          .isZero();

      // The previous window still counts for the part of it that lies within the last WINDOW
      // seconds: crossing a
      // window's boundary does not reset the count.
      assertThat(
              await(store().loadLogin(new LoadLogin("anyone", ipA, null, nextWindow, WINDOW)))
                  .ipFailures())
          .isEqualTo(2);
      assertThat(
              await(store().fail(new Fail("alice", ipA, "fp2", null, nextWindow, 10, 60, WINDOW)))
                  .ipFailures())
          .isEqualTo(3);
      assertThat(
              await(
                      store()
                          .loadLogin(
                              new LoadLogin(
                                  "anyone", ipA, null, nextWindow + WINDOW * 500L, WINDOW)))
                  .ipFailures())
          .isEqualTo(2);
      assertThat(
              await(
                      store()
                          .loadLogin(
                              new LoadLogin(
                                  "anyone", ipA, null, nextWindow + WINDOW * 1000L, WINDOW)))
                  .ipFailures())
          .isEqualTo(1);
    }
  }

  /** Challenges: closed at max tries, answered with a new PIN once, never by another user. */
  @Nested
  class Challenges {
    @Test
    void aChallengeWronglyAnsweredClosesAtMaxTries() throws Exception {
      userWithToken("alice", "T1");
      Challenge open =
          challenge("c1", "alice", Challenge.Kind.NEXT_LATER, "T1", 10, NOW + TTL * 1000L);
      commit(consume("alice", "T1", 10, open, NOW));

      for (int i = 1; i < Challenge.MAX_TRIES; i++) {
        await(store().fail(new Fail("alice", IP, "fp" + i, "c1", NOW, 10, 60, WINDOW)));
        Challenge c = load("alice", "c1", NOW).challenge();
        assertThat(c).as("after %d wrong answers", i).isNotNull();
        assertThat(c.tries()).isEqualTo(i);
      }
      await(store().fail(new Fail("alice", IP, "fp-last", "c1", NOW, 10, 60, WINDOW)));

      assertThat(load("alice", "c1", NOW).challenge()).isNull();
      assertThat(
              commit(
                      new Commit(
                          "alice", CommitMode.ACCEPT, "T1", 11, null, null, "c1", null, NOW, TTL))
                  .outcome())
          .isEqualTo(CommitOutcome.GONE);
    }

    @Test
    void aFailureNamingAnotherUsersChallengeLeavesItAlone() throws Exception {
      userWithToken("alice", "T1");
      putUser("bob");
      Challenge open =
          challenge("c1", "alice", Challenge.Kind.NEXT_LATER, "T1", 10, NOW + TTL * 1000L);
      commit(consume("alice", "T1", 10, open, NOW));

      for (int i = 0; i < Challenge.MAX_TRIES; i++) {
        await(store().fail(new Fail("bob", IP, "fp" + i, "c1", NOW, 10, 60, WINDOW)));
      }

      assertThat(load("alice", "c1", NOW).challenge()).isEqualTo(open);
    }

    @Test
    void setPinIsFalseWhenTheChallengeIsGone() throws Exception {
      userWithToken("alice", "T1");
      Challenge next =
          challenge("c2", "alice", Challenge.Kind.NEXT_LATER, "T1", 10, NOW + TTL * 1000L);

      assertThat(await(store().setPin(new SetPin("alice", "T1", "pin-h", "nope", next, NOW, TTL))))
          .isFalse();

      assertThat(user("alice").token("T1").pinHash()).isNull();
      assertThat(load("alice", "c2", NOW).challenge()).isNull();
    }

    @Test
    void setPinIsFalseWhenTheChallengeExpiredOrIsAnotherUsers() throws Exception {
      userWithToken("alice", "T1");
      userWithToken("bob", "B1");
      long expiresAt = NOW + 60_000;
      commit(
          consume(
              "alice",
              "T1",
              10,
              challenge("c1", "alice", Challenge.Kind.NEW_PIN, "T1", 10, expiresAt),
              NOW));
      Challenge aliceNext =
          challenge("c2", "alice", Challenge.Kind.NEXT_LATER, "T1", 10, expiresAt + 60_000);
      Challenge bobNext = challenge("c3", "bob", Challenge.Kind.NEXT_LATER, "B1", 10, NOW + 60_000);

      assertThat(
              await(
                  store()
                      .setPin(new SetPin("alice", "T1", "pin-h", "c1", aliceNext, expiresAt, TTL))))
          .isFalse();
      assertThat(await(store().setPin(new SetPin("bob", "B1", "pin-h", "c1", bobNext, NOW, TTL))))
          .isFalse();

      assertThat(user("alice").token("T1").pinHash()).isNull();
      assertThat(user("bob").token("B1").pinHash()).isNull();
      assertThat(load("alice", "c2", NOW).challenge()).isNull();
      assertThat(load("bob", "c3", NOW).challenge()).isNull();
    }

    @Test
    void setPinSetsThePinClosesTheChallengeAndOpensTheNextOne() throws Exception {
      userWithToken("alice", "T1");
      commit(
          consume(
              "alice",
              "T1",
              10,
              challenge("c1", "alice", Challenge.Kind.NEW_PIN, "T1", 10, NOW + 60_000),
              NOW));
      Challenge next =
          challenge("c2", "alice", Challenge.Kind.NEXT_LATER, "T1", 10, NOW + 5_000 + TTL * 1000L);

      assertThat(
              await(
                  store().setPin(new SetPin("alice", "T1", "pin-h", "c1", next, NOW + 5_000, TTL))))
          .isTrue();

      assertThat(user("alice").token("T1").pinHash()).isEqualTo("pin-h");
      assertThat(await(store().getToken("T1")).pinHash()).isEqualTo("pin-h");
      assertThat(load("alice", "c1", NOW + 6_000).challenge()).isNull();
      assertThat(load("alice", "c2", NOW + 6_000).challenge()).isEqualTo(next);

      Challenge other =
          challenge("c3", "alice", Challenge.Kind.NEXT_LATER, "T1", 10, NOW + TTL * 1000L);
      assertThat(
              await(
                  store()
                      .setPin(
                          new SetPin("alice", "T1", "pin-other", "c1", other, NOW + 6_000, TTL))))
          .as("the NEW_PIN challenge answers once")
          .isFalse();
      assertThat(user("alice").token("T1").pinHash()).isEqualTo("pin-h");
    }

    @Test
    void anOlderNewPinStateNeverReplacesAPinChosenMeanwhile() throws Exception {
      userWithToken("alice", "T1");
      commit(
          consume(
              "alice",
              "T1",
              10,
              challenge("c1", "alice", Challenge.Kind.NEW_PIN, "T1", 10, NOW + 60_000),
              NOW));
      commit(
          consume(
              "alice",
              "T1",
              11,
              challenge("c2", "alice", Challenge.Kind.NEW_PIN, "T1", 11, NOW + 60_000),
              NOW));
      Challenge next =
          challenge("n2", "alice", Challenge.Kind.NEXT_LATER, "T1", 11, NOW + TTL * 1000L);
      assertThat(
              await(
                  store()
                      .setPin(
                          new SetPin("alice", "T1", "pin-chosen", "c2", next, NOW + 1_000, TTL))))
          .isTrue();

      Challenge stale =
          challenge("n1", "alice", Challenge.Kind.NEXT_LATER, "T1", 10, NOW + TTL * 1000L);
      assertThat(
              await(
                  store()
                      .setPin(
                          new SetPin(
                              "alice", "T1", "pin-attacker", "c1", stale, NOW + 2_000, TTL))))
          .as("a PIN is set through NEW_PIN only while the token has none")
          .isFalse();

      assertThat(user("alice").token("T1").pinHash()).isEqualTo("pin-chosen");
      assertThat(load("alice", "c1", NOW + 3_000).challenge())
          .as("the older state is closed")
          .isNull();
      assertThat(load("alice", "n1", NOW + 3_000).challenge()).as("and opened nothing").isNull();
    }
  }

  /** API clients and operators: found by the hash of their secret, rotated and deleted. */
  @Nested
  class ClientsAndOperators {
    @Test
    void clientsAreFoundBySecretHashAndAReplacedSecretNoLongerFindsThem() throws Exception {
      assertThat(await(store().findClient("h-none"))).isNull();
      ClientRecord portal = new ClientRecord("portal", "h-1", true, "otp");
      await(store().putClient(portal));
      await(store().putClient(new ClientRecord("other", "h-other", false, "any")));

      assertThat(await(store().findClient("h-1"))).isEqualTo(portal);

      ClientRecord replaced = new ClientRecord("portal", "h-2", false, "any");
      await(store().putClient(replaced));

      assertThat(await(store().findClient("h-1"))).isNull();
      assertThat(await(store().findClient("h-2"))).isEqualTo(replaced);
      assertThat(await(store().findClient("h-other")))
          .isEqualTo(new ClientRecord("other", "h-other", false, "any"));
    }

    @Test
    void clientsAreListedByNameOncePerClientWithoutTheirSecretHash() throws Exception {
      assertThat(await(store().clients())).isEmpty();
      await(store().putClient(new ClientRecord("vpn", "h-1", true, "otp")));
      await(store().putClient(new ClientRecord("portal", "h-2", false, "any")));
      await(store().putClient(new ClientRecord("portal", "h-3", true, "otp")));

      assertThat(await(store().clients()))
          .containsExactly(
              new ClientRecord("portal", null, true, "otp"),
              new ClientRecord("vpn", null, true, "otp"));
    }

    @Test
    void operatorsAreFoundBySecretHashReplacedAndDeleted() throws Exception {
      assertThat(await(store().findOperator("h-none"))).isNull();
      OperatorRecord op = new OperatorRecord("desk", "h-1", "helpdesk");
      await(store().putOperator(op));
      assertThat(await(store().findOperator("h-1"))).isEqualTo(op);

      OperatorRecord promoted = new OperatorRecord("desk", "h-2", "admin");
      await(store().putOperator(promoted));
      assertThat(await(store().findOperator("h-1"))).isNull();
      assertThat(await(store().findOperator("h-2"))).isEqualTo(promoted);

      assertThat(await(store().deleteOperator("desk"))).isTrue();
      assertThat(await(store().findOperator("h-2"))).isNull();
      assertThat(await(store().deleteOperator("desk"))).isFalse();
      assertThat(await(store().deleteOperator("never"))).isFalse();
    }
  }

  /** RADIUS clients: kept whole, sealed secret included, replaced and deleted by name. */
  @Nested
  class RadiusClients {
    @Test
    void radiusClientsAreListedByNameWithTheirSealedSecret() throws Exception {
      assertThat(await(store().radiusClients())).isEmpty();
      RadiusClientRecord wifi = new RadiusClientRecord("wifi", "fd00::/8", false, true, "sealed-2");
      RadiusClientRecord vpn =
          new RadiusClientRecord("vpn", "10.1.0.0/16", true, false, "sealed-1");
      RadiusClientRecord ap =
          new RadiusClientRecord("ap.site-1", "192.0.2.7/32", true, true, "sealed-3");
      await(store().putRadiusClient(wifi));
      await(store().putRadiusClient(vpn));
      await(store().putRadiusClient(ap));

      assertThat(await(store().radiusClients())).containsExactly(ap, vpn, wifi);
    }

    @Test
    void putRadiusClientReplacesTheClientOfThatName() throws Exception {
      await(
          store().putRadiusClient(new RadiusClientRecord("vpn", "10.1.0.0/16", true, false, "s1")));
      RadiusClientRecord moved = new RadiusClientRecord("vpn", "::1/128", false, true, "s2");
      await(store().putRadiusClient(moved));

      assertThat(await(store().radiusClients())).containsExactly(moved);
    }

    @Test
    void deleteRadiusClientRemovesOnlyThatOneAndIsFalseWhenNone() throws Exception {
      RadiusClientRecord vpn = new RadiusClientRecord("vpn", "10.1.0.0/16", true, false, "s1");
      await(store().putRadiusClient(vpn));
      await(store().putRadiusClient(new RadiusClientRecord("wifi", "fd00::/8", true, false, "s2")));

      assertThat(await(store().deleteRadiusClient("wifi"))).isTrue();
      assertThat(await(store().radiusClients())).containsExactly(vpn);
      assertThat(await(store().deleteRadiusClient("wifi"))).isFalse();
      assertThat(await(store().deleteRadiusClient("never"))).isFalse();
    }

    @Test
    void radiusClientsAreApartFromTheApiClients() throws Exception {
      await(store().putClient(new ClientRecord("vpn", "h-1", false, "any")));
      assertThat(await(store().radiusClients())).isEmpty();
      await(
          store().putRadiusClient(new RadiusClientRecord("vpn", "10.1.0.0/16", true, false, "s")));
      assertThat(await(store().clients()))
          .containsExactly(new ClientRecord("vpn", null, false, "any"));
      assertThat(await(store().deleteRadiusClient("vpn"))).isTrue();
      assertThat(await(store().findClient("h-1"))).isNotNull();
    }

    @Test
    void aRadiusClientPrintsNoSecret() {
      assertThat(new RadiusClientRecord("vpn", "10.1.0.0/16", true, false, "s3cr3t-sealed"))
          .asString()
          .doesNotContain("s3cr3t-sealed")
          .contains("vpn", "10.1.0.0/16");
    }
  }

  /**
   * Finding people: by the start of the identifier or the display name, whatever the case, each
   * user once, in the order of what matched, kept up to date by every write of users.
   */
  @Nested
  class Search {
    @Test
    void findsUsersByTheStartOfTheirIdentifier() throws Exception {
      named("alice", "Martin Alice");
      named("albert", "Zed Albert");
      named("bob", "Bob Dupont");

      assertThat(search("al", 10))
          .containsExactly(
              new UserMatch("albert", "Zed Albert"), new UserMatch("alice", "Martin Alice"));
      assertThat(search("alice", 10)).extracting(UserMatch::username).containsExactly("alice");
      assertThat(search("alicex", 10)).isEmpty();
      assertThat(search("c", 10)).isEmpty();
    }

    @Test
    void findsUsersByTheStartOfTheirDisplayName() throws Exception {
      named("alice", "Martin Alice");
      named("albert", "Zed Albert");
      named("bob", "Bob Dupont");

      assertThat(search("mar", 10)).containsExactly(new UserMatch("alice", "Martin Alice"));
      assertThat(search("zed a", 10)).containsExactly(new UserMatch("albert", "Zed Albert"));
      // The start only: a word inside the name is not its start.
      assertThat(search("dupont", 10)).isEmpty();
    }

    @Test
    void caseDoesNotMatterOnEitherSide() throws Exception {
      named("JDoe", "Émile Zola");

      for (String prefix : List.of("jd", "JD", "jDO", "émi", "ÉMILE Z", "Émile zola")) {
        assertThat(search(prefix, 10))
            .as(prefix)
            .containsExactly(new UserMatch("JDoe", "Émile Zola"));
      }
    }

    @Test
    void aUserMatchedByBothNamesComesOnceAtItsFirstPlace() throws Exception {
      named("dan", "Dan Brown");
      named("zoe", "Dana Scully");
      named("dana", null);

      // dan (identifier, then its display name), dana, then "dana scully" (zoe)
      assertThat(search("dan", 10))
          .containsExactly(
              new UserMatch("dan", "Dan Brown"),
              new UserMatch("dana", null),
              new UserMatch("zoe", "Dana Scully"));
    }

    @Test
    void usersWhoseMatchIsTheSameComeByUsername() throws Exception {
      named("x2", "Same Name");
      named("x1", "Same Name");
      named("x3", "same name");

      assertThat(search("same", 10))
          .extracting(UserMatch::username)
          .containsExactly("x1", "x2", "x3");
    }

    @Test
    void atMostLimitUsersEachOnceEvenWhenEachMatchesTwice() throws Exception {
      for (int i = 1; i <= 6; i++) {
        named("lee" + i, "Lee" + i + " X");
      }

      assertThat(search("lee", 4))
          .extracting(UserMatch::username)
          .containsExactly("lee1", "lee2", "lee3", "lee4");
      assertThat(search("lee", 1)).extracting(UserMatch::username).containsExactly("lee1");
      assertThat(search("lee", 100))
          .extracting(UserMatch::username)
          .hasSize(6)
          .doesNotHaveDuplicates();
    }

    @Test
    void aRenamedUserIsFoundByItsNewNameOnlyAndStillByItsIdentifier() throws Exception {
      named("alice", "Martin Alice");

      await(store().putUser(new PutUser("alice", "Zoé Alice", null, NOW + 1_000)));

      assertThat(search("mar", 10)).isEmpty();
      assertThat(search("zo", 10)).containsExactly(new UserMatch("alice", "Zoé Alice"));
      assertThat(search("ali", 10)).containsExactly(new UserMatch("alice", "Zoé Alice"));
    }

    @Test
    void aWriteThatKeepsTheDisplayNameKeepsItsEntry() throws Exception {
      named("alice", "Martin Alice");

      await(store().putUser(new PutUser("alice", null, "$argon2id$new", NOW + 1_000)));
      await(store().putUser(new PutUser("alice", "Martin Alice", null, NOW + 2_000)));

      assertThat(search("mar", 10)).containsExactly(new UserMatch("alice", "Martin Alice"));
    }

    @Test
    void renamingAUserWhoseNameWasItsIdentifierKeepsTheIdentifierFound() throws Exception {
      named("max", "MAX");

      await(store().putUser(new PutUser("max", "Other", null, NOW + 1_000)));

      assertThat(search("max", 10)).containsExactly(new UserMatch("max", "Other"));
      assertThat(search("oth", 10)).containsExactly(new UserMatch("max", "Other"));
    }

    @Test
    void aDeletedUserIsNoLongerFoundByEitherName() throws Exception {
      named("alice", "Martin Alice");
      named("alina", "Alina B");

      await(store().deleteUser("alice"));

      assertThat(search("ali", 10)).extracting(UserMatch::username).containsExactly("alina");
      assertThat(search("mar", 10)).isEmpty();

      named("alice", "Bella Alice");
      assertThat(search("mar", 10)).isEmpty();
      assertThat(search("bel", 10)).containsExactly(new UserMatch("alice", "Bella Alice"));
    }

    @Test
    void theBulkLoadKeepsTheIndexToo() throws Exception {
      named("carol", "Old Name");

      BulkResult r =
          await(
              store()
                  .bulk(
                      new Bulk(
                          List.of(
                              new BulkLine("dave", "Dave Loaded", null, token("BT1")),
                              new BulkLine("erin", null, "$argon2id$e", null),
                              new BulkLine("carol", "New Name", null, null),
                              new BulkLine("frank", "Frank First", null, null),
                              new BulkLine("frank", "Frank Second", null, null)),
                          NOW)));

      assertThat(r.errors()).containsOnlyNulls();
      assertThat(search("dave l", 10)).containsExactly(new UserMatch("dave", "Dave Loaded"));
      assertThat(search("erin", 10)).containsExactly(new UserMatch("erin", null));
      assertThat(search("new", 10)).containsExactly(new UserMatch("carol", "New Name"));
      assertThat(search("old", 10)).isEmpty();
      assertThat(search("frank", 10)).containsExactly(new UserMatch("frank", "Frank Second"));
      assertThat(search("frank f", 10)).isEmpty();
    }

    @Test
    void aBulkLineRefusedLeavesNoEntry() throws Exception {
      createToken(token("TAKEN"));

      BulkResult r =
          await(
              store()
                  .bulk(
                      new Bulk(
                          List.of(new BulkLine("gina", "Gina G", null, token("TAKEN"))), NOW)));

      assertThat(r.errors().get(0)).isNotNull();
      assertThat(search("gina", 10)).isEmpty();
    }

    void named(String username, String displayName) throws Exception {
      assertThat(await(store().putUser(new PutUser(username, displayName, null, NOW)))).isTrue();
    }

    List<UserMatch> search(String prefix, int limit) throws Exception {
      return await(store().searchUsers(prefix, limit));
    }
  }

  /** Who may sign in to the console, and as what: kept with the user, gone with it. */
  @Nested
  class ConsoleOperators {
    @Test
    void aRoleIsGivenReadReplacedListedAndWithdrawn() throws Exception {
      putUser("bob");
      putUser("alice");
      assertThat(await(store().consoleOperators())).isEmpty();
      assertThat(await(store().consoleRole("alice"))).isNull();

      assertThat(await(store().putConsoleOperator("bob", "helpdesk"))).isTrue();
      assertThat(await(store().putConsoleOperator("alice", "helpdesk"))).isTrue();
      assertThat(await(store().putConsoleOperator("alice", "admin"))).isTrue();

      assertThat(await(store().consoleRole("alice"))).isEqualTo("admin");
      assertThat(await(store().consoleRole("bob"))).isEqualTo("helpdesk");
      assertThat(await(store().consoleOperators()))
          .containsExactly(
              new ConsoleOperator("alice", "admin"), new ConsoleOperator("bob", "helpdesk"));

      assertThat(await(store().deleteConsoleOperator("alice"))).isTrue();
      assertThat(await(store().deleteConsoleOperator("alice"))).isFalse();
      assertThat(await(store().consoleRole("alice"))).isNull();
      assertThat(await(store().consoleOperators()))
          .containsExactly(new ConsoleOperator("bob", "helpdesk"));
      assertThat(user("alice").username()).as("the user stays").isEqualTo("alice");
    }

    @Test
    void noRoleForAUserWhoDoesNotExist() throws Exception {
      assertThat(await(store().putConsoleOperator("nobody", "admin"))).isFalse();

      assertThat(await(store().consoleRole("nobody"))).isNull();
      assertThat(await(store().consoleOperators())).isEmpty();
      assertThat(await(store().deleteConsoleOperator("nobody"))).isFalse();
    }

    @Test
    void deletingTheUserWithdrawsTheRoleAndARecreatedUserHasNone() throws Exception {
      putUser("alice");
      putUser("bob");
      await(store().putConsoleOperator("alice", "admin"));
      await(store().putConsoleOperator("bob", "helpdesk"));

      assertThat(await(store().deleteUser("alice"))).isTrue();

      assertThat(await(store().consoleRole("alice"))).isNull();
      assertThat(await(store().consoleOperators()))
          .containsExactly(new ConsoleOperator("bob", "helpdesk"));
      putUser("alice");
      assertThat(await(store().consoleRole("alice"))).isNull();
    }

    @Test
    void aRoleNeverOutlivesItsUserEvenWhenRacingTheDeletion() throws Exception {
      for (int round = 0; round < 10; round++) {
        String u = "racer" + round;
        putUser(u);

        race(
            8,
            i ->
                i % 2 == 0
                    ? store().putConsoleOperator(u, "admin").<Void>mapEmpty()
                    : store().deleteUser(u).<Void>mapEmpty());

        if (await(store().getUser(u)) == null) {
          assertThat(await(store().consoleRole(u))).as(u).isNull();
        }
      }
    }
  }

  /** Portal sessions: a mark per user that logout, a lock, clearing PINs and deletion move on. */
  @Nested
  class PortalSessions {
    @Test
    void aUserHasASessionMarkThatLoadLoginCarriesAndAnUnknownUsernameHasNone() throws Exception {
      putUser("alice");

      String mark = await(store().sessionMark("alice"));
      assertThat(mark).isNotEmpty();
      assertThat(load("alice", null, NOW).sessionMark()).isEqualTo(mark);
      assertThat(await(store().sessionMark("nobody"))).isNull();
      assertThat(load("nobody", null, NOW).sessionMark()).isNull();
      await(store().putUser(new PutUser("alice", "Renamed", null, NOW)));
      assertThat(await(store().sessionMark("alice")))
          .as("an update is not a re-creation")
          .isEqualTo(mark);
    }

    @Test
    void endSessionsMovesTheMarkOnOnlyFromTheCurrentMark() throws Exception {
      putUser("alice");
      String first = await(store().sessionMark("alice"));

      assertThat(await(store().endSessions(new Store.EndSessions("alice", first)))).isTrue();
      String second = await(store().sessionMark("alice"));
      assertThat(second).isNotEqualTo(first);
      assertThat(await(store().endSessions(new Store.EndSessions("alice", first))))
          .as("a revoked session")
          .isFalse();
      assertThat(await(store().sessionMark("alice"))).isEqualTo(second);
      assertThat(await(store().endSessions(new Store.EndSessions("nobody", first)))).isFalse();
      assertThat(await(store().getUser("nobody"))).isNull();
    }

    @Test
    void racingLogoutsOfOneSessionEndItOnce() throws Exception {
      putUser("alice");
      String mark = await(store().sessionMark("alice"));

      List<Boolean> ended =
          race(20, i -> store().endSessions(new Store.EndSessions("alice", mark)));

      assertThat(ended).filteredOn(b -> b).hasSize(1);
    }

    @Test
    void aFailureThatLocksEndsTheSessionsAndOnesBelowTheThresholdDoNot() throws Exception {
      putUser("alice");
      String before = await(store().sessionMark("alice"));
      for (int i = 0; i < 9; i++) {
        await(store().fail(fail("alice", "fp" + i, NOW)));
      }
      assertThat(await(store().sessionMark("alice"))).isEqualTo(before);

      assertThat(await(store().fail(fail("alice", "fp9", NOW))).lockedUntil()).isGreaterThan(NOW);

      assertThat(await(store().sessionMark("alice"))).isNotEqualTo(before);
    }

    @Test
    void failuresThatLockAnUnknownUsernameCreateNoUser() throws Exception {
      for (int i = 0; i < 12; i++) {
        await(store().fail(fail("ghost", "fp" + i, NOW + i)));
      }

      assertThat(load("ghost", null, NOW + 20).fail().lockedAt(NOW + 20)).isTrue();
      assertThat(await(store().getUser("ghost"))).isNull();
      assertThat(await(store().sessionMark("ghost"))).isNull();
      assertThat(load("ghost", null, NOW + 20).user()).isNull();
      assertThat(await(store().putUser(new PutUser("ghost", null, null, NOW))))
          .as("still a creation")
          .isTrue();
    }

    @Test
    void clearPinsEndsTheSessions() throws Exception {
      userWithToken("alice", "T1");
      String before = await(store().sessionMark("alice"));

      assertThat(await(store().clearPins("alice"))).isTrue();

      assertThat(await(store().sessionMark("alice"))).isNotEqualTo(before);
    }

    @Test
    void deletingTheUserEndsTheSessionsAndARecreatedUserHasAnotherMark() throws Exception {
      userWithToken("alice", "T1");
      String before = await(store().sessionMark("alice"));

      assertThat(await(store().deleteUser("alice"))).isTrue();
      assertThat(await(store().sessionMark("alice"))).isNull();
      putUser("alice");

      assertThat(await(store().sessionMark("alice"))).isNotNull().isNotEqualTo(before);
    }
  }

  /** The store answers a ping. */
  @Nested
  class Health {
    @Test
    void pingSucceeds() throws Exception {
      await(store().ping());
    }
  }

  /** Concurrent calls: every rule above holds when calls race. */
  @Nested
  class Races {
    @Test
    void commitAcceptsAStepOnlyOnceEvenWhenRacing() throws Exception {
      userWithToken("alice", "T1");

      List<CommitResult> results = race(50, i -> store().commit(accept("alice", "T1", 1000, NOW)));

      assertThat(results)
          .extracting(CommitResult::outcome)
          .filteredOn(o -> o == CommitOutcome.OK)
          .hasSize(1);
      assertThat(results)
          .extracting(CommitResult::outcome)
          .filteredOn(o -> o == CommitOutcome.REPLAY)
          .hasSize(49);
      assertThat(user("alice").token("T1").lastStep()).isEqualTo(1000);
    }

    @Test
    void racingCommitsOfDifferentStepsNeverLowerTheLastStep() throws Exception {
      userWithToken("alice", "T1");

      List<CommitResult> results =
          race(40, i -> store().commit(accept("alice", "T1", 100 + i, NOW)));

      // Each commit is OK or a REPLAY (a lower step after a higher one); all OK is right too, when
      // they came in order.
      assertThat(results)
          .extracting(CommitResult::outcome)
          .contains(CommitOutcome.OK)
          .isSubsetOf(CommitOutcome.OK, CommitOutcome.REPLAY);
      assertThat(user("alice").token("T1").lastStep()).isEqualTo(139);
    }

    @Test
    void anEmergencyCodeIsBurnedOnceEvenWhenRacing() throws Exception {
      userWithToken("alice", "T1");
      await(store().putEmergencyCodes(new EmergencyCodes("alice", List.of("e1"), NOW + DAY)));

      List<CommitResult> results =
          race(
              30,
              i ->
                  store()
                      .commit(
                          new Commit(
                              "alice",
                              CommitMode.ACCEPT,
                              "T1",
                              0,
                              null,
                              "e1",
                              null,
                              null,
                              NOW,
                              TTL)));

      assertThat(results)
          .extracting(CommitResult::outcome)
          .filteredOn(o -> o == CommitOutcome.OK)
          .hasSize(1);
      assertThat(results)
          .extracting(CommitResult::outcome)
          .filteredOn(o -> o == CommitOutcome.REPLAY)
          .hasSize(29);
    }

    @Test
    void concurrentFailuresLockAtExactlyTheThreshold() throws Exception {
      putUser("alice");

      List<FailResult> results =
          race(20, i -> store().fail(new Fail("alice", IP, "fp-" + i, null, NOW, 10, 900, WINDOW)));

      assertThat(results)
          .extracting(FailResult::outcome)
          .filteredOn(o -> o == FailOutcome.COUNTED)
          .hasSize(10);
      assertThat(results)
          .extracting(FailResult::outcome)
          .filteredOn(o -> o == FailOutcome.LOCKED)
          .hasSize(10);
      assertThat(results)
          .extracting(FailResult::failures)
          .containsOnly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
      assertThat(results).extracting(FailResult::ipFailures).doesNotHaveDuplicates();
      FailState state = load("alice", null, NOW).fail();
      assertThat(state.failures()).isEqualTo(10);
      assertThat(state.lockedUntil()).isEqualTo(NOW + 900_000);
    }

    @Test
    void racingClientRotationsLeaveExactlyOneSecretTheLastOneWritten() throws Exception {
      await(store().putClient(new ClientRecord("portal", "h-first", false, "any")));

      race(40, i -> store().putClient(new ClientRecord("portal", "h-" + i, i % 2 == 0, "any")));

      assertThat(await(store().findClient("h-first"))).isNull();
      List<ClientRecord> found = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        ClientRecord c = await(store().findClient("h-" + i));
        if (c != null) {
          assertThat(c).isEqualTo(new ClientRecord("portal", "h-" + i, i % 2 == 0, "any"));
          found.add(c);
        }
      }
      assertThat(found).hasSize(1);
      assertThat(await(store().clients())).extracting(ClientRecord::name).containsExactly("portal");
      await(store().putClient(new ClientRecord("portal", "h-next", false, "otp")));
      assertThat(await(store().findClient(found.get(0).secretHash()))).isNull();
      assertThat(await(store().findClient("h-next")))
          .isEqualTo(new ClientRecord("portal", "h-next", false, "otp"));
    }

    @Test
    void racingOperatorRotationsLeaveExactlyOneSecretTheLastOneWritten() throws Exception {
      await(store().putOperator(new OperatorRecord("desk", "h-first", "helpdesk")));

      race(
          40,
          i ->
              store()
                  .putOperator(
                      new OperatorRecord("desk", "h-" + i, i % 2 == 0 ? "admin" : "helpdesk")));

      assertThat(await(store().findOperator("h-first"))).isNull();
      List<OperatorRecord> found = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        OperatorRecord o = await(store().findOperator("h-" + i));
        if (o != null) {
          assertThat(o)
              .isEqualTo(new OperatorRecord("desk", "h-" + i, i % 2 == 0 ? "admin" : "helpdesk"));
          found.add(o);
        }
      }
      assertThat(found).hasSize(1);
      assertThat(await(store().deleteOperator("desk"))).isTrue();
      assertThat(await(store().findOperator(found.get(0).secretHash()))).isNull();
    }

    @Test
    void aRotationRacingADeletionLeavesNoSecretOfTheDeletedOperator() throws Exception {
      await(store().putOperator(new OperatorRecord("desk", "h-first", "helpdesk")));

      List<Boolean> deleted =
          race(
              20,
              i ->
                  i == 10
                      ? store().deleteOperator("desk")
                      : store()
                          .putOperator(new OperatorRecord("desk", "h-" + i, "admin"))
                          .map(true));

      assertThat(deleted).hasSize(20);
      long valid = 0;
      for (int i = 0; i < 20; i++) {
        if (i != 10 && await(store().findOperator("h-" + i)) != null) {
          valid++;
        }
      }
      // Either the deletion came last (nothing valid) or some rotations after it re-created the
      // operator (one valid).
      assertThat(valid).isLessThanOrEqualTo(1);
      assertThat(await(store().findOperator("h-first"))).isNull();
    }

    @Test
    void aTokenRacedForByManyUsersGetsExactlyOneOwner() throws Exception {
      createToken(token("T1"));
      for (int i = 0; i < 10; i++) {
        putUser("u" + i);
      }

      List<AssignResult> results = race(10, i -> store().assign(new Assign("u" + i, "T1")));

      assertThat(results).filteredOn(r -> r == AssignResult.OK).hasSize(1);
      assertThat(results).filteredOn(r -> r == AssignResult.OWNED_BY_OTHER).hasSize(9);
      String owner = await(store().getToken("T1")).owner();
      assertThat(owner).isNotNull();
      for (int i = 0; i < 10; i++) {
        assertThat(serials(user("u" + i)))
            .isEqualTo("u".concat(Integer.toString(i)).equals(owner) ? List.of("T1") : List.of());
      }
    }
  }

  // ------------------------------------------------------------------ helpers

  static <T> T await(Future<T> f) throws Exception {
    return f.await(10, SECONDS);
  }

  /** Issues {@code n} calls at once from {@code n} threads and waits for every answer. */
  static <T> List<T> race(int n, IntFunction<Future<T>> call) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      CountDownLatch ready = new CountDownLatch(n);
      CountDownLatch go = new CountDownLatch(1);
      List<java.util.concurrent.Future<Future<T>>> issued = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int index = i;
        issued.add(
            pool.submit(
                () -> {
                  ready.countDown();
                  go.await();
                  return call.apply(index);
                }));
      }
      assertThat(ready.await(10, SECONDS)).isTrue();
      go.countDown();
      List<T> results = new ArrayList<>();
      for (java.util.concurrent.Future<Future<T>> f : issued) {
        results.add(await(f.get(10, SECONDS)));
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }

  static TokenRecord token(String serial) {
    return new TokenRecord(serial, "totp", "SHA1", 6, 30, SEED, true, null, -1, 0, 0, null);
  }

  static Challenge challenge(
      String id, String username, Challenge.Kind kind, String serial, long step, long expiresAt) {
    return new Challenge(id, username, kind, serial, step, 0, expiresAt);
  }

  static Commit accept(String username, String serial, long step, long now) {
    return new Commit(username, CommitMode.ACCEPT, serial, step, null, null, null, null, now, TTL);
  }

  static Commit consume(String username, String serial, long step, Challenge open, long now) {
    return new Commit(username, CommitMode.CONSUME, serial, step, null, null, null, open, now, TTL);
  }

  static Fail fail(String username, String fingerprint, long now) {
    return new Fail(username, IP, fingerprint, null, now, 10, 900, WINDOW);
  }

  void putUser(String username) throws Exception {
    assertThat(
            await(
                store()
                    .putUser(
                        new PutUser(username, "User " + username, "$argon2id$" + username, NOW))))
        .isTrue();
  }

  void createToken(TokenRecord t) throws Exception {
    assertThat(await(store().createToken(t))).isTrue();
  }

  AssignResult assign(String username, String serial) throws Exception {
    return await(store().assign(new Assign(username, serial)));
  }

  void userWithToken(String username, String serial) throws Exception {
    putUser(username);
    createToken(token(serial));
    assertThat(assign(username, serial)).isEqualTo(AssignResult.OK);
  }

  CommitResult commit(Commit c) throws Exception {
    return await(store().commit(c));
  }

  UserRecord user(String username) throws Exception {
    UserView view = await(store().getUser(username));
    assertThat(view).as("user %s", username).isNotNull();
    return view.user();
  }

  LoginState load(String username, String challengeId, long now) throws Exception {
    return await(store().loadLogin(new LoadLogin(username, IP, challengeId, now, WINDOW)));
  }

  static List<String> serials(UserRecord u) {
    return u.tokens().stream().map(TokenRecord::serial).toList();
  }
}
