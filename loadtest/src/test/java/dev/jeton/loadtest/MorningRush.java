package dev.jeton.loadtest;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.feed;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.rampUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The morning rush: distinct users arriving at a rate that ramps up to {@code rate} per second, then holds; each user
 * does one PIN + code login (code computed here from the seed its token was provisioned with) and must get ACCEPT.
 */
public class MorningRush extends Simulation {
  private final Settings s = new Settings();
  private final double rate = Settings.dbl("rate", 100);
  private final int rampSeconds = Settings.positive("rampSeconds", 20);
  private final int plateauSeconds = Settings.positive("plateauSeconds", 40);
  private final double minSuccessPct = Settings.dbl("minSuccessPct", 99.5);
  private final int p99Ms = Settings.positive("p99Ms", 500);
  /** Arrivals the injection profile makes (Gatling rounds them), plus room to spare. */
  private final int expectedUsers = (int) Math.ceil((1 + rate) / 2 * rampSeconds + rate * plateauSeconds);
  private final int users = Settings.positive("users", expectedUsers + expectedUsers / 20 + 20);
  private final String prefix = "rush-" + s.runId + "-";

  private volatile String clientSecret;
  private final AtomicInteger next = new AtomicInteger();

  /** Each virtual user takes the next provisioned user; running out of them stops the run (an error). */
  private final Iterator<Map<String, Object>> nextUser = new Iterator<>() {
    @Override
    public boolean hasNext() {
      return next.get() < users;
    }

    @Override
    public Map<String, Object> next() {
      int i = next.getAndIncrement();
      if (i >= users) {
        throw new IllegalStateException("more arrivals than provisioned users: raise -Dusers");
      }
      return Map.of("username", Jeton.username(prefix, i), "ip", Jeton.userIp(i));
    }
  };

  private final ScenarioBuilder rush = scenario("morning rush")
      .exec(feed(nextUser))
      .exec(http("login").post("/v1/authenticate")
          .body(StringBody(session -> {
            String u = session.getString("username");
            String code = Totp.code(Totp.seed(s.loadTestKey, u), Totp.currentStep());
            return Jeton.json("username", u, "password", s.loginPin + code, "clientIp", session.getString("ip"));
          }))
          .check(status().is(200), jsonPath("$.decision").is("ACCEPT")));

  {
    if (users < expectedUsers) {
      throw new IllegalArgumentException("users (" + users + ") below the " + expectedUsers + " arrivals planned");
    }
    setUp(rush.injectOpen(
            rampUsersPerSec(1).to(rate).during(rampSeconds),
            constantUsersPerSec(rate).during(plateauSeconds)))
        .protocols(Jeton.protocol(s, () -> clientSecret))
        .maxDuration(Duration.ofSeconds(rampSeconds + plateauSeconds + 60L))
        .assertions(
            global().successfulRequests().percent().gte(minSuccessPct),
            global().responseTime().percentile(99.0).lt(p99Ms),
            // Not vacuous: the run must have made (nearly) all the logins it planned.
            details("login").successfulRequests().count().gte((long) Math.floor(expectedUsers * minSuccessPct / 100)));
  }

  @Override
  public void before() {
    System.out.printf("MorningRush run %s: ramp to %.1f users/s in %d s, plateau %d s, %d users provisioned, "
        + "assert OK >= %.2f %%, p99 < %d ms%n", s.runId, rate, rampSeconds, plateauSeconds, users, minSuccessPct, p99Ms);
    Provision p = new Provision(s);
    p.requireReady();
    clientSecret = p.client("loadtest-rush-" + s.runId);
    p.users(Jeton.usernames(prefix, users), "LT-rush-" + s.runId + "-", s.pin);
  }
}
