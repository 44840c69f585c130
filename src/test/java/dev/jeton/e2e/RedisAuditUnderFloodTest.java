package dev.jeton.e2e;

import static dev.jeton.testsupport.TestJeton.expect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.testsupport.RedisServer;
import dev.jeton.testsupport.TestJeton;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The audit trail under a flood on a real Redis (each node its own key namespace); and what the
 * flood leaves in Redis, read once the node has stopped (a node writes all the audit events it
 * holds before it stops).
 */
class RedisAuditUnderFloodTest extends AuditUnderFlood {

  private static final long AUDIT_AGE_MILLIS = 90 * 86_400_000L;

  /** The key namespace of the node under test: every key the test reads starts with it. */
  private String ns;

  @Override
  void start(Map<String, String> overrides) {
    super.start(overrides);
    ns = j.config.redisNamespace();
  }

  @Override
  String redisUrl() {
    return RedisServer.shared().url();
  }

  /**
   * Restarts the node on the same Redis (a node writes the audit events it holds before it stops).
   */
  @Override
  void fromTheStoreOnly(String unknownUsername) {
    stopNode();
    assertThat(redisCli("EXISTS", ns + ":{u:" + unknownUsername + "}:a"))
        .as("audit index")
        .isEqualTo("0");
    j = TestJeton.start(RedisServer.shared().url(), Map.of("JETON_REDIS_NAMESPACE", ns));
    api = j.api;
  }

  @Test
  void rateLimitedRequestsWriteNothingToTheAudit() {
    start(Map.of("JETON_IP_FAILURE_LIMIT", "3"));
    j.userWithToken("ann", "A1");
    for (String code : List.of("2580111111", "2580222222", "2580333333")) {
      expect(
          api.authenticate(
              new JsonObject()
                  .put("username", "ann")
                  .put("password", code)
                  .put("clientIp", FLOOD_IP)),
          401);
    }
    // Past the limit: for ann, and for made-up usernames.
    for (int i = 0; i < 10; i++) {
      expect(
          api.authenticate(
              new JsonObject()
                  .put("username", "ann")
                  .put("password", "258044444" + i)
                  .put("clientIp", FLOOD_IP)),
          429);
    }
    flood("throttled", 50);
    stopNode();

    List<String> entries = auditEntries();
    assertThat(entries).noneMatch(e -> e.contains("RATE_LIMITED") || e.contains("ip_throttled"));
    assertThat(entries).filteredOn(e -> e.contains(FLOOD_IP)).hasSize(3);
    assertThat(redisCli("KEYS", ns + ":{u:throttled*")).isEmpty();
  }

  @Test
  void unknownUsernamesCreateNoAuditKeyAndNothingThatOutlivesTheirFailureCount() {
    start(Map.of());
    j.userWithToken("ann", "A1");
    expect(api.login("ann", "2580111111"), 401);
    flood("nobody", 30);
    stopNode();

    assertThat(redisCli("KEYS", ns + ":{u:*}:a").lines().toList())
        .containsExactly(ns + ":{u:ann}:a");
    List<String> unknownKeys = redisCli("KEYS", ns + ":{u:nobody*").lines().toList();
    // What fail.lua keeps per username (the lockout applies to unknown usernames too), and nothing
    // else.
    assertThat(unknownKeys).hasSize(30).allMatch(k -> k.endsWith("}:f"));
    for (String key : unknownKeys) {
      assertThat(Long.parseLong(redisCli("PTTL", key))).as(key).isBetween(1L, AUDIT_AGE_MILLIS / 2);
    }
    assertThat(auditEntries()).filteredOn(e -> e.contains("unknown_user")).hasSize(30);
  }

  /** Every entry of the audit streams (all the shards), one string each. */
  private List<String> auditEntries() {
    List<String> out = new ArrayList<>();
    for (String stream : redisCli("KEYS", ns + ":audit*").lines().toList()) {
      String text = redisCli("XRANGE", stream, "-", "+");
      // as redis-cli prints it: an entry's id, then its fields and values, one a line; an id is
      // digits, a
      // dash, digits.
      StringBuilder entry = null;
      for (String line : text.lines().toList()) {
        if (line.matches("\\d+-\\d+")) {
          if (entry != null) {
            out.add(entry.toString());
          }
          entry = new StringBuilder();
        } else if (entry != null) {
          entry.append(line).append('\n');
        }
      }
      if (entry != null) {
        out.add(entry.toString());
      }
    }
    return out;
  }

  private static String redisCli(String... args) {
    return RedisServer.shared().cli(args);
  }
}
