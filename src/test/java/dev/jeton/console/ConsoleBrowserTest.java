package dev.jeton.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.deque.html.axecore.results.Results;
import com.deque.html.axecore.results.Rule;
import com.deque.html.axecore.selenium.AxeBuilder;
import dev.jeton.testsupport.Browser;
import dev.jeton.testsupport.TestJeton;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
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
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console as an operator sees it: real headless Chromium against an in-process Jeton (embedded
 * store, test clock). A helpdesk operator signs in with PIN + code, finds a locked user, unlocks
 * them and issues emergency codes, and that user then signs in at the portal with one; an admin
 * manages the operators; a first sign-in chooses its PIN; an admin follows a bulk load's progress
 * to its result. Every page passed through is saved as {@code target/screenshots/console-*.png} and
 * checked with axe-core: no serious or critical violation.
 *
 * <p>Skipped when {@code /usr/bin/chromium} or {@code /usr/bin/chromedriver} is missing, unless
 * {@code JETON_TEST_TOOLS=required} (see {@link dev.jeton.testsupport.ExternalTools}).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ConsoleBrowserTest {

  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final String PIN = "2580";

  private TestJeton jeton;
  private Browser browser;
  private String console;
  private String portal;

  @BeforeEach
  void startJeton() {
    jeton = TestJeton.start(null, Map.of("JETON_LOCKOUT_FAILURES", "3"));
    console = "http://127.0.0.1:" + jeton.jeton.adminPort();
    portal = "http://127.0.0.1:" + jeton.jeton.httpPort();
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

  @Test
  void helpdeskUnlocksAUserAndIssuesEmergencyCodesWithWhichTheUserSignsInAtThePortal() {
    byte[] agent = userWithPin("agent");
    role("agent", "helpdesk");
    userWithPin("eleve.martin");
    for (int i = 0; i < 3; i++) {
      jeton.api.login("eleve.martin", PIN + String.format("%06d", i));
    }
    WebDriver d = open("fr");

    d.get(console + "/console/");
    waitForPage("login");
    shot("console-01-login");
    assertThat(d.findElement(By.tagName("html")).getDomAttribute("lang")).isEqualTo("fr");
    assertThat(d.findElement(By.cssSelector("label[for=password]")).getText())
        .isEqualTo("Code PIN + Passcode OTP");
    // Sign in with the keyboard only: type, then Enter.
    d.findElement(By.id("username")).sendKeys("agent");
    WebElement html = d.findElement(By.tagName("html"));
    d.findElement(By.id("password")).sendKeys(PIN + jeton.code(agent), Keys.ENTER);
    waitUntilGone(html);
    waitForPage("search");
    shot("console-02-search");
    Cookie session = d.manage().getCookieNamed(ConsoleSessions.COOKIE);
    assertThat(session.isHttpOnly()).isTrue();
    assertThat(session.getSameSite()).isEqualTo("Strict");
    assertThat(session.getPath()).isEqualTo("/console");

    type(By.id("q"), "ELE");
    submit("search");
    shot("console-03-search-results");
    click(By.linkText("eleve.martin"), "user");
    shot("console-04-user-locked");
    assertThat(d.findElement(By.id("lock")).getText()).startsWith("Verrouillé jusqu'à");
    assertThat(d.findElement(By.id("history")).getText()).contains("Connexion refusée");

    click(By.id("action-unlock"), "confirm-unlock");
    shot("console-05-confirm-unlock");
    type(By.id("reason"), "INC-1234 appel de l'école");
    submit("user");
    shot("console-06-user-unlocked");
    assertThat(d.findElement(By.id("done")).getText()).contains("déverrouillé");
    assertThat(d.findElement(By.id("lock")).getText()).isEqualTo("Non verrouillé");

    click(By.id("action-emergency-codes"), "confirm-emergency-codes");
    shot("console-07-confirm-emergency-codes");
    type(By.id("reason"), "INC-1235 clé oubliée");
    type(By.id("count"), "3");
    submit("emergency-codes");
    shot("console-08-emergency-codes");
    List<String> codes =
        d.findElements(By.cssSelector("#codes li")).stream().map(WebElement::getText).toList();
    assertThat(codes).hasSize(3).allMatch(c -> c.matches("[0-9]+"));

    click(By.id("back"), "user");
    click(By.id("disable-S-eleve.martin"), "confirm-disable");
    shot("console-09-confirm-disable");
    click(By.id("cancel"), "user");
    shot("console-10-user-after-actions");
    assertThat(d.findElement(By.id("history")).getText())
        .contains("@console:agent", "INC-1234", "INC-1235");

    d.get(console + "/console/operators");
    waitForPage("forbidden");
    shot("console-11-forbidden-for-helpdesk");

    d.get(console + "/console/users/nobody.here");
    waitForPage("not-found");
    shot("console-12-not-found");

    d.get(portal + "/portal");
    waitForPage("login");
    type(By.id("username"), "eleve.martin");
    type(By.id("password"), PIN + codes.get(0));
    submit("signed-in");
    shot("console-13-portal-signed-in-with-an-emergency-code");

    d.get(console + "/console/");
    waitForPage("search");
    click(By.id("logout"), "login");
    shot("console-14-signed-out");
    assertThat(d.findElement(By.id("info")).getText()).contains("déconnecté");
    assertThat(d.manage().getCookieNamed(ConsoleSessions.COOKIE)).isNull();
  }

  @Test
  void anAdminManagesOperatorsAndAFirstSignInChoosesItsPin() {
    byte[] chef = userWithPin("chef");
    role("chef", "admin");
    byte[] seed = TestJeton.seed();
    jeton.user("novice", null);
    jeton.token("S-novice", seed, null);
    TestJeton.expect(jeton.api.admin("PUT", "/v1/admin/users/novice/tokens/S-novice", null), 200);
    WebDriver d = open("fr");

    d.get(console + "/console/login");
    waitForPage("login");
    type(By.id("username"), "chef");
    type(By.id("password"), PIN + jeton.code(chef));
    submit("search");
    click(By.id("nav-operators"), "operators");
    type(By.id("operator"), "novice");
    type(By.id("reason"), "INC-77 nouvelle collègue");
    submit("operators");
    shot("console-15-operators");
    assertThat(d.findElement(By.id("operators")).getText()).contains("novice", "chef");
    click(By.id("remove-novice"), "remove-operator");
    shot("console-16-confirm-remove-operator");
    click(By.id("cancel"), "operators");
    click(By.id("logout"), "login");

    type(By.id("username"), "novice");
    type(By.id("password"), jeton.code(seed));
    submit("new-pin");
    shot("console-17-new-pin");
    type(By.id("newPin"), PIN);
    type(By.id("confirmPin"), PIN);
    submit("next-passcode");
    shot("console-18-next-passcode");
    jeton.clock.advanceSeconds(30);
    type(By.id("password"), PIN + jeton.code(seed));
    submit("search");
    assertThat(d.findElement(By.id("who")).getText()).contains("novice");
  }

  @Test
  void anEnglishBrowserGetsTheConsoleInEnglish() {
    WebDriver d = open("en");
    d.get(console + "/console/login");
    waitForPage("login");
    shot("console-19-login-en");
    assertThat(d.findElement(By.tagName("h1")).getText()).isEqualTo("Sign in to the console");
  }

  @Test
  void anAdminReadsTheAuditTrailAndCreatesAnApiClient() {
    byte[] chef = userWithPin("chef.audit");
    role("chef.audit", "admin");
    userWithPin("eleve.durand");
    jeton.api.login("eleve.durand", PIN + "000000");
    WebDriver d = open("fr");

    d.get(console + "/console/login");
    waitForPage("login");
    type(By.id("username"), "chef.audit");
    type(By.id("password"), PIN + jeton.code(chef));
    submit("search");
    click(By.id("nav-audit"), "audit");
    type(By.id("user"), "eleve.durand");
    new org.openqa.selenium.support.ui.Select(d.findElement(By.id("decision")))
        .selectByValue("REJECT");
    submit("audit");
    shot("console-20-audit");
    assertThat(d.findElement(By.id("events")).getText()).contains("Connexion refusée");
    assertThat(d.findElement(By.id("csv")).getDomAttribute("href"))
        .isEqualTo("/console/audit.csv?user=eleve.durand&decision=REJECT");

    click(By.id("nav-clients"), "clients");
    shot("console-21-clients");
    type(By.id("name"), "borne-accueil");
    type(By.id("reason"), "CHG-12 nouvelle borne");
    submit("client-secret");
    assertThat(d.findElement(By.id("secret")).getText()).hasSizeGreaterThan(40);
    assertThat(d.findElement(By.id("warning")).getText()).contains("plus jamais affiché");
  }

  @Test
  void anAdminImportsAPskcFileAndReadsTheReport() throws Exception {
    byte[] seed = userWithPin("importer");
    role("importer", "admin");
    WebDriver d = open("fr");
    d.get(console + "/console/login");
    waitForPage("login");
    type(By.id("username"), "importer");
    type(By.id("password"), PIN + jeton.code(seed));
    submit("search");
    click(By.id("nav-import"), "import");
    shot("console-22-import");
    d.findElement(By.id("pskc"))
        .sendKeys(
            java.nio.file.Path.of(
                    getClass().getResource("/pskc/rfc6030-figure6-aes128-preshared.xml").toURI())
                .toString());
    type(By.id("key"), "12345678901234567890123456789012");
    type(By.id("reason"), "CHG-20 livraison du fournisseur");
    submit("import-report");
    shot("console-23-import-report");
    assertThat(d.findElement(By.id("imported")).getText()).contains("987654321");
  }

  @Test
  void anAdminConfirmsUnassignAndDeleteAForgedFormIsRefusedAndAnIdleSessionEnds() {
    byte[] boss = userWithPin("boss");
    role("boss", "admin");
    userWithPin("eleve.petit");
    WebDriver d = open("fr");
    d.get(console + "/console/login");
    waitForPage("login");
    type(By.id("username"), "boss");
    type(By.id("password"), PIN + jeton.code(boss));
    submit("search");
    d.get(console + "/console/users/eleve.petit");
    waitForPage("user");

    click(By.id("unassign-S-eleve.petit"), "confirm-unassign");
    shot("console-27-confirm-unassign");
    click(By.id("cancel"), "user");
    click(By.id("action-delete"), "confirm-delete");
    shot("console-26-confirm-delete-user");
    assertThat(d.findElement(By.id("confirm-text")).getText()).contains("eleve.petit");

    // A form whose CSRF token is not the session's is refused, whatever else it carries.
    js("document.querySelector('#action-form input[name=csrf]').value = 'forged';");
    type(By.id("reason"), "INC-99 départ");
    submit("form-refused");
    shot("console-25-csrf-refused");
    d.get(console + "/console/users/eleve.petit");
    waitForPage("user");

    // The node's clock moves past the idle time (15 minutes by default): the next click ends it.
    jeton.clock.advanceSeconds(16 * 60);
    click(By.id("action-unlock"), "login");
    shot("console-24-session-expired");
    assertThat(d.findElement(By.id("info")).getText()).contains("session a pris fin");
    assertThat(d.manage().getCookieNamed(ConsoleSessions.COOKIE)).isNull();
  }

  @Test
  void anAdminFollowsABulkLoadOnItsJobPageUntilTheResult() throws Exception {
    byte[] seed = userWithPin("chargeur");
    role("chargeur", "admin");
    // Three chunks; one line in two with a password, hashed on worker threads, so that the job
    // runs long enough to be seen midway.
    StringBuilder ndjson = new StringBuilder();
    for (int n = 1; n <= 3000; n++) {
      if (n == 2) {
        ndjson.append("not json\n");
      } else {
        ndjson.append("{\"username\":\"masse.").append(n).append('"');
        if (n % 2 == 0) {
          ndjson.append(",\"password\":\"mot-de-passe-").append(n).append('"');
        }
        ndjson.append("}\n");
      }
    }
    java.nio.file.Path file = java.nio.file.Files.createTempFile("jeton-bulk", ".ndjson");
    try {
      java.nio.file.Files.writeString(file, ndjson);
      WebDriver d = open("fr");
      d.get(console + "/console/login");
      waitForPage("login");
      type(By.id("username"), "chargeur");
      type(By.id("password"), PIN + jeton.code(seed));
      submit("search");
      click(By.id("nav-bulk"), "bulk");
      d.findElement(By.id("ndjson")).sendKeys(file.toString());
      type(By.id("reason"), "CHG-30 rentrée");
      submit("bulk-job");
      assertThat(d.getCurrentUrl()).matches(".*/console/bulk/jobs/[A-Za-z0-9_-]{22}");
      assertThat(d.findElement(By.id("refresh")).getDomAttribute("href"))
          .isEqualTo(d.getCurrentUrl().substring(console.length()));
      // Midway: the script has moved the bar at least once, and the job has not ended yet.
      waitUntil(
          "the progress bar to move",
          WAIT,
          x -> {
            String shown = x.findElement(By.tagName("body")).getDomAttribute("data-page");
            return !"bulk-job".equals(shown)
                || Double.parseDouble(x.findElement(By.id("progress")).getDomProperty("value")) > 0;
          });
      // The page's script reloads it once the job has ended; had that happened while axe read the
      // page, axe would have lost its script (seen in CI). So the script is cut off from the job's
      // state while the page is checked (it then gives up after a few failed reads, as on a network
      // that fails), a read already under way is given a moment to end, and a reload by hand
      // starts it again afterwards. Had the job ended before, the page shows the result.
      browser.blockRequests("*/state");
      Thread.sleep(1_000);
      if ("bulk-job".equals(d.findElement(By.tagName("body")).getDomAttribute("data-page"))) {
        assertThat(d.findElement(By.id("progress-text")).getText()).contains("sur 3000");
      }
      shot("console-28-bulk-progress");
      browser.unblockRequests();
      d.navigate().refresh();
      waitUntil(
          "<body data-page=\"bulk-result\">",
          Duration.ofSeconds(120),
          x ->
              "bulk-result".equals(x.findElement(By.tagName("body")).getDomAttribute("data-page")));
      assertThat(d.findElement(By.id("summary")).getText())
          .isEqualTo("2999 ligne(s) appliquée(s), 1 en échec.");
      assertThat(d.findElement(By.id("failed")).getText()).contains("2", "not a JSON object");
    } finally {
      java.nio.file.Files.deleteIfExists(file);
    }
  }

  // ---- provisioning ----

  private byte[] userWithPin(String username) {
    byte[] seed = TestJeton.seed();
    jeton.user(username, null);
    jeton.token("S-" + username, seed, PIN);
    TestJeton.expect(
        jeton.api.admin("PUT", "/v1/admin/users/" + username + "/tokens/S-" + username, null), 200);
    return seed;
  }

  private void role(String username, String role) {
    TestJeton.expect(
        jeton.api.admin(
            "PUT", "/v1/admin/console-operators/" + username, new JsonObject().put("role", role)),
        200);
  }

  // ---- the browser ----

  private WebDriver open(String lang) {
    browser = Browser.start(lang);
    return browser.driver();
  }

  /** Saves the page and checks it with axe-core: no serious or critical violation. */
  private void shot(String name) {
    browser.screenshot(name);
    Results results = new AxeBuilder().analyze(browser.driver());
    assertThat(results.isErrored()).as("%s: axe ran without error", name).isFalse();
    assertThat(results.getPasses()).as("%s: axe checked rules", name).isNotEmpty();
    // The moderate and minor findings are reported, not failed on.
    results
        .getViolations()
        .forEach(
            r -> System.out.println("axe " + name + ": " + r.getId() + " (" + r.getImpact() + ")"));
    List<Rule> bad =
        results.getViolations().stream()
            .filter(r -> "serious".equals(r.getImpact()) || "critical".equals(r.getImpact()))
            .toList();
    assertThat(bad)
        .as(
            "%s: serious or critical accessibility violations: %s",
            name,
            bad.stream()
                .map(r -> r.getId() + " (" + r.getImpact() + "): " + r.getNodes())
                .collect(Collectors.joining("; ")))
        .isEmpty();
  }

  private Object js(String script) {
    return ((JavascriptExecutor) browser.driver()).executeScript(script);
  }

  private void type(By field, String text) {
    WebElement e = browser.driver().findElement(field);
    e.clear();
    e.sendKeys(text);
  }

  private void submit(String expectedPage) {
    click(By.id("submit"), expectedPage);
  }

  /** Clicks, waits for the next document, and checks it is {@code expectedPage}. */
  private void click(By what, String expectedPage) {
    WebElement html = browser.driver().findElement(By.tagName("html"));
    browser.driver().findElement(what).click();
    waitUntilGone(html);
    waitForPage(expectedPage);
  }

  private void waitUntilGone(WebElement oldDocument) {
    waitUntil("the next page", ExpectedConditions.stalenessOf(oldDocument)::apply);
  }

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
                    + "; the page is:\n"
                    + source(d));
          }
          return false;
        });
  }

  private void waitUntil(String what, Function<WebDriver, Boolean> condition) {
    waitUntil(what, WAIT, condition);
  }

  private void waitUntil(String what, Duration within, Function<WebDriver, Boolean> condition) {
    try {
      new WebDriverWait(browser.driver(), within)
          .ignoring(RuntimeException.class)
          .until(condition::apply);
    } catch (TimeoutException e) {
      throw new AssertionError(
          "waited "
              + within.toSeconds()
              + " s for "
              + what
              + "; the page is:\n"
              + source(browser.driver()),
          e);
    }
  }

  private static String source(WebDriver d) {
    String source = d.getPageSource();
    return source.length() > 6000 ? source.substring(0, 6000) + "…" : source;
  }
}
