package dev.jeton.portal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.testsupport.RedisServer;
import dev.jeton.testsupport.TestJeton;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/**
 * Session revocation on a real Redis (each node its own key namespace); and a store that cannot
 * answer.
 */
class RedisSessionRevocationTest extends SessionRevocation {
  @Override
  String redisUrl() {
    return RedisServer.shared().url();
  }

  @Test
  void whenTheStoreCannotSayTheSessionIsNeitherVouchedForNorSignedIn() {
    try (RedisServer redis = RedisServer.start()) {
      TestJeton own = TestJeton.start(redis.url());
      try {
        byte[] seed = own.userWithToken("down", "S-down");
        own.firstLogin("down", seed, "2580");
        own.clock.advanceSeconds(30);
        PortalVisitor v =
            new PortalVisitor(
                java.net.http.HttpClient.newHttpClient(),
                "http://127.0.0.1:" + own.jeton.httpPort());
        assertThat(PortalVisitor.page(v.signIn("down", "2580" + own.code(seed))))
            .isEqualTo("signed-in");
        redis.stop();

        HttpResponse<String> s = v.get("/v1/session");
        assertThat(s.statusCode()).isEqualTo(503);
        assertThat(s.body()).contains("unavailable");
        assertThat(PortalVisitor.page(v.get("/portal"))).isEqualTo("login");
      } finally {
        own.close();
      }
    }
  }
}
