package dev.jeton.testsupport;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * A headless Debian Chromium driven through the Debian chromedriver, with a fresh profile per
 * instance.
 *
 * <p>Selenium Manager is never involved: both binaries are named by path, so that a test run
 * downloads nothing and talks to nothing but loopback. When either binary is missing the test is
 * skipped, unless CI requires the programs, in which case it fails (see {@link ExternalTools}).
 *
 * <p>Not thread-safe: one instance belongs to one test.
 */
public final class Browser implements AutoCloseable {

  public static final String CHROMIUM = "/usr/bin/chromium";
  public static final String CHROMEDRIVER = "/usr/bin/chromedriver";

  /**
   * Where {@link #screenshot(String)} writes, relative to the Maven module (surefire's working
   * directory).
   */
  public static final Path SCREENSHOTS = Paths.get("target", "screenshots");

  /**
   * Held so that the level sticks: the tests open no DevTools connection ({@link #blockRequests}
   * goes through chromedriver), so Selenium's "no CDP for 156" warning is noise.
   */
  private static final Logger CDP_VERSION_FINDER =
      Logger.getLogger("org.openqa.selenium.devtools.CdpVersionFinder");

  static {
    CDP_VERSION_FINDER.setLevel(Level.SEVERE);
  }

  private final ChromeDriverService service;
  private final WebDriver driver;
  private final Path profile;

  private Browser(ChromeDriverService service, WebDriver driver, Path profile) {
    this.service = service;
    this.driver = driver;
    this.profile = profile;
  }

  /**
   * Starts a browser.
   *
   * @param lang a language tag such as {@code fr} or {@code en}: both the UI language and the only
   *     language of the Accept-Language header; null leaves the browser's defaults
   */
  public static Browser start(String lang) {
    requireBinaries();
    // Selenium would otherwise report usage statistics through Selenium Manager, were it ever
    // called.
    System.setProperty("SE_AVOID_STATS", "true");

    Path profile;
    try {
      profile = Files.createTempDirectory("jeton-chromium-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM);
    options.addArguments(
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-dev-shm-usage",
        "--window-size=1024,900",
        "--user-data-dir=" + profile.toAbsolutePath());
    if (lang != null) {
      options.addArguments("--lang=" + lang);
      options.setExperimentalOption("prefs", Map.of("intl.accept_languages", lang));
    }

    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(new File(CHROMEDRIVER))
            .usingAnyFreePort()
            .build();
    try {
      WebDriver driver = new ChromeDriver(service, options);
      driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
      driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
      return new Browser(service, driver, profile);
    } catch (RuntimeException e) {
      service.stop();
      deleteTree(profile);
      throw e;
    }
  }

  public WebDriver driver() {
    return driver;
  }

  /**
   * Saves what the window shows now as {@code target/screenshots/<name>.png}; returns that path.
   */
  public Path screenshot(String name) {
    try {
      Files.createDirectories(SCREENSHOTS);
      Path file = SCREENSHOTS.resolve(name + ".png");
      Files.write(file, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * From now on the page's requests to a URL that matches one of {@code patterns} ({@code *} is a
   * wildcard) fail as on a network that refuses them, until {@link #unblockRequests()}. Sent as
   * Chrome DevTools Protocol commands through chromedriver's own endpoint.
   */
  public void blockRequests(String... patterns) {
    ChromeDriver chrome = (ChromeDriver) driver;
    chrome.executeCdpCommand("Network.enable", Map.of());
    chrome.executeCdpCommand("Network.setBlockedURLs", Map.of("urls", List.of(patterns)));
  }

  /** Ends {@link #blockRequests}. */
  public void unblockRequests() {
    ((ChromeDriver) driver).executeCdpCommand("Network.setBlockedURLs", Map.of("urls", List.of()));
  }

  /** Quits the browser, stops chromedriver and deletes the profile. Safe to call twice. */
  @Override
  public void close() {
    try {
      driver.quit();
    } catch (RuntimeException ignored) {
      // already gone: the service stop below still reaps chromedriver
    } finally {
      service.stop();
      deleteTree(profile);
    }
  }

  private static void requireBinaries() {
    List<String> missing =
        Stream.of(CHROMIUM, CHROMEDRIVER).filter(p -> !Files.isExecutable(Paths.get(p))).toList();
    if (missing.isEmpty()) {
      return;
    }
    String message =
        "browser tests need "
            + String.join(" and ", missing)
            + ": install the Debian packages chromium and chromium-driver (apt-get install chromium chromium-driver)";
    ExternalTools.require(false, message);
  }

  private static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // best effort: a leftover profile in the temp dir harms nothing
    }
  }
}
