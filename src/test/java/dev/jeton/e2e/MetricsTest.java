package dev.jeton.e2e;

import static dev.jeton.testsupport.TestJeton.expect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.testsupport.Api.Resp;
import dev.jeton.testsupport.TestJeton;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricsTest {

  @Test
  void decisionsLatencyAndStoreCallsAreCountedWithoutUsernameAddressOrPathLabels() {
    try (TestJeton j = TestJeton.start(null)) {
      byte[] seed = j.userWithToken("metric.user.42", "MSERIAL");
      j.firstLogin("metric.user.42", seed, "2580");
      j.api.authenticate(
          new JsonObject()
              .put("username", "metric.user.42")
              .put("password", "2580000000")
              .put("clientIp", "198.51.100.77"));
      j.api.raw("GET", "public", "/v1/no/such/path/secret-looking", null, null, null);
      String scrape = expect(j.api.raw("GET", "admin", "/metrics", null, null, null), 200).raw();

      assertThat(scrape)
          .contains(
              "jeton_auth_decisions_total{decision=\"ACCEPT\",method=\"otp\",reason=\"ok\"} 1.0")
          .contains("jeton_auth_decisions_total{decision=\"CHALLENGE\"")
          .contains("jeton_auth_duration_seconds_bucket{decision=\"ACCEPT\",le=\"0.001\"}")
          .contains("jeton_store_script_duration_seconds_count{script=\"commit\"}")
          .contains("jeton_challenges_total{challenge=\"NEW_PIN\",event=\"opened\"} 1.0")
          .contains("jeton_challenges_total{challenge=\"NEXT_PASSCODE\",event=\"answered\"} 1.0")
          .contains("vertx_http_server_requests_total")
          .contains("vertx_eventbus_processed_total")
          .contains("jvm_memory_used_bytes")
          .contains("process_cpu_usage")
          .contains("jeton_event_loop_delay_seconds");
      assertThat(scrape)
          .doesNotContain("metric.user.42")
          .doesNotContain("198.51.100.77")
          .doesNotContain("MSERIAL")
          .doesNotContain("secret-looking")
          .doesNotContain("__vertx.reply.");
    }
  }

  @Test
  void withMetricsOffThereIsNoMetricsRoute() {
    try (TestJeton j = TestJeton.start(null, Map.of("JETON_METRICS_ENABLED", "false"))) {
      Resp r = j.api.raw("GET", "admin", "/metrics", null, null, null);
      assertThat(r.status()).isEqualTo(404);
      expect(j.api.login("nobody", "2580123456"), 401);
    }
  }
}
