package dev.jeton.loadtest;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.group;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.pace;
import static io.gatling.javaapi.core.CoreDsl.regex;
import static io.gatling.javaapi.core.CoreDsl.repeat;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.core.Simulation;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Credential stuffing alongside the normal day. A few attacker addresses (sent as {@code clientIp}) each spray wrong
 * passcodes over many usernames, half of them real (provisioned "victims") and half unknown; at the same time
 * legitimate users, each from their own address, do one PIN + code login each. Legitimate users must not notice
 * (success rate and p99 of group "legit"), and every attacker must end throttled (429) or locked (401 LOCKED): after
 * its spray, each attacker sends one more wrong passcode ("final probe") whose check passes only on such an answer.
 *
 * <p>The victims are not the legitimate users of this run on purpose: failures against a real user's name would
 * (rightly) send that user to NEXT_PASSCODE or lock them, which is the product working, not a slowdown.
 */
public class CredentialStuffing extends Simulation {
  private final Settings s = new Settings();
  private final double legitRate = Settings.dbl("legitRate", 20);
  private final int durationSeconds = Settings.positive("durationSeconds", 50);
  private final double legitMinSuccessPct = Settings.dbl("legitMinSuccessPct", 99.0);
  private final int legitP99Ms = Settings.positive("legitP99Ms", 500);
  private final int attackerIps = Settings.positive("attackerIps", 3);
  /** Wrong passcodes each attacker address sends before its final probe: more than JETON_IP_FAILURE_LIMIT (200). */
  private final int attemptsPerIp = Settings.positive("attemptsPerIp", 300);
  private final double attackRatePerIp = Settings.dbl("attackRatePerIp", 8);
  private final int victims = Settings.positive("victims", 200);
  /** Only to explain a red run: Jeton's JETON_IP_FAILURE_WINDOW_SECONDS (its per-IP count restarts each window). */
  private final int ipWindowSeconds = Settings.positive("ipWindowSeconds", 300);

  private final int expectedLegit = (int) Math.ceil(legitRate * durationSeconds);
  private final int legitUsers = expectedLegit + expectedLegit / 20 + 20;
  private final String legitPrefix = "stuff-" + s.runId + "-legit-";
  private final String victimPrefix = "stuff-" + s.runId + "-victim-";
  private final String ghostPrefix = "stuff-" + s.runId + "-ghost-";
  /** A PIN that is certainly not the provisioned one, so every attempt is wrong. */
  private final String wrongPin = s.pin.equals("1397") ? "1398" : "1397";
  /** Attackers' addresses: the RFC 2544 benchmarking range 198.18.0.0/15, a /24 of it chosen by the run id. */
  private final String attackNet = "198." + (18 + (s.runId.hashCode() >>> 8 & 1)) + "." + (s.runId.hashCode() & 255) + ".";

  private volatile String clientSecret;
  private final AtomicInteger nextLegit = new AtomicInteger();
  private final AtomicInteger nextAttacker = new AtomicInteger();
  private final AtomicLong attackAnswers429 = new AtomicLong();
  private final AtomicLong attackAnswersLocked = new AtomicLong();
  private final AtomicLong attackFirstMillis = new AtomicLong(Long.MAX_VALUE);
  private final AtomicLong attackLastMillis = new AtomicLong();

  private final ScenarioBuilder legit = scenario("legitimate users")
      .exec(session -> {
        int i = nextLegit.getAndIncrement();
        if (i >= legitUsers) {
          throw new IllegalStateException("more arrivals than provisioned legitimate users");
        }
        return session.set("username", Jeton.username(legitPrefix, i)).set("ip", Jeton.userIp(i));
      })
      .group("legit").on(
          http("login").post("/v1/authenticate")
              .body(StringBody(session -> {
                String u = session.getString("username");
                String code = Totp.code(Totp.seed(s.loadTestKey, u), Totp.currentStep());
                return Jeton.json("username", u, "password", s.loginPin + code, "clientIp", session.getString("ip"));
              }))
              .check(status().is(200), jsonPath("$.decision").is("ACCEPT")));

  private final ScenarioBuilder attackers = scenario("attackers")
      .exec(session -> {
        int a = nextAttacker.getAndIncrement();
        return session.set("attacker", a).set("ip", attackNet + (a + 1));
      })
      .group("attacker").on(
          repeat(attemptsPerIp, "n").on(
              pace(Duration.ofNanos((long) (1e9 / attackRatePerIp)))
                  .exec(http("attempt").post("/v1/authenticate")
                      .body(StringBody(session -> wrongAttempt(session, target(session))))
                      // Any 401 (INVALID_CREDENTIALS or LOCKED) or 429 is Jeton doing its job; an ACCEPT would be KO.
                      .check(status().in(401, 429).saveAs("status"), regex("\"(rate_limited|LOCKED|INVALID_CREDENTIALS)\"")
                          .saveAs("answer")))
                  .exec(session -> {
                    long now = System.currentTimeMillis();
                    attackFirstMillis.accumulateAndGet(now, Math::min);
                    attackLastMillis.accumulateAndGet(now, Math::max);
                    if ("rate_limited".equals(session.getString("answer"))) {
                      attackAnswers429.incrementAndGet();
                    } else if ("LOCKED".equals(session.getString("answer"))) {
                      attackAnswersLocked.incrementAndGet();
                    }
                    return session;
                  })),
          // The verdict for this attacker: once more, at its first target; passes only if throttled or locked.
          http("final probe").post("/v1/authenticate")
              .body(StringBody(session -> wrongAttempt(session.set("n", 0), target(session.set("n", 0)))))
              .check(status().in(401, 429), regex("\"(rate_limited|LOCKED)\"").exists()));

  {
    setUp(
        legit.injectOpen(constantUsersPerSec(legitRate).during(durationSeconds)),
        attackers.injectOpen(atOnceUsers(attackerIps)))
        .protocols(Jeton.protocol(s, () -> clientSecret))
        .maxDuration(Duration.ofSeconds(Math.max(durationSeconds, (long) (attemptsPerIp / attackRatePerIp)) + 60))
        .assertions(
            details("legit").successfulRequests().percent().gte(legitMinSuccessPct),
            details("legit").responseTime().percentile(99.0).lt(legitP99Ms),
            details("legit").successfulRequests().count().gte((long) Math.floor(expectedLegit * legitMinSuccessPct / 100)),
            // Attackers only ever get 401 or 429, never an ACCEPT or an error.
            details("attacker", "attempt").successfulRequests().percent().gte(99.0),
            details("attacker", "attempt").allRequests().count().is((long) attackerIps * attemptsPerIp),
            // ...and every one of them ends throttled or locked.
            details("attacker", "final probe").successfulRequests().count().is((long) attackerIps));
  }

  /** Even attempts hit a real (victim) username, odd ones an unknown one; each attacker starts somewhere else. */
  private String target(Session session) {
    int a = session.getInt("attacker");
    int n = session.getInt("n");
    return n % 2 == 0
        ? Jeton.username(victimPrefix, Math.floorMod(a * 7919 + n / 2, victims))
        : ghostPrefix + a + "-" + n;
  }

  private String wrongAttempt(Session session, String username) {
    String code = String.format("%06d", ThreadLocalRandom.current().nextInt(1_000_000));
    return Jeton.json("username", username, "password", wrongPin + code, "clientIp", session.getString("ip"));
  }

  @Override
  public void before() {
    System.out.printf("CredentialStuffing run %s: legit %.1f users/s for %d s (%d provisioned), %d attacker addresses "
            + "(%s1..) x %d wrong passcodes at %.1f/s over %d victims and as many unknown names; assert legit OK >= "
            + "%.2f %%, p99 < %d ms, every attacker throttled or locked at the end%n", s.runId, legitRate,
        durationSeconds, legitUsers, attackerIps, attackNet, attemptsPerIp, attackRatePerIp, victims,
        legitMinSuccessPct, legitP99Ms);
    Provision p = new Provision(s);
    p.requireReady();
    clientSecret = p.client("loadtest-stuff-" + s.runId);
    p.users(Jeton.usernames(legitPrefix, legitUsers), "LT-stuff-" + s.runId + "-L", s.pin);
    p.users(Jeton.usernames(victimPrefix, victims), "LT-stuff-" + s.runId + "-V", s.pin);
  }

  @Override
  public void after() {
    System.out.printf("CredentialStuffing: attackers were answered 429 %d times and LOCKED %d times out of %d attempts%n",
        attackAnswers429.get(), attackAnswersLocked.get(), (long) attackerIps * attemptsPerIp);
    long first = attackFirstMillis.get();
    long last = attackLastMillis.get();
    long windowMillis = ipWindowSeconds * 1000L;
    if (first <= last && first / windowMillis != last / windowMillis) {
      // Jeton's per-IP count slides across these boundaries (it once restarted at each, which this run caught).
      System.out.printf("CredentialStuffing: the attack (%s to %s) spanned a boundary of Jeton's %d s per-IP "
              + "failure windows (%s); the count slides across it%n", Instant.ofEpochMilli(first),
          Instant.ofEpochMilli(last), ipWindowSeconds, Instant.ofEpochMilli(last / windowMillis * windowMillis));
    }
  }
}
