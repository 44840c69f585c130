package dev.jeton.loadtest;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.rampUsers;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.Assertion;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * First logins: users whose token has no PIN yet type the code alone (NEW_PIN), choose a PIN twice
 * (NEXT_PASSCODE), wait for the code to change (the next 30 s step), then type PIN + the new code (ACCEPT).
 * Every user waits at most one step (plus typing time), so a run lasts about {@code arrivalSeconds} + 36 s.
 */
public class FirstLogin extends Simulation {
  static final String STEP1 = "1 code alone -> NEW_PIN";
  static final String STEP2 = "2 new PIN -> NEXT_PASSCODE";
  static final String STEP3 = "3 PIN + next code -> ACCEPT";

  private final Settings s = new Settings();
  private final int users = Settings.positive("users", 150);
  private final int arrivalSeconds = Settings.positive("arrivalSeconds", 20);
  private final double minSuccessPct = Settings.dbl("minSuccessPct", 99.0);
  private final int p99Ms = Settings.positive("p99Ms", 500);
  /** Upper bound of the random time a user takes to type PIN + new code once it shows (0 = all at once). */
  private final int typingMaxMs = Math.max(0, Settings.integer("typingMaxMs", 5000));
  private final String prefix = "first-" + s.runId + "-";

  private volatile String clientSecret;
  private final AtomicInteger next = new AtomicInteger();

  private final ScenarioBuilder firstLogin = scenario("first login")
      .exec(session -> {
        int i = next.getAndIncrement();
        // The step whose code opens NEW_PIN: the final login must carry the code of a later one.
        return session.set("username", Jeton.username(prefix, i)).set("ip", Jeton.userIp(i))
            .set("openStep", Totp.currentStep());
      })
      .exec(http(STEP1).post("/v1/authenticate")
          .body(StringBody(session -> {
            String u = session.getString("username");
            String code = Totp.code(Totp.seed(s.loadTestKey, u), session.getLong("openStep"));
            return Jeton.json("username", u, "password", code, "clientIp", session.getString("ip"));
          }))
          .check(status().is(200), jsonPath("$.decision").is("CHALLENGE"), jsonPath("$.challenge").is("NEW_PIN"),
              jsonPath("$.state").saveAs("state")))
      .exitHereIfFailed()
      .exec(http(STEP2).post("/v1/authenticate")
          .body(StringBody(session -> Jeton.json("username", session.getString("username"),
              "state", session.getString("state"), "newPin", s.pin, "confirmPin", s.pin,
              "clientIp", session.getString("ip"))))
          .check(status().is(200), jsonPath("$.decision").is("CHALLENGE"),
              jsonPath("$.challenge").is("NEXT_PASSCODE"), jsonPath("$.state").saveAs("state")))
      .exitHereIfFailed()
      // Wait until the TOTP step is later than the one whose code opened NEW_PIN (at most one 30 s step), plus
      // a random moment to read the new code: people do not all type at the same instant the gauge empties.
      .pause(session -> Duration.ofMillis(Totp.millisUntilAfter(session.getLong("openStep")) + 300
          + ThreadLocalRandom.current().nextLong(typingMaxMs + 1)))
      .exec(http(STEP3).post("/v1/authenticate")
          .body(StringBody(session -> {
            String u = session.getString("username");
            String code = Totp.code(Totp.seed(s.loadTestKey, u), Totp.currentStep());
            return Jeton.json("username", u, "state", session.getString("state"), "password", s.loginPin + code,
                "clientIp", session.getString("ip"));
          }))
          .check(status().is(200), jsonPath("$.decision").is("ACCEPT")));

  {
    List<Assertion> assertions = new ArrayList<>();
    assertions.add(global().successfulRequests().percent().gte(minSuccessPct));
    for (String step : List.of(STEP1, STEP2, STEP3)) {
      assertions.add(details(step).successfulRequests().percent().gte(minSuccessPct));
      assertions.add(details(step).responseTime().percentile(99.0).lt(p99Ms));
    }
    // Users dropped at step 1 or 2 never reach step 3: count the ones that got through, not just the ratio.
    assertions.add(details(STEP3).successfulRequests().count().gte((long) Math.ceil(users * minSuccessPct / 100)));
    setUp(firstLogin.injectOpen(rampUsers(users).during(arrivalSeconds)))
        .protocols(Jeton.protocol(s, () -> clientSecret))
        .maxDuration(Duration.ofSeconds(arrivalSeconds + 90L))
        .assertions(assertions);
  }

  @Override
  public void before() {
    System.out.printf("FirstLogin run %s: %d users without PIN arriving over %d s, PIN chosen %s, "
        + "assert OK >= %.2f %% per step, p99 < %d ms%n", s.runId, users, arrivalSeconds, s.pin, minSuccessPct, p99Ms);
    Provision p = new Provision(s);
    p.requireReady();
    clientSecret = p.client("loadtest-first-" + s.runId);
    p.users(Jeton.usernames(prefix, users), "LT-first-" + s.runId + "-", null);
  }
}
