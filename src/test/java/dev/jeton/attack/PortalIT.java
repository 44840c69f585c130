package dev.jeton.attack;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The portal, attacked: sessions that outlive what should end them (issue 15, hole 9), CSRF without
 * and with a forged Origin and with a planted cookie, and the open-redirect variants of {@code
 * CT_ORIG_URL}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class PortalIT {

  /** Under TLS the CSRF cookie must be one a sibling subdomain cannot plant (issue 15, hole 9). */
  static final String SECURE_CSRF_COOKIE = "__Host-jeton_csrf";

  /** The cookie name a sibling subdomain can plant over plain HTTP or without the prefix. */
  static final String PLANTABLE_CSRF_COOKIE = "jeton_csrf";

  private static final String PIN = "5829";
  private Target target;
  private String helpdesk;
  private int nextAddress = 1;

  @BeforeAll
  void start() {
    target = Targets.strict();
    helpdesk = target.operator("portal-helpdesk", "helpdesk");
  }

  // ---- sessions ----

  @Test
  void logoutOnAnotherDeviceEndsEverySessionOfTheUserAndTheCapturedValue() {
    String user = userWithPassword("sess.logout");
    Visitor laptop = signedIn(user);
    Visitor phone = signedIn(user);
    String captured = phone.cookies.get("jeton_session");
    phone.post("/portal/logout", Map.of(), Map.of());
    assertThat(phone.session()).as("the device that logged out").isEqualTo(401);
    assertThat(laptop.session()).as("the other device, after logout on the phone").isEqualTo(401);
    Visitor thief = new Visitor(target, address());
    thief.cookies.put("jeton_session", captured);
    assertThat(thief.session())
        .as("the phone's session value, replayed after its logout")
        .isEqualTo(401);
  }

  @Test
  void aLockEndsTheUsersSessions() {
    String user = userWithPassword("sess.lock");
    Visitor browser = signedIn(user);
    String client = target.client("sess-lock-portal", true, null);
    for (int i = 0; i < Targets.STRICT_LOCKOUT_FAILURES; i++) {
      target.authenticate(
          client,
          new JsonObject()
              .put("username", user)
              .put("password", "wrong-" + i)
              .put("clientIp", address()));
    }
    assertThat(target.userView(user).getBoolean("locked")).isTrue();
    assertThat(browser.session()).as("session after the user was locked").isEqualTo(401);
  }

  @Test
  void clearingThePinEndsTheUsersSessions() {
    String user = userWithPassword("sess.clearpin");
    target.totpToken(user, "PORTAL-CLEAR", 30, PIN);
    Visitor browser = signedIn(user);
    target.expect(
        target.adminAs(helpdesk, "POST", "/v1/admin/users/" + user + "/clear-pin", null), 200);
    assertThat(browser.session()).as("session after the helpdesk cleared the PIN").isEqualTo(401);
  }

  @Test
  void deletingTheUserEndsTheUsersSessions() {
    String user = userWithPassword("sess.delete");
    Visitor browser = signedIn(user);
    target.expect(target.admin("DELETE", "/v1/admin/users/" + user, null), 204);
    assertThat(browser.session()).as("session after the user was deleted").isEqualTo(401);
  }

  // ---- CSRF ----

  @Test
  void aLoginFormWithoutAValidCsrfTokenIsRefusedAndNotEvaluated() {
    String user = userWithPassword("csrf.user");
    Visitor browser = new Visitor(target, address());
    browser.open("/portal");
    Map<String, String> noToken = new LinkedHashMap<>();
    noToken.put("csrf", null);
    noToken.put("username", user);
    noToken.put("password", "wrong-1");
    assertThat(browser.post("/portal/login", noToken, Map.of()).status())
        .as("no token")
        .isEqualTo(403);
    noToken.put("csrf", "A".repeat(43));
    assertThat(browser.post("/portal/login", noToken, Map.of()).status())
        .as("a made-up token")
        .isEqualTo(403);
    Visitor noCookie = new Visitor(target, address());
    noCookie.csrf = browser.csrf;
    assertThat(
            noCookie
                .post("/portal/login", Map.of("username", user, "password", "wrong-2"), Map.of())
                .status())
        .as("another browser's token without its cookie")
        .isEqualTo(403);

    Map<String, String> wrong = Map.of("username", user, "password", "wrong-3");
    String self = "http://127.0.0.1:" + target.httpPort();
    for (Map<String, String> forged :
        List.of(
            Map.of("Origin", "http://evil.example"),
            Map.of("Origin", "null"),
            Map.of("Origin", self + ".evil.example"),
            Map.of("Sec-Fetch-Site", "cross-site"),
            Map.of("Sec-Fetch-Site", "same-site"),
            Map.of("Origin", "https://127.0.0.1:" + target.httpPort()))) {
      assertThat(browser.post("/portal/login", wrong, forged).status())
          .as("valid token, forged %s", forged)
          .isEqualTo(403);
    }
    assertThat(target.userView(user).getInteger("failures"))
        .as("no refused form was evaluated")
        .isZero();
    // Control: the same form from the portal's own origin is evaluated (a wrong password: 401).
    assertThat(
            browser
                .post(
                    "/portal/login", wrong, Map.of("Origin", self, "Sec-Fetch-Site", "same-origin"))
                .status())
        .as("same origin")
        .isEqualTo(401);
    assertThat(target.userView(user).getInteger("failures")).isEqualTo(1);
  }

  @Test
  void aForgedLogoutEndsNoSession() {
    String user = userWithPassword("csrf.logout");
    Visitor browser = signedIn(user);
    Map<String, String> noToken = new LinkedHashMap<>();
    noToken.put("csrf", null);
    Http.Res forged =
        browser.post("/portal/logout", noToken, Map.of("Origin", "http://evil.example"));
    assertThat(forged.headers().getOrDefault("set-cookie", List.of()))
        .as("a forged logout changes no cookie")
        .noneMatch(c -> c.startsWith("jeton_session="));
    assertThat(browser.session()).as("session after a forged logout").isEqualTo(200);
  }

  @Test
  void underTlsTheCsrfCookieCannotBePlantedByASiblingSubdomain() {
    // The jar trusts 127.0.0.1 as a proxy: X-Forwarded-Proto https makes the request a TLS one.
    Visitor attacker = new Visitor(target, address()).header("X-Forwarded-Proto", "https");
    Http.Res page = attacker.open("/portal");
    List<String> set = page.headers().getOrDefault("set-cookie", List.of());
    assertThat(set)
        .as("the CSRF cookie set under TLS")
        .anySatisfy(
            c -> {
              assertThat(c).startsWith(SECURE_CSRF_COOKIE + "=");
              String lower = c.toLowerCase(Locale.ROOT);
              assertThat(lower).contains("secure").contains("path=/").doesNotContain("domain=");
            });
    // The attacker's own cookie value and token, planted under the name a sibling subdomain can
    // set.
    String value =
        attacker.cookies.getOrDefault(
            SECURE_CSRF_COOKIE, attacker.cookies.get(PLANTABLE_CSRF_COOKIE));
    String user = userWithPassword("csrf.planted");
    Visitor victim = new Visitor(target, address()).header("X-Forwarded-Proto", "https");
    victim.cookies.put(PLANTABLE_CSRF_COOKIE, value);
    victim.csrf = attacker.csrf;
    Http.Res r =
        victim.post("/portal/login", Map.of("username", user, "password", "wrong-1"), Map.of());
    assertThat(r.status()).as("a form carrying a planted cookie and its token").isEqualTo(403);
  }

  // ---- open redirects ----

  @Test
  void noReturnUrlVariantRedirectsOffTheAllowedHost() {
    String user = userWithPassword("redirect.user");
    Visitor browser = signedIn(user);
    String good = "https://" + Targets.RETURN_HOST + "/welcome?x=1";
    Http.Res control = browser.open("/portal?CT_ORIG_URL=" + enc(good));
    assertThat(control.status()).as("control: an allowed return URL").isEqualTo(303);
    assertThat(control.header("location")).isEqualTo(good);

    String h = Targets.RETURN_HOST;
    List<String> variants =
        List.of(
            "https://evil.example/",
            "//evil.example/",
            "///evil.example/",
            "/\\evil.example/",
            "\\\\evil.example",
            "https:/\\evil.example/",
            "https:evil.example",
            "https://" + h + "@evil.example/",
            "https://" + h + ":443@evil.example/",
            "https://evil.example\\@" + h,
            "https://evil.example#@" + h,
            "https://evil.example?@" + h,
            "https://" + h + ".evil.example/",
            "https://evil.example/" + h,
            "https://evil.example%2F@" + h,
            "https://" + h + "%40evil.example",
            "https://evil.example%23." + h,
            "https://evil%2eexample",
            "HTTPS://EVIL.EXAMPLE",
            "\thttps://evil.example",
            " https://evil.example",
            "https://evil.example\u3002" + h,
            "javascript:alert(1)//" + h,
            "JaVaScRiPt:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "ftp://" + h + "/",
            "https://[::1]/",
            "https://0x7f000001/",
            "https://2130706433/",
            "https://" + h + "\r\nSet-Cookie: x=1",
            "https://" + h.toUpperCase(Locale.ROOT) + "\u0000.evil.example");
    List<String> open = new ArrayList<>();
    for (String v : variants) {
      Http.Res r = browser.open("/portal?CT_ORIG_URL=" + enc(v));
      String location = r.header("location");
      if (r.status() >= 500
          || (location != null
              && !location.startsWith("https://" + h + "/")
              && !location.startsWith("http://" + h + "/"))) {
        open.add(v + " -> " + r.status() + " " + location);
      }
    }
    assertThat(open).as("return URLs that sent a signed-in user elsewhere").isEmpty();

    // The same through the login form's hidden field, at ACCEPT.
    Visitor fresh = new Visitor(target, address());
    fresh.open("/portal");
    Http.Res accepted =
        fresh.post(
            "/portal/login",
            Map.of("username", user, "password", password(user), "return", "https://evil.example/"),
            Map.of());
    assertThat(accepted.header("location")).as("ACCEPT with a forged return field").isNull();
    assertThat(accepted.status()).isEqualTo(200);

    Http.Res root =
        browser.open(
            "/?CT_ORIG_URL=" + enc("https://evil.example/") + "&x=%0d%0aSet-Cookie:%20a=b");
    assertThat(root.header("location"))
        .as("the root's redirect stays on the portal")
        .startsWith("/portal");
    assertThat(root.headers().getOrDefault("set-cookie", List.of()))
        .noneMatch(c -> c.startsWith("a="));
  }

  // ---- helpers ----

  private final Map<String, String> passwords = new LinkedHashMap<>();

  private String userWithPassword(String user) {
    String password = "Correct-Horse-" + Target.hex(6);
    target.user(user, password);
    passwords.put(user, password);
    return user;
  }

  private String password(String user) {
    return passwords.get(user);
  }

  private Visitor signedIn(String user) {
    Visitor v = new Visitor(target, address());
    Http.Res r = v.login(user, password(user));
    assertThat(r.status()).as("portal login of %s: %s", user, r.status()).isEqualTo(200);
    assertThat(v.cookies).containsKey("jeton_session");
    assertThat(v.session()).as("the new session is valid").isEqualTo(200);
    return v;
  }

  private String address() {
    int n = nextAddress++;
    return "10.66." + (n / 250) + "." + (1 + n % 250);
  }

  private static String enc(String s) {
    return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
  }
}
