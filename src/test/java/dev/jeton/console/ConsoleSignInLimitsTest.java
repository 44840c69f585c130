package dev.jeton.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.testsupport.TestJeton;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Console sign-in is held to the same lockout and throttling as any login (API.md): ten failures
 * lock an operator's username for its time, too many failures from one address get 429 with
 * Retry-After. Each test has a Jeton of its own, since the per-address count is the whole node's.
 */
class ConsoleSignInLimitsTest {

  private static final String PIN = "2580";

  private final HttpClient http = ConsoleVisitor.newHttpClient();

  @Test
  void tenWrongCodesLockTheOperatorUntilTheLockEndsEvenForTheRightCode() {
    try (TestJeton j = TestJeton.start(null, Map.of())) {
      byte[] seed = operator(j, "lockme");
      String right = j.code(seed);
      for (int i = 0; i < 10; i++) {
        // Ten different wrong codes: a value sent again counts once (API.md).
        String wrong = String.format("%06d", (Integer.parseInt(right) + 1 + i) % 1_000_000);
        HttpResponse<String> r = visitor(j).signIn("lockme", PIN + wrong);
        assertThat(r.statusCode()).as("attempt " + (i + 1)).isEqualTo(401);
        assertThat(r.body()).contains("Identifiant ou Passcode incorrect.");
      }

      ConsoleVisitor v = visitor(j);
      HttpResponse<String> locked = v.signIn("lockme", PIN + right);

      assertThat(locked.statusCode()).isEqualTo(401);
      assertThat(v.page()).isEqualTo("locked");
      assertThat(locked.body()).contains("Connexion momentanément impossible");
      assertThat(v.cookies).doesNotContainKey(ConsoleSessions.COOKIE);

      // Once the lock has ended, the right code after failures asks for the next one, as for any
      // user (NEXT_PASSCODE), and that signs in.
      j.clock.advance(Duration.ofSeconds(900 + 30));
      ConsoleVisitor after = visitor(j);
      HttpResponse<String> r = after.signIn("lockme", PIN + j.code(seed));
      assertThat(after.page()).as(r.body()).isEqualTo("next-passcode");
      j.clock.advanceSeconds(30);
      r = after.submit("/console/login", Map.of("password", PIN + j.code(seed)));
      assertThat(r.statusCode()).as(r.body()).isEqualTo(303);
      assertThat(after.cookies).containsKey(ConsoleSessions.COOKIE);
    }
  }

  @Test
  void failuresFromOneAddressOverItsLimitGet429WithRetryAfterUntilTheWindowEnds() {
    try (TestJeton j =
        TestJeton.start(
            null,
            Map.of("JETON_IP_FAILURE_LIMIT", "3", "JETON_IP_FAILURE_WINDOW_SECONDS", "300"))) {
      byte[] seed = operator(j, "busy");
      for (String other : new String[] {"x1", "x2", "x3"}) {
        HttpResponse<String> r = visitor(j).signIn(other, PIN + "123456");
        assertThat(r.statusCode()).as(other).isEqualTo(401);
      }

      ConsoleVisitor v = visitor(j);
      HttpResponse<String> throttled = v.signIn("busy", PIN + j.code(seed));

      assertThat(throttled.statusCode()).isEqualTo(429);
      assertThat(v.page()).isEqualTo("rate-limited");
      assertThat(throttled.headers().firstValue("Retry-After")).isPresent();
      assertThat(v.cookies).doesNotContainKey(ConsoleSessions.COOKIE);

      j.clock.advance(Duration.ofSeconds(300 + 30));
      ConsoleVisitor after = visitor(j);
      HttpResponse<String> r = after.signIn("busy", PIN + j.code(seed));
      assertThat(r.statusCode()).as("once the window has passed: " + r.body()).isEqualTo(303);
    }
  }

  private ConsoleVisitor visitor(TestJeton j) {
    return new ConsoleVisitor(http, "http://127.0.0.1:" + j.jeton.adminPort());
  }

  /** A helpdesk operator with a key whose PIN is {@value #PIN}; returns the key's seed. */
  private static byte[] operator(TestJeton j, String username) {
    return ConsoleVisitor.makeOperator(j, username, "helpdesk", PIN);
  }
}
