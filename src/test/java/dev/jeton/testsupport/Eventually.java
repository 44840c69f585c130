package dev.jeton.testsupport;

import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * Waits for something that happens on another thread: polls a condition (or an assertion) until it
 * holds, and fails with the last reason when it has not within the time given. The one way the
 * suite waits; never a fixed sleep.
 */
public final class Eventually {

  /** How long a test waits by default for something that normally takes milliseconds. */
  public static final Duration DEFAULT = Duration.ofSeconds(10);

  private static final long POLL_MILLIS = 5;

  private Eventually() {}

  /** Polls {@code condition} until it is true; fails after {@code within} naming {@code what}. */
  public static void eventually(String what, Duration within, Callable<Boolean> condition) {
    long end = System.nanoTime() + within.toNanos();
    Throwable last = null;
    while (true) {
      try {
        if (Boolean.TRUE.equals(condition.call())) {
          return;
        }
        last = null;
      } catch (Exception e) {
        last = e;
      }
      if (System.nanoTime() - end > 0) {
        throw new AssertionError("not within " + within.toMillis() + " ms: " + what, last);
      }
      pause();
    }
  }

  /** {@link #eventually(String, Duration, Callable)} within {@link #DEFAULT}. */
  public static void eventually(String what, Callable<Boolean> condition) {
    eventually(what, DEFAULT, condition);
  }

  /** Runs {@code assertion} until it passes; after {@code within}, fails with its last failure. */
  public static void eventuallyAsserts(Duration within, ThrowingRunnable assertion) {
    long end = System.nanoTime() + within.toNanos();
    while (true) {
      try {
        assertion.run();
        return;
      } catch (AssertionError | Exception e) {
        if (System.nanoTime() - end > 0) {
          throw e instanceof AssertionError a
              ? a
              : new AssertionError("not within " + within.toMillis() + " ms", e);
        }
      }
      pause();
    }
  }

  /** An assertion that may throw a checked exception. */
  @FunctionalInterface
  public interface ThrowingRunnable {
    void run() throws Exception;
  }

  private static void pause() {
    try {
      Thread.sleep(POLL_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting", e);
    }
  }
}
