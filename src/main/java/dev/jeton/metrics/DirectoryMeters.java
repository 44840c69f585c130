package dev.jeton.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The directory's meter: {@code jeton_directory_requests_seconds{op,outcome}}, a timer of each LDAP
 * request as the directory's worker saw it, from the start of its LDAP calls to their end (the
 * queue before the worker pool is not in it). Every series an alert reads exists from the start, at
 * zero. Thread-safe.
 */
public final class DirectoryMeters {

  /** The operations and the outcomes each can have. */
  public static final Map<String, List<String>> SERIES =
      Map.of(
          "check_password", List.of("ok", "wrong", "unavailable"),
          "find_user", List.of("ok", "not_found", "unavailable"),
          "search_users", List.of("ok", "unavailable"));

  private final Map<String, Timer> timers = new ConcurrentHashMap<>();

  DirectoryMeters(MeterRegistry registry, Duration[] buckets) {
    SERIES.forEach(
        (op, outcomes) ->
            outcomes.forEach(
                outcome ->
                    timers.put(
                        op + '|' + outcome,
                        Timer.builder("jeton.directory.requests")
                            .description(
                                "LDAP requests to the directory, by operation and outcome"
                                    + " (unavailable: down, slow or an unexpected answer)")
                            .tag("op", op)
                            .tag("outcome", outcome)
                            .serviceLevelObjectives(buckets)
                            .register(registry))));
  }

  /**
   * One directory request.
   *
   * @param op check_password, find_user or search_users
   * @param outcome one of {@link #SERIES}'s outcomes for {@code op}
   */
  public void record(String op, String outcome, long nanos) {
    Timer t = timers.get(op + '|' + outcome);
    if (t == null) {
      throw new IllegalArgumentException("no directory series " + op + "/" + outcome);
    }
    t.record(nanos, TimeUnit.NANOSECONDS);
  }
}
