package dev.jeton.e2e;

import static dev.jeton.testsupport.Eventually.eventually;
import static dev.jeton.testsupport.TestJeton.expect;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.bus.Addresses;
import dev.jeton.crypto.Secrets;
import dev.jeton.testsupport.RedisServer;
import dev.jeton.testsupport.TestJeton;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two Jeton nodes (two Vert.x instances) sharing nothing but one Redis: a client secret replaced
 * through one node's admin API is refused by the other on the next request, not when its cache of
 * clients (5 s) expires.
 */
@Timeout(120)
class SeveralNodesTest {

  /** How long node B may take to hear of a change: far below its 5 s cache of clients. */
  private static final Duration HEARD_WITHIN = Duration.ofSeconds(1);

  /** Node B keeps a client it looked up this long (PublicVerticle.CLIENT_CACHE_MILLIS). */
  private static final long CACHE_MILLIS = 5_000;

  @Test
  void aClientSecretReplacedOnOneNodeIsRefusedOnTheOtherAtOnce() throws Exception {
    RedisServer redis = RedisServer.shared();
    Map<String, String> sameKeys = Map.of("JETON_REDIS_NAMESPACE", redis.freshNamespace());
    try (TestJeton a = TestJeton.start(redis.url(), sameKeys);
        TestJeton b = TestJeton.start(redis.url(), sameKeys)) {
      // B drops its cached clients whenever it hears of a change: the one A's first write sends
      // must have reached it before its cache is filled, or the control below could find that
      // cache emptied by a late message instead of by the change it checks.
      AtomicInteger heardByB = new AtomicInteger();
      b.jeton
          .vertx()
          .eventBus()
          .<String>localConsumer(
              Addresses.CLIENTS_CHANGED,
              m -> {
                if ("kiosk".equals(m.body())) {
                  heardByB.incrementAndGet();
                }
              })
          .completion()
          .await(10, SECONDS);
      String old = putClient(a);
      eventually("node B hears of the client made on A", () -> heardByB.get() == 1);
      assertThat(knows(b, old)).as("node B knows the client made on A").isTrue();
      long cached = System.nanoTime();

      // Control: with the secret's index entry gone from Redis and nothing published, B still
      // takes the old secret, from its cache: a refusal below comes from the change heard, not
      // from a lookup that missed the cache.
      forgetInRedisOnly(b, a.config.redisNamespace(), old);
      assertThat(knows(b, old)).as("B answers from its cache").isTrue();

      String fresh = putClient(a);
      eventually("node B refuses the replaced secret", HEARD_WITHIN, () -> !knows(b, old));
      long refusedAfterMillis = (System.nanoTime() - cached) / 1_000_000;
      assertThat(refusedAfterMillis)
          .as("refused while B's cached copy was still fresh")
          .isLessThan(CACHE_MILLIS - 1_000);
      assertThat(knows(b, fresh)).as("node B takes the new secret").isTrue();
      assertThat(knows(a, old)).as("and node A refuses the old one").isFalse();
    }
  }

  private static String putClient(TestJeton node) {
    return expect(
            node.api.admin(
                "PUT", "/v1/admin/clients/kiosk", new JsonObject().put("trustClientIp", false)),
            200)
        .str("secret");
  }

  /** Whether the node takes this client secret (any answer but {@code unauthorized_client}). */
  private static boolean knows(TestJeton node, String secret) {
    JsonObject answer =
        node.api
            .authenticateAs(
                secret, new JsonObject().put("username", "nobody").put("password", "123456"))
            .json();
    return answer == null || !"unauthorized_client".equals(answer.getString("error"));
  }

  /**
   * Removes the secret's entry from the client index ({@code NAMESPACE:{clients}:by-secret}, see
   * track.RedisKeys) behind Jeton's back: no script, nothing published.
   */
  private static void forgetInRedisOnly(TestJeton node, String namespace, String secret)
      throws Exception {
    Redis client = Redis.createClient(node.jeton.vertx(), RedisServer.shared().url());
    try {
      int removed =
          client
              .send(
                  Request.cmd(Command.HDEL)
                      .arg(namespace + ":{clients}:by-secret")
                      .arg(Secrets.hash(secret)))
              .await(10, SECONDS)
              .toInteger();
      assertThat(removed).as("the index entry of the secret").isEqualTo(1);
    } finally {
      client.close();
    }
  }
}
