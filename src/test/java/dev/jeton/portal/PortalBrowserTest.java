package dev.jeton.portal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.testsupport.Browser;
import dev.jeton.testsupport.RedisServer;
import dev.jeton.testsupport.TestJeton;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.net.CookieManager;
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
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The login portal as a user sees it: real headless Chromium against an in-process Jeton (embedded
 * store, test clock), French by default and English on request, with a small "application" on
 * another loopback port for the return URL. Every page passed through is saved under {@code
 * target/screenshots/}.
 *
 * <p>Skipped when {@code /usr/bin/chromium} or {@code /usr/bin/chromedriver} is missing, unless
 * {@code JETON_TEST_TOOLS=required} (see {@link dev.jeton.testsupport.ExternalTools}).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PortalBrowserTest {

  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final String PIN = "2580";

  private static Vertx vertx;
  private static int appPort;

  private TestJeton jeton;
  private Browser browser;
  private String base;

  @BeforeAll
  static void startApplication() throws Exception {
    vertx = Vertx.vertx();
    HttpServer app =
        vertx
            .createHttpServer()
            .requestHandler(
                req -> {
                  if (req.method().name().equals("GET") && req.path().equals("/app")) {
                    req.response()
                        .putHeader("Content-Type", "text/html; charset=utf-8")
                        .end(
                            "<!doctype html><html lang=\"fr\"><head><title>Application</title></head>"
                                + "<body><h1>Application</h1></body></html>");
                  } else {
                    req.response().setStatusCode(404).end();
                  }
                })
            .listen(0, "127.0.0.1")
            .await(10, TimeUnit.SECONDS);
    appPort = app.actualPort();
  }

  @AfterAll
  static void stopApplication() throws Exception {
    if (vertx != null) {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  @BeforeEach
  void startJeton() {
    jeton =
        TestJeton.start(
            null,
            Map.of(
                "JETON_PORTAL_RETURN_HOSTS",
                "localhost:" + appPort,
                "JETON_LOCKOUT_FAILURES",
                "3"));
    base = "http://127.0.0.1:" + jeton.jeton.httpPort();
  }

  @AfterEach
  void stop() {
    try {
      if (browser != null) {
        browser.close();
      }
    } finally {
      jeton.close();
    }
  }

  // ---- the tests ----

  @Test
  void demoUserFirstLoginChoosesAPinThenSignsInWithPinAndTheNextCode() throws Exception {
    WebDriver d = open("fr");
    d.get(base + "/portal");
    waitForPage("login");
    shot("01-login-fr");
    assertThat(d.findElement(By.tagName("html")).getDomAttribute("lang")).isEqualTo("fr");
    assertThat(d.findElement(By.tagName("h1")).getText()).isEqualTo("accédez à vos applications");
    assertThat(d.findElement(By.id("warning")).isDisplayed()).isTrue();
    assertThat(d.findElement(By.id("warning")).getText()).containsIgnoringCase("phishing");
    WebElement form = d.findElement(By.id("login-form"));
    assertThat(form.getDomAttribute("method")).isEqualToIgnoringCase("post");
    assertThat(URI.create(form.getDomAttribute("action")).getPath()).isEqualTo("/portal/login");
    assertThat(d.findElement(By.cssSelector("label[for=username]")).getText())
        .isEqualTo("Identifiant");
    assertThat(d.findElement(By.cssSelector("label[for=password]")).getText())
        .isEqualTo("Mot de passe ou Passcode OTP");
    assertThat(d.findElement(By.id("username")).getDomAttribute("name")).isEqualTo("username");
    assertThat(d.findElement(By.id("password")).getDomAttribute("name")).isEqualTo("password");
    assertThat(d.findElement(By.id("password")).getDomAttribute("type")).isEqualTo("password");
    assertThat(d.findElement(By.id("submit")).getText()).isEqualTo("Valider");
    assertThat(d.findElement(By.id("help")).getText()).contains("Dépannage");
    assertThat(d.findElements(By.id("error"))).isEmpty();
    String portalTab = d.getWindowHandle();

    d.switchTo().newWindow(WindowType.TAB);
    String demoTab = d.getWindowHandle();
    d.get(base + "/portal/demo-key");
    waitForPage("demo-key");
    shot("10-demo-key");
    String firstCode = demoCode();
    assertThat(d.findElements(By.cssSelector("#gauge .bar"))).isNotEmpty();
    assertThat(d.findElements(By.cssSelector("script:not([src])"))).as("inline scripts").isEmpty();
    assertThat(d.findElements(By.cssSelector("script[src]")))
        .isNotEmpty()
        .allSatisfy(
            s ->
                assertThat(URI.create(s.getDomAttribute("src")).getPath())
                    .startsWith("/portal/static/"));

    d.switchTo().window(portalTab);
    login("demo", firstCode, "new-pin");
    shot("02-new-pin");
    assertThat(d.findElement(By.tagName("body")).getText())
        .contains("Authentification de type OTP");
    for (String id : List.of("newPin", "confirmPin")) {
      WebElement pin = d.findElement(By.id(id));
      assertThat(pin.getDomAttribute("type")).as(id + " type").isEqualTo("password");
      assertThat(pin.getDomAttribute("inputmode")).as(id + " inputmode").isEqualTo("numeric");
    }

    choosePin("1234", "1234", "new-pin");
    shot("02b-new-pin-trivial-refused");
    assertError();

    choosePin(PIN, PIN, "next-passcode");
    shot("03-next-passcode");
    WebElement passcode = d.findElement(By.id("password"));
    assertThat(passcode.getDomAttribute("autocomplete")).isEqualTo("one-time-code");
    assertThat(passcode.getDomAttribute("inputmode")).isEqualTo("numeric");

    jeton.clock.advanceSeconds(30);
    d.switchTo().window(demoTab);
    d.navigate().refresh();
    waitForPage("demo-key");
    shot("10b-demo-key-next-step");
    String nextCode = demoCode();
    assertThat(nextCode).isNotEqualTo(firstCode);

    d.switchTo().window(portalTab);
    type(By.id("password"), PIN + nextCode);
    submit("signed-in");
    shot("04-signed-in");
    assertThat(d.findElement(By.tagName("body")).getText()).contains("demo");

    Cookie session = d.manage().getCookieNamed("jeton_session");
    assertThat(session).as("jeton_session cookie").isNotNull();
    assertThat(session.isHttpOnly()).as("HttpOnly").isTrue();

    d.get(base + "/v1/session");
    assertThat(navigationStatus()).isEqualTo(200);
    shot("04b-session-json");
    assertThat(new JsonObject(d.findElement(By.tagName("pre")).getText()).getString("username"))
        .isEqualTo("demo");

    assertThat(plainGet("/v1/session").statusCode())
        .as("GET /v1/session without the cookie")
        .isEqualTo(401);
  }

  @Test
  void laterLoginWithAnAllowedReturnUrlLandsOnTheApplication() {
    byte[] seed = userWithPin("alice", "ALICE-1");
    String app = "http://localhost:" + appPort + "/app";
    WebDriver d = open("fr");
    d.get(base + "/portal?CT_ORIG_URL=" + URLEncoder.encode(app, StandardCharsets.UTF_8));
    waitForPage("login");
    shot("05a-login-with-return-url");

    WebElement html = d.findElement(By.tagName("html"));
    type(By.id("username"), "alice");
    type(By.id("password"), PIN + jeton.code(seed));
    d.findElement(By.id("submit")).click();
    waitUntilGone(html);
    waitUntil(
        "landing on " + app,
        drv -> {
          if (drv.getCurrentUrl().startsWith(app)) {
            return true;
          }
          if (drv.getCurrentUrl().startsWith(base)
              && "complete".equals(js("return document.readyState"))) {
            throw new AssertionError(
                "expected a redirect to "
                    + app
                    + " but stayed at "
                    + drv.getCurrentUrl()
                    + " (HTTP "
                    + navigationStatus()
                    + "); the page is:\n"
                    + source(drv));
          }
          return false;
        });
    waitUntil("the application's page", drv -> !drv.findElements(By.tagName("h1")).isEmpty());
    shot("05-app-after-redirect");
    assertThat(d.findElement(By.tagName("h1")).getText()).isEqualTo("Application");
  }

  @Test
  void allowedReturnUrlIsA303ToIt() throws Exception {
    byte[] seed = userWithPin("erin", "ERIN-1");
    String app = "http://localhost:" + appPort + "/app";
    HttpResponse<String> answer =
        postLoginForm(
            "/portal?CT_ORIG_URL=" + URLEncoder.encode(app, StandardCharsets.UTF_8),
            "erin",
            PIN + jeton.code(seed));
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(303);
    assertThat(answer.headers().firstValue("Location")).contains(app);
    assertThat(answer.headers().allValues("Set-Cookie"))
        .anySatisfy(
            c -> assertThat(c).startsWith("jeton_session=").containsIgnoringCase("HttpOnly"));
  }

  @Test
  void refusedReturnUrlsShowTheSignedInPageAndNeverLeaveJeton() {
    byte[] seed = userWithPin("bob", "BOB-1");
    WebDriver d = open("fr");
    List<String> hostile =
        List.of("https://evil.example/", "javascript:alert(1)", "//evil.example");
    for (int i = 0; i < hostile.size(); i++) {
      String url = hostile.get(i);
      if (i > 0) {
        // one login per step: the code of the previous login is spent
        jeton.clock.advanceSeconds(30);
      }
      d.manage().deleteAllCookies();
      d.get(base + "/portal?CT_ORIG_URL=" + URLEncoder.encode(url, StandardCharsets.UTF_8));
      waitForPage("login");
      login("bob", PIN + jeton.code(seed), "signed-in");
      shot("06-refused-return-url-" + (i + 1));

      URI now = URI.create(d.getCurrentUrl());
      assertThat(now.getHost())
          .as("host after login with return URL " + url)
          .isEqualTo("127.0.0.1");
      assertThat(now.getPort()).isEqualTo(jeton.jeton.httpPort());
      assertThat(
              d.findElements(
                  By.cssSelector(
                      "a[href*='evil.example'], a[href^='javascript:'], "
                          + "form[action*='evil.example'], meta[http-equiv='refresh' i]")))
          .as("links or refreshes to " + url)
          .isEmpty();
    }
  }

  @Test
  void wrongPasscodesShowAnErrorThenLockTheUser() {
    byte[] seed = userWithPin("carol", "CAROL-1");
    WebDriver d = open("fr");
    d.get(base + "/portal");
    waitForPage("login");
    // three different wrong PINs: Jeton counts a retyped identical passcode only once
    for (int attempt = 1; attempt <= 3; attempt++) {
      login("carol", String.valueOf(attempt).repeat(4) + jeton.code(seed), "login");
      if (attempt == 1) {
        shot("07-wrong-passcode");
      }
      assertThat(navigationStatus()).as("status after wrong passcode #" + attempt).isEqualTo(401);
      assertError();
      assertThat(d.findElement(By.id("error")).getText())
          .isEqualTo("Identifiant, mot de passe ou Passcode incorrect.");
    }
    // the right passcode no longer helps: 3 failures (JETON_LOCKOUT_FAILURES) locked the user
    login("carol", PIN + jeton.code(seed), "locked");
    shot("08-locked");
    assertThat(d.manage().getCookieNamed("jeton_session")).isNull();
  }

  @Test
  void tooManyFailuresFromOneNetworkAndAStoreThatIsDownGetPlainPages() {
    WebDriver d = open("fr");
    try (TestJeton limited =
        TestJeton.start(
            null, Map.of("JETON_IP_FAILURE_LIMIT", "2", "JETON_PORTAL_DEMO", "false"))) {
      d.get("http://127.0.0.1:" + limited.jeton.httpPort() + "/portal");
      waitForPage("login");
      login("erin", "1111222333", "login");
      login("frank", "4444555666", "login");
      login("grace", "7777888999", "rate-limited");
      shot("11-rate-limited");
      assertThat(navigationStatus()).isEqualTo(429);
      assertThat(d.findElement(By.id("notice")).getText())
          .contains("Trop de tentatives")
          .doesNotContain("grace");
    }
    try (RedisServer redis = RedisServer.start();
        TestJeton onRedis = TestJeton.start(redis.url(), Map.of())) {
      byte[] seed = onRedis.userWithToken("henri", "HENRI-1");
      d.get("http://127.0.0.1:" + onRedis.jeton.httpPort() + "/portal");
      waitForPage("login");
      redis.stop();
      login("henri", onRedis.code(seed), "unavailable");
      shot("12-unavailable");
      assertThat(navigationStatus()).isEqualTo(503);
      assertThat(d.manage().getCookieNamed("jeton_session")).isNull();
    }
  }

  @Test
  void englishBrowserGetsEnglishTextsAndCanSignInWithTheKeyboardOnly() {
    byte[] seed = userWithPin("dave", "DAVE-1");
    WebDriver d = open("en");
    d.get(base + "/portal");
    waitForPage("login");
    shot("09-login-en");
    assertThat(d.findElement(By.tagName("html")).getDomAttribute("lang")).isEqualTo("en");
    assertThat(d.findElement(By.tagName("h1")).getText()).isEqualTo("access your applications");
    assertThat(d.findElement(By.id("submit")).getText()).isEqualTo("Submit");
    assertThat(d.findElement(By.id("help")).getText()).contains("Troubleshooting");
    assertThat(d.findElement(By.cssSelector("label[for=username]")).getText())
        .isNotBlank()
        .isNotEqualTo("Identifiant");
    assertThat(d.findElement(By.cssSelector("label[for=password]")).getText())
        .isNotBlank()
        .isNotEqualTo("Mot de passe ou Passcode OTP");

    WebElement html = d.findElement(By.tagName("html"));
    js("document.getElementById('username').focus()");
    new Actions(d).sendKeys("dave").sendKeys(Keys.TAB).perform();
    assertThat(js("return document.activeElement.id")).as("focus after TAB").isEqualTo("password");
    new Actions(d).sendKeys(PIN + jeton.code(seed)).sendKeys(Keys.ENTER).perform();
    waitUntilGone(html);
    waitForPage("signed-in");
    shot("09b-signed-in-en");
    assertThat(d.findElement(By.tagName("html")).getDomAttribute("lang")).isEqualTo("en");
    assertThat(d.findElement(By.tagName("body")).getText()).contains("dave");
  }

  @Test
  void portalPageForbidsFramingInlineScriptsAndCaching() throws Exception {
    HttpResponse<String> r = plainGet("/portal");
    assertThat(r.statusCode()).isEqualTo(200);
    String csp = r.headers().firstValue("Content-Security-Policy").orElse(null);
    assertThat(csp)
        .as("Content-Security-Policy")
        .isNotNull()
        .doesNotContain("unsafe-inline")
        .contains("frame-ancestors 'none'");
    assertThat(r.headers().firstValue("X-Frame-Options"))
        .hasValueSatisfying(v -> assertThat(v).isEqualToIgnoringCase("DENY"));
    assertThat(r.headers().firstValue("Referrer-Policy")).isPresent();
    assertThat(r.headers().firstValue("Cache-Control"))
        .hasValueSatisfying(v -> assertThat(v).contains("no-store"));
  }

  // ---- the browser ----

  private WebDriver open(String lang) {
    browser = Browser.start(lang);
    return browser.driver();
  }

  private void shot(String name) {
    browser.screenshot(name);
  }

  private Object js(String script) {
    return ((JavascriptExecutor) browser.driver()).executeScript(script);
  }

  /**
   * The HTTP status of the page now shown (Navigation Timing; the browser does not tell WebDriver
   * otherwise).
   */
  private long navigationStatus() {
    return ((Number) js("return performance.getEntriesByType('navigation')[0].responseStatus"))
        .longValue();
  }

  private void type(By field, String text) {
    WebElement e = browser.driver().findElement(field);
    e.clear();
    e.sendKeys(text);
  }

  private void login(String username, String password, String expectedPage) {
    type(By.id("username"), username);
    type(By.id("password"), password);
    submit(expectedPage);
  }

  private void choosePin(String pin, String confirm, String expectedPage) {
    type(By.id("newPin"), pin);
    type(By.id("confirmPin"), confirm);
    submit(expectedPage);
  }

  /** Clicks {@code #submit}, waits for the next document, and checks it is {@code expectedPage}. */
  private void submit(String expectedPage) {
    WebElement html = browser.driver().findElement(By.tagName("html"));
    browser.driver().findElement(By.id("submit")).click();
    waitUntilGone(html);
    waitForPage(expectedPage);
  }

  private void waitUntilGone(WebElement oldDocument) {
    waitUntil("the next page", ExpectedConditions.stalenessOf(oldDocument)::apply);
  }

  /**
   * Waits for {@code <body data-page="page">}; a loaded document that is another page fails at
   * once.
   */
  private void waitForPage(String page) {
    waitUntil(
        "<body data-page=\"" + page + "\">",
        d -> {
          String shown = d.findElement(By.tagName("body")).getDomAttribute("data-page");
          if (page.equals(shown)) {
            return true;
          }
          if ("complete".equals(js("return document.readyState"))) {
            throw new AssertionError(
                "expected <body data-page=\""
                    + page
                    + "\"> but got "
                    + shown
                    + " at "
                    + d.getCurrentUrl()
                    + " (HTTP "
                    + navigationStatus()
                    + "); the page is:\n"
                    + source(d));
          }
          return false;
        });
  }

  private void waitUntil(String what, Function<WebDriver, Boolean> condition) {
    try {
      new WebDriverWait(browser.driver(), WAIT)
          .ignoring(RuntimeException.class)
          .until(condition::apply);
    } catch (TimeoutException e) {
      WebDriver d = browser.driver();
      throw new AssertionError(
          "waited "
              + WAIT.toSeconds()
              + " s for "
              + what
              + "; at "
              + d.getCurrentUrl()
              + " the page is:\n"
              + source(d),
          e);
    }
  }

  private static String source(WebDriver d) {
    String source = d.getPageSource();
    return source.length() > 6000 ? source.substring(0, 6000) + "…" : source;
  }

  private void assertError() {
    WebElement error = browser.driver().findElement(By.id("error"));
    assertThat(error.isDisplayed()).as("#error displayed").isTrue();
    assertThat(error.getDomAttribute("role")).isEqualTo("alert");
    assertThat(error.getText()).isNotBlank();
  }

  private String demoCode() {
    String code = browser.driver().findElement(By.id("demo-code")).getText().replaceAll("\\s", "");
    assertThat(code).as("#demo-code").matches("[0-9]{6}");
    return code;
  }

  // ---- Jeton ----

  /** A user with a TOTP key and a PIN already set (a later login: PIN + code, no NEW_PIN). */
  private byte[] userWithPin(String username, String serial) {
    byte[] seed = TestJeton.seed();
    jeton.user(username, null);
    jeton.token(serial, seed, PIN);
    TestJeton.expect(
        jeton.api.admin("PUT", "/v1/admin/users/" + username + "/tokens/" + serial, null), 200);
    return seed;
  }

  private HttpResponse<String> plainGet(String path) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    return http.send(
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(10))
            .GET()
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static final Pattern INPUT = Pattern.compile("<input\\b[^>]*>", Pattern.CASE_INSENSITIVE);
  private static final Pattern LOGIN_FORM =
      Pattern.compile("<form\\b[^>]*\\bid=\"login-form\"[^>]*>", Pattern.CASE_INSENSITIVE);
  private static final Pattern ACTION =
      Pattern.compile("\\baction\\s*=\\s*\"([^\"]*)\"", Pattern.CASE_INSENSITIVE);
  private static final Pattern ATTRIBUTE =
      Pattern.compile("\\b(name|value|type)\\s*=\\s*\"([^\"]*)\"", Pattern.CASE_INSENSITIVE);

  /**
   * Does what the login form does, without a browser: GET the page (cookies kept), then POST every
   * field of it (hidden ones as they came) with the username and password filled in. Redirects are
   * not followed.
   */
  private HttpResponse<String> postLoginForm(String pagePath, String username, String password)
      throws Exception {
    HttpClient http =
        HttpClient.newBuilder()
            .cookieHandler(new CookieManager())
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    String page =
        http.send(
                HttpRequest.newBuilder(URI.create(base + pagePath)).GET().build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    Map<String, String> fields = new LinkedHashMap<>();
    Matcher input = INPUT.matcher(page);
    while (input.find()) {
      Map<String, String> attributes = new LinkedHashMap<>();
      Matcher a = ATTRIBUTE.matcher(input.group());
      while (a.find()) {
        attributes.put(a.group(1).toLowerCase(), unescape(a.group(2)));
      }
      if (attributes.containsKey("name")) {
        fields.put(attributes.get("name"), attributes.getOrDefault("value", ""));
      }
    }
    fields.put("username", username);
    fields.put("password", password);
    Matcher form = LOGIN_FORM.matcher(page);
    assertThat(form.find()).as("#login-form in " + page).isTrue();
    Matcher action = ACTION.matcher(form.group());
    String target = action.find() ? unescape(action.group(1)) : pagePath;
    StringJoiner body = new StringJoiner("&");
    fields.forEach(
        (k, v) ->
            body.add(
                URLEncoder.encode(k, StandardCharsets.UTF_8)
                    + "="
                    + URLEncoder.encode(v, StandardCharsets.UTF_8)));
    return http.send(
        HttpRequest.newBuilder(URI.create(base + pagePath).resolve(target))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Origin", base)
            .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String unescape(String html) {
    return html.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
  }
}
