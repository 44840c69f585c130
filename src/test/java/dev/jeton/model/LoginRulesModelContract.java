package dev.jeton.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.metrics.JetonMetrics;
import dev.jeton.track.Store;
import io.vertx.core.Vertx;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Random sequences of logins, wrong answers, challenges, clock moves, helpdesk actions and races,
 * run on the real {@link dev.jeton.verify.Verifier} and a real store against the model in {@link
 * LoginWorld}. One subclass per store.
 */
abstract class LoginRulesModelContract {

  private static final int STORY_TRIES = 60;

  protected static Vertx vertx;
  protected static JetonMetrics metrics;
  private static ExecutorService racers;
  private static ExecutorService workers;

  /**
   * The store for one sequence: a new one, or a shared one (each sequence has its own usernames).
   */
  protected abstract Store storeForSequence();

  /**
   * Sequences of the main test: enough to reach every rule many times in a few seconds (more with
   * {@code -Djeton.model.tries=N}).
   */
  protected int tries() {
    return 150;
  }

  @BeforeAll
  static void startShared() {
    metrics = JetonMetrics.disabled();
    vertx = metrics.newVertx();
    racers = Executors.newFixedThreadPool(8);
    workers = Executors.newFixedThreadPool(2);
  }

  @AfterAll
  static void stopShared() throws Exception {
    racers.shutdownNow();
    workers.shutdownNow();
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  @Timeout(300)
  void noSequenceAcceptsAnOldCodeSkipsALockOrAcceptsOneCodeTwice() {
    LoginWorld.Stats stats = new LoginWorld.Stats();
    Harness.Report report =
        Harness.run(
            getClass().getSimpleName() + " rules",
            tries(),
            r -> Op.sequence(r, 10, 45),
            ops ->
                new LoginWorld(storeForSequence(), racers, workers, metrics, false, true, stats)
                    .run(ops));
    System.out.println(report.sequences + " sequences, " + report.actions + " actions: " + stats);

    if (Harness.replaying()) {
      return;
    }
    // The run reached every rule it checks: a test that never locks cannot show that no lock is
    // skipped.
    assertThat(stats.accepts).as("ACCEPTs").isPositive();
    assertThat(stats.emergencyAccepts).as("emergency ACCEPTs").isPositive();
    assertThat(stats.newPins).as("NEW_PIN challenges").isPositive();
    assertThat(stats.pinsChosen).as("PINs chosen").isPositive();
    assertThat(stats.resyncs).as("resynchronisations").isPositive();
    assertThat(stats.nextAfterFailures).as("NEXT_PASSCODE after failures").isPositive();
    assertThat(stats.locks).as("locks").isPositive();
    assertThat(stats.lockedAnswers).as("LOCKED answers").isPositive();
    assertThat(stats.raceWins).as("races with a winner").isPositive();
  }

  /**
   * Issue 15, item 3: codes seen while the token had no PIN open several NEW_PIN states; once one
   * of them has set the PIN, answering another must not replace it. Fails on the code before the
   * fix.
   */
  @Test
  @Timeout(300)
  void aNewPinStateAnsweredAfterThePinIsSetDoesNotReplaceIt() {
    LoginWorld.Stats stats = new LoginWorld.Stats();
    Harness.Report report =
        Harness.run(
            getClass().getSimpleName() + " NEW_PIN story",
            STORY_TRIES,
            Op::newPinStory,
            ops ->
                new LoginWorld(storeForSequence(), racers, workers, metrics, true, false, stats)
                    .run(ops));
    System.out.println(report.sequences + " sequences, " + report.actions + " actions: " + stats);
    if (Harness.replaying()) {
      return;
    }
    assertThat(stats.pinsChosen).as("PINs chosen").isPositive();
    assertThat(stats.accepts).as("first logins completed").isPositive();
  }
}
