package dev.jeton.attack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.otp.Totp;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Races and state tricks on the main jar: the 1,000-way replay race, a stale NEW_PIN state that
 * would overwrite a PIN (issue 15, hole 3), and a drift that a user (or a thief holding the key)
 * pushes further at every resync (hole 9, last item).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(90)
class RacesIT {

  private static final int RACERS = 1_000;
  private static final String PIN = "5829";
  private Target target;
  private String client;

  @BeforeAll
  void start() {
    target = Targets.main();
    client = target.client("races-portal", false, null);
  }

  @Test
  void aThousandRacersWithOnePasscodeGetExactlyOneAccept() throws Exception {
    String user = "race.user";
    target.user(user, null);
    Totp totp = Target.totp(30);
    byte[] seed = target.totpToken(user, "RACE-1", 30, PIN);
    String passcode = PIN + totp.generate(seed, totp.currentStep());
    byte[] body =
        new JsonObject()
            .put("username", user)
            .put("password", passcode)
            .encode()
            .getBytes(StandardCharsets.UTF_8);
    List<CompletableFuture<Http.Res>> racers = new ArrayList<>(RACERS);
    // Several clients so that the requests go out on many connections at once, not queued on one.
    List<Http> clients = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      clients.add(new Http());
    }
    for (int i = 0; i < RACERS; i++) {
      racers.add(
          clients
              .get(i % clients.size())
              .sendAsync(
                  "POST",
                  target.pub("/v1/authenticate"),
                  Map.of("Authorization", "Bearer " + client),
                  "application/json",
                  body));
    }
    Map<String, Integer> outcomes = new TreeMap<>();
    int accepts = 0;
    for (CompletableFuture<Http.Res> f : racers) {
      Http.Res r;
      try {
        r = f.get(60, TimeUnit.SECONDS);
      } catch (Exception e) {
        outcomes.merge("transport: " + e.getCause(), 1, Integer::sum);
        continue;
      }
      String decision =
          r.str("decision") != null ? r.str("decision") + "/" + r.str("reason") : r.str("error");
      outcomes.merge(r.status() + " " + decision, 1, Integer::sum);
      if ("ACCEPT".equals(r.str("decision"))) {
        accepts++;
      }
    }
    assertThat(accepts).as("ACCEPTs among %d racers: %s", RACERS, outcomes).isEqualTo(1);
    // Under overload the store may answer too late: 503 is the contract's fail-closed answer, never
    // a 500.
    assertThat(outcomes.keySet())
        .as("every racer got an ACCEPT, a REJECT or a fail-closed 503: %s", outcomes)
        .allMatch(
            k ->
                k.startsWith("200 ACCEPT")
                    || k.startsWith("401 REJECT")
                    || k.equals("503 unavailable"));
    assertThat(outcomes.getOrDefault("401 REJECT/INVALID_CREDENTIALS", 0))
        .as("replays refused: %s", outcomes)
        .isGreaterThan(0);
    assertThat(target.alive()).isTrue();
  }

  @Test
  void aStaleNewPinStateCannotOverwriteAPinAlreadySet() {
    String user = "newpin.user";
    target.user(user, null);
    Totp totp = Target.totp(2);
    byte[] seed = target.totpToken(user, "RACE-NEWPIN", 2, null);

    long s1 = Target.awaitFreshStep(totp);
    Http.Res first = target.login(client, user, totp.generate(seed, s1));
    assertThat(first.str("challenge")).as("first code, no PIN yet: %s", first).isEqualTo("NEW_PIN");
    long s2 = Target.awaitStepAfter(totp, s1);
    Http.Res second = target.login(client, user, totp.generate(seed, s2));
    assertThat(second.str("challenge"))
        .as("the next code, still no PIN: %s", second)
        .isEqualTo("NEW_PIN");

    // The user answers the newer state: the PIN is set.
    Http.Res set =
        target.authenticate(
            client,
            new JsonObject()
                .put("username", user)
                .put("state", second.str("state"))
                .put("newPin", PIN)
                .put("confirmPin", PIN));
    assertThat(set.str("challenge")).as("PIN set: %s", set).isEqualTo("NEXT_PASSCODE");

    // Whoever holds the older state tries to choose another PIN.
    String other = "3917";
    Http.Res stale =
        target.authenticate(
            client,
            new JsonObject()
                .put("username", user)
                .put("state", first.str("state"))
                .put("newPin", other)
                .put("confirmPin", other));
    assertThat(stale.status())
        .as("the older NEW_PIN state after the PIN was set: %s", stale)
        .isEqualTo(401);
    assertThat(stale.str("decision")).isEqualTo("REJECT");

    long s3 = Target.awaitStepAfter(totp, Math.max(s2, totp.currentStep()));
    Http.Res withOther = target.login(client, user, other + totp.generate(seed, s3));
    assertThat(withOther.status()).as("the stale PIN does not work: %s", withOther).isEqualTo(401);
    Http.Res withFirst = target.login(client, user, PIN + totp.generate(seed, s3));
    assertThat(withFirst.str("decision"))
        .as("the PIN the user chose still works: %s", withFirst)
        .isIn("ACCEPT", "CHALLENGE");
    if ("CHALLENGE".equals(withFirst.str("decision"))) {
      // a failure before (the stale PIN) may ask for the next passcode: still the user's PIN
      assertThat(withFirst.str("challenge")).isEqualTo("NEXT_PASSCODE");
    }
  }

  @Test
  void learnedTotpDriftIsCappedAtTheResyncWindow() {
    String user = "drift.user";
    target.user(user, null);
    Totp totp = Target.totp(30);
    byte[] seed = target.totpToken(user, "RACE-DRIFT", 30, PIN);
    int window = Targets.MAIN_RESYNC_WINDOW;

    // A key running `window` steps ahead: resync, then the next code; the drift is learned.
    long ahead = totp.currentStep() + window;
    Http.Res resync = target.login(client, user, PIN + totp.generate(seed, ahead));
    assertThat(resync.str("challenge"))
        .as("a code at the edge of the resync window: %s", resync)
        .isEqualTo("NEXT_PASSCODE");
    Http.Res next =
        target.authenticate(
            client,
            new JsonObject()
                .put("username", user)
                .put("state", resync.str("state"))
                .put("password", PIN + totp.generate(seed, ahead + 1)));
    assertThat(next.str("decision")).as("the next code: %s", next).isEqualTo("ACCEPT");
    long drift1 = drift(user);
    assertThat(drift1).as("a drift was learned").isPositive();

    // Again from there: without a cap the drift keeps growing by a window at each round.
    for (int round = 0; round < 3; round++) {
      long further = totp.currentStep() + drift(user) + window;
      Http.Res r = target.login(client, user, PIN + totp.generate(seed, further));
      if ("NEXT_PASSCODE".equals(r.str("challenge"))) {
        target.authenticate(
            client,
            new JsonObject()
                .put("username", user)
                .put("state", r.str("state"))
                .put("password", PIN + totp.generate(seed, further + 1)));
      }
    }
    assertThat(Math.abs(drift(user)))
        .as("learned drift (steps) after pushing it round after round")
        .isLessThanOrEqualTo(window);
  }

  private long drift(String user) {
    JsonObject view = target.userView(user);
    return view.getJsonArray("tokens").getJsonObject(0).getLong("drift", 0L);
  }
}
