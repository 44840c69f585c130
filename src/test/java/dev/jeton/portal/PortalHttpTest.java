package dev.jeton.portal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.testsupport.RedisServer;
import dev.jeton.testsupport.TestJeton;
import dev.jeton.web.Csrf;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The portal's rules that a browser does not show: security headers, cookies' attributes, CSRF, the
 * return-URL allow-list at ACCEPT, the session check, the end user's address behind proxies,
 * languages, and the demo key that exists only on the embedded store. Plain HTTP against an
 * in-process Jeton; redirects are never followed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PortalHttpTest {

  private static final Pattern HIDDEN = Pattern.compile("name=\"([a-zA-Z]+)\" value=\"([^\"]*)\"");
  private final HttpClient http =
      HttpClient.newBuilder()
          .followRedirects(HttpClient.Redirect.NEVER)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private TestJeton j;

  @BeforeAll
  void start() {
    j =
        TestJeton.start(
            null,
            Map.of(
                "JETON_PORTAL_RETURN_HOSTS",
                "app.example:8443,intranet.example",
                "JETON_TRUSTED_PROXIES",
                "127.0.0.1",
                "JETON_PORTAL_SESSION_SECONDS",
                "600",
                "JETON_LOCKOUT_FAILURES",
                "3",
                "JETON_PORTAL_HELP_URL",
                "https://help.example/otp",
                "JETON_PORTAL_HELP_CONTACT",
                "support@district.example"));
  }

  @AfterAll
  void stop() {
    j.close();
  }

  /** One browser on this node's portal. */
  private PortalVisitor visitor() {
    return new PortalVisitor(http, "http://127.0.0.1:" + j.jeton.httpPort());
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + j.jeton.httpPort() + path);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static String page(HttpResponse<String> r) {
    return PortalVisitor.page(r);
  }

  private byte[] userWithPin(String username) {
    byte[] seed = TestJeton.seed();
    j.user(username, null);
    j.token("S-" + username, seed, "2580");
    TestJeton.expect(
        j.api.admin("PUT", "/v1/admin/users/" + username + "/tokens/S-" + username, null), 200);
    return seed;
  }

  private HttpResponse<String> login(PortalVisitor v, String username, String password) {
    return v.submit(Map.of("username", username, "password", password));
  }

  // ---- headers and cookies ----

  @Test
  void everyPageForbidsInlineScriptFramingAndReferrers() {
    PortalVisitor v = visitor();
    for (String path : List.of("/portal", "/portal/demo-key", "/portal/static/portal.css")) {
      HttpResponse<String> r = v.get(path);
      assertThat(r.statusCode()).as(path).isEqualTo(200);
      String csp = r.headers().firstValue("Content-Security-Policy").orElse("");
      assertThat(csp)
          .as(path)
          .contains(
              "default-src 'none'",
              "script-src 'self'",
              "frame-ancestors 'none'",
              "base-uri 'none'",
              "form-action 'self' ")
          .doesNotContain("unsafe-inline", "unsafe-eval");
      assertThat(r.headers().firstValue("X-Frame-Options")).as(path).hasValue("DENY");
      assertThat(r.headers().firstValue("Referrer-Policy")).as(path).hasValue("same-origin");
      assertThat(r.headers().firstValue("X-Content-Type-Options")).as(path).hasValue("nosniff");
    }
    HttpResponse<String> r = v.get("/portal");
    assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
    assertThat(r.body()).doesNotContain("<script>", "style=\"", "onclick", "onload");
  }

  @Test
  void csrfCookieIsHttpOnlyAndStrict() {
    HttpResponse<String> r = visitor().get("/portal");
    String cookie =
        r.headers().allValues("set-cookie").stream()
            .filter(c -> c.startsWith(Csrf.COOKIE + "="))
            .findFirst()
            .orElseThrow();
    assertThat(cookie)
        .contains("HTTPOnly", "SameSite=Strict", "Path=/portal")
        .doesNotContain("Secure");
  }

  @Test
  void sessionCookieIsSignedHttpOnlyLaxAndChecked() {
    byte[] seed = userWithPin("ses");
    PortalVisitor v = visitor();
    v.get("/portal");
    HttpResponse<String> r = login(v, "ses", "2580" + j.code(seed));
    assertThat(page(r)).isEqualTo("signed-in");
    String cookie =
        r.headers().allValues("set-cookie").stream()
            .filter(c -> c.startsWith(SessionCookie.NAME + "="))
            .findFirst()
            .orElseThrow();
    assertThat(cookie)
        .contains("HTTPOnly", "SameSite=Lax", "Path=/", "Max-Age=600")
        .doesNotContain("Secure");

    HttpResponse<String> s = v.get("/v1/session");
    assertThat(s.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(s.body()).getString("username")).isEqualTo("ses");

    String value = v.cookies.get(SessionCookie.NAME);
    v.cookies.put(
        SessionCookie.NAME,
        value.substring(0, value.length() - 2) + (value.endsWith("A") ? "BB" : "AA"));
    assertThat(v.get("/v1/session").statusCode()).as("a forged cookie").isEqualTo(401);
    v.cookies.put(SessionCookie.NAME, value);
    j.clock.advanceSeconds(601);
    assertThat(v.get("/v1/session").statusCode()).as("an expired cookie").isEqualTo(401);
    assertThat(visitor().get("/v1/session").statusCode()).as("no cookie").isEqualTo(401);
  }

  @Test
  void logoutEndsTheSessionInThisBrowser() {
    byte[] seed = userWithPin("bye");
    PortalVisitor v = visitor();
    v.get("/portal");
    assertThat(page(login(v, "bye", "2580" + j.code(seed)))).isEqualTo("signed-in");
    HttpResponse<String> out = v.post("/portal/logout", Map.of("csrf", v.fields.get("csrf")));
    assertThat(out.statusCode()).isEqualTo(303);
    assertThat(v.cookies).doesNotContainKey(SessionCookie.NAME);
    assertThat(v.get("/v1/session").statusCode()).isEqualTo(401);
  }

  // ---- CSRF ----

  @Test
  void aFormWithoutThisBrowsersTokenIsRefusedAndNotEvaluated() {
    byte[] seed = userWithPin("csrf");
    String passcode = "2580" + j.code(seed);

    PortalVisitor noCookie = visitor();
    assertThat(
            noCookie
                .post("/portal/login", Map.of("username", "csrf", "password", passcode))
                .statusCode())
        .isEqualTo(403);

    PortalVisitor other = visitor();
    other.get("/portal");
    PortalVisitor victim = visitor();
    victim.get("/portal");
    victim.fields = Map.of("csrf", other.fields.get("csrf"));
    assertThat(login(victim, "csrf", passcode).statusCode())
        .as("another browser's token")
        .isEqualTo(403);

    PortalVisitor crossSite = visitor();
    crossSite.get("/portal");
    crossSite.headers.put("Sec-Fetch-Site", "cross-site");
    assertThat(login(crossSite, "csrf", passcode).statusCode()).isEqualTo(403);

    PortalVisitor otherOrigin = visitor();
    otherOrigin.get("/portal");
    otherOrigin.headers.put("Origin", "http://evil.example");
    assertThat(login(otherOrigin, "csrf", passcode).statusCode()).isEqualTo(403);

    // None of them was evaluated: the same passcode still signs in once.
    PortalVisitor real = visitor();
    real.get("/portal");
    real.headers.put("Sec-Fetch-Site", "same-origin");
    assertThat(page(login(real, "csrf", passcode))).isEqualTo("signed-in");
  }

  @Test
  void aPlantedCookieWithoutTheMatchingFormTokenIsRefused() {
    PortalVisitor attacker = visitor();
    attacker.get("/portal");
    PortalVisitor victim = visitor();
    victim.get("/portal");

    // Planted over the victim's own cookie; the form still carries the token of the victim's page.
    victim.cookies.put(Csrf.COOKIE, attacker.cookies.get(Csrf.COOKIE));

    assertThat(login(victim, "nobody", "123456").statusCode()).isEqualTo(403);
  }

  @Test
  void behindATrustedTlsProxyOnlyTheHostPrefixedCsrfCookieCounts() {
    PortalVisitor attacker = visitor();
    attacker.headers.put("X-Forwarded-Proto", "https");
    HttpResponse<String> page = attacker.get("/portal");
    String cookie =
        page.headers().allValues("set-cookie").stream()
            .filter(c -> c.startsWith(Csrf.HOST_COOKIE + "="))
            .findFirst()
            .orElseThrow();
    assertThat(cookie)
        .contains("; Secure", "; Path=/;", "HTTPOnly", "SameSite=Strict")
        .doesNotContainIgnoringCase("domain=");
    PortalVisitor victim = visitor();
    victim.headers.put("X-Forwarded-Proto", "https");
    victim.get("/portal");
    String own = victim.fields.get("csrf");

    victim.cookies.put(Csrf.COOKIE, attacker.cookies.get(Csrf.HOST_COOKIE));
    victim.fields = Map.of("csrf", attacker.fields.get("csrf"));
    assertThat(login(victim, "nobody", "123456").statusCode())
        .as("a planted plain cookie")
        .isEqualTo(403);

    victim.fields = Map.of("csrf", own);
    assertThat(login(victim, "nobody", "123456").statusCode())
        .as("its own token: evaluated")
        .isEqualTo(401);
  }

  // ---- return URL ----

  @Test
  void acceptRedirectsOnlyToAnAllowedReturnUrl() {
    byte[] seed = userWithPin("ret");
    Map<String, Boolean> cases = new LinkedHashMap<>();
    cases.put("https://app.example:8443/courses?id=1", true);
    cases.put("https://intranet.example/", true);
    cases.put("https://app.example/", false);
    cases.put("https://evil.example/", false);
    cases.put("javascript:alert(1)", false);
    cases.put("//evil.example/", false);
    cases.put("https://app.example:8443@evil.example/", false);
    cases.put("https://intranet.example.evil.example/", false);
    for (Map.Entry<String, Boolean> c : cases.entrySet()) {
      j.clock.advanceSeconds(30);
      PortalVisitor v = visitor();
      v.get("/portal?" + PortalRoutes.RETURN_PARAM + "=" + enc(c.getKey()));
      if (!c.getValue()) {
        assertThat(v.fields).as(c.getKey()).doesNotContainKey("return");
        // Even when a page is forged to carry it, ACCEPT checks it again.
        v.fields = new LinkedHashMap<>(v.fields);
        v.fields.put("return", c.getKey());
      }
      HttpResponse<String> r = login(v, "ret", "2580" + j.code(seed));
      if (c.getValue()) {
        assertThat(r.statusCode()).as(c.getKey()).isEqualTo(303);
        assertThat(r.headers().firstValue("Location")).as(c.getKey()).hasValue(c.getKey());
      } else {
        assertThat(r.statusCode()).as(c.getKey()).isEqualTo(200);
        assertThat(r.headers().firstValue("Location")).as(c.getKey()).isEmpty();
        assertThat(page(r)).as(c.getKey()).isEqualTo("signed-in");
      }
    }
  }

  @Test
  void aSignedInVisitorGoesStraightBackToTheApplication() {
    byte[] seed = userWithPin("sso");
    PortalVisitor v = visitor();
    v.get("/portal");
    assertThat(page(login(v, "sso", "2580" + j.code(seed)))).isEqualTo("signed-in");
    HttpResponse<String> r = v.get("/portal?CT_ORIG_URL=" + enc("https://intranet.example/mail"));
    assertThat(r.statusCode()).isEqualTo(303);
    assertThat(r.headers().firstValue("Location")).hasValue("https://intranet.example/mail");
    assertThat(page(v.get("/portal?CT_ORIG_URL=" + enc("https://evil.example/"))))
        .isEqualTo("signed-in");
  }

  // ---- pages ----

  @Test
  void wrongPasscodesEndOnTheSameLockedPageForKnownAndUnknownUsers() {
    byte[] seed = userWithPin("lock");
    String known = null;
    String unknown = null;
    for (String user : List.of("lock", "nosuchuser")) {
      PortalVisitor v = visitor();
      v.get("/portal");
      for (int i = 0; i < 3; i++) {
        // Different wrong passcodes: the same one sent again counts once (API.md §2).
        HttpResponse<String> r = login(v, user, "258000000" + i);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(page(r)).isEqualTo("login");
        assertThat(r.body())
            .contains("id=\"error\"", "Identifiant, mot de passe ou Passcode incorrect.");
      }
      HttpResponse<String> r = login(v, user, "2580" + j.code(seed));
      assertThat(r.statusCode()).isEqualTo(401);
      assertThat(page(r)).isEqualTo("locked");
      String notice = r.body().replaceAll("(?s).*<main>", "").replaceAll("(?s)</main>.*", "");
      if (user.equals("lock")) {
        known = notice;
      } else {
        unknown = notice;
      }
    }
    assertThat(unknown).isEqualTo(known);
  }

  @Test
  void refusedPinsKeepTheNewPinPageOpen() {
    byte[] seed = TestJeton.seed();
    j.user("fresh", null);
    j.token("S-fresh", seed, null);
    TestJeton.expect(j.api.admin("PUT", "/v1/admin/users/fresh/tokens/S-fresh", null), 200);
    PortalVisitor v = visitor();
    v.get("/portal");
    assertThat(page(login(v, "fresh", j.code(seed)))).isEqualTo("new-pin");
    assertThat(v.last.body())
        .contains("inputmode=\"numeric\"", "<label for=\"newPin\">", "<label for=\"confirmPin\">");
    HttpResponse<String> r = v.submit(Map.of("newPin", "2580", "confirmPin", "2581"));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(page(r)).isEqualTo("new-pin");
    assertThat(r.body()).contains("Les deux codes PIN saisis sont différents.");
    r = v.submit(Map.of("newPin", "1111", "confirmPin", "1111"));
    assertThat(r.body()).contains("ni un chiffre répété ni une suite");
    r = v.submit(Map.of("newPin", "2580", "confirmPin", "2580"));
    assertThat(page(r)).isEqualTo("next-passcode");
    assertThat(r.body()).contains("autocomplete=\"one-time-code\"", "inputmode=\"numeric\"");
    assertThat(v.fields.get("state"))
        .as("the state is in a form field, not in the URL")
        .isNotEmpty();
    j.clock.advanceSeconds(30);
    assertThat(page(v.submit(Map.of("password", "2580" + j.code(seed))))).isEqualTo("signed-in");
  }

  @Test
  void frenchByDefaultEnglishByAcceptLanguage() {
    PortalVisitor fr = visitor();
    assertThat(fr.get("/portal").body())
        .contains(
            "<html lang=\"fr\">",
            "accédez à vos applications",
            "Mot de passe ou Passcode OTP",
            "Dépannage",
            "https://help.example/otp",
            "support@district.example");
    PortalVisitor en = visitor();
    en.headers.put("Accept-Language", "en-GB,en;q=0.9,fr;q=0.5");
    assertThat(en.get("/portal").body())
        .contains(
            "<html lang=\"en\">",
            "access your applications",
            "Password or OTP passcode",
            "Troubleshooting");
    PortalVisitor other = visitor();
    other.headers.put("Accept-Language", "de-DE,de;q=0.9");
    assertThat(other.get("/portal").body()).contains("<html lang=\"fr\">");
    PortalVisitor broken = visitor();
    broken.headers.put("Accept-Language", ";;;q=abc");
    assertThat(broken.get("/portal").statusCode()).isEqualTo(200);
  }

  @Test
  void bothLanguagesHaveEveryText() throws Exception {
    java.util.Properties fr = new java.util.Properties();
    java.util.Properties en = new java.util.Properties();
    fr.load(
        new java.io.InputStreamReader(
            getClass().getResourceAsStream("/portal/messages_fr.properties"),
            StandardCharsets.UTF_8));
    en.load(
        new java.io.InputStreamReader(
            getClass().getResourceAsStream("/portal/messages_en.properties"),
            StandardCharsets.UTF_8));
    assertThat(en.stringPropertyNames()).isEqualTo(fr.stringPropertyNames());
  }

  @Test
  void valuesAreEscapedInPages() {
    PortalVisitor v = visitor();
    v.get("/portal");
    HttpResponse<String> r = login(v, "a\"><script>alert(1)</script>", "123456");
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.body()).doesNotContain("<script>alert(1)</script>", "\"><script>");
  }

  @Test
  void tooManyFailuresFromOneAddressGetTheRateLimitedPage() {
    try (TestJeton limited =
        TestJeton.start(
            null,
            Map.of(
                "JETON_IP_FAILURE_LIMIT",
                "2",
                "JETON_TRUSTED_PROXIES",
                "127.0.0.1",
                "JETON_PORTAL_DEMO",
                "false"))) {
      HttpResponse<String> r = null;
      for (int i = 0; i < 3; i++) {
        r = postTo(limited, "user" + i, "25800000" + i + "0");
      }
      assertThat(r.statusCode()).isEqualTo(429);
      assertThat(page(r)).isEqualTo("rate-limited");
      assertThat(r.headers().firstValue("Retry-After")).isPresent();
      assertThat(r.body()).contains("Trop de tentatives").doesNotContain("user2");
    }
  }

  @Test
  void aStoreThatDoesNotAnswerGetsTheUnavailablePageNeverASession() {
    try (RedisServer redis = RedisServer.start();
        TestJeton onRedis = TestJeton.start(redis.url())) {
      byte[] seed = onRedis.userWithToken("down", "S-down");
      redis.stop();
      HttpResponse<String> r = postTo(onRedis, "down", onRedis.code(seed));
      assertThat(r.statusCode()).isEqualTo(503);
      assertThat(page(r)).isEqualTo("unavailable");
      assertThat(r.headers().allValues("set-cookie"))
          .noneMatch(c -> c.startsWith(SessionCookie.NAME));
    }
  }

  /** One login form sent to another node, with its own CSRF cookie and token. */
  private HttpResponse<String> postTo(TestJeton node, String username, String password) {
    try {
      String base = "http://127.0.0.1:" + node.jeton.httpPort();
      HttpResponse<String> form =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/portal")).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      String cookie = form.headers().firstValue("set-cookie").orElseThrow().split(";", 2)[0];
      Matcher m = HIDDEN.matcher(form.body());
      assertThat(m.find()).isTrue();
      return http.send(
          HttpRequest.newBuilder(URI.create(base + "/portal/login"))
              .header("Content-Type", "application/x-www-form-urlencoded")
              .header("Cookie", cookie)
              .header("X-Forwarded-For", "192.0.2.99")
              .POST(
                  HttpRequest.BodyPublishers.ofString(
                      "csrf="
                          + enc(m.group(2))
                          + "&username="
                          + username
                          + "&password="
                          + password))
              .timeout(Duration.ofSeconds(20))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  // ---- the end user's address ----

  @Test
  void forwardedForIsBelievedOnlyFromATrustedProxy() throws Exception {
    byte[] seed = userWithPin("proxied");
    PortalVisitor v = visitor();
    v.get("/portal");
    v.headers.put("X-Forwarded-For", "198.51.100.1, 203.0.113.7");
    assertThat(page(login(v, "proxied", "2580" + j.code(seed)))).isEqualTo("signed-in");
    assertThat(auditIps("proxied")).containsExactly("203.0.113.7");

    // The JSON intake resolves the address the same way (here without a clientIp field in the
    // body).
    j.clock.advanceSeconds(30);
    HttpResponse<String> api =
        http.send(
            HttpRequest.newBuilder(uri("/v1/authenticate"))
                .header("Authorization", "Bearer " + j.api.clientSecret())
                .header("Content-Type", "application/json")
                .header("X-Forwarded-For", "198.51.100.23")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        new JsonObject()
                            .put("username", "proxied")
                            .put("password", "2580" + j.code(seed))
                            .encode()))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(api.statusCode()).as(api.body()).isEqualTo(200);
    assertThat(auditEvents(j, "proxied", "portal").stream().map(e -> e.getString("clientIp")))
        .containsExactly("198.51.100.23");

    try (TestJeton direct = TestJeton.start(null, Map.of("JETON_PORTAL_DEMO", "false"))) {
      byte[] seed2 = direct.userWithToken("direct", "S-direct");
      direct.firstLogin("direct", seed2, "2580");
      direct.clock.advanceSeconds(30);
      HttpRequest form =
          HttpRequest.newBuilder(
                  URI.create("http://127.0.0.1:" + direct.jeton.httpPort() + "/portal"))
              .GET()
              .build();
      HttpResponse<String> first = http.send(form, HttpResponse.BodyHandlers.ofString());
      String cookie = first.headers().firstValue("set-cookie").orElseThrow().split(";", 2)[0];
      Matcher m = HIDDEN.matcher(first.body());
      assertThat(m.find()).isTrue();
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + direct.jeton.httpPort() + "/portal/login"))
                  .header("Content-Type", "application/x-www-form-urlencoded")
                  .header("Cookie", cookie)
                  .header("X-Forwarded-For", "203.0.113.7")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "csrf="
                              + enc(m.group(2))
                              + "&username=direct&password=2580"
                              + direct.code(seed2)))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(page(r)).isEqualTo("signed-in");
      assertThat(auditIps(direct, "direct")).contains("127.0.0.1").doesNotContain("203.0.113.7");
      assertThat(
              http.send(
                      HttpRequest.newBuilder(
                              URI.create(
                                  "http://127.0.0.1:"
                                      + direct.jeton.httpPort()
                                      + "/portal/demo-key"))
                          .GET()
                          .build(),
                      HttpResponse.BodyHandlers.ofString())
                  .statusCode())
          .as("JETON_PORTAL_DEMO=false")
          .isEqualTo(404);
    }
  }

  private List<String> auditIps(String username) {
    return auditIps(j, username);
  }

  /** The client addresses of the user's portal events. */
  private static List<String> auditIps(TestJeton t, String username) {
    return auditEvents(t, username, PortalRoutes.CLIENT).stream()
        .map(e -> e.getString("clientIp"))
        .collect(Collectors.toList());
  }

  /**
   * The user's audit events from {@code client}, polled until there is one (the audit is written
   * asynchronously).
   */
  private static List<JsonObject> auditEvents(TestJeton t, String username, String client) {
    return t.api.awaitAudit(username, 50, e -> client.equals(e.getString("client")), 1);
  }

  // ---- the demo key ----

  @Test
  void theDemoKeyShowsTheCodeThatLogsTheDemoUserIn() {
    PortalVisitor v = visitor();
    HttpResponse<String> key = v.get("/portal/demo-key");
    assertThat(page(key)).isEqualTo("demo-key");
    assertThat(key.body())
        .contains("<script src=\"/portal/static/demo-key.js\"></script>", "id=\"gauge\"");
    JsonObject code = new JsonObject(v.get("/portal/demo-key/code").body());
    assertThat(code.getString("code")).matches("[0-9]{6}");
    assertThat(key.body()).contains(">" + code.getString("code") + "<");
    v.get("/portal");
    assertThat(page(login(v, DemoKey.USERNAME, code.getString("code")))).isEqualTo("new-pin");
  }

  @Test
  void thereIsNoDemoOnRedis() throws Exception {
    try (TestJeton onRedis = TestJeton.start(RedisServer.shared().url())) {
      assertThat(onRedis.jeton.demo()).isNull();
      for (String path :
          List.of("/portal/demo-key", "/portal/demo-key/code", "/portal/static/demo-key.js")) {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + onRedis.jeton.httpPort() + path))
                    .GET()
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path).isEqualTo(404);
      }
      assertThat(onRedis.api.adminGet("/v1/admin/users/demo").status()).isEqualTo(404);
    }
  }
}
