package dev.jeton.attack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.otp.Totp;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Lockout, attacked (strict jar: a lock after {@value Targets#STRICT_LOCKOUT_FAILURES} failures): a
 * fixed guess resent at every new step (issue 15, hole 2), failures spread over the JSON API and
 * the portal, and usernames that do not exist. Every request comes from its own address, so that
 * only the per-user rules are at work.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class LockoutIT {

  private static final String PIN = "5829";
  private Target target;
  private String client;
  private int nextAddress = 1;

  @BeforeAll
  void start() {
    target = Targets.strict();
    client = target.client("lockout-portal", true, null);
  }

  @Test
  void theSameWrongValueResentAtEachNewStepCountsAgainAndLocks() {
    String user = "resend.user";
    target.user(user, null);
    Totp totp = Target.totp(2);
    byte[] seed = target.totpToken(user, "LOCK-RESEND", 2, null);
    String guess = Target.wrongCode(totp, seed);

    long step = Target.awaitFreshStep(totp);
    for (int i = 0; i < 3; i++) {
      assertThat(login(user, guess).status()).isEqualTo(401);
    }
    if (totp.currentStep() == step) {
      // (on a machine so loaded that the burst straddled a step, the count is legitimately 2: not
      // checked then)
      assertThat(target.userView(user).getInteger("failures"))
          .as("the same value resent within one step counts once")
          .isEqualTo(1);
    }
    step = totp.currentStep();
    for (int i = 1; i < Targets.STRICT_LOCKOUT_FAILURES; i++) {
      step = Target.awaitStepAfter(totp, step);
      assertThat(login(user, guess).status()).isEqualTo(401);
    }
    JsonObject view = target.userView(user);
    assertThat(view.getBoolean("locked"))
        .as("after the same guess at %d different steps: %s", Targets.STRICT_LOCKOUT_FAILURES, view)
        .isTrue();
    Http.Res right = login(user, totp.generate(seed, totp.currentStep()));
    assertThat(right.str("reason"))
        .as("the right code during the lock: %s", right)
        .isEqualTo("LOCKED");
  }

  @Test
  void failuresOnTheJsonApiAndThePortalAddUpToOneLock() {
    String user = "both.user";
    target.user(user, null);
    Totp totp = Target.totp(30);
    byte[] seed = target.totpToken(user, "LOCK-BOTH", 30, PIN);
    Visitor browser = new Visitor(target, address());

    assertThat(login(user, PIN + Target.wrongCode(totp, seed)).status()).isEqualTo(401);
    Http.Res page = browser.login(user, PIN + Target.wrongCode(totp, seed));
    assertThat(page.status()).as("a wrong passcode on the portal").isEqualTo(401);
    assertThat(login(user, PIN + Target.wrongCode(totp, seed)).status()).isEqualTo(401);
    assertThat(target.userView(user).getBoolean("locked"))
        .as("two failures on the API, one on the portal")
        .isTrue();

    String passcode = PIN + totp.generate(seed, totp.currentStep());
    Http.Res onPortal = browser.login(user, passcode);
    assertThat(browser.page(onPortal))
        .as("the right passcode on the portal during the lock")
        .isEqualTo("locked");
    Http.Res onApi = login(user, passcode);
    assertThat(onApi.str("reason"))
        .as("the right passcode on the API during the lock: %s", onApi)
        .isEqualTo("LOCKED");
    assertThat(onApi.json().getLong("retryAfter")).isPositive();

    // Not evaluated during the lock: once the helpdesk unlocks, the same passcode was never
    // consumed.
    target.expect(target.admin("POST", "/v1/admin/users/" + user + "/unlock", null), 200);
    Http.Res after = login(user, passcode);
    assertThat(after.status())
        .as("the passcode tried during the lock, after unlock: %s", after)
        .isEqualTo(200);
  }

  @Test
  void anUnknownUsernameLocksExactlyLikeAKnownOne() {
    String known = "lock.known";
    target.user(known, null);
    Totp totp = Target.totp(30);
    byte[] seed = target.totpToken(known, "LOCK-KNOWN", 30, PIN);
    String unknown = "lock.ghost." + Target.hex(3);
    Http.Res lastKnown = null;
    Http.Res lastUnknown = null;
    for (int i = 0; i <= Targets.STRICT_LOCKOUT_FAILURES; i++) {
      String value = PIN + Target.wrongCode(totp, seed);
      lastKnown = login(known, value);
      lastUnknown = login(unknown, value);
      if (i < Targets.STRICT_LOCKOUT_FAILURES - 1) {
        PasscodeOracleIT.assertSameAnswer(lastKnown, lastUnknown, "failure " + (i + 1));
      }
    }
    assertThat(lastKnown.str("reason"))
        .as("known user, after the threshold: %s", lastKnown)
        .isEqualTo("LOCKED");
    assertThat(lastUnknown.str("reason"))
        .as("unknown user, after the threshold: %s", lastUnknown)
        .isEqualTo("LOCKED");
    assertThat(
            Math.abs(
                lastKnown.json().getLong("retryAfter") - lastUnknown.json().getLong("retryAfter")))
        .as("retryAfter of both")
        .isLessThanOrEqualTo(2);
    assertThat(lastUnknown.stableHeaders().keySet()).isEqualTo(lastKnown.stableHeaders().keySet());
  }

  private Http.Res login(String user, String password) {
    return target.authenticate(
        client,
        new JsonObject()
            .put("username", user)
            .put("password", password)
            .put("clientIp", address()));
  }

  /** A fresh address for every request: no IP throttling in these tests. */
  private String address() {
    int n = nextAddress++;
    return "10.77." + (n / 250) + "." + (1 + n % 250);
  }
}
