package dev.jeton.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A small property-based test runner: random action sequences from a seed, each run by a check that
 * throws on a broken rule; the first failing sequence is shrunk by deleting actions and reported
 * with its seed.
 *
 * <p>Why not jqwik: from 1.10 on its maintainers ask that it not be used by AI coding agents, and
 * this test was written by one (see the notes of issue 15). The runner needs little: actions are
 * resolved against the state when they run (an answer names "the n-th open state", never a state
 * id), so any subsequence of a sequence is a valid sequence and shrinking is plain deletion.
 *
 * <p>System properties: {@code jeton.model.seed} replays one sequence (the seed a failure printed);
 * {@code jeton.model.tries} overrides the number of sequences. Bounded in count and time.
 */
final class Harness {

  /** Upper bound on the time spent shrinking one failure, so a slow store cannot hold the build. */
  private static final long SHRINK_MILLIS = 20_000;

  private static final int SHRINK_RUNS = 600;
  private static final int RUNS_PER_CANDIDATE = 3;

  private Harness() {}

  /**
   * @param tries sequences to run (unless overridden)
   * @param generate makes one sequence from a random source
   * @param check runs one sequence on a fresh world; throws (AssertionError or other) when a rule
   *     is broken
   */
  static <A> Report run(
      String name, int tries, Function<Random, List<A>> generate, Consumer<List<A>> check) {
    String replay = System.getProperty("jeton.model.seed");
    int n = Integer.getInteger("jeton.model.tries", tries);
    long base = new SplittableRandom().nextLong();
    SplittableRandom seeds = new SplittableRandom(base);
    Report report = new Report(name);
    for (int i = 0; i < (replay != null ? 1 : n); i++) {
      long seed = replay != null ? Long.parseLong(replay) : seeds.nextLong();
      List<A> actions = generate.apply(new Random(seed));
      Throwable failure = attempt(check, actions);
      report.sequences++;
      report.actions += actions.size();
      if (failure != null) {
        Shrunk<A> smallest = shrink(check, actions, failure);
        StringBuilder msg =
            new StringBuilder()
                .append(name)
                .append(": a sequence breaks a rule (seed ")
                .append(seed)
                .append("; replay with -Djeton.model.seed=")
                .append(seed)
                .append(")\n")
                .append("shrunk from ")
                .append(actions.size())
                .append(" to ")
                .append(smallest.actions.size())
                .append(" actions:\n");
        for (A a : smallest.actions) {
          msg.append("  ").append(a).append('\n');
        }
        msg.append("\nfailure of the shrunk sequence:\n").append(smallest.failure.getMessage());
        throw new AssertionError(msg.toString(), smallest.failure);
      }
    }
    return report;
  }

  /**
   * Deletes chunks of halving size while the sequence still fails; bounded in runs and time. Races
   * make some failures depend on thread timing, so a candidate counts as failing when any of {@link
   * #RUNS_PER_CANDIDATE} runs fails.
   */
  private static <A> Shrunk<A> shrink(Consumer<List<A>> check, List<A> failing, Throwable failure) {
    // What follows the action that broke the rule played no part.
    int end = failure instanceof Broken b ? Math.min(failing.size(), b.action + 1) : failing.size();
    Shrunk<A> current = new Shrunk<>(new ArrayList<>(failing.subList(0, end)), failure);
    long deadline = System.currentTimeMillis() + SHRINK_MILLIS;
    int runs = 0;
    for (int chunk = Math.max(1, end / 2); chunk >= 1; chunk /= 2) {
      boolean progress = true;
      while (progress) {
        progress = false;
        for (int from = 0; from < current.actions.size(); from += chunk) {
          List<A> candidate = new ArrayList<>(current.actions.subList(0, from));
          candidate.addAll(
              current.actions.subList(
                  Math.min(current.actions.size(), from + chunk), current.actions.size()));
          Throwable f = null;
          for (int i = 0; i < RUNS_PER_CANDIDATE && f == null; i++) {
            if (runs++ >= SHRINK_RUNS || System.currentTimeMillis() > deadline) {
              return current;
            }
            f = attempt(check, candidate);
          }
          if (f != null) {
            current = new Shrunk<>(candidate, f);
            progress = true;
            from -= chunk;
          }
        }
      }
    }
    return current;
  }

  private record Shrunk<A>(List<A> actions, Throwable failure) {}

  /** A broken rule, with the index of the action at which it broke (0-based). */
  static final class Broken extends AssertionError {
    final int action;

    Broken(int action, Throwable cause) {
      super(cause.getMessage(), cause);
      this.action = action;
    }
  }

  private static <A> Throwable attempt(Consumer<List<A>> check, List<A> actions) {
    try {
      check.accept(actions);
      return null;
    } catch (AssertionError | RuntimeException e) {
      return e;
    }
  }

  /** True when one sequence is replayed by its seed: the run's coverage says nothing then. */
  static boolean replaying() {
    return System.getProperty("jeton.model.seed") != null;
  }

  /** What a run did, for the test's own coverage checks and its output. */
  static final class Report {
    final String name;
    int sequences;
    long actions;

    Report(String name) {
      this.name = name;
    }
  }
}
