package dev.jeton.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

/**
 * The RADIUS intake's meters: datagrams received by code, answers by kind with the time from
 * receipt to answer, and datagrams dropped by cause. Every series the dashboard and the drop alert
 * read exists from the start, at zero. Thread-safe.
 */
public final class RadiusMeters {

  /** Every cause of a drop, as the {@code cause} tag says it. */
  public static final List<String> DROP_CAUSES =
      List.of(
          "unknown_client",
          "malformed",
          "unknown_code",
          "no_message_authenticator",
          "bad_message_authenticator",
          "in_progress",
          "unavailable",
          "overloaded");

  /** Every kind of answer, as the {@code kind} tag says it. */
  public static final List<String> ANSWER_KINDS =
      List.of("accept", "reject", "challenge", "status", "retransmitted");

  private static final Duration[] BUCKETS = {
    Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10),
    Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
    Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5)
  };

  private final MeterRegistry registry;
  private final ConcurrentMap<Integer, Counter> requests = new ConcurrentHashMap<>();
  private final Map<String, Counter> drops = new ConcurrentHashMap<>();
  private final Map<String, Timer> answers = new ConcurrentHashMap<>();

  RadiusMeters(MeterRegistry registry) {
    this.registry = registry;
    for (String cause : DROP_CAUSES) {
      drops.put(
          cause,
          Counter.builder("jeton.radius.drops")
              .description("RADIUS datagrams dropped without an answer, by cause")
              .tag("cause", cause)
              .register(registry));
    }
    for (int code : new int[] {1, 12, 0}) {
      requestCounter(code);
    }
    for (String kind : ANSWER_KINDS) {
      answers.put(
          kind,
          Timer.builder("jeton.radius.answers")
              .description("RADIUS answers sent, by kind, timed from receipt to answer")
              .tag("kind", kind)
              .serviceLevelObjectives(BUCKETS)
              .register(registry));
    }
  }

  /** A datagram received from a known client and parsed, by its RADIUS code (any number). */
  public void request(int code) {
    requestCounter(code == 1 || code == 12 ? code : 0).increment();
  }

  private Counter requestCounter(int known) {
    return requests.computeIfAbsent(
        known,
        c ->
            Counter.builder("jeton.radius.requests")
                .description("RADIUS datagrams received, by code")
                .tag("code", c == 1 ? "access_request" : c == 12 ? "status_server" : "other")
                .register(registry));
  }

  /** An answer sent, {@code nanos} after its request arrived. */
  public void answer(String kind, long nanos) {
    answers.get(kind).record(nanos, TimeUnit.NANOSECONDS);
  }

  /** A datagram dropped, for one of {@link #DROP_CAUSES}. */
  public void drop(String cause) {
    drops.get(cause).increment();
  }
}
