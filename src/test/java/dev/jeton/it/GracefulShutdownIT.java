package dev.jeton.it;

import static dev.jeton.testsupport.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.testsupport.Api;
import dev.jeton.testsupport.Api.Resp;
import dev.jeton.testsupport.JetonJar;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM: the listeners stop accepting, the requests in flight finish, the store is closed, exit
 * code 0.
 */
class GracefulShutdownIT {

  private static final String ADMIN = "graceful-shutdown-admin-token";
  private static final Pattern ACTIVE_REQUESTS =
      Pattern.compile("(?m)^vertx_http_server_active_requests\\{([^}]*)}\\s+(\\S+)$");

  @Test
  void requestsInFlightFinishAndTheProcessExitsZero() throws Exception {
    // One password worker: eight Argon2id checks queue behind each other, so they are still in
    // flight at SIGTERM.
    try (JetonJar jar =
        JetonJar.start(
            "graceful",
            Map.of(
                "JETON_ADMIN_TOKEN",
                ADMIN,
                "JETON_PASSWORD_WORKERS",
                "1",
                "JETON_SHUTDOWN_GRACE_SECONDS",
                "20"))) {
      assertThat(jar.started()).as(jar.tail()).isTrue();
      Api api = new Api(jar.httpPort(), jar.adminPort(), ADMIN);
      api.clientSecret(
          api.admin("PUT", "/v1/admin/clients/portal", new JsonObject()).str("secret"));
      assertThat(
              api.admin(
                      "PUT",
                      "/v1/admin/users/grace",
                      new JsonObject().put("password", "a fine password"))
                  .status())
          .isEqualTo(201);

      List<CompletableFuture<Resp>> inFlight = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        inFlight.add(
            api.authenticateAsync(
                new JsonObject().put("username", "grace").put("password", "a fine password")));
      }
      // SIGTERM once every request has reached the jar (in flight there, or answered) and some are
      // still in flight.
      eventually(
          "the eight logins in flight at the jar",
          Duration.ofSeconds(20),
          () -> {
            long active = activePosts(api);
            long answered = inFlight.stream().filter(CompletableFuture::isDone).count();
            return active >= 1 && active + answered >= inFlight.size();
          });
      jar.signalTerm();

      for (CompletableFuture<Resp> f : inFlight) {
        Resp r = f.get(30, TimeUnit.SECONDS);
        assertThat(r.status()).as("a request in flight at SIGTERM: %s", r.raw()).isEqualTo(200);
        assertThat(r.str("decision")).isEqualTo("ACCEPT");
      }
      assertThat(jar.exitCode(30_000)).as(jar.tail()).isZero();
      assertThat(jar.output())
          .contains("\"message\":\"stopping\"")
          .contains("\"message\":\"stopped\"");
    }
  }

  /**
   * POST requests the jar is serving now, from its scrape ({@code
   * vertx_http_server_active_requests}).
   */
  private static long activePosts(Api api) {
    Resp scrape = api.raw("GET", "admin", "/metrics", null, null, null);
    assertThat(scrape.status()).as("GET /metrics").isEqualTo(200);
    Matcher m = ACTIVE_REQUESTS.matcher(scrape.raw());
    double active = 0;
    while (m.find()) {
      if (m.group(1).contains("method=\"POST\"")) {
        active += Double.parseDouble(m.group(2));
      }
    }
    return Math.round(active);
  }
}
