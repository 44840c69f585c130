package dev.jeton.loadtest;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.bodyString;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.nothingFor;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.OpenInjectionStep;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * Replay storm: for each user, {@code racers} virtual users are started at the same instant and all send the
 * same PIN + code. Jeton must ACCEPT exactly one of them and refuse the rest (401). Gatling's assertions count
 * requests, not "exactly one per key", so the simulation counts ACCEPTs per username in a shared map; once every
 * racer has finished, one last virtual user sends the "replay verdict" request (a GET /health/live) whose check
 * passes only if every user got exactly one ACCEPT, and an assertion requires that request to have succeeded. (Throwing
 * from after() also fails the build, but kills Gatling before it writes the reports and checks the assertions, so
 * after() only prints the offenders.)
 */
public class ReplayStorm extends Simulation {
  static final String RACE = "race";
  static final String VERDICT = "replay verdict";

  private final Settings s = new Settings();
  private final int users = Settings.positive("users", 150);
  private final int racers = Settings.positive("racers", 20);
  private final int arrivalSeconds = Settings.positive("arrivalSeconds", 30);
  private final double minSuccessPct = Settings.dbl("minSuccessPct", 99.0);
  private final int p99Ms = Settings.positive("p99Ms", 1000);
  private final String prefix = "replay-" + s.runId + "-";

  private volatile String clientSecret;
  private final AtomicInteger nextRacer = new AtomicInteger();
  /** The one passcode all racers of a user send, computed by the first of them (same step for all). */
  private final Map<String, String> passcodes = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> accepts = new ConcurrentHashMap<>();
  /** First and last instant (ns) a racer of each user built its request: how close together they really raced. */
  private final Map<String, long[]> sendSpread = new ConcurrentHashMap<>();

  private final ScenarioBuilder race = scenario("racers")
      .exec(session -> {
        int r = nextRacer.getAndIncrement();
        int i = r / racers;
        return session.set("username", Jeton.username(prefix, i)).set("ip", Jeton.userIp(i));
      })
      .exec(http(RACE).post("/v1/authenticate")
          .body(StringBody(session -> {
            String u = session.getString("username");
            String passcode = passcodes.computeIfAbsent(u,
                k -> s.loginPin + Totp.code(Totp.seed(s.loadTestKey, k), Totp.currentStep()));
            long now = System.nanoTime();
            sendSpread.merge(u, new long[] {now, now}, (a, b) -> new long[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
            return Jeton.json("username", u, "password", passcode, "clientIp", session.getString("ip"));
          }))
          // One racer per user gets 200 ACCEPT, the others 401 REJECT; anything else (503, 429...) is KO.
          .check(status().in(200, 401), jsonPath("$.decision").in("ACCEPT", "REJECT").saveAs("decision")))
      .exec(session -> {
        if ("ACCEPT".equals(session.getString("decision"))) {
          accepts.computeIfAbsent(session.getString("username"), k -> new AtomicInteger()).incrementAndGet();
        }
        return session;
      });

  private final ScenarioBuilder verdict = scenario("verdict")
      .exec(http(VERDICT).get("/health/live")
          .check(status().is(200), bodyString().transform(body -> offenders().size()).is(0)));

  {
    // One burst of `racers` virtual users, all started at the same instant, per user; the bursts spread evenly.
    List<OpenInjectionStep> bursts = new ArrayList<>();
    long gapMillis = arrivalSeconds * 1000L / users;
    for (int i = 0; i < users; i++) {
      bursts.add(atOnceUsers(racers));
      bursts.add(nothingFor(Duration.ofMillis(gapMillis)));
    }
    setUp(race.injectOpen(bursts)
        .andThen(verdict.injectOpen(atOnceUsers(1))))
        .protocols(Jeton.protocol(s, () -> clientSecret))
        .maxDuration(Duration.ofSeconds(arrivalSeconds + 90L))
        .assertions(
            // Exactly one ACCEPT per user: the verdict request ran once and its check passed.
            details(VERDICT).successfulRequests().count().is(1L),
            details(RACE).allRequests().count().is((long) users * racers),
            details(RACE).successfulRequests().percent().gte(minSuccessPct),
            details(RACE).responseTime().percentile(99.0).lt(p99Ms));
  }

  /** Users that did not get exactly one ACCEPT, with their count. */
  private Map<String, Integer> offenders() {
    return Jeton.usernames(prefix, users).stream()
        .filter(u -> accepts.getOrDefault(u, new AtomicInteger()).get() != 1)
        .collect(Collectors.toMap(u -> u, u -> accepts.getOrDefault(u, new AtomicInteger()).get()));
  }

  @Override
  public void before() {
    System.out.printf("ReplayStorm run %s: %d users x %d racers sending the same passcode, arriving over %d s; "
        + "assert exactly one ACCEPT per user%n", s.runId, users, racers, arrivalSeconds);
    Provision p = new Provision(s);
    p.requireReady();
    clientSecret = p.client("loadtest-replay-" + s.runId);
    p.users(Jeton.usernames(prefix, users), "LT-replay-" + s.runId + "-", s.pin);
  }

  @Override
  public void after() {
    Map<String, Integer> off = offenders();
    long total = accepts.values().stream().mapToLong(AtomicInteger::get).sum();
    System.out.printf("ReplayStorm: %d ACCEPTs for %d users; %d users with a count other than 1%s%n", total, users,
        off.size(), off.isEmpty() ? "" : ": " + off.entrySet().stream().sorted(Map.Entry.comparingByKey()).limit(10)
            .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.toList()) + (off.size() > 10 ? "…" : ""));
    long[] spreads = sendSpread.values().stream().mapToLong(a -> (a[1] - a[0]) / 1000).sorted().toArray();
    if (spreads.length > 0) {
      System.out.printf("ReplayStorm: the racers of one user sent within %d us of each other (median), %d us (max)%n",
          spreads[spreads.length / 2], spreads[spreads.length - 1]);
    }
  }
}
