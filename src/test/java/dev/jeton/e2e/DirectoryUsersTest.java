package dev.jeton.e2e;

import static dev.jeton.testsupport.TestJeton.expect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.testsupport.Api;
import dev.jeton.testsupport.ExternalTools;
import dev.jeton.testsupport.Slapd;
import dev.jeton.testsupport.TestJeton;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Users from the district's directory (issue 20, point 3) through the admin API, against a real
 * slapd: a username the directory has is a known user before Jeton's store has it, a key assigned
 * to it creates it in Jeton, and a directory that is down takes down only what only it could
 * answer. Each test has directory users of its own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class DirectoryUsersTest {

  private Slapd slapd;
  private TestJeton j;

  @BeforeAll
  void start() {
    ExternalTools.require(
        Slapd.available(),
        "slapd and ldap-utils are not installed (apt-get install slapd ldap-utils)");
    slapd = Slapd.start();
    slapd.add(
        person("carla", "Carla Dupont")
            + person("cedric", "Cédric Morel")
            + person("dora", "Dora Lenoir")
            + person("eva", "Eva Roux")
            + person("fanny", "Fanny Blanc")
            + person("gael", "Gaël Noir"));
    j = TestJeton.start(null, ldap(slapd));
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

  /** The variables of a node that reads its users from {@code slapd}. */
  static Map<String, String> ldap(Slapd slapd) {
    return Map.of(
        "JETON_LDAP_URL", slapd.url(),
        "JETON_LDAP_BIND_DN", Slapd.SERVICE_DN,
        "JETON_LDAP_BIND_PASSWORD", Slapd.SERVICE_PASSWORD,
        "JETON_LDAP_BASE_DN", Slapd.PEOPLE,
        "JETON_LDAP_TIMEOUT_MS", "500");
  }

  /** The LDIF of a person under {@link Slapd#PEOPLE}. */
  static String person(String uid, String cn) {
    return "dn: uid="
        + uid
        + ","
        + Slapd.PEOPLE
        + "\nobjectClass: inetOrgPerson\nuid: "
        + uid
        + "\ncn: "
        + cn
        + "\nsn: "
        + cn.substring(cn.indexOf(' ') + 1)
        + "\nuserPassword: "
        + uid
        + "-pw\n\n";
  }

  private static List<String> usernames(JsonArray users) {
    return users.stream().map(o -> ((JsonObject) o).getString("username")).toList();
  }

  @Test
  void aUserOnlyTheDirectoryHasIsShownWithItsDisplayNameAndNoToken() {
    Api.Resp r = expect(j.api.adminGet("/v1/admin/users/dora"), 200);

    assertThat(r.json().getString("displayName")).isEqualTo("Dora Lenoir");
    assertThat(r.json().getString("source")).isEqualTo("directory");
    assertThat(r.json().getValue("directory")).isEqualTo(true);
    assertThat(r.json().getJsonArray("tokens")).isEmpty();
    assertThat(r.json().getBoolean("locked")).isFalse();
    assertThat(r.json().getBoolean("hasPassword")).isFalse();
    expect(j.api.adminGet("/v1/admin/users/nobody-here"), 404);
  }

  @Test
  void aJetonUserShowsTheDirectorysDisplayNameAndWhetherTheDirectoryHasIt() {
    j.user("eva", null);
    j.user("jetononly", null);

    Api.Resp both = expect(j.api.adminGet("/v1/admin/users/eva"), 200);
    Api.Resp mine = expect(j.api.adminGet("/v1/admin/users/jetononly"), 200);

    assertThat(both.json().getString("displayName")).isEqualTo("Eva Roux");
    assertThat(both.json().getString("source")).isEqualTo("jeton");
    assertThat(both.json().getValue("directory")).isEqualTo(true);
    assertThat(mine.json().getString("displayName")).isEqualTo("User jetononly");
    assertThat(mine.json().getString("source")).isEqualTo("jeton");
    assertThat(mine.json().getValue("directory")).isEqualTo(false);
  }

  @Test
  void searchMergesJetonsUsersAndTheDirectorysEachOnceInOrderWithinTheLimit() {
    j.user("cathy", null);
    j.user("carla", null);

    Api.Resp r = expect(j.api.adminGet("/v1/admin/users?prefix=c"), 200);

    assertThat(usernames(r.json().getJsonArray("users")))
        .containsExactly("carla", "cathy", "cedric");
    JsonObject carla = r.json().getJsonArray("users").getJsonObject(0);
    assertThat(carla.getString("displayName")).isEqualTo("Carla Dupont");
    assertThat(carla.getString("source")).isEqualTo("jeton");
    assertThat(r.json().getJsonArray("users").getJsonObject(2).getString("source"))
        .isEqualTo("directory");
    assertThat(r.json().getBoolean("directorySearched")).isTrue();
    Api.Resp two = expect(j.api.adminGet("/v1/admin/users?prefix=C&limit=2"), 200);
    assertThat(usernames(two.json().getJsonArray("users"))).containsExactly("carla", "cathy");
  }

  @Test
  void aKeyAssignedToADirectoryUserCreatesItInJetonAndItThenLogsInWithPinAndCode() {
    byte[] seed = TestJeton.seed();
    j.token("S-fanny", seed, null);
    j.token("S-nobody", TestJeton.seed(), null);

    expect(j.api.admin("PUT", "/v1/admin/users/fanny/tokens/NO-SUCH-KEY", null), 404);
    assertThat(expect(j.api.adminGet("/v1/admin/users/fanny"), 200).str("source"))
        .as("a refused assignment creates no one")
        .isEqualTo("directory");
    expect(j.api.admin("PUT", "/v1/admin/users/fanny/tokens/S-fanny", null), 200);
    expect(j.api.admin("PUT", "/v1/admin/users/nobody-there/tokens/S-nobody", null), 404);

    Api.Resp fanny = expect(j.api.adminGet("/v1/admin/users/fanny"), 200);
    assertThat(fanny.json().getString("source")).isEqualTo("jeton");
    assertThat(fanny.json().getString("displayName")).isEqualTo("Fanny Blanc");
    assertThat(fanny.json().getJsonArray("tokens").getJsonObject(0).getString("serial"))
        .isEqualTo("S-fanny");
    List<JsonObject> created =
        j.api.awaitAudit("fanny", 20, e -> "user_created".equals(e.getString("reason")), 1);
    assertThat(created.get(0).getString("note")).isEqualTo("from the directory");

    j.firstLogin("fanny", seed, "2580");
    j.clock.advanceSeconds(30);
    Api.Resp login = expect(j.api.login("fanny", "2580" + j.code(seed)), 200);
    assertThat(login.str("decision")).isEqualTo("ACCEPT");
  }

  @Test
  void aStoppedDirectoryLeavesJetonsUsersAndSearchAndMakesDirectoryOnlyUsers503() {
    j.user("gaetan", null);
    try {
      slapd.stop();

      Api.Resp mine = expect(j.api.adminGet("/v1/admin/users/gaetan"), 200);
      assertThat(mine.json().getString("displayName")).isEqualTo("User gaetan");
      assertThat(mine.json().getValue("directory")).isEqualTo("unavailable");
      expect(j.api.adminGet("/v1/admin/users/gael"), 503);
      Api.Resp search = expect(j.api.adminGet("/v1/admin/users?prefix=ga"), 200);
      assertThat(usernames(search.json().getJsonArray("users"))).containsExactly("gaetan");
      assertThat(search.json().getBoolean("directorySearched")).isFalse();
      j.token("S-gael", TestJeton.seed(), null);
      expect(j.api.admin("PUT", "/v1/admin/users/gael/tokens/S-gael", null), 503);
    } finally {
      slapd.restart();
    }
    dev.jeton.testsupport.Eventually.eventually(
        "the directory answers again",
        () -> j.api.adminGet("/v1/admin/users/gael").status() == 200);
  }
}
