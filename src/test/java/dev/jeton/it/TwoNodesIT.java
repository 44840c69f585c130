package dev.jeton.it;

import static dev.jeton.testsupport.TestJeton.expect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.otp.Hotp;
import dev.jeton.otp.OtpAlgorithm;
import dev.jeton.otp.Totp;
import dev.jeton.policy.PinPolicy;
import dev.jeton.testsupport.Api;
import dev.jeton.testsupport.Api.Resp;
import dev.jeton.testsupport.JetonJar;
import dev.jeton.testsupport.RedisServer;
import dev.jeton.testsupport.TestJeton;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 17 point 6: two packaged Jeton nodes sharing nothing but one real Redis, behind a client
 * that sends each login to A or B in turn and fails over to B when A cannot be reached.
 *
 * <ul>
 *   <li>A replay race split across both nodes (the same right passcode, twenty times at once, half
 *       to each) gives exactly one ACCEPT.
 *   <li>Node A killed with SIGKILL in the middle of a load: B goes on accepting, and every ACCEPT
 *       any client received has its audit record, read from B, with the request id the client sent;
 *       so does an ACCEPT that A committed and never got to send. The commit that consumes a code
 *       writes its audit record in the same Lua script, so the kill cannot lose it.
 * </ul>
 *
 * The jars run on the real clock: codes come from the project's own {@link Totp} on the system
 * clock. Each user of the load logs in once, so that no two logins of one user meet in one TOTP
 * step; the race has users of its own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(150)
class TwoNodesIT {

  private static final String ADMIN_TOKEN = "two-nodes-admin-token-0123456789";
  private static final String CLIENT = "portal-two-nodes";
  private static final int RACE_USERS = 6;
  private static final int RACE_REQUESTS = 20;
  private static final int LOAD_USERS = 900;
  private static final int CLIENTS = 12;

  /** A is killed once this many logins of the load were accepted. */
  private static final int ACCEPTS_BEFORE_KILL = LOAD_USERS / 3;

  /** Bounds for a machine shared with other test runs: generous, never reached when all is well. */
  private static final Duration LOAD_TIMEOUT = Duration.ofSeconds(45);

  private static final long ANSWER_TIMEOUT_SECONDS = 40;

  /** A killed JVM's exit status as Java reports it on Linux: 128 + SIGKILL (9). */
  private static final int KILLED = 137;

  private final Totp totp =
      new Totp(new Hotp(OtpAlgorithm.SHA1, 6), Duration.ofSeconds(30), Clock.systemUTC());
  private final SecureRandom random = new SecureRandom();
  private final List<Holder> raceUsers = new ArrayList<>();
  private final List<Holder> loadUsers = new ArrayList<>();
  private JetonJar a;
  private JetonJar b;
  private Api apiA;
  private Api apiB;

  /** A user of this test: the key and PIN it was given. */
  private record Holder(String username, String serial, String pin, byte[] seed) {}

  /**
   * One request of a login to one node: its request id, when it left and when it ended (nanoTime),
   * and the answer, or the failure to get one.
   */
  private record Attempt(
      String node, String requestId, long sentAt, long doneAt, Resp resp, Throwable failure) {

    boolean accepted() {
      return resp != null && resp.status() == 200 && "ACCEPT".equals(resp.str("decision"));
    }

    boolean rejected() {
      return resp != null && resp.status() == 401 && "REJECT".equals(resp.str("decision"));
    }
  }

  /** One login of the load: the passcode typed, the attempt on the first node, then on B. */
  private record Login(Holder user, String passcode, List<Attempt> attempts) {

    Attempt last() {
      return attempts.get(attempts.size() - 1);
    }
  }

  @BeforeAll
  void startTwoNodesAndProvision() throws Exception {
    RedisServer redis = RedisServer.shared();
    byte[] masterKey = new byte[32];
    random.nextBytes(masterKey);
    Map<String, String> env =
        Map.of(
            "JETON_REDIS_URL", redis.url(),
            "JETON_REDIS_NAMESPACE", redis.freshNamespace(),
            "JETON_MASTER_KEY", Base64.getEncoder().encodeToString(masterKey),
            "JETON_ADMIN_TOKEN", ADMIN_TOKEN,
            // Every client of this test comes from 127.0.0.1: the race's nineteen REJECTs a user
            // must not turn into 429s for the logins that follow.
            "JETON_IP_FAILURE_LIMIT", "100000");
    CompletableFuture<JetonJar> startA = CompletableFuture.supplyAsync(() -> start("node-a", env));
    CompletableFuture<JetonJar> startB = CompletableFuture.supplyAsync(() -> start("node-b", env));
    a = startA.get(2 * JetonJar.START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    b = startB.get(2 * JetonJar.START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    apiA = new Api(a.httpPort(), a.adminPort(), ADMIN_TOKEN);
    apiB = new Api(b.httpPort(), b.adminPort(), ADMIN_TOKEN);

    // Everything is provisioned through A's admin API; B knows it from Redis alone.
    String secret =
        expect(apiA.admin("PUT", "/v1/admin/clients/" + CLIENT, new JsonObject()), 200)
            .str("secret");
    apiA.clientSecret(secret);
    apiB.clientSecret(secret);
    PinPolicy pins = new PinPolicy(4, 4, true);
    StringBuilder ndjson = new StringBuilder();
    for (int i = 0; i < RACE_USERS + LOAD_USERS; i++) {
      boolean race = i < RACE_USERS;
      String name = race ? "race-" + i : "load-" + (i - RACE_USERS);
      String pin;
      do {
        pin = String.format("%04d", random.nextInt(10_000));
      } while (pins.refusal(pin) != null);
      Holder h = new Holder(name, "TN-" + name.toUpperCase(), pin, TestJeton.seed());
      (race ? raceUsers : loadUsers).add(h);
      ndjson
          .append(
              new JsonObject()
                  .put("username", h.username())
                  .put(
                      "token",
                      new JsonObject()
                          .put("serial", h.serial())
                          .put("type", "totp")
                          .put("algorithm", "SHA1")
                          .put("digits", 6)
                          .put("period", 30)
                          .put("secret", TestJeton.base32(h.seed()))
                          .put("pin", h.pin()))
                  .encode())
          .append('\n');
    }
    Resp bulk =
        expect(
            apiA.raw(
                "POST",
                "admin",
                "/v1/admin/bulk",
                "application/x-ndjson",
                ndjson.toString(),
                ADMIN_TOKEN),
            200);
    assertThat(bulk.json().getInteger("created")).as(bulk.raw()).isEqualTo(RACE_USERS + LOAD_USERS);
    assertThat(bulk.json().getJsonArray("failed")).as(bulk.raw()).isEmpty();
  }

  @AfterAll
  void stopNodes() {
    if (a != null) {
      a.stop();
    }
    if (b != null) {
      b.stop();
    }
  }

  @Test
  @Order(1)
  void aReplayRaceSplitAcrossBothNodesGivesExactlyOneAccept() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(RACE_REQUESTS);
    try {
      for (Holder user : raceUsers) {
        String passcode = user.pin() + totp.generate(user.seed(), totp.currentStep());
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Attempt>> sent = new ArrayList<>();
        for (int i = 0; i < RACE_REQUESTS; i++) {
          boolean toA = i % 2 == 0;
          String requestId = "tn-" + user.username() + "-" + i;
          sent.add(
              pool.submit(
                  () -> {
                    go.await();
                    return send(toA ? "A" : "B", toA ? apiA : apiB, user, passcode, requestId);
                  }));
        }
        go.countDown();
        List<Attempt> race = new ArrayList<>();
        for (Future<Attempt> f : sent) {
          race.add(f.get(ANSWER_TIMEOUT_SECONDS + 5, TimeUnit.SECONDS));
        }

        List<Attempt> accepts = race.stream().filter(Attempt::accepted).toList();
        List<Attempt> rejects = race.stream().filter(Attempt::rejected).toList();
        assertThat(race)
            .as("every request of the race on %s was answered", user.username())
            .allSatisfy(at -> assertThat(at.failure()).as(at.requestId()).isNull());
        assertThat(accepts).as("ACCEPTs of the race on %s: %s", user.username(), race).hasSize(1);
        assertThat(rejects)
            .as("the other answers of the race on %s: %s", user.username(), race)
            .hasSize(RACE_REQUESTS - 1);
        Attempt winner = accepts.get(0);
        System.out.printf(
            "race %s: 1 ACCEPT (node %s, %s), %d REJECT (%d on A, %d on B)%n",
            user.username(),
            winner.node(),
            winner.requestId(),
            rejects.size(),
            rejects.stream().filter(at -> at.node().equals("A")).count(),
            rejects.stream().filter(at -> at.node().equals("B")).count());

        // Its audit: one ACCEPT, the one answered, whichever node is asked.
        for (Api api : List.of(apiA, apiB)) {
          List<JsonObject> recorded = acceptsAudited(api, user);
          assertThat(recorded)
              .as("the ACCEPT records of %s", user.username())
              .singleElement()
              .satisfies(e -> assertThat(e.getString("requestId")).isEqualTo(winner.requestId()));
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  @Order(2)
  void aNodeKilledMidLoadLeavesTheOtherAcceptingAndLosesNoAcceptsAuditRecord() throws Exception {
    long loadStart = System.nanoTime();
    long deadline = loadStart + LOAD_TIMEOUT.toNanos();
    List<Login> logins = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger next = new AtomicInteger();
    CountDownLatch enoughAccepted = new CountDownLatch(ACCEPTS_BEFORE_KILL);
    ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
    List<Future<?>> running = new ArrayList<>();
    for (int c = 0; c < CLIENTS; c++) {
      running.add(
          clients.submit(
              () -> {
                int i;
                while (System.nanoTime() < deadline
                    && (i = next.getAndIncrement()) < loadUsers.size()) {
                  Login login = login(loadUsers.get(i), i % 2 == 0);
                  logins.add(login);
                  if (login.last().accepted()) {
                    enoughAccepted.countDown();
                  }
                }
                return null;
              }));
    }

    assertThat(enoughAccepted.await(LOAD_TIMEOUT.toSeconds(), TimeUnit.SECONDS))
        .as("%d ACCEPTs before the kill, within %s", ACCEPTS_BEFORE_KILL, LOAD_TIMEOUT)
        .isTrue();
    long killAt = System.nanoTime();
    a.kill();
    long killedAt = System.nanoTime();
    for (Future<?> f : running) {
      f.get(LOAD_TIMEOUT.toSeconds() + ANSWER_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }
    clients.shutdown();
    long loadEnd = System.nanoTime();

    assertThat(a.exitCode(1_000)).as("A's exit status: killed, not stopped").isEqualTo(KILLED);
    assertThat(a.output()).as("A ran no graceful shutdown").doesNotContain("\"stopping\"");
    assertThat(logins).as("logins of the load made within %s", LOAD_TIMEOUT).hasSize(LOAD_USERS);

    // ---- what the clients received ----
    int acceptedBeforeKill = 0;
    int acceptedByABeforeKill = 0;
    int acceptedAfterKill = 0;
    int failedOver = 0;
    int sentBeforeKillAndLost = 0;
    List<Login> inFlightAtKill = new ArrayList<>();
    List<Login> replayedAfterFailover = new ArrayList<>();
    for (Login login : logins) {
      String who = login.user().username() + " " + login.attempts();
      for (Attempt at : login.attempts()) {
        assertThat(at.resp() == null || at.resp().status() < 500)
            .as("no 5xx answer: %s", who)
            .isTrue();
        if (at.failure() != null) {
          assertThat(at.node()).as("only A fails to answer: %s", who).isEqualTo("A");
          assertThat(at.doneAt()).as("A failed only once killed: %s", who).isGreaterThan(killAt);
        }
      }
      Attempt first = login.attempts().get(0);
      if (first.failure() != null) {
        failedOver++;
        assertThat(login.attempts()).as("failed over to B: %s", who).hasSize(2);
      }
      // A request A may have read before it died may have been committed there, unanswered: B
      // then rightly rejects its code as used. Any other login has a fresh code and must pass.
      boolean inFlight = first.failure() != null && first.sentAt() < killedAt;
      if (inFlight) {
        inFlightAtKill.add(login);
      }
      if (first.failure() != null && first.sentAt() < killAt) {
        sentBeforeKillAndLost++;
      }
      Attempt last = login.last();
      if (inFlight && last.rejected()) {
        replayedAfterFailover.add(login);
      } else {
        assertThat(last.accepted()).as("ACCEPT for a fresh code: %s", who).isTrue();
      }
      if (last.accepted()) {
        if (last.doneAt() < killAt) {
          acceptedBeforeKill++;
          acceptedByABeforeKill += last.node().equals("A") ? 1 : 0;
        } else if (last.doneAt() > killedAt) {
          acceptedAfterKill++;
          assertThat(last.node()).as("after the kill only B answers: %s", who).isEqualTo("B");
        }
      }
    }
    assertThat(sentBeforeKillAndLost)
        .as("requests A had when it was killed and never answered: at most one per client")
        .isLessThanOrEqualTo(CLIENTS);
    assertThat(acceptedByABeforeKill).as("A accepted before the kill").isPositive();
    assertThat(acceptedAfterKill)
        .as("B goes on accepting after the kill")
        .isGreaterThanOrEqualTo(LOAD_USERS / 3);

    // ---- every ACCEPT has its audit record, read from B ----
    ExecutorService readers = Executors.newFixedThreadPool(CLIENTS);
    List<Callable<Integer>> checks = new ArrayList<>();
    for (Login login : logins) {
      checks.add(() -> checkAudit(login));
    }
    int audited = 0;
    try {
      for (Future<Integer> f : readers.invokeAll(checks, 60, TimeUnit.SECONDS)) {
        audited += get(f);
      }
    } finally {
      readers.shutdownNow();
    }
    assertThat(audited).as("ACCEPT records of the load's users").isEqualTo(LOAD_USERS);
    assertThat(apiB.raw("GET", "admin", "/health/ready", null, null, null).status())
        .as("B is ready")
        .isEqualTo(200);

    System.out.printf(
        "load: %d logins in %d ms (%d clients), A killed after %d ms;"
            + " ACCEPTs before the kill %d (A %d, B %d), after the kill %d (all B);"
            + " failed over to B %d, of which in flight at A when it died %d,"
            + " rejected by B as already used %d; ACCEPT records found on B %d%n",
        logins.size(),
        (loadEnd - loadStart) / 1_000_000,
        CLIENTS,
        (killAt - loadStart) / 1_000_000,
        acceptedBeforeKill,
        acceptedByABeforeKill,
        acceptedBeforeKill - acceptedByABeforeKill,
        acceptedAfterKill,
        failedOver,
        inFlightAtKill.size(),
        replayedAfterFailover.size(),
        audited);
  }

  // ---- the client ----

  /** One login of the load, to A or B, failing over to B when A cannot be reached. */
  private Login login(Holder user, boolean toA) {
    String passcode = user.pin() + totp.generate(user.seed(), totp.currentStep());
    String id = "tn-" + user.username();
    List<Attempt> attempts = new ArrayList<>(2);
    Attempt first =
        toA ? send("A", apiA, user, passcode, id + "-a") : send("B", apiB, user, passcode, id);
    attempts.add(first);
    if (toA && first.failure() != null) {
      attempts.add(send("B", apiB, user, passcode, id + "-b"));
    }
    return new Login(user, passcode, attempts);
  }

  private Attempt send(String node, Api api, Holder user, String passcode, String requestId) {
    JsonObject fields = new JsonObject().put("username", user.username()).put("password", passcode);
    long sentAt = System.nanoTime();
    try {
      Resp r =
          api.authenticateAsync(fields, requestId).get(ANSWER_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      return new Attempt(node, requestId, sentAt, System.nanoTime(), r, null);
    } catch (ExecutionException e) {
      return new Attempt(node, requestId, sentAt, System.nanoTime(), null, e.getCause());
    } catch (Exception e) {
      return new Attempt(node, requestId, sentAt, System.nanoTime(), null, e);
    }
  }

  // ---- the audit ----

  /**
   * Checks the login's user has exactly one ACCEPT record, B asked: the ACCEPT the client received,
   * by its request id, or, when B rejected a code A had used, the one A committed before it died.
   *
   * @return the ACCEPT records found (1)
   */
  private int checkAudit(Login login) {
    List<JsonObject> recorded = acceptsAudited(apiB, login.user());
    assertThat(recorded)
        .as("ACCEPT records of %s after %s", login.user().username(), login.attempts())
        .hasSize(1);
    Attempt last = login.last();
    String expected = last.accepted() ? last.requestId() : login.attempts().get(0).requestId();
    JsonObject e = recorded.get(0);
    assertThat(e.getString("requestId")).as("record %s", e).isEqualTo(expected);
    assertThat(e.getString("tokenSerial")).as("record %s", e).isEqualTo(login.user().serial());
    assertThat(e.getString("method")).as("record %s", e).isEqualTo("otp");
    assertThat(e.getString("client")).as("record %s", e).isEqualTo(CLIENT);
    return recorded.size();
  }

  /**
   * The user's ACCEPT records, read once: an ACCEPT's record is written with the commit that
   * decided it, before the answer leaves, so there is nothing to wait for.
   */
  private static List<JsonObject> acceptsAudited(Api api, Holder user) {
    Resp r = api.adminGet("/v1/admin/audit?username=" + user.username() + "&limit=100");
    assertThat(r.status()).as("GET the audit of %s: %s", user.username(), r.raw()).isEqualTo(200);
    JsonArray events = r.json().getJsonArray("events");
    assertThat(events.size())
        .as("the whole trail of %s fits one page", user.username())
        .isLessThan(100);
    return IntStream.range(0, events.size())
        .mapToObj(events::getJsonObject)
        .filter(e -> "ACCEPT".equals(e.getString("decision")))
        .toList();
  }

  private static JetonJar start(String name, Map<String, String> env) {
    return JetonJar.start(name, env).requireStarted();
  }

  private static int get(Future<Integer> f) throws InterruptedException {
    try {
      return f.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof AssertionError failed) {
        throw failed;
      }
      throw new IllegalStateException(e.getCause());
    }
  }
}
