package dev.jeton.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.testsupport.Api;
import dev.jeton.testsupport.Eventually;
import dev.jeton.testsupport.RedisServer;
import dev.jeton.testsupport.TestJeton;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The bulk load as a job, over plain HTTP against an in-process Jeton on a real Redis: the upload
 * answers at once with the job's page, whose state rises chunk by chunk to the file's line count
 * and ends with the result page; the job is its session's alone; an operator runs at most two at
 * once; the load is audited once, when it ends.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleBulkProgressTest {

  private static final String PIN = "2580";
  private static final String JOB = "/console/bulk/jobs/[A-Za-z0-9_-]{22}";

  private final HttpClient http = ConsoleVisitor.newHttpClient();
  private final Map<String, byte[]> seeds = new java.util.HashMap<>();
  private TestJeton j;

  @BeforeAll
  void start() {
    j = TestJeton.start(RedisServer.shared().url(), Map.of());
  }

  @AfterAll
  void stop() {
    j.close();
  }

  /**
   * A new session of {@code username}, made an operator with {@code role} the first time; a second
   * session waits for the next code (a code signs in once).
   */
  private ConsoleVisitor signedIn(String username, String role) {
    byte[] seed = seeds.get(username);
    if (seed != null) {
      j.clock.advanceSeconds(30);
    } else {
      seed = ConsoleVisitor.makeOperator(j, username, role, PIN);
      seeds.put(username, seed);
    }
    ConsoleVisitor v = new ConsoleVisitor(http, "http://127.0.0.1:" + j.jeton.adminPort());
    HttpResponse<String> r = v.signIn(username, PIN + j.code(seed));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(303);
    return v;
  }

  /**
   * {@code lines} lines of users named {@code prefix.N}, one in 25 with a password (hashed on
   * worker threads: it gives the chunks some weight), line 1234 not JSON and line 4321 a bad name
   * when the file is that long.
   */
  private static byte[] ndjson(String prefix, int lines) {
    StringBuilder b = new StringBuilder();
    for (int n = 1; n <= lines; n++) {
      if (n == 1234) {
        b.append("not json\n");
      } else if (n == 4321) {
        b.append("{\"username\":\"bad name\"}\n");
      } else {
        b.append("{\"username\":\"").append(prefix).append('.').append(n).append('"');
        if (n % 25 == 0) {
          b.append(",\"password\":\"pw-").append(n).append("-long-enough\"");
        }
        b.append("}\n");
      }
    }
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static HttpResponse<String> upload(ConsoleVisitor v, String reason, byte[] file) {
    HttpResponse<String> form = v.get("/console/bulk");
    assertThat(form.statusCode()).as(form.body()).isEqualTo(200);
    return v.multipart(
        "/console/bulk", Map.of("csrf", v.fields.get("csrf"), "reason", reason), "ndjson", file);
  }

  private static JsonObject state(ConsoleVisitor v, String job) {
    HttpResponse<String> r = v.get(job + "/state");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
    return new JsonObject(r.body());
  }

  /** Polls the job's state until it has ended; returns every state read, in order. */
  private static List<JsonObject> follow(ConsoleVisitor v, String job) {
    List<JsonObject> seen = new ArrayList<>();
    Eventually.eventually(
        "the job ends",
        Duration.ofSeconds(90),
        () -> {
          JsonObject s = state(v, job);
          seen.add(s);
          return s.getBoolean("ended");
        });
    return seen;
  }

  private long audited(String reason, String operator) {
    Api.Resp audit = j.api.adminGet("/v1/admin/audit?limit=200");
    return audit.json().getJsonArray("events").stream()
        .map(o -> (JsonObject) o)
        .filter(e -> reason.equals(e.getString("reason")))
        .filter(e -> ("@console:" + operator).equals(e.getString("client")))
        .count();
  }

  @Test
  void aLargeFileRunsAsAJobWhoseProgressRisesToItsTotalThenShowsTheFailedLinesAuditedOnce()
      throws InterruptedException {
    ConsoleVisitor v = signedIn("bulkjob.admin", "admin");

    HttpResponse<String> r = upload(v, "CHG-500", ndjson("pj", 5000));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(303);
    String job = v.location();
    assertThat(job).matches(JOB);
    HttpResponse<String> page = v.get(job);
    assertThat(page.statusCode()).isEqualTo(200);
    if ("bulk-job".equals(v.page())) {
      assertThat(page.body())
          .contains(
              "<progress id=\"progress\" max=\"5000\"",
              "data-state=\"" + job + "/state\"",
              "<label for=\"progress\">",
              "role=\"status\"",
              "<a id=\"refresh\" href=\"" + job + "\">",
              "<script src=\"/console/static/bulk.js\" defer></script>")
          .doesNotContain("http-equiv");
      assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow())
          .contains("script-src 'self'", "connect-src 'self'")
          .doesNotContain("unsafe-inline");
    }

    List<JsonObject> seen = follow(v, job);

    List<Integer> processed = seen.stream().map(s -> s.getInteger("processed")).toList();
    assertThat(processed).isSorted();
    assertThat(processed.get(0)).isLessThan(5000);
    assertThat(processed.get(processed.size() - 1)).isEqualTo(5000);
    assertThat(seen)
        .allSatisfy(
            s -> {
              assertThat(s.getInteger("total")).isEqualTo(5000);
              assertThat(s.getInteger("applied") + s.getInteger("failed"))
                  .isEqualTo(s.getInteger("processed"));
            });
    JsonObject last = seen.get(seen.size() - 1);
    assertThat(last.getInteger("applied")).isEqualTo(4998);
    assertThat(last.getInteger("failed")).isEqualTo(2);
    assertThat(last.getString("text")).contains("5000", "4998");

    HttpResponse<String> result = v.get(job);
    assertThat(result.statusCode()).as(result.body()).isEqualTo(200);
    assertThat(v.page()).isEqualTo("bulk-result");
    assertThat(result.body())
        .contains(
            "4998 ligne(s) appliquée(s), 2 en échec.",
            "<tr><td>1234</td><td>not a JSON object</td></tr>",
            "<tr><td>4321</td><td>username must be")
        .doesNotContain("bulk.js");
    TestJeton.expect(j.api.adminGet("/v1/admin/users/pj.4999"), 200);
    Eventually.eventually(
        "the load audited", () -> audited("bulk_load:applied=4998,failed=2", "bulkjob.admin") > 0);
    // Reading the result again does not audit the load again.
    assertThat(v.get(job).statusCode()).isEqualTo(200);
    Thread.sleep(300);
    assertThat(audited("bulk_load:applied=4998,failed=2", "bulkjob.admin")).isEqualTo(1);
    Api.Resp audit = j.api.adminGet("/v1/admin/audit?limit=200");
    assertThat(
            audit.json().getJsonArray("events").stream()
                .map(o -> (JsonObject) o)
                .filter(e -> "@console:bulkjob.admin".equals(e.getString("client")))
                .filter(e -> e.getString("reason").startsWith("bulk_load"))
                .map(e -> e.getString("note"))
                .toList())
        .containsExactly("CHG-500");
  }

  @Test
  void aJobIsItsSessionsAloneAnotherOperatorOrSessionGetsNotFound() {
    ConsoleVisitor owner = signedIn("bulkjob.owner", "admin");
    HttpResponse<String> r = upload(owner, "CHG-501", ndjson("own", 1500));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(303);
    String job = owner.location();

    ConsoleVisitor other = signedIn("bulkjob.other", "admin");
    ConsoleVisitor sameOperatorOtherSession = signedIn("bulkjob.owner", "admin");
    for (ConsoleVisitor stranger : List.of(other, sameOperatorOtherSession)) {
      for (String path : List.of(job, job + "/state")) {
        HttpResponse<String> seen = stranger.get(path);
        assertThat(seen.statusCode()).as(path).isEqualTo(404);
        assertThat(ConsoleVisitor.page(seen)).isEqualTo("not-found");
        assertThat(seen.body()).doesNotContain("progress", "bulk.js", "CHG-501");
      }
    }
    assertThat(other.get("/console/bulk/jobs/AAAAAAAAAAAAAAAAAAAAAA").statusCode()).isEqualTo(404);
    // No session at all: the sign-in page, as for every console page.
    HttpResponse<String> none =
        new ConsoleVisitor(http, "http://127.0.0.1:" + j.jeton.adminPort()).get(job + "/state");
    assertThat(none.statusCode()).isEqualTo(303);
    assertThat(none.headers().firstValue("Location")).hasValue("/console/login");

    follow(owner, job);
    assertThat(owner.get(job).statusCode()).isEqualTo(200);
    assertThat(owner.page()).isEqualTo("bulk-result");
    assertThat(other.get(job).statusCode()).isEqualTo(404);
  }

  @Test
  void theProgressScriptIsAFileOfTheConsolesOwnServedAsJavaScript() {
    HttpResponse<String> r =
        new ConsoleVisitor(http, "http://127.0.0.1:" + j.jeton.adminPort())
            .get("/console/static/bulk.js");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("text/javascript; charset=utf-8");
    assertThat(r.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    assertThat(r.body()).contains("dataset.state", "window.location.reload()");
  }

  @Test
  void aHelpdeskOperatorGetsTheForbiddenPageForAJob() {
    ConsoleVisitor admin = signedIn("bulkjob.chef", "admin");
    HttpResponse<String> r = upload(admin, "CHG-502", ndjson("hdj", 10));
    String job = admin.location();
    assertThat(r.statusCode()).isEqualTo(303);
    ConsoleVisitor helpdesk = signedIn("bulkjob.helpdesk", "helpdesk");

    assertThat(helpdesk.get(job).statusCode()).isEqualTo(403);
    assertThat(helpdesk.get(job + "/state").statusCode()).isEqualTo(403);
    follow(admin, job);
  }

  @Test
  void aThirdLoadWhileTwoRunIsRefusedOnTheForm() {
    ConsoleVisitor v = signedIn("bulkjob.busy", "admin");
    // A password a line, each hashed on a worker thread: both loads still run when the third comes.
    HttpResponse<String> r1 = upload(v, "CHG-503", heavy("busy1", 600));
    String first = v.location();
    HttpResponse<String> r2 = upload(v, "CHG-504", heavy("busy2", 600));
    String second = v.location();
    HttpResponse<String> third = upload(v, "CHG-505", heavy("busy3", 10));

    assertThat(r1.statusCode()).isEqualTo(303);
    assertThat(r2.statusCode()).isEqualTo(303);
    assertThat(third.statusCode()).as(third.body()).isEqualTo(429);
    assertThat(ConsoleVisitor.page(third)).isEqualTo("bulk");
    assertThat(third.body()).contains("id=\"error\"", "déjà 2 chargements en cours");
    follow(v, first);
    follow(v, second);
    assertThat(upload(v, "CHG-506", heavy("busy4", 3)).statusCode()).isEqualTo(303);
    follow(v, v.location());
    TestJeton.expect(j.api.adminGet("/v1/admin/users/busy3.1"), 404);
  }

  private static byte[] heavy(String prefix, int lines) {
    StringBuilder b = new StringBuilder();
    for (int n = 1; n <= lines; n++) {
      b.append("{\"username\":\"")
          .append(prefix)
          .append('.')
          .append(n)
          .append("\",\"password\":\"pw-")
          .append(n)
          .append("-long-enough\"}\n");
    }
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }
}
