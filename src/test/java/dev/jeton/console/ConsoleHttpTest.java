package dev.jeton.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.testsupport.TestJeton;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The console's rules over plain HTTP against an in-process Jeton (embedded store, test clock): who
 * may sign in, the session's cookie and limits, CSRF, roles re-read at every click, and the
 * helpdesk's actions audited with the operator and the reason. Redirects are never followed. Each
 * test has users of its own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleHttpTest {

  private static final String PIN = "2580";

  private final HttpClient http = ConsoleVisitor.newHttpClient();
  private TestJeton j;

  @BeforeAll
  void start() {
    j =
        TestJeton.start(
            null, Map.of("JETON_CONSOLE_IDLE_MINUTES", "15", "JETON_CONSOLE_MAX_HOURS", "1"));
  }

  @AfterAll
  void stop() {
    j.close();
  }

  private ConsoleVisitor visitor() {
    return new ConsoleVisitor(http, "http://127.0.0.1:" + j.jeton.adminPort());
  }

  /** A user with a key whose PIN is {@value #PIN}; returns the key's seed. */
  private byte[] userWithPin(String username) {
    byte[] seed = TestJeton.seed();
    j.user(username, "a-password-1234");
    j.token("S-" + username, seed, PIN);
    TestJeton.expect(
        j.api.admin("PUT", "/v1/admin/users/" + username + "/tokens/S-" + username, null), 200);
    return seed;
  }

  private void role(String username, String role) {
    TestJeton.expect(
        j.api.admin(
            "PUT", "/v1/admin/console-operators/" + username, new JsonObject().put("role", role)),
        200);
  }

  /** An operator with a key and a role, signed in. */
  private ConsoleVisitor signedIn(String username, String role) {
    byte[] seed = userWithPin(username);
    role(username, role);
    ConsoleVisitor v = visitor();
    HttpResponse<String> r = v.signIn(username, PIN + j.code(seed));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(303);
    return v;
  }

  private static String setCookie(HttpResponse<String> r, String name) {
    return r.headers().allValues("set-cookie").stream()
        .filter(c -> c.startsWith(name + "="))
        .findFirst()
        .orElse(null);
  }

  // ---- signing in ----

  @Test
  void pinAndCodeOfAUserWithARoleSignInToTheSearchPage() {
    byte[] seed = userWithPin("op1");
    role("op1", "helpdesk");
    ConsoleVisitor v = visitor();

    HttpResponse<String> r = v.signIn("op1", PIN + j.code(seed));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(303);
    assertThat(v.location()).isEqualTo("/console/");
    r = v.get("/console/");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(v.page()).isEqualTo("search");
    assertThat(r.body()).contains("op1", "lang=\"fr\"");
    assertThat(v.get("/console").statusCode()).isEqualTo(303);
    assertThat(v.location()).isEqualTo("/console/");
  }

  @Test
  void sessionCookieIsSealedHttpOnlyStrictOnTheConsolePathOnly() {
    byte[] seed = userWithPin("op2");
    role("op2", "admin");
    ConsoleVisitor v = visitor();
    HttpResponse<String> login = v.get("/console/login");
    assertThat(setCookie(login, ConsoleRoutes.CSRF_COOKIE))
        .contains("HTTPOnly", "SameSite=Strict", "Path=/console")
        .doesNotContain("Secure");

    HttpResponse<String> r = v.signIn("op2", PIN + j.code(seed));

    String cookie = setCookie(r, ConsoleSessions.COOKIE);
    assertThat(cookie)
        .as("Set-Cookie")
        .contains("HTTPOnly", "SameSite=Strict", "Path=/console", "Max-Age=3600")
        .doesNotContain("Secure", "Domain");
    String value = v.cookies.get(ConsoleSessions.COOKIE);
    assertThat(value).doesNotContain("op2");
    assertThat(
            new String(
                java.util.Base64.getUrlDecoder().decode(value),
                java.nio.charset.StandardCharsets.ISO_8859_1))
        .as("sealed, not merely encoded")
        .doesNotContain("op2");
    // One character in the middle changed to another (the last ones may only carry padding bits).
    int mid = value.length() / 2;
    char changed = value.charAt(mid) == 'A' ? 'B' : 'A';
    v.cookies.put(
        ConsoleSessions.COOKIE, value.substring(0, mid) + changed + value.substring(mid + 1));
    assertThat(v.get("/console/").statusCode()).as("a changed cookie opens nothing").isEqualTo(303);
  }

  @Test
  void anAcceptForAUserWithoutARoleIsRefusedWithTheWordsOfAWrongCode() {
    byte[] seed = userWithPin("norole");
    byte[] other = userWithPin("wrongcode");
    role("wrongcode", "helpdesk");

    HttpResponse<String> noRole = visitor().signIn("norole", PIN + j.code(seed));
    HttpResponse<String> wrong = visitor().signIn("wrongcode", PIN + "000000");

    assertThat(noRole.statusCode()).isEqualTo(401);
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(setCookie(noRole, ConsoleSessions.COOKIE)).isNull();
    assertThat(setCookie(wrong, ConsoleSessions.COOKIE)).isNull();
    String error = "Identifiant ou Passcode incorrect.";
    assertThat(noRole.body()).contains(error);
    assertThat(wrong.body()).contains(error);
    assertThat(other).isNotNull();
  }

  @Test
  void aRightCodeFromAUserWithoutARoleLeavesARefusalInTheAuditTrail() {
    byte[] seed = userWithPin("norole2");

    HttpResponse<String> r = visitor().signIn("norole2", PIN + j.code(seed));

    assertThat(r.statusCode()).isEqualTo(401);
    List<JsonObject> events =
        j.api.awaitAudit(
            "norole2", 20, e -> "console_signin_refused".equals(e.getString("reason")), 1);
    assertThat(events.get(0).getString("client")).isEqualTo("@console");
    assertThat(events.get(0).getString("decision")).isEqualTo("REJECT");
    assertThat(events.get(0).getString("requestId")).isNotBlank();
  }

  @Test
  void aPasswordAloneNeverSignsIn() {
    userWithPin("pwonly");
    role("pwonly", "admin");

    HttpResponse<String> r = visitor().signIn("pwonly", "a-password-1234");

    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(setCookie(r, ConsoleSessions.COOKIE)).isNull();
  }

  @Test
  void aFirstSignInChoosesAPinThenGivesTheNextCode() {
    byte[] seed = TestJeton.seed();
    j.user("newop", null);
    j.token("S-newop", seed, null);
    TestJeton.expect(j.api.admin("PUT", "/v1/admin/users/newop/tokens/S-newop", null), 200);
    role("newop", "helpdesk");
    ConsoleVisitor v = visitor();

    HttpResponse<String> r = v.signIn("newop", j.code(seed));
    assertThat(v.page()).as(r.body()).isEqualTo("new-pin");
    r = v.submit("/console/login", Map.of("newPin", "1234", "confirmPin", "1234"));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(v.page()).isEqualTo("new-pin");
    r = v.submit("/console/login", Map.of("newPin", PIN, "confirmPin", PIN));
    assertThat(v.page()).as(r.body()).isEqualTo("next-passcode");
    j.clock.advanceSeconds(30);
    r = v.submit("/console/login", Map.of("password", PIN + j.code(seed)));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(303);
    assertThat(v.get("/console/").statusCode()).isEqualTo(200);
  }

  // ---- forms ----

  @Test
  void aFormWithoutTheSessionsCsrfTokenOrFromAnotherSiteIsRefused() {
    userWithPin("locked1");
    ConsoleVisitor v = signedIn("op3", "helpdesk");
    v.get("/console/users/locked1/unlock");
    String token = v.fields.get("csrf");
    assertThat(token).isNotBlank();

    HttpResponse<String> none = v.post("/console/users/locked1/unlock", Map.of("reason", "T-1"));
    HttpResponse<String> forged =
        v.post("/console/users/locked1/unlock", Map.of("reason", "T-1", "csrf", "x" + token));
    v.headers.put("Origin", "https://evil.example");
    HttpResponse<String> crossSite =
        v.post("/console/users/locked1/unlock", Map.of("reason", "T-1", "csrf", token));
    v.headers.clear();

    assertThat(List.of(none, forged, crossSite))
        .allSatisfy(r -> assertThat(r.statusCode()).isEqualTo(403));
    ConsoleVisitor stranger = visitor();
    HttpResponse<String> signIn =
        stranger.post("/console/login", Map.of("username", "op3", "password", "25801234567"));
    assertThat(signIn.statusCode()).as("a sign-in without the CSRF cookie").isEqualTo(403);
    HttpResponse<String> ok =
        v.post("/console/users/locked1/unlock", Map.of("reason", "T-1", "csrf", token));
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(303);
  }

  @Test
  void everyPageForbidsInlineAndForeignScriptsFramingAndCaching() {
    ConsoleVisitor v = signedIn("op4", "admin");
    for (String path : List.of("/console/login", "/console/", "/console/operators")) {
      HttpResponse<String> r = v.get(path);
      assertThat(r.statusCode()).as(path).isEqualTo(200);
      // Scripts only from the console itself (the bulk load's progress), never inline or eval'd.
      assertThat(r.headers().firstValue("Content-Security-Policy").orElse(""))
          .as(path)
          .contains(
              "default-src 'none'",
              "script-src 'self';",
              "connect-src 'self';",
              "frame-ancestors 'none'",
              "form-action 'self'")
          .doesNotContain("unsafe-inline", "unsafe-eval", "data:", "*");
      assertThat(r.headers().firstValue("X-Frame-Options")).as(path).hasValue("DENY");
      assertThat(r.headers().firstValue("Cache-Control")).as(path).hasValue("no-store");
      assertThat(r.body()).as(path).doesNotContain("<script", "style=\"");
    }
  }

  // ---- the session ----

  @Test
  void aSessionUnusedForTheIdleTimeEnds() {
    ConsoleVisitor v = signedIn("op5", "helpdesk");
    j.clock.advance(Duration.ofMinutes(14));
    assertThat(v.get("/console/").statusCode()).as("used within the idle time").isEqualTo(200);
    j.clock.advance(Duration.ofMinutes(15).plusSeconds(1));

    HttpResponse<String> r = v.get("/console/");

    assertThat(r.statusCode()).isEqualTo(303);
    assertThat(v.location()).isEqualTo("/console/login?ended");
    assertThat(v.get("/console/login?ended").body()).contains("Votre session a pris fin");
  }

  @Test
  void aSessionUsedAllTheTimeStillEndsAtItsLifetime() {
    ConsoleVisitor v = signedIn("op6", "helpdesk");
    for (int i = 0; i < 5; i++) {
      j.clock.advance(Duration.ofMinutes(11));
      assertThat(v.get("/console/").statusCode()).as("after %d min", 11 * (i + 1)).isEqualTo(200);
    }
    j.clock.advance(Duration.ofMinutes(6));

    assertThat(v.get("/console/").statusCode()).as("61 min after sign-in").isEqualTo(303);
  }

  @Test
  void aRoleWithdrawnTakesEffectAtTheNextClick() {
    ConsoleVisitor v = signedIn("op7", "admin");
    assertThat(v.get("/console/operators").statusCode()).isEqualTo(200);

    role("op7", "helpdesk");
    assertThat(v.get("/console/operators").statusCode()).as("now helpdesk").isEqualTo(403);
    assertThat(v.page()).isEqualTo("forbidden");
    TestJeton.expect(j.api.admin("DELETE", "/v1/admin/console-operators/op7", null), 204);

    HttpResponse<String> r = v.get("/console/");
    assertThat(r.statusCode()).isEqualTo(303);
    assertThat(v.location()).isEqualTo("/console/login?ended");
  }

  @Test
  void signingOutEndsTheSessionEvenForACopyOfTheCookie() {
    ConsoleVisitor v = signedIn("op8", "helpdesk");
    v.get("/console/");
    String copy = v.cookies.get(ConsoleSessions.COOKIE);

    HttpResponse<String> r = v.post("/console/logout", Map.of("csrf", v.fields.get("csrf")));

    assertThat(r.statusCode()).isEqualTo(303);
    assertThat(v.location()).isEqualTo("/console/login?out");
    assertThat(v.cookies).doesNotContainKey(ConsoleSessions.COOKIE);
    ConsoleVisitor thief = visitor();
    thief.cookies.put(ConsoleSessions.COOKIE, copy);
    assertThat(thief.get("/console/").statusCode()).isEqualTo(303);
  }

  // ---- the helpdesk's work ----

  @Test
  void searchFindsByPrefixAndAKeysSerialLeadsToItsOwner() {
    userWithPin("dupont.anne");
    userWithPin("dupuis.marc");
    ConsoleVisitor v = signedIn("op9", "helpdesk");

    HttpResponse<String> r = v.get("/console/?q=DUP");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("/console/users/dupont.anne", "/console/users/dupuis.marc");
    r = v.get("/console/?q=S-dupuis.marc");
    assertThat(r.statusCode()).isEqualTo(303);
    assertThat(v.location()).isEqualTo("/console/users/dupuis.marc");
    r = v.get("/console/?q=zz-nobody");
    assertThat(r.body()).contains("Aucun utilisateur ne correspond");
    assertThat(v.get("/console/users/nobody-here").statusCode()).isEqualTo(404);
  }

  @Test
  void anUnlockAsksAReasonAndIsAuditedWithTheOperatorAndTheReason() {
    byte[] seed = userWithPin("locked2");
    for (int i = 0; i < 10; i++) {
      j.api.login("locked2", PIN + String.format("%06d", i));
    }
    ConsoleVisitor v = signedIn("op10", "helpdesk");
    HttpResponse<String> page = v.get("/console/users/locked2");
    assertThat(page.body()).contains("id=\"lock\" class=\"locked\"");

    v.get("/console/users/locked2/unlock");
    HttpResponse<String> noReason =
        v.submit("/console/users/locked2/unlock", Map.of("reason", " "));
    assertThat(noReason.statusCode()).isEqualTo(400);
    HttpResponse<String> r =
        v.submit("/console/users/locked2/unlock", Map.of("reason", "INC-4242 phoned"));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(303);
    assertThat(v.location()).isEqualTo("/console/users/locked2?done=unlock");
    assertThat(v.get(v.location()).body())
        .contains("id=\"done\"")
        .doesNotContain("class=\"locked\"");
    List<JsonObject> events =
        j.api.awaitAudit("locked2", 50, e -> "unlocked".equals(e.getString("reason")), 1);
    assertThat(events.get(0).getString("client")).isEqualTo("@console:op10");
    assertThat(events.get(0).getString("note")).isEqualTo("INC-4242 phoned");
    assertThat(events.get(0).getString("decision")).isEqualTo("ADMIN");
    assertThat(seed).isNotNull();
  }

  @Test
  void disablingAKeyAsksForConfirmationThenItsOwnerCannotSignIn() {
    byte[] seed = userWithPin("keyholder");
    ConsoleVisitor v = signedIn("op11", "helpdesk");

    HttpResponse<String> confirm = v.get("/console/users/keyholder/tokens/S-keyholder/disable");
    assertThat(v.page()).isEqualTo("confirm-disable");
    assertThat(confirm.body()).contains("Confirmez-vous");
    HttpResponse<String> r =
        v.submit("/console/users/keyholder/tokens/S-keyholder/disable", Map.of("reason", "T-9"));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(303);
    assertThat(j.api.login("keyholder", PIN + j.code(seed)).status()).isEqualTo(401);
    assertThat(v.get("/console/users/keyholder/tokens/NOPE/disable").statusCode()).isEqualTo(404);
  }

  @Test
  void emergencyCodesAreShownOnceAndSignInAtTheApi() {
    userWithPin("lostkey");
    ConsoleVisitor v = signedIn("op12", "helpdesk");
    v.get("/console/users/lostkey/emergency-codes");

    HttpResponse<String> r =
        v.submit(
            "/console/users/lostkey/emergency-codes",
            Map.of("reason", "T-7", "count", "3", "days", "1"));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(v.page()).isEqualTo("emergency-codes");
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("<li>([0-9A-Za-z-]+)</li>").matcher(r.body());
    assertThat(m.find()).as(r.body()).isTrue();
    String code = m.group(1);
    assertThat(j.api.login("lostkey", PIN + code).status()).isEqualTo(200);
    assertThat(v.get("/console/users/lostkey").body()).contains("restants : 2");
  }

  @Test
  void aHelpdeskOperatorIsRefusedTheOperatorsPagesAndAnAdminNamesAndRemovesOperators() {
    ConsoleVisitor helpdesk = signedIn("op13", "helpdesk");
    assertThat(helpdesk.get("/console/operators").statusCode()).isEqualTo(403);
    assertThat(helpdesk.last.body()).contains("Accès refusé");
    userWithPin("future.op");
    ConsoleVisitor admin = signedIn("op14", "admin");

    admin.get("/console/operators");
    HttpResponse<String> r =
        admin.submit(
            "/console/operators",
            Map.of("username", "future.op", "role", "helpdesk", "reason", "new colleague"));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(303);
    assertThat(admin.get("/console/operators").body()).contains("future.op");
    HttpResponse<String> unknown =
        admin.submit(
            "/console/operators",
            Map.of("username", "no.such.user", "role", "helpdesk", "reason", "x"));
    assertThat(unknown.statusCode()).isEqualTo(404);

    admin.get("/console/operators/future.op/remove");
    assertThat(admin.page()).isEqualTo("remove-operator");
    r = admin.submit("/console/operators/future.op/remove", Map.of("reason", "left"));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(303);
    assertThat(admin.get("/console/operators").body()).doesNotContain("/console/users/future.op");
  }

  // ---- the admins' assign, unassign and delete ----

  @Test
  void anAdminAssignsAKeyWithAReasonAndIsToldWhyNot() {
    j.user("assignee", "a-password-1234");
    j.token("S-pool1", TestJeton.seed(), null);
    userWithPin("otherowner");
    ConsoleVisitor v = signedIn("op20", "admin");
    assertThat(v.get("/console/users/assignee").body()).contains("id=\"action-assign\"");

    v.get("/console/users/assignee/assign");
    assertThat(v.page()).isEqualTo("confirm-assign");
    String csrf = v.fields.get("csrf");
    HttpResponse<String> forged =
        v.post(
            "/console/users/assignee/assign",
            Map.of("csrf", "x" + csrf, "serial", "S-pool1", "reason", "T-20"));
    assertThat(forged.statusCode()).isEqualTo(403);
    assertThat(
            v.submit("/console/users/assignee/assign", Map.of("serial", "NOPE", "reason", "T-20"))
                .statusCode())
        .isEqualTo(404);
    assertThat(
            v.submit(
                    "/console/users/assignee/assign",
                    Map.of("serial", "S-otherowner", "reason", "T-20"))
                .statusCode())
        .isEqualTo(409);
    HttpResponse<String> r =
        v.submit("/console/users/assignee/assign", Map.of("serial", "S-pool1", "reason", "T-20"));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(303);
    assertThat(v.location()).isEqualTo("/console/users/assignee?done=assign");
    assertThat(v.get(v.location()).body()).contains("S-pool1", "id=\"done\"");
    List<JsonObject> events =
        j.api.awaitAudit("assignee", 50, e -> "token_assigned".equals(e.getString("reason")), 1);
    assertThat(events.get(0).getString("client")).isEqualTo("@console:op20");
    assertThat(events.get(0).getString("note")).isEqualTo("T-20");

    for (int i = 2; i <= 3; i++) {
      j.token("S-pool" + i, TestJeton.seed(), null);
      v.get("/console/users/assignee/assign");
      assertThat(
              v.submit(
                      "/console/users/assignee/assign",
                      Map.of("serial", "S-pool" + i, "reason", "T-20"))
                  .statusCode())
          .isEqualTo(303);
    }
    j.token("S-pool4", TestJeton.seed(), null);
    v.get("/console/users/assignee/assign");
    HttpResponse<String> tooMany =
        v.submit("/console/users/assignee/assign", Map.of("serial", "S-pool4", "reason", "T-20"));
    assertThat(tooMany.statusCode()).isEqualTo(409);
    assertThat(tooMany.body()).contains("au plus 3");
  }

  @Test
  void anAdminUnassignsAKeyOnlyOnceConfirmed() {
    userWithPin("unassignee");
    ConsoleVisitor v = signedIn("op21", "admin");
    assertThat(v.get("/console/users/unassignee").body()).contains("id=\"unassign-S-unassignee\"");
    String path = "/console/users/unassignee/tokens/S-unassignee/unassign";

    v.get(path);
    assertThat(v.page()).isEqualTo("confirm-unassign");
    String csrf = v.fields.get("csrf");
    assertThat(v.post(path, Map.of("csrf", csrf, "reason", "T-21")).statusCode())
        .as("without the confirmation's field")
        .isEqualTo(400);
    assertThat(
            v.post(path, Map.of("csrf", "x" + csrf, "confirmed", "yes", "reason", "T-21"))
                .statusCode())
        .isEqualTo(403);
    assertThat(v.get("/console/users/unassignee").body()).contains("S-unassignee");

    v.get(path);
    HttpResponse<String> r = v.submit(path, Map.of("reason", "T-21"));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(303);
    assertThat(v.get("/console/users/unassignee").body()).doesNotContain("unassign-S-unassignee");
    List<JsonObject> events =
        j.api.awaitAudit(
            "unassignee", 50, e -> "token_unassigned".equals(e.getString("reason")), 1);
    assertThat(events.get(0).getString("client")).isEqualTo("@console:op21");
    assertThat(events.get(0).getString("note")).isEqualTo("T-21");
    assertThat(events.get(0).getString("tokenSerial")).isEqualTo("S-unassignee");
  }

  @Test
  void anAdminDeletesAUserOnlyOnceConfirmedAndTheSearchPageSaysSo() {
    userWithPin("leaver");
    ConsoleVisitor v = signedIn("op22", "admin");
    String path = "/console/users/leaver/delete";

    HttpResponse<String> confirm = v.get(path);
    assertThat(v.page()).isEqualTo("confirm-delete");
    assertThat(confirm.body()).contains("leaver", "Confirmez-vous");
    String csrf = v.fields.get("csrf");
    assertThat(v.post(path, Map.of("csrf", csrf, "reason", "T-22")).statusCode()).isEqualTo(400);
    assertThat(
            v.post(path, Map.of("csrf", "x" + csrf, "confirmed", "yes", "reason", "T-22"))
                .statusCode())
        .isEqualTo(403);
    assertThat(v.get("/console/users/leaver").statusCode()).isEqualTo(200);

    v.get(path);
    HttpResponse<String> r = v.submit(path, Map.of("reason", "T-22 left"));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(303);
    assertThat(v.location()).isEqualTo("/console/?done=user-deleted");
    assertThat(v.get(v.location()).body()).contains("id=\"done\"");
    assertThat(v.get("/console/users/leaver").statusCode()).isEqualTo(404);
    List<JsonObject> events =
        j.api.awaitAudit("leaver", 50, e -> "user_deleted".equals(e.getString("reason")), 1);
    assertThat(events.get(0).getString("client")).isEqualTo("@console:op22");
    assertThat(events.get(0).getString("note")).isEqualTo("T-22 left");
  }

  @Test
  void anUnknownConsolePathIsTheConsolesNotFoundPageAndWithoutASessionTheSignIn() {
    ConsoleVisitor anonymous = new ConsoleVisitor(http, "http://127.0.0.1:" + j.jeton.adminPort());
    HttpResponse<String> out = anonymous.get("/console/no/such/page");
    assertThat(out.statusCode()).isEqualTo(303);
    assertThat(anonymous.location()).startsWith("/console/login");

    ConsoleVisitor v = signedIn("op25", "helpdesk");
    HttpResponse<String> r = v.get("/console/no/such/page");
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.headers().firstValue("Content-Type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("text/html"));
    assertThat(v.page()).isEqualTo("not-found");
    assertThat(r.body()).contains("Cette page n&#39;existe pas dans la console.");
  }

  @Test
  void anAdminCanNeitherDeleteThemselvesNorChangeOrWithdrawTheirOwnRole() {
    ConsoleVisitor v = signedIn("op24", "admin");
    String path = "/console/users/op24/delete";

    HttpResponse<String> confirm = v.get(path);
    assertThat(confirm.statusCode()).isEqualTo(409);
    assertThat(confirm.body()).contains("supprimer votre propre compte");
    HttpResponse<String> forced =
        v.post(path, Map.of("csrf", v.fields.get("csrf"), "confirmed", "yes", "reason", "T-24"));
    assertThat(forced.statusCode()).isEqualTo(409);
    assertThat(v.get("/console/users/op24").statusCode()).isEqualTo(200);

    assertThat(v.get("/console/operators/op24/remove").statusCode()).isEqualTo(409);
    String csrf = v.fields.get("csrf");
    assertThat(
            v.post("/console/operators/op24/remove", Map.of("csrf", csrf, "reason", "x"))
                .statusCode())
        .isEqualTo(409);
    HttpResponse<String> demote =
        v.post(
            "/console/operators",
            Map.of("csrf", csrf, "username", "op24", "role", "helpdesk", "reason", "x"));
    assertThat(demote.statusCode()).isEqualTo(409);
    assertThat(demote.body()).contains("votre propre rôle");
    assertThat(
            j.api.adminGet("/v1/admin/console-operators").json().getJsonArray("operators").stream()
                .map(o -> (JsonObject) o)
                .filter(o -> "op24".equals(o.getString("username")))
                .map(o -> o.getString("role"))
                .toList())
        .containsExactly("admin");
    assertThat(v.get("/console/").statusCode()).as("still signed in").isEqualTo(200);
  }

  @Test
  void helpdeskNeitherSeesNorReachesAssignUnassignOrDelete() {
    userWithPin("kept");
    j.token("S-pool9", TestJeton.seed(), null);
    ConsoleVisitor v = signedIn("op23", "helpdesk");
    String page = v.get("/console/users/kept").body();
    assertThat(page)
        .doesNotContain("action-assign", "action-delete", "unassign-", "/assign", "/delete");
    String csrf = v.fields.get("csrf");
    for (String path :
        List.of(
            "/console/users/kept/assign",
            "/console/users/kept/delete",
            "/console/users/kept/tokens/S-kept/unassign")) {
      assertThat(v.get(path).statusCode()).as(path).isEqualTo(403);
      assertThat(
              v.post(
                      path,
                      Map.of(
                          "csrf", csrf, "confirmed", "yes", "reason", "T-23", "serial", "S-pool9"))
                  .statusCode())
          .as(path)
          .isEqualTo(403);
    }
    assertThat(v.get("/console/users/kept").body()).contains("S-kept");
    assertThat(v.get("/console/users/kept").body()).doesNotContain("S-pool9");
  }

  @Test
  void anEnglishBrowserGetsEnglish() {
    ConsoleVisitor v = visitor();
    v.headers.put("Accept-Language", "en-GB,en;q=0.9");
    HttpResponse<String> r = v.get("/console/login");
    assertThat(r.body()).contains("lang=\"en\"", "Sign in to the console", "PIN + OTP passcode");
  }
}
