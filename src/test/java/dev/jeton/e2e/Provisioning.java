package dev.jeton.e2e;

import static dev.jeton.testsupport.TestJeton.expect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.testsupport.Api;
import dev.jeton.testsupport.Api.Resp;
import dev.jeton.testsupport.TestJeton;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Bulk load, finding users, console operators and the audit trail (API.md §3), end to end;
 * subclasses choose the store.
 */
abstract class Provisioning {

  TestJeton j;
  Api api;

  abstract String redisUrl();

  @BeforeEach
  void startNode() {
    j = TestJeton.start(redisUrl());
    api = j.api;
  }

  @AfterEach
  void stopNode() {
    j.close();
  }

  private Resp bulk(String ndjson) {
    return api.raw(
        "POST", "admin", "/v1/admin/bulk", "application/x-ndjson", ndjson, TestJeton.ADMIN_TOKEN);
  }

  private static String line(JsonObject o) {
    return o.encode() + "\n";
  }

  // ---- console operators ----

  private Resp putConsoleOperator(String token, String username, Object role) {
    return api.adminAs(
        token,
        "PUT",
        "/v1/admin/console-operators/" + username,
        new JsonObject().put("role", role));
  }

  private List<JsonObject> consoleOperators() {
    return expect(api.adminGet("/v1/admin/console-operators"), 200)
        .json()
        .getJsonArray("operators")
        .stream()
        .map(o -> (JsonObject) o)
        .toList();
  }

  private String helpdeskSecret(String name) {
    return expect(
            api.admin(
                "PUT", "/v1/admin/operators/" + name, new JsonObject().put("role", "helpdesk")),
            200)
        .str("secret");
  }

  @Test
  void consoleOperatorsArePutListedReplacedAndDeletedAndAudited() {
    j.user("bob", null);
    j.user("alice", null);
    assertThat(consoleOperators()).isEmpty();

    Resp put = expect(putConsoleOperator(TestJeton.ADMIN_TOKEN, "bob", "admin"), 200);
    assertThat(put.json().getMap())
        .containsOnly(Map.entry("username", "bob"), Map.entry("role", "admin"));
    expect(putConsoleOperator(TestJeton.ADMIN_TOKEN, "alice", "helpdesk"), 200);
    expect(putConsoleOperator(TestJeton.ADMIN_TOKEN, "bob", "helpdesk"), 200);

    assertThat(consoleOperators())
        .containsExactly(
            new JsonObject().put("username", "alice").put("role", "helpdesk"),
            new JsonObject().put("username", "bob").put("role", "helpdesk"));

    expect(api.admin("DELETE", "/v1/admin/console-operators/bob", null), 204);
    assertThat(
            expect(api.admin("DELETE", "/v1/admin/console-operators/bob", null), 404).str("detail"))
        .isEqualTo("no such console operator");
    assertThat(consoleOperators())
        .containsExactly(new JsonObject().put("username", "alice").put("role", "helpdesk"));
    expect(api.adminGet("/v1/admin/users/bob"), 200);

    List<JsonObject> bobs =
        api.awaitAudit(
            TestJeton.ADMIN_TOKEN,
            "bob",
            50,
            e -> String.valueOf(e.getString("reason")).startsWith("console_operator"),
            3);
    assertThat(bobs.stream().map(e -> e.getString("reason")).toList())
        .containsExactlyInAnyOrder(
            "console_operator_deleted",
            "console_operator_put:helpdesk",
            "console_operator_put:admin");
    assertThat(bobs)
        .allMatch(e -> "ADMIN".equals(e.getString("decision")))
        .allMatch(e -> "bootstrap".equals(e.getString("client")));
  }

  @Test
  void aConsoleRoleNeedsAUserAndOneOfTheTwoRoles() {
    assertThat(
            expect(putConsoleOperator(TestJeton.ADMIN_TOKEN, "nobody", "admin"), 404).str("detail"))
        .isEqualTo("no such user");
    j.user("carl", null);
    for (Object bad : new Object[] {"root", "Admin", "", 5, null}) {
      expect(putConsoleOperator(TestJeton.ADMIN_TOKEN, "carl", bad), 400);
    }
    expect(putConsoleOperator(TestJeton.ADMIN_TOKEN, "bad%20name", "admin"), 400);
    expect(api.admin("DELETE", "/v1/admin/console-operators/bad%20name", null), 400);
    expect(api.admin("DELETE", "/v1/admin/console-operators/carl", null), 404);
    assertThat(consoleOperators()).isEmpty();
  }

  // ---- API clients ----

  @Test
  void clientsAreListedByNameWithTheirSettingsAndNeverASecret() {
    String first =
        expect(
                api.admin(
                    "PUT",
                    "/v1/admin/clients/vpn-gw",
                    new JsonObject().put("trustClientIp", true).put("defaultLevel", "otp")),
                200)
            .str("secret");
    String second =
        expect(api.admin("PUT", "/v1/admin/clients/vpn-gw", new JsonObject()), 200).str("secret");

    Resp listed = expect(api.adminGet("/v1/admin/clients"), 200);
    List<JsonObject> vpn =
        listed.json().getJsonArray("clients").stream()
            .map(o -> (JsonObject) o)
            .filter(c -> "vpn-gw".equals(c.getString("name")))
            .toList();
    assertThat(vpn)
        .containsExactly(
            new JsonObject()
                .put("name", "vpn-gw")
                .put("trustClientIp", false)
                .put("defaultLevel", "any"));
    List<String> names =
        listed.json().getJsonArray("clients").stream()
            .map(o -> ((JsonObject) o).getString("name"))
            .toList();
    assertThat(names).isSorted().doesNotHaveDuplicates();
    assertThat(listed.raw()).doesNotContain(first, second, "hash", "secret");

    String helpdesk = helpdeskSecret("desk-cl");
    expect(api.adminAs(helpdesk, "GET", "/v1/admin/clients", null), 403);
    expect(api.adminAs(null, "GET", "/v1/admin/clients", null), 401);
  }

  @Test
  void consoleOperatorsAreForAdminsOnly() {
    j.user("dora", null);
    String helpdesk = helpdeskSecret("desk-co");

    expect(putConsoleOperator(helpdesk, "dora", "helpdesk"), 403);
    expect(api.adminAs(helpdesk, "GET", "/v1/admin/console-operators", null), 403);
    expect(api.adminAs(helpdesk, "DELETE", "/v1/admin/console-operators/dora", null), 403);
    expect(putConsoleOperator(null, "dora", "helpdesk"), 401);
    expect(api.adminAs(null, "GET", "/v1/admin/console-operators", null), 401);
    assertThat(consoleOperators()).isEmpty();
  }

  @Test
  void deletingAUserWithdrawsTheirConsoleRole() {
    j.user("erik", null);
    j.user("fay", null);
    expect(putConsoleOperator(TestJeton.ADMIN_TOKEN, "erik", "admin"), 200);
    expect(putConsoleOperator(TestJeton.ADMIN_TOKEN, "fay", "helpdesk"), 200);

    expect(api.admin("DELETE", "/v1/admin/users/erik", null), 204);

    assertThat(consoleOperators())
        .containsExactly(new JsonObject().put("username", "fay").put("role", "helpdesk"));
    j.user("erik", null);
    assertThat(consoleOperators()).hasSize(1);
    expect(api.admin("DELETE", "/v1/admin/console-operators/erik", null), 404);
  }

  // ---- finding users ----

  private Resp search(String token, String query) {
    return api.adminAs(token, "GET", "/v1/admin/users?" + query, null);
  }

  private List<String> found(String token, String prefix) {
    return usernames(
        expect(
            search(
                token,
                "prefix="
                    + java.net.URLEncoder.encode(prefix, java.nio.charset.StandardCharsets.UTF_8)
                        .replace("+", "%20")),
            200));
  }

  private static List<String> usernames(Resp r) {
    return r.json().getJsonArray("users").stream()
        .map(o -> ((JsonObject) o).getString("username"))
        .toList();
  }

  private void named(String username, String displayName) {
    expect(
        api.admin(
            "PUT", "/v1/admin/users/" + username, new JsonObject().put("displayName", displayName)),
        201);
  }

  @Test
  void helpdeskFindsUsersByTheStartOfTheirIdentifierOrNameWhateverTheCase() {
    named("alice", "Martin Alice");
    named("albert", "Zed Albert");
    named("bob", "Bob Dupont");
    expect(
        bulk(line(new JsonObject().put("username", "emile").put("displayName", "Émile Zola"))),
        200);
    expect(bulk(line(new JsonObject().put("username", "zoe").put("displayName", "Alba Zoé"))), 200);
    String helpdesk = helpdeskSecret("desk-search");

    Resp r = expect(search(helpdesk, "prefix=AL"), 200);
    assertThat(r.json().getJsonArray("users"))
        .containsExactly(
            new JsonObject().put("username", "zoe").put("displayName", "Alba Zoé"),
            new JsonObject().put("username", "albert").put("displayName", "Zed Albert"),
            new JsonObject().put("username", "alice").put("displayName", "Martin Alice"));
    assertThat(found(helpdesk, "mar")).containsExactly("alice");
    assertThat(found(helpdesk, "ÉMILE z")).containsExactly("emile");
    assertThat(found(helpdesk, "EMI")).containsExactly("emile");
    assertThat(found(helpdesk, "dupont")).isEmpty();
    assertThat(found(helpdesk, "bob d")).containsExactly("bob");
    assertThat(usernames(expect(search(helpdesk, "prefix=al&limit=2"), 200)))
        .containsExactly("zoe", "albert");

    // Renamed: found by the new name only; deleted: found no more.
    expect(
        api.admin("PUT", "/v1/admin/users/alice", new JsonObject().put("displayName", "Zoé Alice")),
        200);
    assertThat(found(helpdesk, "mar")).isEmpty();
    assertThat(found(helpdesk, "zoé")).containsExactly("alice");
    expect(api.admin("DELETE", "/v1/admin/users/albert", null), 204);
    assertThat(found(helpdesk, "al")).containsExactly("zoe", "alice");
    assertThat(found(helpdesk, "zed")).isEmpty();
  }

  @Test
  void aSearchAnswersTwentyUsersUnlessToldAndAtMostAHundred() {
    StringBuilder body = new StringBuilder();
    for (int i = 0; i < 120; i++) {
      body.append(line(new JsonObject().put("username", String.format("pupil%03d", i))));
    }
    assertThat(expect(bulk(body.toString()), 200).json().getInteger("created")).isEqualTo(120);

    List<String> page = usernames(expect(search(TestJeton.ADMIN_TOKEN, "prefix=pupil"), 200));
    assertThat(page).hasSize(20).first().isEqualTo("pupil000");
    assertThat(page).isSorted();
    assertThat(usernames(expect(search(TestJeton.ADMIN_TOKEN, "prefix=pupil&limit=100"), 200)))
        .hasSize(100)
        .doesNotHaveDuplicates()
        .last()
        .isEqualTo("pupil099");
    assertThat(usernames(expect(search(TestJeton.ADMIN_TOKEN, "prefix=pupil11&limit=1"), 200)))
        .containsExactly("pupil110");
  }

  @Test
  void aSearchOutOfBoundsIsRefused() {
    String helpdesk = helpdeskSecret("desk-bounds");
    for (String query :
        List.of(
            "",
            "limit=5",
            "prefix=",
            "prefix=" + "a".repeat(65),
            "prefix=a%00b",
            "prefix=a%0Ab",
            "prefix=a&limit=0",
            "prefix=a&limit=101",
            "prefix=a&limit=-1",
            "prefix=a&limit=ten",
            "prefix=a&limit=1.5")) {
      Resp r = search(helpdesk, query);
      assertThat(r.status()).as("%s: %s", query, r.raw()).isEqualTo(400);
      assertThat(r.str("error")).isEqualTo("invalid_request");
    }
    expect(search(helpdesk, "prefix=" + "a".repeat(64)), 200);
    expect(search(helpdesk, "prefix=a&limit=100"), 200);
    expect(search(helpdesk, "prefix=a&limit=1"), 200);
    expect(search(null, "prefix=a"), 401);
  }

  @Test
  void bulkAppliesGoodLinesAndReportsBadOnesByNumber() {
    byte[] seed = TestJeton.seed();
    String body =
        line(new JsonObject().put("username", "bulk1").put("displayName", "One"))
            + line(
                new JsonObject()
                    .put("username", "bulk2")
                    .put(
                        "token",
                        new JsonObject()
                            .put("serial", "BK2")
                            .put("type", "totp")
                            .put("secret", TestJeton.base32(seed))
                            .put("pin", "2580")))
            + "\n"
            + "{not json\n"
            + line(new JsonObject().put("username", "bad name"))
            + line(
                new JsonObject()
                    .put("username", "bulk3")
                    .put(
                        "token",
                        new JsonObject()
                            .put("serial", "BK2")
                            .put("secret", TestJeton.base32(TestJeton.seed()))))
            + line(
                new JsonObject().put("username", "bulk4").put("password", "a long enough password"))
            + line(
                new JsonObject()
                    .put("username", "bulk5")
                    .put("token", new JsonObject().put("serial", "BK5").put("secret", "!!")));
    Resp r = expect(bulk(body), 200);
    assertThat(r.json().getInteger("created")).isEqualTo(3);
    JsonArray failed = r.json().getJsonArray("failed");
    assertThat(failed.stream().map(o -> ((JsonObject) o).getInteger("line")).toList())
        .containsExactly(4, 5, 6, 8);
    assertThat(failed.getJsonObject(2).getString("error")).contains("exists");
    assertThat(r.raw()).doesNotContain(TestJeton.base32(seed));

    expect(api.adminGet("/v1/admin/users/bulk1"), 200);
    expect(api.adminGet("/v1/admin/users/bulk3"), 404);
    assertThat(expect(api.adminGet("/v1/admin/users/bulk4"), 200).json().getBoolean("hasPassword"))
        .isTrue();
    JsonObject user2 = expect(api.adminGet("/v1/admin/users/bulk2"), 200).json();
    assertThat(user2.getJsonArray("tokens").getJsonObject(0).getMap())
        .containsEntry("serial", "BK2")
        .containsEntry("pinSet", true);
    // The bulk-loaded user logs in at once with the PIN it was given, and the password user too.
    assertThat(expect(api.login("bulk2", "2580" + j.code(seed)), 200).str("decision"))
        .isEqualTo("ACCEPT");
    assertThat(expect(api.login("bulk4", "a long enough password"), 200).str("method"))
        .isEqualTo("password");
  }

  @Test
  void aPasswordOfDigitsOnlyIsRefusedForItWouldAlwaysBeReadAsAPasscode() {
    Resp put =
        expect(
            api.admin(
                "PUT", "/v1/admin/users/digits", new JsonObject().put("password", "2580123456")),
            400);
    assertThat(put.str("detail")).contains("digits only");
    expect(api.adminGet("/v1/admin/users/digits"), 404);
    Resp r =
        expect(
            bulk(
                line(new JsonObject().put("username", "digits").put("password", "12345678"))
                    + line(
                        new JsonObject().put("username", "letters").put("password", "1234567a"))),
            200);
    assertThat(r.json().getInteger("created")).isEqualTo(1);
    assertThat(r.json().getJsonArray("failed").getJsonObject(0).getMap()).containsEntry("line", 1);
    assertThat(expect(api.login("letters", "1234567a"), 200).str("method")).isEqualTo("password");
  }

  @Test
  void bulkNeverGivesAUserMoreThanThreeTokens() {
    StringBuilder body = new StringBuilder();
    for (int i = 1; i <= 4; i++) {
      body.append(
          line(
              new JsonObject()
                  .put("username", "many")
                  .put(
                      "token",
                      new JsonObject()
                          .put("serial", "M" + i)
                          .put("secret", TestJeton.base32(TestJeton.seed())))));
    }
    Resp r = expect(bulk(body.toString()), 200);
    assertThat(r.json().getInteger("created")).isEqualTo(3);
    assertThat(r.json().getJsonArray("failed").getJsonObject(0).getInteger("line")).isEqualTo(4);
    assertThat(expect(api.adminGet("/v1/admin/users/many"), 200).json().getJsonArray("tokens"))
        .hasSize(3);
    expect(api.adminGet("/v1/admin/tokens/M4"), 404);
  }

  @Test
  void bulkIsForAdminsOnly() {
    String helpdesk =
        expect(
                api.admin(
                    "PUT", "/v1/admin/operators/hd", new JsonObject().put("role", "helpdesk")),
                200)
            .str("secret");
    assertThat(
            api.raw(
                    "POST",
                    "admin",
                    "/v1/admin/bulk",
                    "application/x-ndjson",
                    "{\"username\":\"x\"}\n",
                    helpdesk)
                .status())
        .isEqualTo(403);
    assertThat(
            api.raw(
                    "POST",
                    "admin",
                    "/v1/admin/bulk",
                    "application/x-ndjson",
                    "{\"username\":\"x\"}\n",
                    null)
                .status())
        .isEqualTo(401);
    expect(api.adminGet("/v1/admin/users/x"), 404);
  }

  @Test
  void theRequestIdOfALoginIsInItsAuditEvent() {
    j.userWithToken("rid", "R1");
    Resp r =
        api.raw(
            "POST",
            "public",
            "/v1/authenticate",
            "application/json",
            new JsonObject().put("username", "rid").put("password", "2580000000").encode(),
            api.clientSecret());
    assertThat(r.status()).isEqualTo(401);
    String id = r.requestId();
    assertThat(id).isNotBlank();
    List<JsonObject> events = awaitEvents(TestJeton.ADMIN_TOKEN, "rid", 3);
    assertThat(events.get(0).getString("requestId")).isEqualTo(id);
  }

  @Test
  void theAuditTrailShowsDecisionsAndAdminActionsNewestFirst() {
    byte[] seed = j.userWithToken("ann", "A1");
    j.userWithToken("bea", "B1");
    j.firstLogin("ann", seed, "2580");
    api.login("ann", "2580000000");
    api.login("bea", "wrong");
    String helpdesk =
        expect(
                api.admin(
                    "PUT", "/v1/admin/operators/desk", new JsonObject().put("role", "helpdesk")),
                200)
            .str("secret");
    expect(api.adminAs(helpdesk, "POST", "/v1/admin/users/ann/unlock", null), 200);

    List<JsonObject> events = awaitEvents(helpdesk, "ann", 7);
    assertThat(events.get(0).getMap())
        .containsEntry("decision", "ADMIN")
        .containsEntry("reason", "unlocked")
        .containsEntry("client", "desk")
        .containsEntry("username", "ann");
    JsonObject reject = events.get(1);
    assertThat(reject.getMap())
        .containsEntry("decision", "REJECT")
        .containsEntry("username", "ann")
        .containsEntry("client", "portal")
        .containsKey("clientIp")
        .containsKey("at");
    assertThat(events.get(2).getMap())
        .containsEntry("decision", "ACCEPT")
        .containsEntry("method", "otp")
        .containsEntry("tokenSerial", "A1");
    assertThat(events).allMatch(e -> "ann".equals(e.getString("username")));
    assertThat(events.stream().map(e -> e.getString("at")).toList())
        .isSortedAccordingTo((a, b) -> b.compareTo(a));

    Resp limited =
        expect(api.adminAs(helpdesk, "GET", "/v1/admin/audit?username=ann&limit=2", null), 200);
    assertThat(limited.json().getJsonArray("events")).hasSize(2);
    expect(api.adminGet("/v1/admin/audit?limit=0"), 400);
    expect(api.adminGet("/v1/admin/audit?username=bad%20name"), 400);
    expect(api.adminAs(null, "GET", "/v1/admin/audit", null), 401);
    Resp all = expect(api.adminGet("/v1/admin/audit?limit=1000"), 200);
    assertThat(
            all.json().getJsonArray("events").stream()
                .map(o -> ((JsonObject) o).getString("username")))
        .contains("ann", "bea");
    assertThat(all.raw()).doesNotContain("2580000000").doesNotContain("\"wrong\"");
  }

  /**
   * The audit write is asynchronous (off the login path): poll until the expected events are there.
   */
  private List<JsonObject> awaitEvents(String token, String username, int atLeast) {
    return api.awaitAudit(token, username, 50, e -> true, atLeast);
  }

  private Resp importPskc(String resource, String query, String token) {
    try (var in = getClass().getResourceAsStream(resource)) {
      String xml = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      return api.raw(
          "POST", "admin", "/v1/admin/tokens/import" + query, "application/pskc+xml", xml, token);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void pskcImportCreatesTheKeysNeverOverwritesAndTheyLogIn() throws Exception {
    String example =
        java.nio.file.Files.readString(java.nio.file.Path.of("deploy/examples/tokens.pskc.xml"));
    Resp r =
        expect(
            api.raw(
                "POST",
                "admin",
                "/v1/admin/tokens/import",
                "application/pskc+xml",
                example,
                TestJeton.ADMIN_TOKEN),
            200);
    assertThat(r.json().getJsonArray("imported").getList())
        .containsExactlyInAnyOrder("987654321", "987654322");
    assertThat(r.json().getJsonArray("skipped")).isEmpty();
    Resp again =
        expect(
            api.raw(
                "POST",
                "admin",
                "/v1/admin/tokens/import",
                "application/pskc+xml",
                example,
                TestJeton.ADMIN_TOKEN),
            200);
    assertThat(again.json().getJsonArray("imported")).isEmpty();
    assertThat(again.json().getJsonArray("skipped").getJsonObject(0).getString("reason"))
        .contains("exists");

    // The RFC's HOTP key: secret "12345678901234567890", 8 digits, counter 0.
    j.user("hugo", null);
    expect(api.admin("PUT", "/v1/admin/users/hugo/tokens/987654321", null), 200);
    dev.jeton.otp.Hotp hotp = new dev.jeton.otp.Hotp(dev.jeton.otp.OtpAlgorithm.SHA1, 8);
    byte[] rfcSecret = "12345678901234567890".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    Resp first = expect(api.login("hugo", hotp.generate(rfcSecret, 0)), 200);
    assertThat(first.str("challenge")).isEqualTo("NEW_PIN");
  }

  @Test
  void pskcImportOfAPreSharedKeyFileChecksTheMacAndRefusesDtds() {
    Resp ok =
        expect(
            importPskc(
                "/pskc/rfc6030-figure6-aes128-preshared.xml",
                "?key=12345678901234567890123456789012",
                TestJeton.ADMIN_TOKEN),
            200);
    assertThat(ok.json().getJsonArray("imported")).hasSize(1);
    Resp tampered =
        expect(
            importPskc(
                "/pskc/figure6-tampered-valuemac.xml",
                "?key=12345678901234567890123456789012",
                TestJeton.ADMIN_TOKEN),
            200);
    assertThat(tampered.json().getJsonArray("imported")).isEmpty();
    assertThat(tampered.json().getJsonArray("skipped").getJsonObject(0).getString("reason"))
        .contains("ValueMAC");
    Resp xxe = expect(importPskc("/pskc/xxe.xml", "", TestJeton.ADMIN_TOKEN), 400);
    assertThat(xxe.str("error")).isEqualTo("invalid_pskc");
    assertThat(xxe.raw()).doesNotContain("root:");
    String helpdesk =
        expect(
                api.admin(
                    "PUT", "/v1/admin/operators/hd2", new JsonObject().put("role", "helpdesk")),
                200)
            .str("secret");
    expect(importPskc("/pskc/rfc6030-figure3-plain-hotp.xml", "", helpdesk), 403);
  }
}
