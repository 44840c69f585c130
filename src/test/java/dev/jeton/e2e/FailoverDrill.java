package dev.jeton.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.testsupport.Eventually;
import dev.jeton.testsupport.TestJeton;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A login rush against one Jeton node while its Redis fails over (issue 17): many users, each with
 * a TOTP token and a PIN, log in from {@value #CLIENTS} concurrent clients; every user is sent
 * again on 503 (or no answer) until a final answer; the test kills a Redis node in the middle and
 * tells the drill when ({@link #killed}); the drill records every answer (user, passcode, status,
 * decision, when sent and answered) and afterwards sends every accepted passcode once more ({@link
 * #replayAccepted}).
 *
 * <p>The node's clock stands still for the whole drill, so each user has one valid passcode from
 * start to end: a second ACCEPT of it would be a replay let through by the failover, not a new
 * code. Users arrive at a steady pace, one every {@value #PACE_MILLIS} ms, so that users whose code
 * no attempt has touched yet keep arriving while Redis recovers (a passcode whose commit reached a
 * master that then could not confirm it is consumed: its retries are refused); once every group of
 * users has an ACCEPT for a login sent after the kill, the rest arrive at once.
 *
 * <p>Not a test: {@link SentinelFailoverTest} and {@link ClusterFailoverTest} drive it.
 * Thread-safe: the clients record from their threads; the figures are read once {@link #finish} has
 * returned.
 */
final class FailoverDrill implements AutoCloseable {

  static final String PIN = "2580";

  /** Requests in flight at most: each client thread sends one at a time. */
  static final int CLIENTS = 32;

  static final long PACE_MILLIS = 25;
  static final long RETRY_MILLIS = 100;

  /**
   * Far above the node's store timeout (500 ms in tests): a request still unanswered after it is a
   * node that hangs, not one that is slow.
   */
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

  /**
   * The node's settings for a drill: every replay is a failure of 127.0.0.1, which would otherwise
   * soon be rate limited (429) instead of evaluated.
   */
  static final Map<String, String> NODE_SETTINGS = Map.of("JETON_IP_FAILURE_LIMIT", "10000000");

  /** One user of the drill and the one passcode it has for the whole drill. */
  record User(String name, String passcode) {}

  /**
   * One answer as a client saw it.
   *
   * @param status the HTTP status, or -1 when no answer came ({@code what} says why)
   * @param what {@code ACCEPT}, {@code REJECT INVALID_CREDENTIALS}, {@code unavailable} (the body's
   *     decision and reason, or error), or the body itself when it is none of these
   */
  record Answer(
      User user, boolean replay, long sentNanos, long answeredNanos, int status, String what) {

    boolean accepted() {
      return status == 200 && "ACCEPT".equals(what);
    }

    boolean rejected() {
      return status == 401 && "REJECT INVALID_CREDENTIALS".equals(what);
    }

    boolean unavailable() {
      return status == 503 && "unavailable".equals(what);
    }

    /** A 503 or no answer: the client cannot tell what happened, and tries again. */
    boolean inDoubt() {
      return status == 503 || status < 0;
    }

    @Override
    public String toString() {
      return user.name() + (replay ? " (replay)" : "") + " → " + status + " " + what;
    }
  }

  private final String loginUrl;
  private final String clientSecret;
  private final List<User> users;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private final ScheduledExecutorService clients = Executors.newScheduledThreadPool(CLIENTS);
  private final ScheduledExecutorService arrivals = Executors.newSingleThreadScheduledExecutor();
  private final ConcurrentLinkedQueue<User> waiting;
  private final ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
  private final AtomicInteger acceptedUsers = new AtomicInteger();
  private final AtomicInteger usersLeft;
  private final AtomicInteger replaysLeft = new AtomicInteger();
  private final Map<String, Answer> lastReplay = new ConcurrentHashMap<>();
  private final Map<String, Answer> lastAnswer = new ConcurrentHashMap<>();
  private final Map<String, Long> firstAcceptAfterKill = new ConcurrentHashMap<>();
  private volatile long deadlineNanos;
  private volatile long killNanos = Long.MAX_VALUE;
  private volatile Function<User, String> groupOf = u -> "all";
  private volatile Set<String> groups = Set.of("all");

  private FailoverDrill(TestJeton node, List<User> users) {
    this.loginUrl = "http://127.0.0.1:" + node.jeton.httpPort() + "/v1/authenticate";
    this.clientSecret = node.api.clientSecret();
    this.users = List.copyOf(users);
    this.waiting = new ConcurrentLinkedQueue<>(users);
    this.usersLeft = new AtomicInteger(users.size());
  }

  /**
   * Creates {@code count} users named {@code prefix0001}… in one bulk load, each with a SHA1/6/30
   * TOTP token and PIN {@value #PIN}, and works out each one's passcode by the node's clock, which
   * must then stand still until the drill is over.
   */
  static FailoverDrill provision(TestJeton node, String prefix, int count) {
    StringBuilder ndjson = new StringBuilder();
    List<byte[]> seeds = new ArrayList<>(count);
    for (int i = 1; i <= count; i++) {
      byte[] seed = TestJeton.seed();
      seeds.add(seed);
      String name = String.format("%s%04d", prefix, i);
      JsonObject token =
          new JsonObject()
              .put("serial", name.toUpperCase())
              .put("type", "totp")
              .put("algorithm", "SHA1")
              .put("digits", 6)
              .put("period", 30)
              .put("secret", TestJeton.base32(seed))
              .put("pin", PIN);
      ndjson.append(new JsonObject().put("username", name).put("token", token).encode());
      ndjson.append('\n');
    }
    var loaded =
        node.api.raw(
            "POST",
            "admin",
            "/v1/admin/bulk",
            "application/x-ndjson",
            ndjson.toString(),
            TestJeton.ADMIN_TOKEN);
    assertThat(loaded.status()).as("bulk load: %s", loaded.raw()).isEqualTo(200);
    assertThat(loaded.json().getInteger("created"))
        .as("bulk load: %s", loaded.raw())
        .isEqualTo(count);
    List<User> users = new ArrayList<>(count);
    for (int i = 1; i <= count; i++) {
      users.add(new User(String.format("%s%04d", prefix, i), PIN + node.code(seeds.get(i - 1))));
    }
    return new FailoverDrill(node, users);
  }

  List<User> users() {
    return users;
  }

  /**
   * Starts the rush: a user arrives every {@value #PACE_MILLIS} ms; each is sent again {@value
   * #RETRY_MILLIS} ms after a 503 or a missing answer, until a final answer or {@code within} from
   * now.
   */
  void start(Duration within) {
    deadlineNanos = System.nanoTime() + within.toNanos();
    arrivals.scheduleAtFixedRate(this::arrive, 0, PACE_MILLIS, TimeUnit.MILLISECONDS);
  }

  /** Waits until {@code count} users have been accepted. */
  void awaitAccepted(int count, Duration within) {
    Eventually.eventually(
        count + " users accepted (" + acceptedUsers.get() + " so far)",
        within,
        () -> acceptedUsers.get() >= count);
  }

  /**
   * Tells the drill that the fault happened (call it right after the signal, once the process is
   * gone), and how its users fall into groups whose recovery is measured apart (in Cluster: the
   * killed master's shard and the others).
   */
  void killed(Function<User, String> groups) {
    Set<String> named = new LinkedHashSet<>();
    users.forEach(u -> named.add(groups.apply(u)));
    this.groups = named;
    this.groupOf = groups;
    this.killNanos = System.nanoTime();
  }

  long killNanos() {
    return killNanos;
  }

  /** Waits until every user has its final answer (or the deadline of {@link #start} passed). */
  void finish() {
    Eventually.eventually(
        "every user answered for good (" + usersLeft.get() + " left)",
        Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime()))
            .plus(REQUEST_TIMEOUT)
            .plusSeconds(5),
        () -> usersLeft.get() == 0);
    arrivals.shutdownNow();
  }

  /**
   * Sends every passcode that was accepted during the drill once more (again on 503, until {@code
   * within}), and returns each one's final answer.
   */
  List<Answer> replayAccepted(Duration within) {
    List<User> accepted =
        drillAnswers().stream().filter(Answer::accepted).map(Answer::user).distinct().toList();
    long deadline = System.nanoTime() + within.toNanos();
    replaysLeft.set(accepted.size());
    accepted.forEach(u -> clients.execute(() -> attempt(u, true, deadline)));
    Eventually.eventually(
        "every replay answered for good (" + replaysLeft.get() + " left)",
        within.plus(REQUEST_TIMEOUT).plusSeconds(5),
        () -> replaysLeft.get() == 0);
    return accepted.stream().map(u -> lastReplay.get(u.name())).toList();
  }

  // ---- the figures ----

  List<Answer> answers() {
    return List.copyOf(answers);
  }

  List<Answer> drillAnswers() {
    return answers.stream().filter(a -> !a.replay()).toList();
  }

  int acceptedUsers() {
    return acceptedUsers.get();
  }

  long unavailableCount() {
    return drillAnswers().stream().filter(Answer::unavailable).count();
  }

  /**
   * How long after the kill the group's first ACCEPT of a login sent after it came; null when there
   * was none.
   */
  Duration firstAccept(String group) {
    return drillAnswers().stream()
        .filter(a -> a.accepted() && a.sentNanos() >= killNanos)
        .filter(a -> groupOf.apply(a.user()).equals(group))
        .map(a -> Duration.ofNanos(a.answeredNanos() - killNanos))
        .min(Duration::compareTo)
        .orElse(null);
  }

  /**
   * When the group answered ACCEPT again: the end of its longest stretch without an ACCEPT after
   * the kill (from the kill, or from an ACCEPT of a login sent after it, to the next such ACCEPT),
   * as time since the kill; null when no login sent after the kill was accepted.
   */
  Duration recovered(String group) {
    long[] stall = longestStall(group);
    return stall == null ? null : Duration.ofNanos(stall[1] - killNanos);
  }

  /**
   * The length of the stretch that {@link #recovered} ends; null when no login sent after the kill
   * was accepted.
   */
  Duration stall(String group) {
    long[] stall = longestStall(group);
    return stall == null ? null : Duration.ofNanos(stall[1] - stall[0]);
  }

  private long[] longestStall(String group) {
    List<Long> accepts =
        drillAnswers().stream()
            .filter(a -> a.accepted() && a.sentNanos() >= killNanos)
            .filter(a -> groupOf.apply(a.user()).equals(group))
            .map(Answer::answeredNanos)
            .sorted()
            .toList();
    if (accepts.isEmpty()) {
      return null;
    }
    long[] longest = {killNanos, accepts.get(0)};
    long previous = killNanos;
    for (long at : accepts) {
      if (at - previous > longest[1] - longest[0]) {
        longest = new long[] {previous, at};
      }
      previous = at;
    }
    return longest;
  }

  // ---- what every drill asserts ----

  /**
   * Every answer is one a portal may get in a failover: ACCEPT, REJECT (a code already consumed) or
   * 503; never a 500, a 429, a challenge or no answer at all (a node that hangs).
   */
  /**
   * What every drill asserts, whatever the topology: only legitimate answers, never two ACCEPTs for
   * one user, a REJECT only after a 503 for that passcode, every user answered for good, 503s after
   * the kill, and every passcode ACCEPTed (before the kill or after) refused when sent again.
   */
  void assertSafe(List<Answer> acceptedBeforeKill, List<Answer> replays) {
    assertEveryAnswerLegitimate();
    assertNoPasscodeAcceptedTwice();
    assertEveryRejectFollowsADoubt();
    assertEveryUserAnsweredForGood();
    assertThat(acceptedBeforeKill).as("ACCEPTs before the kill").isNotEmpty();
    assertThat(unavailableCount()).as("503s after the kill").isPositive();
    assertThat(replays)
        .as("every accepted passcode, sent again after the failover")
        .isNotEmpty()
        .allMatch(Answer::rejected);
  }

  void assertEveryAnswerLegitimate() {
    List<Answer> odd =
        answers().stream().filter(a -> !a.accepted() && !a.rejected() && !a.unavailable()).toList();
    assertThat(odd).as("answers other than ACCEPT, REJECT or 503").isEmpty();
  }

  /** No passcode was accepted twice, in the drill or in the replays. */
  void assertNoPasscodeAcceptedTwice() {
    Map<User, Long> accepts =
        answers().stream()
            .filter(Answer::accepted)
            // By user: two users' passcodes may be the same digits.
            .collect(Collectors.groupingBy(Answer::user, Collectors.counting()));
    Map<User, Long> twice = new HashMap<>(accepts);
    twice.values().removeIf(n -> n < 2);
    assertThat(twice).as("passcodes accepted more than once").isEmpty();
  }

  /**
   * A user's own passcode is refused in the drill only after an attempt of it was answered 503 (or
   * not at all): that attempt consumed it on a master that could not confirm it. Any other REJECT
   * would be a right passcode refused.
   */
  void assertEveryRejectFollowsADoubt() {
    Map<String, List<Answer>> byUser = new HashMap<>();
    drillAnswers()
        .forEach(a -> byUser.computeIfAbsent(a.user().name(), k -> new ArrayList<>()).add(a));
    List<Answer> unexplained = new ArrayList<>();
    byUser
        .values()
        .forEach(
            mine -> {
              mine.sort(Comparator.comparingLong(Answer::sentNanos));
              boolean doubt = false;
              for (Answer a : mine) {
                if (a.rejected() && !doubt) {
                  unexplained.add(a);
                }
                doubt |= a.inDoubt();
              }
            });
    assertThat(unexplained).as("REJECTs of a passcode never sent before").isEmpty();
  }

  /** Every user ended with ACCEPT or REJECT: none was still refused (503) at the deadline. */
  void assertEveryUserAnsweredForGood() {
    assertThat(lastAnswer).as("users with a final answer").hasSize(users.size());
    assertThat(lastAnswer.values())
        .as("users still in doubt at the deadline")
        .filteredOn(Answer::inDoubt)
        .isEmpty();
  }

  // ---- for the tests around the drill ----

  /** A user with a TOTP token whose PIN is {@value #PIN}; returns the token's seed. */
  static byte[] userWithPin(TestJeton node, String username) {
    byte[] seed = TestJeton.seed();
    node.user(username, null);
    node.token(username.toUpperCase(), seed, PIN);
    TestJeton.expect(
        node.api.admin(
            "PUT", "/v1/admin/users/" + username + "/tokens/" + username.toUpperCase(), null),
        200);
    return seed;
  }

  /** The body of a login. */
  static JsonObject login(String username, String password) {
    return new JsonObject().put("username", username).put("password", password);
  }

  /** {@code jeton_redis_replica_acks_failed_total} as the node's metrics listener tells it. */
  static double replicaAcksFailed(TestJeton node) {
    String scrape =
        TestJeton.expect(node.api.raw("GET", "admin", "/metrics", null, null, null), 200).raw();
    return scrape
        .lines()
        .filter(l -> l.startsWith("jeton_redis_replica_acks_failed_total"))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }

  /** A duration as seconds with one decimal, {@code "2.8 s"}; {@code "never"} for null. */
  static String seconds(Duration d) {
    return d == null
        ? "never"
        : String.format(java.util.Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
  }

  @Override
  public void close() {
    arrivals.shutdownNow();
    clients.shutdownNow();
    try {
      clients.awaitTermination(REQUEST_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---- the clients ----

  private void arrive() {
    if (recoveredEverywhere()) {
      for (User u = waiting.poll(); u != null; u = waiting.poll()) {
        User user = u;
        clients.execute(() -> attempt(user, false, deadlineNanos));
      }
      arrivals.shutdown();
      return;
    }
    User u = waiting.poll();
    if (u == null) {
      arrivals.shutdown();
      return;
    }
    clients.execute(() -> attempt(u, false, deadlineNanos));
  }

  private boolean recoveredEverywhere() {
    return killNanos != Long.MAX_VALUE && firstAcceptAfterKill.keySet().containsAll(groups);
  }

  private void attempt(User u, boolean replay, long deadline) {
    Answer a = send(u, replay);
    answers.add(a);
    if (a.inDoubt() && System.nanoTime() - deadline < 0) {
      clients.schedule(() -> attempt(u, replay, deadline), RETRY_MILLIS, TimeUnit.MILLISECONDS);
      return;
    }
    if (replay) {
      lastReplay.put(u.name(), a);
      replaysLeft.decrementAndGet();
      return;
    }
    lastAnswer.put(u.name(), a);
    if (a.accepted()) {
      acceptedUsers.incrementAndGet();
      if (a.sentNanos() >= killNanos) {
        firstAcceptAfterKill.putIfAbsent(groupOf.apply(u), a.answeredNanos());
      }
    }
    usersLeft.decrementAndGet();
  }

  private Answer send(User u, boolean replay) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(loginUrl))
            .timeout(REQUEST_TIMEOUT)
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + clientSecret)
            .POST(HttpRequest.BodyPublishers.ofString(login(u.name(), u.passcode()).encode()))
            .build();
    long sent = System.nanoTime();
    try {
      HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
      return new Answer(u, replay, sent, System.nanoTime(), r.statusCode(), what(r.body()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Answer(u, replay, sent, System.nanoTime(), -1, "interrupted");
    } catch (Exception e) {
      return new Answer(u, replay, sent, System.nanoTime(), -1, "no answer: " + e);
    }
  }

  private static String what(String body) {
    try {
      JsonObject json = new JsonObject(body);
      if (json.containsKey("decision")) {
        String reason = json.getString("reason");
        return json.getString("decision") + (reason == null ? "" : " " + reason);
      }
      if (json.containsKey("error") && json.size() == 1) {
        return json.getString("error");
      }
    } catch (RuntimeException notJson) {
      // reported whole below
    }
    return body;
  }
}
