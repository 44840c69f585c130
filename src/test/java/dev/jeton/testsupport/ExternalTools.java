package dev.jeton.testsupport;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * What a test does when a program it drives (Chromium and chromedriver, slapd, radclient) is not
 * installed: on a developer's machine it is skipped, with the package to install in the message;
 * where the environment variable {@code JETON_TEST_TOOLS} is {@code required}, as {@code .ci/run}
 * sets it, it fails, so that CI can never turn green by skipping the browser, directory or RADIUS
 * tests.
 */
public final class ExternalTools {

  /** The environment variable that makes a missing program a failure. */
  public static final String VARIABLE = "JETON_TEST_TOOLS";

  private ExternalTools() {}

  /** Returns when {@code installed}; otherwise skips or fails the test with {@code message}. */
  public static void require(boolean installed, String message) {
    if (installed) {
      return;
    }
    if ("required".equals(System.getenv(VARIABLE))) {
      Assertions.fail(message + " [" + VARIABLE + "=required]");
    }
    Assumptions.assumeTrue(false, message);
  }
}
