package dev.jeton.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.crypto.Secrets;
import dev.jeton.testsupport.Api;
import dev.jeton.testsupport.Eventually;
import dev.jeton.testsupport.TestJeton;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The console's admin pages over plain HTTP against an in-process Jeton: the audit trail with its
 * filters and its CSV export, and the creation of API clients; both for admins only. Each test has
 * users of its own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleAdminPagesTest {

  private static final String PIN = "2580";

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

  private byte[] userWithPin(String username) {
    byte[] seed = TestJeton.seed();
    j.user(username, "a-password-1234");
    j.token("S-" + username, seed, PIN);
    TestJeton.expect(
        j.api.admin("PUT", "/v1/admin/users/" + username + "/tokens/S-" + username, null), 200);
    return seed;
  }

  private ConsoleVisitor signedIn(String username, String role) {
    byte[] seed = userWithPin(username);
    TestJeton.expect(
        j.api.admin(
            "PUT", "/v1/admin/console-operators/" + username, new JsonObject().put("role", role)),
        200);
    ConsoleVisitor v = new ConsoleVisitor(http, "http://127.0.0.1:" + j.jeton.adminPort());
    HttpResponse<String> r = v.signIn(username, PIN + j.code(seed));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(303);
    return v;
  }

  /** Unlocks {@code username} from the console with {@code reason}: an ADMIN event. */
  private void unlock(ConsoleVisitor v, String username, String reason) {
    v.get("/console/users/" + username + "/unlock");
    HttpResponse<String> r =
        v.submit("/console/users/" + username + "/unlock", Map.of("reason", reason));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(303);
  }

  private String today() {
    return LocalDate.ofInstant(j.clock.instant(), ZoneOffset.UTC).toString();
  }

  @Test
  void aHelpdeskOperatorIsRefusedTheAuditAndClientsPages() {
    ConsoleVisitor helpdesk = signedIn("hd1", "helpdesk");
    helpdesk.get("/console/");
    String csrf = helpdesk.fields.get("csrf");

    for (String path : List.of("/console/audit", "/console/audit.csv", "/console/clients")) {
      HttpResponse<String> r = helpdesk.get(path);
      assertThat(r.statusCode()).as(path).isEqualTo(403);
      assertThat(r.body()).as(path).contains("Accès refusé");
    }
    HttpResponse<String> put =
        helpdesk.post(
            "/console/clients",
            Map.of(
                "csrf", csrf,
                "name", "hd-client",
                "trustClientIp", "false",
                "defaultLevel", "any",
                "reason", "T-1"));
    assertThat(put.statusCode()).isEqualTo(403);
    assertThat(helpdesk.get("/console/").body()).doesNotContain("nav-audit", "nav-clients");
  }

  @Test
  void theAuditFiltersNarrowTheRows() {
    userWithPin("aud.one");
    byte[] two = userWithPin("aud.two");
    j.api.login("aud.one", PIN + "000000");
    assertThat(j.api.login("aud.two", PIN + j.code(two)).status()).isEqualTo(200);
    ConsoleVisitor admin = signedIn("adm1", "admin");
    unlock(admin, "aud.one", "INC-1");
    j.api.awaitAudit("aud.one", 50, e -> "ADMIN".equals(e.getString("decision")), 1);
    j.api.awaitAudit("aud.one", 50, e -> "REJECT".equals(e.getString("decision")), 1);
    j.api.awaitAudit("aud.two", 50, e -> "ACCEPT".equals(e.getString("decision")), 1);

    HttpResponse<String> all = admin.get("/console/audit");
    assertThat(all.statusCode()).isEqualTo(200);
    assertThat(admin.page()).isEqualTo("audit");
    assertThat(all.body())
        .contains("/console/users/aud.one", "/console/users/aud.two", "1000", "nav-audit");

    String one = admin.get("/console/audit?user=aud.one").body();
    assertThat(one)
        .contains(
            "/console/users/aud.one",
            "<td>Connexion refusée",
            "<td>Action d&#39;un opérateur",
            "INC-1")
        .doesNotContain("/console/users/aud.two");

    String rejects = admin.get("/console/audit?user=aud.one&decision=REJECT").body();
    assertThat(rejects).contains("<td>Connexion refusée").doesNotContain("INC-1");

    String byOperator = admin.get("/console/audit?operator=adm1").body();
    assertThat(byOperator).contains("INC-1").doesNotContain("/console/users/aud.two");

    String today =
        admin.get("/console/audit?user=aud.two&from=" + today() + "&to=" + today()).body();
    assertThat(today).contains("<td>Connexion réussie");
    String longAgo = admin.get("/console/audit?user=aud.two&to=2000-01-01").body();
    assertThat(longAgo).contains("id=\"no-event\"").doesNotContain("<td>Connexion réussie");

    assertThat(admin.get("/console/audit?decision=MAYBE").statusCode()).isEqualTo(400);
    assertThat(admin.get("/console/audit?from=2026-02-30").statusCode()).isEqualTo(400);
    assertThat(admin.get("/console/audit?user=a%20b").statusCode()).isEqualTo(400);
  }

  @Test
  void theCsvExportHasTheFilteredEventsQuotedAndGuardedAgainstFormulas() {
    userWithPin("csv.one");
    userWithPin("csv.two");
    ConsoleVisitor admin = signedIn("adm2", "admin");
    unlock(admin, "csv.one", "=HYPERLINK(\"http://evil.example\")");
    unlock(admin, "csv.two", "T-2");
    j.api.awaitAudit("csv.one", 50, e -> "ADMIN".equals(e.getString("decision")), 1);
    String page = admin.get("/console/audit?user=csv.one&operator=adm2&decision=ADMIN").body();
    assertThat(page)
        .contains("href=\"/console/audit.csv?user=csv.one&amp;operator=adm2&amp;decision=ADMIN\"");

    HttpResponse<String> r = admin.get("/console/audit.csv?user=csv.one&operator=adm2");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("text/csv; charset=utf-8");
    assertThat(r.headers().firstValue("Content-Disposition").orElse("")).startsWith("attachment;");
    assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
    String[] lines = r.body().split("\r\n");
    assertThat(lines[0]).startsWith("\"at\",\"username\",\"decision\",\"reason\"");
    assertThat(lines).hasSize(2);
    assertThat(lines[1])
        .contains(
            "\"csv.one\"",
            "\"ADMIN\"",
            "\"unlocked\"",
            "\"'@console:adm2\"",
            "\"'=HYPERLINK(\"\"http://evil.example\"\")\"")
        .doesNotContain("T-2");
  }

  @Test
  void aCsvCellThatASpreadsheetWouldRunIsPrefixedWithAQuote() {
    StringBuilder b = new StringBuilder();

    AuditPage.row(b, "=1+2", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "a,b", "say \"hi\"", null, "ok");

    assertThat(b.toString())
        .isEqualTo(
            "\"'=1+2\",\"'+1\",\"'-1\",\"'@SUM(A1)\",\"'\tx\",\"'\rx\",\"a,b\","
                + "\"say \"\"hi\"\"\",\"\",\"ok\"\r\n");
  }

  @Test
  void aClientCreatedInTheConsoleShowsItsSecretOnceAndItAuthenticates() {
    byte[] seed = userWithPin("kiosk.user");
    ConsoleVisitor admin = signedIn("adm3", "admin");
    HttpResponse<String> form = admin.get("/console/clients");
    assertThat(form.statusCode()).isEqualTo(200);
    assertThat(form.body()).contains("for=\"name\"", "for=\"reason\"");
    assertThat(form.body()).doesNotContain("id=\"renew-kiosk-1\"");

    HttpResponse<String> bad =
        admin.submit(
            "/console/clients",
            Map.of("name", "no spaces", "trustClientIp", "false", "defaultLevel", "any"));
    assertThat(bad.statusCode()).isEqualTo(400);
    admin.get("/console/clients");
    HttpResponse<String> r =
        admin.submit(
            "/console/clients",
            Map.of(
                "name",
                "kiosk-1",
                "trustClientIp",
                "false",
                "defaultLevel",
                "otp",
                "reason",
                "CHG-77"));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(admin.page()).isEqualTo("client-secret");
    assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
    Matcher m = Pattern.compile("<code id=\"secret\">([A-Za-z0-9_-]+)</code>").matcher(r.body());
    assertThat(m.find()).as(r.body()).isTrue();
    String secret = m.group(1);
    assertThat(r.body()).contains("ne sera plus jamais affiché");
    HttpResponse<String> listed = admin.get("/console/clients");
    assertThat(listed.body())
        .contains("id=\"renew-kiosk-1\" href=\"/console/clients?name=kiosk-1#client-heading\"")
        .doesNotContain(secret, Secrets.hash(secret));
    HttpResponse<String> renew = admin.get("/console/clients?name=kiosk-1");
    assertThat(renew.body())
        .contains("value=\"kiosk-1\"", "<option value=\"otp\" selected>")
        .doesNotContain("<option value=\"true\" selected>");
    Api.Resp ok =
        j.api.authenticateAs(
            secret,
            new JsonObject().put("username", "kiosk.user").put("password", PIN + j.code(seed)));
    assertThat(ok.status()).as(ok.raw()).isEqualTo(200);
    assertThat(
            j.api
                .authenticateAs(
                    "not-" + secret,
                    new JsonObject()
                        .put("username", "kiosk.user")
                        .put("password", PIN + j.code(seed)))
                .status())
        .isEqualTo(401);
    Eventually.eventuallyAsserts(
        Eventually.DEFAULT,
        () ->
            assertThat(admin.get("/console/audit?operator=adm3&decision=ADMIN").body())
                .contains("client de l&#39;API créé ou renouvelé (kiosk-1)", "CHG-77"));
    List<JsonObject> events =
        j.api.adminGet("/v1/admin/audit?limit=1000").json().getJsonArray("events").stream()
            .map(o -> (JsonObject) o)
            .filter(e -> "client_put:kiosk-1".equals(e.getString("reason")))
            .toList();
    assertThat(events).hasSize(1);
    assertThat(events.get(0).getString("client")).isEqualTo("@console:adm3");
    assertThat(events.get(0).getString("note")).isEqualTo("CHG-77");
  }

  @Test
  void aClientFormWithoutTheSessionsCsrfTokenOrFromAnotherSiteIsRefused() {
    ConsoleVisitor admin = signedIn("adm4", "admin");
    admin.get("/console/clients");
    String token = admin.fields.get("csrf");
    Map<String, String> fields =
        Map.of("name", "forged", "trustClientIp", "true", "defaultLevel", "any", "reason", "x");

    HttpResponse<String> none = admin.post("/console/clients", fields);
    HttpResponse<String> forged = admin.post("/console/clients", with(fields, "csrf", "x" + token));
    admin.headers.put("Origin", "https://evil.example");
    HttpResponse<String> crossSite = admin.post("/console/clients", with(fields, "csrf", token));
    admin.headers.clear();

    assertThat(List.of(none, forged, crossSite))
        .allSatisfy(r -> assertThat(r.statusCode()).isEqualTo(403));
    assertThat(List.of(none, forged, crossSite))
        .allSatisfy(r -> assertThat(r.body()).doesNotContain("id=\"secret\""));
  }

  @Test
  void theAdminPagesSpeakEnglishToAnEnglishBrowserAndForbidScripts() {
    ConsoleVisitor admin = signedIn("adm5", "admin");
    admin.headers.put("Accept-Language", "en");
    for (String path : List.of("/console/audit", "/console/clients")) {
      HttpResponse<String> r = admin.get(path);
      assertThat(r.statusCode()).as(path).isEqualTo(200);
      assertThat(r.body()).as(path).contains("lang=\"en\"").doesNotContain("<script", "style=\"");
      assertThat(r.headers().firstValue("Content-Security-Policy").orElse(""))
          .as(path)
          .contains("default-src 'none'");
    }
    assertThat(admin.get("/console/audit").body()).contains("Audit trail", "latest 1000 events");
    assertThat(admin.get("/console/clients").body()).contains("Create or renew a client");
  }

  private static Map<String, String> with(Map<String, String> m, String k, String v) {
    java.util.Map<String, String> out = new java.util.LinkedHashMap<>(m);
    out.put(k, v);
    return out;
  }
}
