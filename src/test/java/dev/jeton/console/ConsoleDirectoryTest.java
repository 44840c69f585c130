package dev.jeton.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.testsupport.ExternalTools;
import dev.jeton.testsupport.Slapd;
import dev.jeton.testsupport.TestJeton;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The console with the district's directory (a real slapd): the helpdesk finds a user the directory
 * has, sees its page with no key yet and nothing to unlock, and an admin's assigning a key creates
 * it in Jeton; with the directory stopped the search still finds Jeton's users and says the
 * directory was not searched.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class ConsoleDirectoryTest {

  private static final String PIN = "2580";

  private final HttpClient http = ConsoleVisitor.newHttpClient();
  private Slapd slapd;
  private TestJeton j;

  @BeforeAll
  void start() {
    ExternalTools.require(
        Slapd.available(),
        "slapd and ldap-utils are not installed (apt-get install slapd ldap-utils)");
    slapd = Slapd.start();
    slapd.add(
        "dn: uid=hugo,"
            + Slapd.PEOPLE
            + "\nobjectClass: inetOrgPerson\nuid: hugo\ncn: Hugo Lefort\nsn: Lefort\n"
            + "userPassword: hugo-pw\n\n"
            + "dn: uid=ines,"
            + Slapd.PEOPLE
            + "\nobjectClass: inetOrgPerson\nuid: ines\ncn: Inès Garnier\nsn: Garnier\n"
            + "userPassword: ines-pw\n\n");
    j =
        TestJeton.start(
            null,
            Map.of(
                "JETON_LDAP_URL", slapd.url(),
                "JETON_LDAP_BIND_DN", Slapd.SERVICE_DN,
                "JETON_LDAP_BIND_PASSWORD", Slapd.SERVICE_PASSWORD,
                "JETON_LDAP_BASE_DN", Slapd.PEOPLE,
                "JETON_LDAP_TIMEOUT_MS", "500"));
  }

  @AfterAll
  void stop() {
    if (j != null) {
      j.close();
    }
    if (slapd != null) {
      slapd.close();
    }
  }

  /** An operator (a Jeton user with a key and a role), signed in. */
  private ConsoleVisitor signedIn(String username, String role) {
    byte[] seed = ConsoleVisitor.makeOperator(j, username, role, PIN);
    ConsoleVisitor v = new ConsoleVisitor(http, "http://127.0.0.1:" + j.jeton.adminPort());
    HttpResponse<String> r = v.signIn(username, PIN + j.code(seed));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(303);
    return v;
  }

  @Test
  void theHelpdeskFindsADirectoryUserAndSeesItWithNoKeyAndNothingToUnlock() {
    ConsoleVisitor v = signedIn("hd1", "helpdesk");
    j.user("hubert", null);

    HttpResponse<String> r = v.get("/console/?q=hu");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body())
        .contains("/console/users/hugo", "Hugo Lefort", "/console/users/hubert", "User hubert");
    assertThat(r.body().indexOf("/console/users/hubert"))
        .isLessThan(r.body().indexOf("/console/users/hugo"));
    r = v.get("/console/users/hugo");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(v.page()).isEqualTo("user");
    assertThat(r.body())
        .contains("hugo", "Hugo Lefort", "id=\"no-key-yet\"")
        .doesNotContain("action-unlock", "action-clear-pin", "action-assign");
    assertThat(v.get("/console/users/hugo/unlock").statusCode()).isEqualTo(404);
    assertThat(v.get("/console/users/nobody-anywhere").statusCode()).isEqualTo(404);
  }

  @Test
  void anAdminAssigningAKeyToADirectoryUserCreatesItInJeton() {
    ConsoleVisitor v = signedIn("adm1", "admin");
    j.token("S-ines", TestJeton.seed(), null);
    assertThat(v.get("/console/users/ines").body()).contains("id=\"action-assign\"");

    v.get("/console/users/ines/assign");
    assertThat(v.page()).isEqualTo("confirm-assign");
    HttpResponse<String> r =
        v.submit("/console/users/ines/assign", Map.of("serial", "S-ines", "reason", "T-31"));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(303);
    assertThat(v.location()).isEqualTo("/console/users/ines?done=assign");
    assertThat(v.get(v.location()).body())
        .contains("S-ines", "Inès Garnier", "action-unlock")
        .doesNotContain("no-key-yet");
    List<JsonObject> created =
        j.api.awaitAudit("ines", 20, e -> "user_created".equals(e.getString("reason")), 1);
    assertThat(created.get(0).getString("note")).isEqualTo("from the directory: T-31");
    assertThat(created.get(0).getString("client")).isEqualTo("@console:adm1");
  }

  @Test
  void withTheDirectoryStoppedTheSearchStillFindsJetonsUsersAndSaysSo() {
    ConsoleVisitor v = signedIn("hd2", "helpdesk");
    j.user("hector", null);
    try {
      slapd.stop();

      HttpResponse<String> r = v.get("/console/?q=h");

      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).contains("/console/users/hector").doesNotContain("/console/users/hugo");
      assertThat(r.body()).contains("id=\"directory-unavailable\"");
      assertThat(v.get("/console/users/hugo").statusCode()).isEqualTo(503);
      r = v.get("/console/users/hector");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).contains("User hector", "id=\"directory-unavailable\"");
    } finally {
      slapd.restart();
    }
  }
}
