package dev.jeton.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.testsupport.Api;
import dev.jeton.testsupport.Eventually;
import dev.jeton.testsupport.TestJeton;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The admins' upload pages over plain HTTP against an in-process Jeton (embedded store): a vendor's
 * PSKC file imported with its transport key and reported, a wrong key reported key by key or
 * refused as a whole; an NDJSON bulk load applied (as a job) with its failed lines reported;
 * uploads audited with the operator's reason, helpdesk operators and forms from elsewhere refused.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleImportPageTest {

  private static final String PIN = "2580";

  /** RFC 6030 figure 6: one HOTP key, serial 987654321, under this AES-128 pre-shared key. */
  private static final String FIGURE6 = "rfc6030-figure6-aes128-preshared.xml";

  private static final String FIGURE6_KEY = "12345678901234567890123456789012";

  private final HttpClient http = ConsoleVisitor.newHttpClient();
  private TestJeton j;

  @BeforeAll
  void start() {
    j = TestJeton.start(null, Map.of());
  }

  @AfterAll
  void stop() {
    j.close();
  }

  private ConsoleVisitor signedIn(String username, String role) {
    byte[] seed = ConsoleVisitor.makeOperator(j, username, role, PIN);
    ConsoleVisitor v = new ConsoleVisitor(http, "http://127.0.0.1:" + j.jeton.adminPort());
    HttpResponse<String> r = v.signIn(username, PIN + j.code(seed));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(303);
    return v;
  }

  private static byte[] fixture(String name) {
    try (InputStream in = ConsoleImportPageTest.class.getResourceAsStream("/pskc/" + name)) {
      assertThat(in).as(name).isNotNull();
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Opens the import page, then sends {@code file} with its CSRF token and {@code fields}. */
  private HttpResponse<String> upload(ConsoleVisitor v, Map<String, String> fields, byte[] file) {
    HttpResponse<String> page = v.get("/console/import");
    assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
    String csrf = v.fields.get("csrf");
    assertThat(csrf).isNotBlank();
    Map<String, String> form = new java.util.LinkedHashMap<>(fields);
    form.put("csrf", csrf);
    return v.multipart("/console/import", form, "pskc", file);
  }

  @Test
  void theFormLabelsEveryInputAndIsMultipartWithACsrfToken() {
    ConsoleVisitor v = signedIn("imp.form", "admin");

    HttpResponse<String> r = v.get("/console/import");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(v.page()).isEqualTo("import");
    assertThat(r.body())
        .contains(
            "enctype=\"multipart/form-data\"",
            "<label for=\"pskc\">",
            "<label for=\"key\">",
            "<label for=\"password\">",
            "<label for=\"reason\">",
            "id=\"nav-import\"",
            "lang=\"fr\"");
    v.headers.put("Accept-Language", "en");
    assertThat(v.get("/console/import").body()).contains("lang=\"en\"", "Import a PSKC file");
  }

  @Test
  void aPskcFileWithItsTransportKeyIsImportedReportedAndAudited() {
    ConsoleVisitor v = signedIn("imp.admin", "admin");

    HttpResponse<String> r =
        upload(v, Map.of("key", FIGURE6_KEY, "password", "", "reason", "CHG-77"), fixture(FIGURE6));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(v.page()).isEqualTo("import-report");
    assertThat(r.body()).contains("<li>987654321</li>", "1 clé(s) importée(s), 0 ignorée(s).");
    TestJeton.expect(j.api.adminGet("/v1/admin/tokens/987654321"), 200);
    Eventually.eventuallyAsserts(
        Eventually.DEFAULT,
        () -> {
          Api.Resp audit = j.api.adminGet("/v1/admin/audit?limit=100");
          List<JsonObject> events =
              audit.json().getJsonArray("events").stream()
                  .map(o -> (JsonObject) o)
                  .filter(e -> "pskc_import:imported=1,skipped=0".equals(e.getString("reason")))
                  .filter(e -> "@console:imp.admin".equals(e.getString("client")))
                  .toList();
          assertThat(events).hasSize(1);
          assertThat(events.get(0).getString("client")).isEqualTo("@console:imp.admin");
          assertThat(events.get(0).getString("decision")).isEqualTo("ADMIN");
          assertThat(events.get(0).getString("note")).isEqualTo("CHG-77");
        });

    HttpResponse<String> again =
        upload(v, Map.of("key", FIGURE6_KEY, "reason", "CHG-78"), fixture(FIGURE6));
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(again.body()).contains("987654321", "a token with this serial exists");
  }

  @Test
  void aWrongTransportKeySkipsTheKeyWithItsReasonOrRefusesTheFile() {
    ConsoleVisitor v = signedIn("imp.wrong", "admin");

    // This wrong key happens to decrypt the MAC key into valid padding: the key's MAC then fails.
    HttpResponse<String> skipped =
        upload(
            v,
            Map.of("key", "0f0e0d0c0b0a09080706050400000036", "reason", "CHG-1"),
            fixture(FIGURE6));
    assertThat(skipped.statusCode()).as(skipped.body()).isEqualTo(200);
    assertThat(v.page()).isEqualTo("import-report");
    assertThat(skipped.body())
        .contains("0 clé(s) importée(s), 1 ignorée(s).", "987654321", "ValueMAC does not match");

    HttpResponse<String> refused =
        upload(
            v,
            Map.of("key", "00112233445566778899aabbccddeeff", "reason", "CHG-2"),
            fixture(FIGURE6));
    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(v.page()).isEqualTo("import");
    assertThat(refused.body()).contains("Wrong pre-shared key or password");

    HttpResponse<String> noReason =
        upload(v, Map.of("key", FIGURE6_KEY, "reason", " "), fixture(FIGURE6));
    assertThat(noReason.statusCode()).isEqualTo(400);
    HttpResponse<String> notHex =
        upload(v, Map.of("key", "not-hex", "reason", "CHG-3"), fixture(FIGURE6));
    assertThat(notHex.statusCode()).isEqualTo(400);
  }

  @Test
  void aPasswordProtectedFileIsReadWithItsPasswordAndRefusedWithAnother() {
    ConsoleVisitor v = signedIn("imp.password", "admin");
    // Figure 7 holds the serial of figure 6; given its own here (the serial is not under the MAC).
    byte[] figure7 =
        new String(fixture("rfc6030-figure7-pbkdf2.xml"), java.nio.charset.StandardCharsets.UTF_8)
            .replace("987654321", "FIG7-987654321")
            .getBytes(java.nio.charset.StandardCharsets.UTF_8);

    HttpResponse<String> wrong =
        upload(v, Map.of("password", "qwertz", "reason", "CHG-5"), figure7);
    assertThat(wrong.statusCode()).isEqualTo(400);
    assertThat(v.page()).isEqualTo("import");

    HttpResponse<String> right =
        upload(v, Map.of("password", "qwerty", "reason", "CHG-6"), figure7);
    assertThat(right.statusCode()).as(right.body()).isEqualTo(200);
    assertThat(v.page()).isEqualTo("import-report");
    assertThat(right.body()).contains("<li>FIG7-987654321</li>", "1 clé(s) importée(s)");

    HttpResponse<String> both =
        upload(v, Map.of("key", FIGURE6_KEY, "password", "qwerty", "reason", "CHG-7"), figure7);
    assertThat(both.statusCode()).isEqualTo(400);
  }

  @Test
  void aHelpdeskOperatorGetsTheForbiddenPage() {
    ConsoleVisitor v = signedIn("imp.helpdesk", "helpdesk");

    HttpResponse<String> page = v.get("/console/import");
    assertThat(page.statusCode()).isEqualTo(403);
    assertThat(v.page()).isEqualTo("forbidden");
    assertThat(page.body()).doesNotContain("nav-import");

    HttpResponse<String> post =
        v.multipart(
            "/console/import",
            Map.of("key", FIGURE6_KEY, "reason", "x", "csrf", "whatever"),
            "pskc",
            fixture(FIGURE6));
    assertThat(post.statusCode()).isEqualTo(403);
    assertThat(v.page()).isEqualTo("forbidden");
  }

  @Test
  void anUploadWithoutTheSessionsCsrfTokenOrFromAnotherSiteIsRefused() {
    ConsoleVisitor v = signedIn("imp.csrf", "admin");
    v.get("/console/import");
    String token = v.fields.get("csrf");

    HttpResponse<String> none =
        v.multipart("/console/import", Map.of("reason", "x"), "pskc", fixture(FIGURE6));
    HttpResponse<String> forged =
        v.multipart(
            "/console/import",
            Map.of("reason", "x", "csrf", "x" + token),
            "pskc",
            fixture(FIGURE6));
    v.headers.put("Origin", "https://evil.example");
    HttpResponse<String> crossSite =
        v.multipart(
            "/console/import", Map.of("reason", "x", "csrf", token), "pskc", fixture(FIGURE6));
    v.headers.clear();

    assertThat(List.of(none, forged, crossSite))
        .allSatisfy(
            r -> {
              assertThat(r.statusCode()).isEqualTo(403);
              assertThat(ConsoleVisitor.page(r)).isEqualTo("form-refused");
            });
    HttpResponse<String> signedOut =
        new ConsoleVisitor(http, "http://127.0.0.1:" + j.jeton.adminPort())
            .multipart("/console/import", Map.of("reason", "x"), "pskc", fixture(FIGURE6));
    assertThat(signedOut.statusCode()).isEqualTo(303);
  }

  @Test
  void aFileOverTheBoundIsRefusedUnread() {
    ConsoleVisitor v = signedIn("imp.large", "admin");

    HttpResponse<String> r = upload(v, Map.of("reason", "x"), new byte[Uploads.LIMIT + 128 * 1024]);

    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(v.page()).isEqualTo("too-large");
  }

  // ---- bulk ----

  @Test
  void aBulkFileIsAppliedAndItsFailedLinesReportedByNumber() {
    ConsoleVisitor v = signedIn("bulk.admin", "admin");
    String secret = TestJeton.base32(TestJeton.seed());
    String ndjson =
        "{\"username\":\"bulk.one\",\"displayName\":\"Bulk One\"}\n"
            + "not json\n"
            + "\n"
            + "{\"username\":\"bulk.two\",\"token\":{\"serial\":\"BULK-2\",\"secret\":\""
            + secret
            + "\"}}\n"
            + "{\"username\":\"bad name\"}\n";
    HttpResponse<String> page = v.get("/console/bulk");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(v.page()).isEqualTo("bulk");
    assertThat(page.body()).contains("<label for=\"ndjson\">", "<label for=\"reason\">");

    HttpResponse<String> r =
        v.multipart(
            "/console/bulk",
            Map.of("csrf", v.fields.get("csrf"), "reason", "CHG-90"),
            "ndjson",
            ndjson.getBytes(java.nio.charset.StandardCharsets.UTF_8));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(303);
    String job = v.location();
    assertThat(job).startsWith(BulkPage.JOBS);
    Eventually.eventually(
        "the job ends", () -> "bulk-result".equals(ConsoleVisitor.page(v.get(job))));
    r = v.last;
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.body())
        .contains(
            "2 ligne(s) appliquée(s), 2 en échec.",
            "<tr><td>2</td><td>not a JSON object</td></tr>",
            "<tr><td>5</td><td>username must be");
    TestJeton.expect(j.api.adminGet("/v1/admin/users/bulk.one"), 200);
    TestJeton.expect(j.api.adminGet("/v1/admin/tokens/BULK-2"), 200);
    Eventually.eventuallyAsserts(
        Eventually.DEFAULT,
        () -> {
          Api.Resp audit = j.api.adminGet("/v1/admin/audit?limit=100");
          assertThat(
                  audit.json().getJsonArray("events").stream()
                      .map(o -> (JsonObject) o)
                      .filter(e -> "bulk_load:applied=2,failed=2".equals(e.getString("reason")))
                      .filter(e -> "@console:bulk.admin".equals(e.getString("client")))
                      .filter(e -> "CHG-90".equals(e.getString("note")))
                      .toList())
              .hasSize(1);
        });
  }

  @Test
  void aHelpdeskOperatorMayNotLoadInBulk() {
    ConsoleVisitor v = signedIn("bulk.helpdesk", "helpdesk");

    assertThat(v.get("/console/bulk").statusCode()).isEqualTo(403);
    HttpResponse<String> post =
        v.multipart(
            "/console/bulk",
            Map.of("reason", "x", "csrf", "whatever"),
            "ndjson",
            "{\"username\":\"sneaky\"}\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertThat(post.statusCode()).isEqualTo(403);
    TestJeton.expect(j.api.adminGet("/v1/admin/users/sneaky"), 404);
  }
}
