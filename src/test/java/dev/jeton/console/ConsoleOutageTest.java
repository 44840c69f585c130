package dev.jeton.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.testsupport.RedisServer;
import dev.jeton.testsupport.TestJeton;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The console when its store does not answer: a real Redis, stopped under a signed-in operator. */
class ConsoleOutageTest {

  private static final String PIN = "2580";

  private final HttpClient http = ConsoleVisitor.newHttpClient();
  private RedisServer redis;
  private TestJeton j;

  @AfterEach
  void stop() {
    if (j != null) {
      j.close();
    }
    if (redis != null) {
      redis.stop();
    }
  }

  @Test
  void aStoreThatDoesNotAnswerGivesTheUnavailablePage() {
    redis = RedisServer.start();
    j = TestJeton.start(redis.url(), Map.of());
    byte[] seed = TestJeton.seed();
    j.user("outage.op", null);
    j.token("S-outage.op", seed, PIN);
    TestJeton.expect(j.api.admin("PUT", "/v1/admin/users/outage.op/tokens/S-outage.op", null), 200);
    TestJeton.expect(
        j.api.admin(
            "PUT",
            "/v1/admin/console-operators/outage.op",
            new JsonObject().put("role", "helpdesk")),
        200);
    ConsoleVisitor v = new ConsoleVisitor(http, "http://127.0.0.1:" + j.jeton.adminPort());
    HttpResponse<String> r = v.signIn("outage.op", PIN + j.code(seed));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(303);
    assertThat(v.get("/console/").statusCode()).isEqualTo(200);

    redis.stop();
    r = v.get("/console/");

    assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
    assertThat(v.page()).isEqualTo("unavailable");
    assertThat(r.body()).contains("Service momentanément indisponible");
  }
}
