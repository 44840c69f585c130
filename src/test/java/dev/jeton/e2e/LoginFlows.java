package dev.jeton.e2e;

import static dev.jeton.testsupport.TestJeton.expect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.testsupport.Api;
import dev.jeton.testsupport.Api.Resp;
import dev.jeton.testsupport.TestJeton;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every login flow of API.md §2, end to end over HTTP against a whole node. Subclasses choose the
 * store; both run the very same tests.
 */
abstract class LoginFlows {

  TestJeton j;
  Api api;

  /**
   * The variables naming the store's Redis and its topology ({@code JETON_REDIS_URL}, or the
   * sentinels or cluster nodes with their password); empty for the embedded store. Called before
   * each node starts.
   */
  abstract Map<String, String> redisEnv();

  @BeforeEach
  void startNode() {
    start(Map.of());
  }

  @AfterEach
  void stopNode() {
    if (j != null) {
      j.close();
    }
  }

  void start(Map<String, String> overrides) {
    if (j != null) {
      j.close();
    }
    j = TestJeton.startOn(redisEnv(), overrides);
    api = j.api;
  }

  /**
   * The audit write is asynchronous (off the login path): polls until the user's events are there,
   * newest first.
   */
  List<JsonObject> awaitAudit(String username, int atLeast) {
    return api.awaitAudit(username, 50, e -> true, atLeast);
  }

  // ---- first login and PIN ----

  @Test
  void firstLoginRunsNewPinThenNextPasscodeThenAccepts() {
    byte[] seed = j.userWithToken("alice", "K1");
    Resp r = expect(api.login("alice", j.code(seed)), 200);
    assertThat(r.str("decision")).isEqualTo("CHALLENGE");
    assertThat(r.str("challenge")).isEqualTo("NEW_PIN");
    assertThat(r.json().getInteger("pinMinLength")).isEqualTo(4);
    assertThat(r.json().getInteger("pinMaxLength")).isEqualTo(4);
    assertThat(r.json().getInteger("expiresIn")).isEqualTo(300);
    assertThat(r.str("message")).isNotBlank();

    r = expect(api.newPin("alice", r.str("state"), "2580", "2580"), 200);
    assertThat(r.str("challenge")).isEqualTo("NEXT_PASSCODE");
    String state = r.str("state");

    // The code that opened NEW_PIN does not finish the login: a later one must.
    assertThat(api.answer("alice", state, "2580" + j.code(seed)).status()).isEqualTo(401);
    j.clock.advanceSeconds(30);
    r = expect(api.answer("alice", state, "2580" + j.code(seed)), 200);
    assertThat(r.json().getMap())
        .containsEntry("decision", "ACCEPT")
        .containsEntry("username", "alice")
        .containsEntry("method", "otp")
        .containsEntry("tokenSerial", "K1");

    j.clock.advanceSeconds(30);
    expect(api.login("alice", "2580" + j.code(seed)), 200);
  }

  @Test
  void laterLoginAcceptsPinAndCodeAsJsonAndAsForm() {
    byte[] seed = j.userWithToken("bob", "K2");
    j.firstLogin("bob", seed, "1357");
    j.clock.advanceSeconds(30);
    Resp json = expect(api.login("bob", "1357" + j.code(seed)), 200);
    assertThat(json.str("decision")).isEqualTo("ACCEPT");
    j.clock.advanceSeconds(30);
    Resp form =
        expect(
            api.authenticateForm(Map.of("username", "bob", "password", "1357" + j.code(seed))),
            200);
    assertThat(form.str("decision")).isEqualTo("ACCEPT");
  }

  @Test
  void newPinRefusesMismatchedAndTrivialPinsAndStaysOpen() {
    byte[] seed = j.userWithToken("carol", "K3");
    String state = expect(api.login("carol", j.code(seed)), 200).str("state");
    assertThat(expect(api.newPin("carol", state, "2580", "2581"), 400).str("error"))
        .isEqualTo("pin_mismatch");
    for (String trivial : List.of("1111", "1234", "9876", "0123")) {
      assertThat(expect(api.newPin("carol", state, trivial, trivial), 400).str("error"))
          .isEqualTo("pin_policy");
    }
    assertThat(expect(api.newPin("carol", state, "12345", "12345"), 400).str("error"))
        .isEqualTo("pin_policy");
    assertThat(expect(api.newPin("carol", state, "12a4", "12a4"), 400).str("error"))
        .isEqualTo("pin_policy");
    Resp ok = expect(api.newPin("carol", state, "4826", "4826"), 200);
    assertThat(ok.str("challenge")).isEqualTo("NEXT_PASSCODE");
    // The NEW_PIN state is closed once answered.
    assertThat(api.newPin("carol", state, "4826", "4826").status()).isEqualTo(401);
  }

  @Test
  void challengeStateExpires() {
    byte[] seed = j.userWithToken("dave", "K4");
    String state = expect(api.login("dave", j.code(seed)), 200).str("state");
    j.clock.advanceSeconds(301);
    assertThat(api.newPin("dave", state, "2580", "2580").json().getMap())
        .containsEntry("decision", "REJECT")
        .containsEntry("reason", "INVALID_CREDENTIALS");
  }

  @Test
  void aWrongAnswerLeavesTheChallengeOpenAndTheThirdClosesIt() {
    byte[] seed = j.userWithToken("erin", "K5");
    String state = expect(api.login("erin", j.code(seed)), 200).str("state");
    state = expect(api.newPin("erin", state, "2580", "2580"), 200).str("state");
    j.clock.advanceSeconds(30);
    expect(api.answer("erin", state, "2580000000"), 401);
    expect(api.answer("erin", state, "2580000001"), 401);
    expect(api.answer("erin", state, "2580" + j.code(seed)), 200);

    // Another round: three wrong answers close it, and then the right one is refused.
    expect(api.admin("POST", "/v1/admin/users/erin/clear-pin", null), 200);
    j.clock.advanceSeconds(30);
    state = expect(api.login("erin", j.code(seed)), 200).str("state");
    state = expect(api.newPin("erin", state, "2580", "2580"), 200).str("state");
    j.clock.advanceSeconds(30);
    for (int i = 0; i < 3; i++) {
      expect(api.answer("erin", state, "258000000" + i), 401);
    }
    expect(api.answer("erin", state, "2580" + j.code(seed)), 401);
  }

  @Test
  void aStateIsBoundToItsUsername() {
    byte[] seed = j.userWithToken("frank", "K6");
    j.userWithToken("grace", "K7");
    String state = expect(api.login("frank", j.code(seed)), 200).str("state");
    expect(api.newPin("grace", state, "2580", "2580"), 401);
    expect(api.newPin("frank", state, "2580", "2580"), 200);
  }

  @Test
  void clearPinMakesTheNextLoginRunNewPin() {
    byte[] seed = j.userWithToken("heidi", "K8");
    j.firstLogin("heidi", seed, "2580");
    expect(api.admin("POST", "/v1/admin/users/heidi/clear-pin", null), 200);
    j.clock.advanceSeconds(30);
    assertThat(expect(api.login("heidi", j.code(seed)), 200).str("challenge")).isEqualTo("NEW_PIN");
  }

  // ---- replay ----

  @Test
  void anAcceptedCodeIsNeverAcceptedAgainNorAnOlderOne() {
    byte[] seed = j.userWithToken("ivan", "K9");
    j.firstLogin("ivan", seed, "2580");
    j.clock.advanceSeconds(30);
    String older = j.code(seed, -1);
    expect(api.login("ivan", "2580" + j.code(seed)), 200);
    expect(api.login("ivan", "2580" + j.code(seed)), 401);
    expect(api.login("ivan", "2580" + older), 401);
  }

  @Test
  void replayedCodeIsRejectedEvenWhenRacing() {
    byte[] seed = j.userWithToken("judy", "K10");
    j.firstLogin("judy", seed, "2580");
    j.clock.advanceSeconds(30);
    String passcode = "2580" + j.code(seed);
    List<CompletableFuture<Resp>> all = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      all.add(
          api.authenticateAsync(
              new JsonObject().put("username", "judy").put("password", passcode)));
    }
    long accepts = all.stream().map(CompletableFuture::join).filter(r -> r.status() == 200).count();
    long rejects = all.stream().map(CompletableFuture::join).filter(r -> r.status() == 401).count();
    assertThat(accepts).isEqualTo(1);
    assertThat(rejects).isEqualTo(99);
  }

  // ---- failures, lockout, throttling ----

  @Test
  void concurrentWrongPasscodesNeverLockBeyondTheRule() {
    byte[] seed = j.userWithToken("kim", "K11");
    j.firstLogin("kim", seed, "2580");
    List<CompletableFuture<Resp>> all = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      all.add(
          api.authenticateAsync(
              new JsonObject()
                  .put("username", "kim")
                  .put("password", String.format("2580%06d", 100_000 + i))));
    }
    List<Resp> answers = all.stream().map(CompletableFuture::join).toList();
    assertThat(answers).allMatch(r -> r.status() == 401);
    long invalid =
        answers.stream().filter(r -> "INVALID_CREDENTIALS".equals(r.str("reason"))).count();
    long locked = answers.stream().filter(r -> "LOCKED".equals(r.str("reason"))).count();
    assertThat(invalid).isEqualTo(10);
    assertThat(locked).isEqualTo(10);
    JsonObject user = expect(api.adminGet("/v1/admin/users/kim"), 200).json();
    assertThat(user.getInteger("failures")).isEqualTo(10);
    assertThat(user.getBoolean("locked")).isTrue();
  }

  @Test
  void consecutiveFailuresLockAndEachFurtherFailureRearmsTheLock() {
    start(
        Map.of(
            "JETON_LOCKOUT_FAILURES",
            "3",
            "JETON_LOCKOUT_SECONDS",
            "60",
            "JETON_NEXT_CODE_AFTER_FAILURES",
            "100"));
    byte[] seed = j.userWithToken("leo", "K12");
    j.firstLogin("leo", seed, "2580");
    for (int i = 0; i < 3; i++) {
      assertThat(expect(api.login("leo", "2580" + String.format("%06d", i)), 401).str("reason"))
          .isEqualTo("INVALID_CREDENTIALS");
    }
    j.clock.advanceSeconds(30);
    Resp locked = expect(api.login("leo", "2580" + j.code(seed)), 401);
    assertThat(locked.str("reason")).isEqualTo("LOCKED");
    assertThat(locked.json().getLong("retryAfter")).isBetween(1L, 60L);

    j.clock.advanceSeconds(61);
    expect(api.login("leo", "2580999999"), 401);
    assertThat(expect(api.login("leo", "2580" + j.code(seed)), 401).str("reason"))
        .isEqualTo("LOCKED");

    expect(api.admin("POST", "/v1/admin/users/leo/unlock", null), 200);
    assertThat(expect(api.login("leo", "2580" + j.code(seed)), 200).str("decision"))
        .isEqualTo("ACCEPT");
  }

  @Test
  void unknownUsernamesAreAnsweredLikeKnownOnesAndLockToo() {
    start(Map.of("JETON_LOCKOUT_FAILURES", "3"));
    byte[] seed = j.userWithToken("mallory", "K13");
    j.firstLogin("mallory", seed, "2580");
    Resp known = api.login("mallory", "2580123456");
    Resp unknown = api.login("nobody", "2580123456");
    assertThat(unknown.status()).isEqualTo(known.status()).isEqualTo(401);
    assertThat(unknown.raw()).isEqualTo(known.raw());
    Resp knownPassword = api.login("mallory", "not a passcode");
    Resp unknownPassword = api.login("nobody2", "not a passcode");
    assertThat(unknownPassword.raw()).isEqualTo(knownPassword.raw());

    api.login("nobody", "2580123457");
    api.login("nobody", "2580123458");
    assertThat(api.login("nobody", "2580123459").str("reason")).isEqualTo("LOCKED");
  }

  @Test
  void theSameWrongPasswordSentAgainCountsOnce() {
    byte[] seed = j.userWithToken("nina", "K14");
    j.firstLogin("nina", seed, "2580");
    for (int i = 0; i < 5; i++) {
      expect(api.login("nina", "2580111111"), 401);
    }
    assertThat(expect(api.adminGet("/v1/admin/users/nina"), 200).json().getInteger("failures"))
        .isEqualTo(1);
    expect(api.login("nina", "2580111112"), 401);
    assertThat(expect(api.adminGet("/v1/admin/users/nina"), 200).json().getInteger("failures"))
        .isEqualTo(2);
  }

  @Test
  void theSameWrongValueCountsAgainOnceTheCodeItMustMatchHasMoved() {
    byte[] seed = j.userWithToken("nora", "K14b");
    j.firstLogin("nora", seed, "2580");
    j.clock.advanceSeconds(30);
    for (int i = 0; i < 3; i++) {
      expect(api.login("nora", "2580111111"), 401);
    }
    assertThat(expect(api.adminGet("/v1/admin/users/nora"), 200).json().getInteger("failures"))
        .isEqualTo(1);
    // The next step: a fixed guess is a new try against a new code, so it counts again.
    j.clock.advanceSeconds(30);
    expect(api.login("nora", "2580111111"), 401);
    expect(api.login("nora", "2580111111"), 401);
    assertThat(expect(api.adminGet("/v1/admin/users/nora"), 200).json().getInteger("failures"))
        .isEqualTo(2);
  }

  @Test
  void aFixedGuessTriedAtEveryStepLocksKnownAndUnknownUsernames() {
    start(Map.of("JETON_LOCKOUT_FAILURES", "3"));
    j.userWithToken("norbert", "K14d");
    for (String username : List.of("norbert", "nobody.norbert")) {
      for (int step = 0; step < 3; step++) {
        assertThat(api.login(username, "123456").str("reason")).isEqualTo("INVALID_CREDENTIALS");
        j.clock.advanceSeconds(30);
      }
      assertThat(api.login(username, "123456").str("reason")).as(username).isEqualTo("LOCKED");
    }
  }

  @Test
  void aWrongPinAndAWrongCodeLookAlikeInTheAnswerTheAuditAndTheMetrics() {
    byte[] seed = j.userWithToken("wanda", "K14c");
    j.firstLogin("wanda", seed, "2580");
    j.clock.advanceSeconds(30);
    String code = j.code(seed);
    Resp wrongPin = api.login("wanda", "1397" + code);
    String otherCode = code.equals("000000") ? "000001" : "000000";
    Resp wrongCode = api.login("wanda", "2580" + otherCode);
    assertThat(wrongPin.status()).isEqualTo(wrongCode.status()).isEqualTo(401);
    assertThat(wrongPin.raw()).isEqualTo(wrongCode.raw());

    // Both failures are written after their answers: wait for the two, not for any two events of
    // wanda's.
    List<JsonObject> failures =
        api.awaitAudit("wanda", 50, e -> "REJECT".equals(e.getString("decision")), 2);
    assertThat(failures)
        .extracting(e -> e.getString("reason"))
        .containsExactly("wrong_passcode", "wrong_passcode");
    String scrape = expect(api.raw("GET", "admin", "/metrics", null, null, null), 200).raw();
    assertThat(scrape)
        .contains("reason=\"invalid_credentials\"")
        .doesNotContain("wrong_pin")
        .doesNotContain("wrong_code")
        .doesNotContain("wrong_passcode")
        .doesNotContain("unknown_user")
        .doesNotContain("replayed_code")
        .doesNotContain("replays_refused");
  }

  @Test
  void aSuccessResetsTheFailureCount() {
    byte[] seed = j.userWithToken("oscar", "K15");
    j.firstLogin("oscar", seed, "2580");
    expect(api.login("oscar", "2580111111"), 401);
    expect(api.login("oscar", "2580111112"), 401);
    j.clock.advanceSeconds(30);
    expect(api.login("oscar", "2580" + j.code(seed)), 200);
    assertThat(expect(api.adminGet("/v1/admin/users/oscar"), 200).json().getInteger("failures"))
        .isZero();
  }

  @Test
  void afterEnoughFailuresARightPasscodeAsksForTheNextOne() {
    byte[] seed = j.userWithToken("peggy", "K16");
    j.firstLogin("peggy", seed, "2580");
    for (int i = 0; i < 3; i++) {
      expect(api.login("peggy", "258000000" + i), 401);
    }
    j.clock.advanceSeconds(30);
    Resp r = expect(api.login("peggy", "2580" + j.code(seed)), 200);
    assertThat(r.str("challenge")).isEqualTo("NEXT_PASSCODE");
    expect(api.answer("peggy", r.str("state"), "2580" + j.code(seed)), 401);
    j.clock.advanceSeconds(30);
    assertThat(
            expect(api.answer("peggy", r.str("state"), "2580" + j.code(seed)), 200).str("decision"))
        .isEqualTo("ACCEPT");
  }

  @Test
  void anIpThatFailsTooOftenGets429WithRetryAfter() {
    start(Map.of("JETON_IP_FAILURE_LIMIT", "5", "JETON_IP_FAILURE_WINDOW_SECONDS", "60"));
    for (int i = 0; i < 5; i++) {
      expect(
          api.authenticate(
              new JsonObject()
                  .put("username", "u" + i)
                  .put("password", "2580123456")
                  .put("clientIp", "203.0.113.7")),
          401);
    }
    Resp limited =
        expect(
            api.authenticate(
                new JsonObject()
                    .put("username", "someone")
                    .put("password", "x")
                    .put("clientIp", "203.0.113.7")),
            429);
    assertThat(limited.str("error")).isEqualTo("rate_limited");
    assertThat(Long.parseLong(limited.retryAfter())).isBetween(1L, 60L);
    assertThat(limited.json().getLong("retryAfter"))
        .isEqualTo(Long.parseLong(limited.retryAfter()));
    // Another address behind the same portal is not affected.
    expect(
        api.authenticate(
            new JsonObject()
                .put("username", "someone")
                .put("password", "2580123456")
                .put("clientIp", "203.0.113.8")),
        401);
  }

  @Test
  void clientIpIsHonouredOnlyForClientsThatAreTrusted() {
    start(Map.of("JETON_IP_FAILURE_LIMIT", "3"));
    String untrusted =
        expect(
                api.admin(
                    "PUT", "/v1/admin/clients/kiosk", new JsonObject().put("trustClientIp", false)),
                200)
            .str("secret");
    for (int i = 0; i < 3; i++) {
      expect(
          api.authenticateAs(
              untrusted,
              new JsonObject()
                  .put("username", "v" + i)
                  .put("password", "2580123456")
                  .put("clientIp", "198.51.100." + (i + 1))),
          401);
    }
    // Three different claimed addresses, but the connection's address counted: it is throttled.
    expect(
        api.authenticateAs(
            untrusted,
            new JsonObject()
                .put("username", "w")
                .put("password", "2580123456")
                .put("clientIp", "198.51.100.99")),
        429);
  }

  // ---- resynchronisation ----

  @Test
  void aCodeInTheResyncWindowAsksForTheNextAndTheDriftIsLearned() {
    byte[] seed = j.userWithToken("quinn", "K17");
    j.firstLogin("quinn", seed, "2580");
    j.clock.advanceSeconds(30);
    // The key runs five steps ahead.
    Resp r = expect(api.login("quinn", "2580" + j.code(seed, 5)), 200);
    assertThat(r.str("challenge")).isEqualTo("NEXT_PASSCODE");
    // Not the same code again, nor a code two steps on: exactly the next one.
    expect(api.answer("quinn", r.str("state"), "2580" + j.code(seed, 7)), 401);
    j.clock.advanceSeconds(30);
    expect(api.answer("quinn", r.str("state"), "2580" + j.code(seed, 5)), 200);
    assertThat(
            expect(api.adminGet("/v1/admin/users/quinn"), 200)
                .json()
                .getJsonArray("tokens")
                .getJsonObject(0)
                .getInteger("drift"))
        .isEqualTo(5);
    // Later logins use the drift: the key's code five steps ahead is accepted directly.
    j.clock.advanceSeconds(30);
    assertThat(expect(api.login("quinn", "2580" + j.code(seed, 5)), 200).str("decision"))
        .isEqualTo("ACCEPT");
  }

  @Test
  void learnedDriftNeverExceedsTheResyncWindow() {
    byte[] seed = j.userWithToken("ruth", "K17b");
    j.firstLogin("ruth", seed, "2580");
    j.clock.advanceSeconds(30);
    // Two resynchronisations in a row, each answered at once with the code after: without a bound
    // the drift would
    // grow by up to the window each time.
    for (int ahead : new int[] {10, 20}) {
      Resp r = expect(api.login("ruth", "2580" + j.code(seed, ahead)), 200);
      assertThat(r.str("challenge")).isEqualTo("NEXT_PASSCODE");
      expect(api.answer("ruth", r.str("state"), "2580" + j.code(seed, ahead + 1)), 200);
      assertThat(
              expect(api.adminGet("/v1/admin/users/ruth"), 200)
                  .json()
                  .getJsonArray("tokens")
                  .getJsonObject(0)
                  .getInteger("drift"))
          .isBetween(-10, 10);
    }
  }

  @Test
  void aCodeOutsideTheResyncWindowIsRejected() {
    byte[] seed = j.userWithToken("rita", "K18");
    j.firstLogin("rita", seed, "2580");
    j.clock.advanceSeconds(30);
    expect(api.login("rita", "2580" + j.code(seed, 11)), 401);
    expect(api.login("rita", "2580" + j.code(seed, -11)), 401);
    assertThat(expect(api.login("rita", "2580" + j.code(seed, 1)), 200).str("decision"))
        .isEqualTo("ACCEPT");
  }

  @Test
  void hotpKeysCountForwardWithLookaheadAndResync() {
    byte[] seed = TestJeton.seed();
    j.user("sam", null);
    expect(
        api.admin(
            "POST",
            "/v1/admin/tokens",
            new JsonObject()
                .put("serial", "H1")
                .put("type", "hotp")
                .put("algorithm", "SHA256")
                .put("digits", 8)
                .put("counter", 5)
                .put("secret", TestJeton.base32(seed))
                .put("pin", "2580")),
        201);
    expect(api.admin("PUT", "/v1/admin/users/sam/tokens/H1", null), 200);
    dev.jeton.otp.Hotp hotp = new dev.jeton.otp.Hotp(dev.jeton.otp.OtpAlgorithm.SHA256, 8);
    expect(api.login("sam", "2580" + hotp.generate(seed, 5)), 200);
    expect(api.login("sam", "2580" + hotp.generate(seed, 5)), 401);
    expect(api.login("sam", "2580" + hotp.generate(seed, 4)), 401);
    expect(api.login("sam", "2580" + hotp.generate(seed, 16)), 200); // lookahead 10 past 6
    Resp r = expect(api.login("sam", "2580" + hotp.generate(seed, 60)), 200);
    assertThat(r.str("challenge")).isEqualTo("NEXT_PASSCODE");
    expect(api.answer("sam", r.str("state"), "2580" + hotp.generate(seed, 62)), 401);
    assertThat(
            expect(api.answer("sam", r.str("state"), "2580" + hotp.generate(seed, 61)), 200)
                .str("decision"))
        .isEqualTo("ACCEPT");
    expect(api.login("sam", "2580" + hotp.generate(seed, 62)), 200);
  }

  // ---- passwords, level, emergency codes, tokens ----

  @Test
  void aPasswordLogsInUnlessTheLevelIsOtp() {
    j.user("tina", "correct horse battery staple");
    Resp ok = expect(api.login("tina", "correct horse battery staple"), 200);
    assertThat(ok.json().getMap())
        .containsEntry("decision", "ACCEPT")
        .containsEntry("method", "password");
    expect(api.login("tina", "wrong horse"), 401);
    expect(
        api.authenticate(
            new JsonObject()
                .put("username", "tina")
                .put("password", "correct horse battery staple")
                .put("level", "otp")),
        401);
    String otpOnly =
        expect(
                api.admin(
                    "PUT", "/v1/admin/clients/vpn", new JsonObject().put("defaultLevel", "otp")),
                200)
            .str("secret");
    expect(
        api.authenticateAs(
            otpOnly,
            new JsonObject()
                .put("username", "tina")
                .put("password", "correct horse battery staple")),
        401);
  }

  @Test
  void aRequestMayRaiseTheClientsLevelButNeverLowerIt() {
    j.user("tess", "correct horse battery staple");
    String otpOnly =
        expect(
                api.admin(
                    "PUT", "/v1/admin/clients/vpn2", new JsonObject().put("defaultLevel", "otp")),
                200)
            .str("secret");
    expect(
        api.authenticateAs(
            otpOnly,
            new JsonObject()
                .put("username", "tess")
                .put("password", "correct horse battery staple")
                .put("level", "any")),
        401);
    expect(
        api.authenticate(
            new JsonObject()
                .put("username", "tess")
                .put("password", "correct horse battery staple")
                .put("level", "any")),
        200);
  }

  @Test
  void everyWayOfWritingAnAddressAndEveryAddressOfAnIpv6Slash64ShareOneThrottlingWindow() {
    start(Map.of("JETON_IP_FAILURE_LIMIT", "4", "JETON_IP_FAILURE_WINDOW_SECONDS", "60"));
    String trusted =
        expect(
                api.admin(
                    "PUT", "/v1/admin/clients/proxy", new JsonObject().put("trustClientIp", true)),
                200)
            .str("secret");
    List<String> v4 = List.of("192.0.2.10", "::ffff:192.0.2.10", "::FFFF:c000:20a", "192.0.2.10");
    for (String ip : v4) {
      expect(
          api.authenticateAs(
              trusted,
              new JsonObject()
                  .put("username", "x" + ip.length())
                  .put("password", "2580123456")
                  .put("clientIp", ip)),
          401);
    }
    expect(
        api.authenticateAs(
            trusted,
            new JsonObject()
                .put("username", "y")
                .put("password", "2580123456")
                .put("clientIp", "192.0.2.10")),
        429);
    List<String> v6 =
        List.of(
            "2001:db8:1:2::1",
            "2001:DB8:1:2:0:0:0:1",
            "2001:db8:1:2::ffff",
            "2001:db8:1:2:a:b:c:d");
    for (String ip : v6) {
      expect(
          api.authenticateAs(
              trusted,
              new JsonObject()
                  .put("username", "z" + ip.length())
                  .put("password", "2580123456")
                  .put("clientIp", ip)),
          401);
    }
    expect(
        api.authenticateAs(
            trusted,
            new JsonObject()
                .put("username", "y")
                .put("password", "2580123456")
                .put("clientIp", "2001:db8:1:2:ffff::9")),
        429);
    // The next /64 is another window.
    expect(
        api.authenticateAs(
            trusted,
            new JsonObject()
                .put("username", "y")
                .put("password", "2580123456")
                .put("clientIp", "2001:db8:1:3::1")),
        401);
    expect(
        api.authenticateAs(
            trusted,
            new JsonObject()
                .put("username", "y")
                .put("password", "2580123456")
                .put("clientIp", "2001:db8::1::2")),
        400);
  }

  @Test
  void emergencyCodesWorkOnceAfterThePinAndExpire() {
    byte[] seed = j.userWithToken("uma", "K19");
    j.firstLogin("uma", seed, "2580");
    Resp issued =
        expect(
            api.admin(
                "POST",
                "/v1/admin/users/uma/emergency-codes",
                new JsonObject().put("count", 2).put("validSeconds", 3600)),
            200);
    List<Object> codes = issued.json().getJsonArray("codes").getList();
    assertThat(codes).hasSize(2);
    assertThat(issued.str("expiresAt")).isNotBlank();
    Resp ok = expect(api.login("uma", "2580" + codes.get(0)), 200);
    assertThat(ok.json().getMap())
        .containsEntry("method", "emergency")
        .containsEntry("tokenSerial", "K19");
    expect(api.login("uma", "2580" + codes.get(0)), 401);
    expect(api.login("uma", "1111" + codes.get(1)), 401);
    assertThat(
            expect(api.adminGet("/v1/admin/users/uma"), 200)
                .json()
                .getInteger("emergencyCodesLeft"))
        .isEqualTo(1);
    j.clock.advanceSeconds(3601);
    expect(api.login("uma", "2580" + codes.get(1)), 401);
  }

  @Test
  void eachOfUpToThreeTokensHasItsOwnPin() {
    byte[] a = j.userWithToken("vic", "KA");
    byte[] b = TestJeton.seed();
    j.token("KB", b, "1357");
    expect(api.admin("PUT", "/v1/admin/users/vic/tokens/KB", null), 200);
    j.token("KC", TestJeton.seed(), null);
    expect(api.admin("PUT", "/v1/admin/users/vic/tokens/KC", null), 200);
    j.token("KD", TestJeton.seed(), null);
    assertThat(expect(api.admin("PUT", "/v1/admin/users/vic/tokens/KD", null), 409).str("error"))
        .isEqualTo("conflict");

    j.firstLogin("vic", a, "2580");
    j.clock.advanceSeconds(30);
    expect(api.login("vic", "1357" + j.code(a)), 401);
    assertThat(expect(api.login("vic", "1357" + j.code(b)), 200).str("tokenSerial"))
        .isEqualTo("KB");
    j.clock.advanceSeconds(30);
    assertThat(expect(api.login("vic", "2580" + j.code(a)), 200).str("tokenSerial"))
        .isEqualTo("KA");
  }

  @Test
  void aTokenHasAtMostOneOwner() {
    j.userWithToken("walt", "K20");
    j.user("xena", null);
    expect(api.admin("PUT", "/v1/admin/users/xena/tokens/K20", null), 409);
    expect(api.admin("DELETE", "/v1/admin/users/walt/tokens/K20", null), 204);
    expect(api.admin("PUT", "/v1/admin/users/xena/tokens/K20", null), 200);
  }

  @Test
  void aDisabledTokenIsRejectedUntilEnabled() {
    byte[] seed = j.userWithToken("yara", "K21");
    j.firstLogin("yara", seed, "2580");
    expect(api.admin("POST", "/v1/admin/tokens/K21/disable", null), 200);
    j.clock.advanceSeconds(30);
    expect(api.login("yara", "2580" + j.code(seed)), 401);
    expect(api.admin("POST", "/v1/admin/tokens/K21/enable", null), 200);
    expect(api.login("yara", "2580" + j.code(seed)), 200);
  }

  // ---- clients and requests ----

  @Test
  void aPortalWithoutAValidSecretIsNeverEvaluated() {
    JsonObject body = new JsonObject().put("username", "zed").put("password", "x");
    assertThat(expect(api.authenticateAs(null, body), 401).str("error"))
        .isEqualTo("unauthorized_client");
    assertThat(expect(api.authenticateAs("not-a-secret", body), 401).str("error"))
        .isEqualTo("unauthorized_client");
    String old = api.clientSecret();
    String rotated =
        expect(api.admin("PUT", "/v1/admin/clients/portal", new JsonObject()), 200).str("secret");
    assertThat(expect(api.authenticateAs(old, body), 401).str("error"))
        .isEqualTo("unauthorized_client");
    expect(api.authenticateAs(rotated, body), 401);
    assertThat(api.authenticateAs(rotated, body).json().getString("decision")).isEqualTo("REJECT");
  }

  @Test
  void malformedRequestsAre400AndLargeOnes413() {
    String secret = api.clientSecret();
    assertThat(
            api.raw("POST", "public", "/v1/authenticate", "application/json", "{not json", secret)
                .status())
        .isEqualTo(400);
    assertThat(
            api.raw("POST", "public", "/v1/authenticate", "text/plain", "username=a", secret)
                .status())
        .isEqualTo(400);
    assertThat(
            api.authenticate(new JsonObject().put("username", "bad name!").put("password", "x"))
                .str("error"))
        .isEqualTo("invalid_request");
    assertThat(
            api.authenticate(new JsonObject().put("username", "a".repeat(65)).put("password", "x"))
                .status())
        .isEqualTo(400);
    assertThat(
            api.authenticate(new JsonObject().put("username", "ok").put("password", 12)).status())
        .isEqualTo(400);
    assertThat(api.authenticate(new JsonObject().put("username", "ok")).status()).isEqualTo(400);
    assertThat(
            api.authenticate(
                    new JsonObject().put("username", "ok").put("password", "x").put("level", "max"))
                .status())
        .isEqualTo(400);
    Resp big =
        api.raw(
            "POST",
            "public",
            "/v1/authenticate",
            "application/json",
            new JsonObject().put("username", "ok").put("password", "x".repeat(17 * 1024)).encode(),
            secret);
    assertThat(big.status()).isEqualTo(413);
    assertThat(big.json().getString("error")).isEqualTo("too_large");
  }

  // ---- admin roles ----

  @Test
  void helpdeskMayReadUnlockAndClearPinsButNotProvision() {
    String helpdesk =
        expect(
                api.admin(
                    "PUT", "/v1/admin/operators/hd1", new JsonObject().put("role", "helpdesk")),
                200)
            .str("secret");
    j.userWithToken("amy", "K22");
    expect(api.adminAs(helpdesk, "GET", "/v1/admin/users/amy", null), 200);
    expect(api.adminAs(helpdesk, "POST", "/v1/admin/users/amy/unlock", null), 200);
    expect(api.adminAs(helpdesk, "POST", "/v1/admin/users/amy/clear-pin", null), 200);
    expect(
        api.adminAs(helpdesk, "POST", "/v1/admin/users/amy/emergency-codes", new JsonObject()),
        200);
    expect(api.adminAs(helpdesk, "PUT", "/v1/admin/users/ben", new JsonObject()), 403);
    expect(api.adminAs(helpdesk, "DELETE", "/v1/admin/users/amy", null), 403);
    expect(api.adminAs(helpdesk, "PUT", "/v1/admin/clients/x", new JsonObject()), 403);
    expect(
        api.adminAs(
            helpdesk, "PUT", "/v1/admin/operators/x", new JsonObject().put("role", "admin")),
        403);
    expect(api.adminAs(null, "GET", "/v1/admin/users/amy", null), 401);
    expect(api.adminAs("wrong-token", "GET", "/v1/admin/users/amy", null), 401);
    expect(api.admin("DELETE", "/v1/admin/operators/hd1", null), 204);
    expect(api.adminAs(helpdesk, "GET", "/v1/admin/users/amy", null), 401);
  }

  @Test
  void theUserViewShowsWhatTheHelpdeskNeeds() {
    byte[] seed = j.userWithToken("cleo", "K23");
    j.firstLogin("cleo", seed, "2580");
    JsonObject u = expect(api.adminGet("/v1/admin/users/cleo"), 200).json();
    assertThat(u.fieldNames())
        .contains(
            "username",
            "displayName",
            "hasPassword",
            "locked",
            "lockedUntil",
            "failures",
            "tokens");
    JsonObject t = u.getJsonArray("tokens").getJsonObject(0);
    assertThat(t.getMap())
        .containsEntry("serial", "K23")
        .containsEntry("type", "totp")
        .containsEntry("pinSet", true)
        .containsEntry("enabled", true)
        .containsKey("drift");
    assertThat(t.getString("lastUsedAt")).isNotNull();
    JsonObject token = expect(api.adminGet("/v1/admin/tokens/K23"), 200).json();
    assertThat(token.getString("owner")).isEqualTo("cleo");
    assertThat(token.encode()).doesNotContain(TestJeton.base32(seed));
    expect(api.admin("DELETE", "/v1/admin/users/cleo", null), 204);
    expect(api.adminGet("/v1/admin/users/cleo"), 404);
    assertThat(expect(api.adminGet("/v1/admin/tokens/K23"), 200).json().getString("owner"))
        .isNull();
  }

  @Test
  void adminErrorsFollowTheContract() {
    JsonObject body = new JsonObject().put("displayName", "Dana");
    assertThat(api.admin("PUT", "/v1/admin/users/dana", body).status()).isEqualTo(201);
    assertThat(api.admin("PUT", "/v1/admin/users/dana", body).status()).isEqualTo(200);
    expect(api.admin("PUT", "/v1/admin/users/bad%20name", body), 400);
    expect(api.adminGet("/v1/admin/users/nobody"), 404);
    expect(api.admin("DELETE", "/v1/admin/users/nobody", null), 404);
    JsonObject token =
        new JsonObject()
            .put("serial", "T1")
            .put("type", "totp")
            .put("secret", TestJeton.base32(TestJeton.seed()));
    expect(api.admin("POST", "/v1/admin/tokens", token), 201);
    assertThat(expect(api.admin("POST", "/v1/admin/tokens", token), 409).str("error"))
        .isEqualTo("conflict");
    expect(
        api.admin(
            "POST",
            "/v1/admin/tokens",
            token.copy().put("serial", "T2").put("secret", "not base32!")),
        400);
    expect(
        api.admin("POST", "/v1/admin/tokens", token.copy().put("serial", "T3").put("digits", 7)),
        400);
    expect(
        api.admin("POST", "/v1/admin/tokens", token.copy().put("serial", "T4").put("period", 301)),
        400);
    expect(
        api.admin(
            "POST", "/v1/admin/tokens", token.copy().put("serial", "T5").put("algorithm", "MD5")),
        400);
    assertThat(
            expect(
                    api.admin(
                        "POST",
                        "/v1/admin/tokens",
                        token.copy().put("serial", "T6").put("pin", "1111")),
                    400)
                .str("error"))
        .isEqualTo("pin_policy");
    expect(api.adminGet("/v1/admin/tokens/NOPE"), 404);
    expect(api.admin("PUT", "/v1/admin/users/nobody/tokens/T1", null), 404);
    expect(api.admin("PUT", "/v1/admin/users/dana/tokens/NOPE", null), 404);
    expect(api.admin("DELETE", "/v1/admin/users/dana/tokens/T1", null), 404);
    expect(api.admin("POST", "/v1/admin/tokens/NOPE/disable", null), 404);
    expect(api.admin("POST", "/v1/admin/users/nobody/clear-pin", null), 404);
    expect(
        api.admin(
            "POST", "/v1/admin/users/dana/emergency-codes", new JsonObject().put("count", 11)),
        400);
    expect(api.admin("PUT", "/v1/admin/operators/op", new JsonObject().put("role", "root")), 400);
    expect(api.admin("DELETE", "/v1/admin/operators/none", null), 404);
    expect(
        api.raw(
            "PUT",
            "admin",
            "/v1/admin/users/dana",
            "application/json",
            "[1,2]",
            TestJeton.ADMIN_TOKEN),
        400);
  }

  @Test
  void aTokenCreatedWithAPinSkipsNewPin() {
    byte[] seed = TestJeton.seed();
    j.user("eli", null);
    j.token("KP", seed, "2580");
    expect(api.admin("PUT", "/v1/admin/users/eli/tokens/KP", null), 200);
    assertThat(expect(api.login("eli", "2580" + j.code(seed)), 200).str("decision"))
        .isEqualTo("ACCEPT");
  }

  @Test
  void healthAnswersOnBothListeners() {
    assertThat(api.raw("GET", "public", "/health/live", null, null, null).status()).isEqualTo(200);
    assertThat(api.raw("GET", "public", "/health/ready", null, null, null).status()).isEqualTo(200);
    assertThat(api.raw("GET", "admin", "/health/live", null, null, null).status()).isEqualTo(200);
    assertThat(api.raw("GET", "admin", "/health/ready", null, null, null).status()).isEqualTo(200);
  }
}
