package dev.jeton.e2e;

import static dev.jeton.testsupport.TestJeton.expect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.testsupport.Api;
import dev.jeton.testsupport.ExternalTools;
import dev.jeton.testsupport.RedisServer;
import dev.jeton.testsupport.Slapd;
import dev.jeton.testsupport.TestJeton;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Password logins checked by the district's directory (issue 20, point 2), end to end on Redis
 * against a real slapd: the directory's password is the only one, a wrong password and an unknown
 * username are refused alike and count towards the lock, the lock holds even for the right
 * password, and a directory that is down makes password logins 503 while PIN + code logins go on.
 * Each test has directory users of its own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class DirectoryLoginTest {

  private static final String PIN = "4826";

  private Slapd slapd;
  private TestJeton j;

  @BeforeAll
  void start() {
    ExternalTools.require(
        Slapd.available(),
        "slapd and ldap-utils are not installed (apt-get install slapd ldap-utils)");
    slapd = Slapd.start();
    slapd.add(
        DirectoryUsersTest.person("hugo", "Hugo Petit")
            + DirectoryUsersTest.person("ines", "Inès Garnier")
            + DirectoryUsersTest.person("jules", "Jules Faure")
            + DirectoryUsersTest.person("karim", "Karim Haddad")
            + DirectoryUsersTest.person("lea", "Léa Simon"));
    Map<String, String> env = new HashMap<>(DirectoryUsersTest.ldap(slapd));
    j = TestJeton.start(RedisServer.shared().url(), env);
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

  private Api.Resp login(String username, String password) {
    return j.api.login(username, password);
  }

  @Test
  void theDirectorysPasswordLogsInAndAddsTheUserToJeton() {
    expect(j.api.adminGet("/v1/admin/users/hugo"), 200); // the directory's, not yet Jeton's
    Api.Resp ok = expect(login("hugo", "hugo-pw"), 200);
    assertThat(ok.str("decision")).isEqualTo("ACCEPT");
    assertThat(ok.str("method")).isEqualTo("password");

    JsonObject view = expect(j.api.adminGet("/v1/admin/users/hugo"), 200).json();
    assertThat(view.getString("source")).isEqualTo("jeton");
    assertThat(view.getString("displayName")).isEqualTo("Hugo Petit");
    List<JsonObject> accepts =
        j.api.awaitAudit("hugo", 20, e -> "ACCEPT".equals(e.getString("decision")), 1);
    assertThat(accepts.get(0).getString("method")).isEqualTo("password");
  }

  @Test
  void aWrongPasswordAnUnknownUserAndFilterCharactersAreRefusedAlike() {
    Api.Resp wrong = login("ines", "not-her-password");
    Api.Resp unknown = login("nobody-in-the-directory", "ines-pw");
    Api.Resp wildcard = login("*", "ines-pw");
    Api.Resp injection = login("ines)(uid=*", "ines-pw");
    for (Api.Resp r : List.of(wrong, unknown, wildcard, injection)) {
      assertThat(r.status()).as(r.raw()).isIn(400, 401);
    }
    assertThat(wrong.status()).isEqualTo(401);
    assertThat(unknown.raw()).isEqualTo(wrong.raw());
    // Jeton's own password is never the directory's: a local hash is not read.
    j.user("ines", "a-local-password-1234");
    assertThat(login("ines", "a-local-password-1234").status()).isEqualTo(401);
    assertThat(expect(login("ines", "ines-pw"), 200).str("decision")).isEqualTo("ACCEPT");
  }

  @Test
  void anEmptyPasswordNeverReachesTheDirectory() {
    long before = slapd.bindsOtherThanService();
    Api.Resp empty = login("jules", "");
    assertThat(empty.status()).isIn(400, 401);
    assertThat(slapd.bindsOtherThanService()).isEqualTo(before);
  }

  @Test
  void tenWrongPasswordsLockTheUserEvenAgainstTheRightOne() {
    for (int i = 0; i < 10; i++) {
      assertThat(login("karim", "wrong-" + i).status()).isEqualTo(401);
    }
    Api.Resp locked = login("karim", "karim-pw");
    assertThat(locked.status()).as(locked.raw()).isEqualTo(401);
    j.api.awaitAudit("karim", 50, e -> String.valueOf(e.getString("reason")).contains("locked"), 1);
  }

  @Test
  void aDirectoryThatIsDownMakesPasswordLogins503WhileKeysGoOnAndItComesBack() {
    byte[] seed = j.userWithToken("lea", "DIR-LEA");
    j.firstLogin("lea", seed, PIN);
    j.clock.advanceSeconds(30);
    slapd.stop();
    try {
      Api.Resp down = login("lea", "lea-pw");
      assertThat(down.status()).as(down.raw()).isEqualTo(503);
      Api.Resp key = expect(login("lea", PIN + j.code(seed)), 200);
      assertThat(key.str("decision")).isEqualTo("ACCEPT");
      Api.Resp ready = j.api.raw("GET", "public", "/health/ready", null, null, null);
      assertThat(ready.status()).as("still in service").isEqualTo(200);
      assertThat(ready.raw()).contains("degraded");
    } finally {
      slapd.restart();
    }
    dev.jeton.testsupport.Eventually.eventuallyAsserts(
        dev.jeton.testsupport.Eventually.DEFAULT,
        () -> assertThat(login("lea", "lea-pw").status()).isEqualTo(200));
  }
}
