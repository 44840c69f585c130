package dev.jeton.e2e;

import static dev.jeton.testsupport.TestJeton.expect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.testsupport.Api.Resp;
import dev.jeton.testsupport.RedisServer;
import dev.jeton.testsupport.TestJeton;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Racing {@code PUT}s of one client or operator through the admin API (API.md §3): each answers a
 * secret, and exactly one of them works afterwards. On both stores.
 */
@Timeout(120)
class SecretRotationTest {

  private static final int RACERS = 16;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"memory", "redis"})
  void racingClientPutsLeaveExactlyOneWorkingSecret(String store) throws Exception {
    try (TestJeton j = TestJeton.start(url(store))) {
      List<String> secrets =
          race(
              () ->
                  expect(
                          j.api.admin(
                              "PUT",
                              "/v1/admin/clients/racer",
                              new JsonObject().put("trustClientIp", false)),
                          200)
                      .str("secret"));

      int working = 0;
      for (String secret : secrets) {
        Resp r =
            j.api.authenticateAs(
                secret, new JsonObject().put("username", "nobody").put("password", "123456"));
        if (!"unauthorized_client".equals(r.json().getString("error"))) {
          working++;
        }
      }
      assertThat(working).isEqualTo(1);
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"memory", "redis"})
  void racingOperatorPutsLeaveExactlyOneWorkingSecret(String store) throws Exception {
    try (TestJeton j = TestJeton.start(url(store))) {
      List<String> secrets =
          race(
              () ->
                  expect(
                          j.api.admin(
                              "PUT",
                              "/v1/admin/operators/desk",
                              new JsonObject().put("role", "helpdesk")),
                          200)
                      .str("secret"));

      int working = 0;
      for (String secret : secrets) {
        if (j.api.adminAs(secret, "GET", "/v1/admin/users/nobody", null).status() != 401) {
          working++;
        }
      }
      assertThat(working).isEqualTo(1);
    }
  }

  private static String url(String store) {
    if (store.equals("memory")) {
      return null;
    }
    return RedisServer.shared().url();
  }

  /** Sends {@value #RACERS} calls at once and returns their answers. */
  private static List<String> race(java.util.concurrent.Callable<String> call) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(RACERS);
    try {
      List<Future<String>> issued = new ArrayList<>();
      for (int i = 0; i < RACERS; i++) {
        issued.add(pool.submit(call));
      }
      List<String> out = new ArrayList<>();
      for (Future<String> f : issued) {
        out.add(f.get(30, TimeUnit.SECONDS));
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }
}
