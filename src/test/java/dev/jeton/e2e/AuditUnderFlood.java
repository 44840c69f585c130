package dev.jeton.e2e;

import static dev.jeton.testsupport.TestJeton.expect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.testsupport.Api;
import dev.jeton.testsupport.Api.Resp;
import dev.jeton.testsupport.TestJeton;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The audit trail under a flood of logins for made-up usernames, end to end over HTTP: the real
 * users' events stay, and an unknown username's recent attempts can still be looked up. Subclasses
 * choose the store.
 */
abstract class AuditUnderFlood {

  static final String FLOOD_IP = "198.51.100.7";

  TestJeton j;
  Api api;

  /** The Redis URL, or null for the embedded store; called before each node starts. */
  abstract String redisUrl();

  void start(Map<String, String> overrides) {
    stopNode();
    j = TestJeton.start(redisUrl(), overrides);
    api = j.api;
  }

  @AfterEach
  void stopNode() {
    if (j != null) {
      j.close();
      j = null;
    }
  }

  @Test
  void aFloodOfUnknownUsernamesLeavesTheRealUsersEventsInTheTrail() {
    // The smallest trail allowed, and no IP limit: every one of the flood's logins is decided and
    // audited.
    start(Map.of("JETON_AUDIT_MAX_EVENTS", "100", "JETON_IP_FAILURE_LIMIT", "1000000"));
    byte[] seed = j.userWithToken("ann", "A1");
    j.firstLogin("ann", seed, "2580");
    expect(api.login("ann", "2580000000"), 401);
    List<JsonObject> before = decisions("ann", 4);
    assertThat(before)
        .extracting(e -> e.getString("decision"))
        .containsExactly("REJECT", "ACCEPT", "CHALLENGE", "CHALLENGE");

    flood("flood", 10 * 100);

    assertThat(decisions("ann", 4)).isEqualTo(before);
    List<JsonObject> ghosts = decisions("flood999", 1);
    assertThat(ghosts.get(0).getMap())
        .containsEntry("decision", "REJECT")
        .containsEntry("reason", "unknown_user")
        .containsEntry("clientIp", FLOOD_IP);
  }

  @Test
  void theQueryByAnUnknownUsernameFindsItsRecentAttempts() {
    start(Map.of());
    for (String code : List.of("2580111111", "2580222222", "2580333333")) {
      expect(
          api.authenticate(
              new JsonObject()
                  .put("username", "ghost")
                  .put("password", code)
                  .put("clientIp", FLOOD_IP)),
          401);
    }
    fromTheStoreOnly("ghost");
    List<JsonObject> ghost = decisions("ghost", 3);
    assertThat(ghost)
        .hasSize(3)
        .allMatch(
            e ->
                e.getString("username").equals("ghost")
                    && e.getString("decision").equals("REJECT")
                    && e.getString("clientIp").equals(FLOOD_IP));
    assertThat(ghost.stream().map(e -> e.getString("at")).toList())
        .isSortedAccordingTo((a, b) -> b.compareTo(a));
  }

  /**
   * Makes the next audit queries answer from the store alone, not from events a node holds before
   * writing them, and checks what the store keeps for the username (nothing per username, for one
   * that does not exist), where a node can restart on the same store; the embedded store cannot.
   */
  abstract void fromTheStoreOnly(String unknownUsername);

  /**
   * {@code n} wrong logins from {@link #FLOOD_IP}, each for a username of its own (prefix + 0, 1,
   * ...).
   */
  void flood(String prefix, int n) {
    for (int from = 0; from < n; from += 50) {
      List<CompletableFuture<Resp>> sent = new ArrayList<>();
      for (int i = from; i < Math.min(n, from + 50); i++) {
        sent.add(
            api.authenticateAsync(
                new JsonObject()
                    .put("username", prefix + i)
                    .put("password", "2580123456")
                    .put("clientIp", FLOOD_IP)));
      }
      sent.forEach(f -> assertThat(f.join().status()).isIn(401, 429));
    }
  }

  /**
   * The user's audited decisions (admin actions left out), newest first, once there are at least
   * {@code atLeast}: audit writes trail the answers, and each event loop's audit instance writes
   * its own.
   */
  List<JsonObject> decisions(String username, int atLeast) {
    return api.awaitAudit(username, 1000, e -> !"ADMIN".equals(e.getString("decision")), atLeast);
  }
}
