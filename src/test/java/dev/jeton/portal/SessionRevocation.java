package dev.jeton.portal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.testsupport.TestJeton;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A portal session ends when the user logs out on any device, is locked, has their PINs cleared or
 * is deleted: {@code GET /v1/session} says 401 and the portal no longer counts the visitor as
 * signed in. Subclasses choose the store; both run the very same tests.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class SessionRevocation {

  private static final String PIN = "2580";
  private static final String APP = "https://intranet.example/mail";
  private final HttpClient http =
      HttpClient.newBuilder()
          .followRedirects(HttpClient.Redirect.NEVER)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  TestJeton j;

  /** The Redis URL, or null for the embedded store. */
  abstract String redisUrl();

  @BeforeAll
  void start() {
    j =
        TestJeton.start(
            redisUrl(),
            Map.of(
                "JETON_LOCKOUT_FAILURES",
                "3",
                "JETON_PORTAL_RETURN_HOSTS",
                "intranet.example",
                "JETON_PORTAL_DEMO",
                "false"));
  }

  @AfterAll
  void stop() {
    if (j != null) {
      j.close();
    }
  }

  PortalVisitor visitor() {
    return new PortalVisitor(http, "http://127.0.0.1:" + j.jeton.httpPort());
  }

  /** Creates the user with a TOTP key whose PIN is {@link #PIN}; returns the seed. */
  private byte[] userWithPin(String username) {
    byte[] seed = TestJeton.seed();
    j.user(username, null);
    j.token("S-" + username, seed, PIN);
    TestJeton.expect(
        j.api.admin("PUT", "/v1/admin/users/" + username + "/tokens/S-" + username, null), 200);
    return seed;
  }

  /** A browser signed in as the user (each sign-in uses the next step of the key). */
  private PortalVisitor signedIn(String username, byte[] seed) {
    j.clock.advanceSeconds(30);
    PortalVisitor v = visitor();
    assertThat(PortalVisitor.page(v.signIn(username, PIN + j.code(seed)))).isEqualTo("signed-in");
    assertSignedIn(v, username);
    return v;
  }

  private static void assertSignedIn(PortalVisitor v, String username) {
    HttpResponse<String> s = v.get("/v1/session");
    assertThat(s.statusCode()).as(s.body()).isEqualTo(200);
    assertThat(s.body()).contains("\"username\":\"" + username + "\"");
  }

  /**
   * Revoked: /v1/session refuses the cookie, and the portal neither sends the visitor back nor says
   * signed in.
   */
  private static void assertSignedOut(PortalVisitor v) {
    assertThat(v.cookies).containsKey(SessionCookie.NAME);
    HttpResponse<String> s = v.get("/v1/session");
    assertThat(s.statusCode()).as(s.body()).isEqualTo(401);
    assertThat(s.body()).contains("no_session");
    HttpResponse<String> page =
        v.get(
            "/portal?"
                + PortalRoutes.RETURN_PARAM
                + "="
                + URLEncoder.encode(APP, StandardCharsets.UTF_8));
    assertThat(page.statusCode()).as("no redirect to the application").isEqualTo(200);
    assertThat(PortalVisitor.page(page)).isEqualTo("login");
  }

  @Test
  void logoutOnOneDeviceEndsTheSessionOnEveryDevice() {
    byte[] seed = userWithPin("twodev");
    PortalVisitor laptop = signedIn("twodev", seed);
    PortalVisitor phone = signedIn("twodev", seed);
    // The phone's cookie as it is now, to be replayed after logout.
    String phoneCookie = phone.cookies.get(SessionCookie.NAME);

    assertThat(phone.signOut().statusCode()).isEqualTo(303);

    assertThat(phone.cookies).doesNotContainKey(SessionCookie.NAME);
    phone.cookies.put(SessionCookie.NAME, phoneCookie);
    assertSignedOut(phone);
    assertSignedOut(laptop);
  }

  @Test
  void aRevokedSessionCannotEndTheNewerOnes() {
    byte[] seed = userWithPin("stale");
    PortalVisitor old = signedIn("stale", seed);
    String oldCookie = old.cookies.get(SessionCookie.NAME);
    old.signOut();
    PortalVisitor fresh = signedIn("stale", seed);

    PortalVisitor thief = visitor();
    thief.get("/portal");
    thief.cookies.put(SessionCookie.NAME, oldCookie);
    assertThat(thief.signOut().statusCode()).isEqualTo(303);

    assertSignedIn(fresh, "stale");
  }

  @Test
  void aLockEndsTheSessionEvenAfterUnlock() {
    byte[] seed = userWithPin("locked");
    PortalVisitor v = signedIn("locked", seed);

    for (int i = 0; i < 3; i++) {
      // Different wrong passcodes: the same one sent again counts once.
      assertThat(j.api.login("locked", PIN + "00000" + i).status()).isEqualTo(401);
    }
    assertThat(j.api.login("locked", PIN + j.code(seed, 1)).json().getString("reason"))
        .isEqualTo("LOCKED");

    assertSignedOut(v);
    TestJeton.expect(j.api.admin("POST", "/v1/admin/users/locked/unlock", null), 200);
    assertSignedOut(v);
  }

  @Test
  void clearingThePinsEndsTheSession() {
    byte[] seed = userWithPin("cleared");
    PortalVisitor v = signedIn("cleared", seed);

    TestJeton.expect(j.api.admin("POST", "/v1/admin/users/cleared/clear-pin", null), 200);

    assertSignedOut(v);
  }

  @Test
  void deletingTheUserEndsTheSessionAndARecreatedUserDoesNotRevive() {
    byte[] seed = userWithPin("gone");
    PortalVisitor v = signedIn("gone", seed);

    TestJeton.expect(j.api.admin("DELETE", "/v1/admin/users/gone", null), 204);
    assertSignedOut(v);
    j.user("gone", null);

    assertSignedOut(v);
  }

  @Test
  void aSessionIsNotEndedByAnotherUsersRevocation() {
    byte[] a = userWithPin("keepa");
    byte[] b = userWithPin("keepb");
    PortalVisitor va = signedIn("keepa", a);
    PortalVisitor vb = signedIn("keepb", b);

    vb.signOut();
    TestJeton.expect(j.api.admin("POST", "/v1/admin/users/keepb/clear-pin", null), 200);

    assertSignedIn(va, "keepa");
    HttpResponse<String> back =
        va.get(
            "/portal?"
                + PortalRoutes.RETURN_PARAM
                + "="
                + URLEncoder.encode(APP, StandardCharsets.UTF_8));
    assertThat(back.statusCode()).isEqualTo(303);
    assertThat(back.headers().firstValue("Location")).hasValue(APP);
  }
}
