package dev.jeton.directory;

import static dev.jeton.testsupport.Eventually.eventually;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.bus.DirectoryBus;
import dev.jeton.bus.DirectoryBus.DirectoryUser;
import dev.jeton.bus.DirectoryBus.Found;
import dev.jeton.bus.DirectoryBus.PasswordCheck;
import dev.jeton.bus.DirectoryBus.PasswordResult;
import dev.jeton.bus.DirectoryBus.Search;
import dev.jeton.bus.DirectoryBus.Users;
import dev.jeton.bus.DirectoryBus.Verdict;
import dev.jeton.bus.LocalCodec;
import dev.jeton.metrics.JetonMetrics;
import dev.jeton.testsupport.ExternalTools;
import dev.jeton.testsupport.Slapd;
import dev.jeton.testsupport.TestJeton;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The directory over the bus, as verification and admin reach it, against a real slapd. */
@Timeout(60)
class DirectoryVerticleTest {

  private static Slapd slapd;
  private Vertx vertx;
  private JetonMetrics metrics;

  @BeforeAll
  static void startSlapd() {
    ExternalTools.require(
        Slapd.available(),
        "slapd and ldap-utils are not installed (apt-get install slapd ldap-utils)");
    slapd = Slapd.start();
  }

  @AfterAll
  static void stopSlapd() {
    if (slapd != null) {
      slapd.close();
    }
  }

  @BeforeEach
  void deploy() throws Exception {
    vertx = Vertx.vertx();
    metrics = JetonMetrics.prometheus();
    LocalCodec.registerAll(vertx, DirectoryBus.messageTypes());
    vertx
        .deployVerticle(
            new DirectoryVerticle(LdapDirectoryTest.settings(slapd.url()), metrics.directory()))
        .await(10, SECONDS);
  }

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, SECONDS);
  }

  private <T> T ask(String address, Object body) throws Exception {
    return vertx.eventBus().<T>request(address, body).await(10, SECONDS).body();
  }

  @Test
  void theThreeAddressesAnswerAndEveryMeterSeriesExistsFromTheStart() throws Exception {
    String scrape = metrics.prometheusRegistry().scrape();
    assertThat(scrape)
        .contains("jeton_directory_requests_seconds_count{op=\"check_password\",outcome=\"ok\"} 0")
        .contains(
            "jeton_directory_requests_seconds_count{op=\"find_user\",outcome=\"not_found\"} 0")
        .contains(
            "jeton_directory_requests_seconds_count{op=\"search_users\",outcome=\"unavailable\"} 0");
    assertThat(
            this.<PasswordResult>ask(
                DirectoryBus.CHECK_PASSWORD, new PasswordCheck("alice", "alice-pw")))
        .isEqualTo(new PasswordResult(Verdict.OK, "Alice Martin"));
    assertThat(
            this.<PasswordResult>ask(
                DirectoryBus.CHECK_PASSWORD, new PasswordCheck("alice", "nope")))
        .isEqualTo(new PasswordResult(Verdict.WRONG, null));
    assertThat(this.<Found>ask(DirectoryBus.FIND_USER, "bob"))
        .isEqualTo(new Found(new DirectoryUser("bob", "Bob Durand")));
    assertThat(this.<Found>ask(DirectoryBus.FIND_USER, "nobody")).isEqualTo(new Found(null));
    assertThat(this.<Users>ask(DirectoryBus.SEARCH_USERS, new Search("bo", 10)).users())
        .containsExactly(new DirectoryUser("bob", "Bob Durand"));
    assertThat(this.<Boolean>ask(DirectoryBus.HEALTH, "")).isFalse();
    assertThat(metrics.prometheusRegistry().scrape())
        .contains("jeton_directory_requests_seconds_count{op=\"check_password\",outcome=\"ok\"} 1")
        .contains(
            "jeton_directory_requests_seconds_count{op=\"check_password\",outcome=\"wrong\"} 1")
        .contains(
            "jeton_directory_requests_seconds_count{op=\"find_user\",outcome=\"not_found\"} 1");
  }

  @Test
  void aPasswordCheckNeverPrintsItsPassword() {
    assertThat(new PasswordCheck("alice", "s3cret-pw").toString())
        .contains("alice")
        .doesNotContain("s3cret-pw");
  }

  @Test
  void aStoppedDirectoryAnswersUnavailableOr503AndIsDegradedUntilItIsBack() throws Exception {
    slapd.stop();
    try {
      assertThat(
              this.<PasswordResult>ask(
                  DirectoryBus.CHECK_PASSWORD, new PasswordCheck("alice", "alice-pw")))
          .isEqualTo(new PasswordResult(Verdict.UNAVAILABLE, null));
      assertThat(this.<Boolean>ask(DirectoryBus.HEALTH, "")).isTrue();
      for (Object[] q :
          new Object[][] {
            {DirectoryBus.FIND_USER, "alice"}, {DirectoryBus.SEARCH_USERS, new Search("a", 5)}
          }) {
        try {
          vertx.eventBus().request((String) q[0], q[1]).await(10, SECONDS);
          throw new AssertionError(q[0] + " answered while the directory is down");
        } catch (ReplyException e) {
          assertThat(e.failureCode()).isEqualTo(DirectoryBus.UNAVAILABLE_CODE);
        }
      }
    } finally {
      slapd.restart();
    }
    // The periodic check notices the return without any request.
    eventually(
        "the directory is no longer degraded",
        Duration.ofMillis(DirectoryVerticle.HEALTH_CHECK_MILLIS * 3),
        () -> !this.<Boolean>ask(DirectoryBus.HEALTH, ""));
    assertThat(
            this.<PasswordResult>ask(
                DirectoryBus.CHECK_PASSWORD, new PasswordCheck("alice", "alice-pw")))
        .isEqualTo(new PasswordResult(Verdict.OK, "Alice Martin"));
  }

  @Test
  void readinessStaysReadyButSaysTheDirectoryIsDegradedWhileItIsDown() throws Exception {
    try (TestJeton without = TestJeton.start(null)) {
      assertThat(without.api.adminGet("/health/ready").json().containsKey("directory")).isFalse();
    }
    Map<String, String> ldap =
        Map.of(
            "JETON_LDAP_URL", slapd.url(),
            "JETON_LDAP_BASE_DN", Slapd.BASE,
            "JETON_LDAP_BIND_DN", Slapd.SERVICE_DN,
            "JETON_LDAP_BIND_PASSWORD", Slapd.SERVICE_PASSWORD,
            "JETON_LDAP_TIMEOUT_MS", "500");
    try (TestJeton node = TestJeton.start(null, ldap)) {
      assertThat(node.api.adminGet("/health/ready").json().getString("directory")).isEqualTo("UP");
      slapd.stop();
      try {
        eventually(
            "readiness says the directory is degraded",
            Duration.ofMillis(DirectoryVerticle.HEALTH_CHECK_MILLIS * 3),
            () ->
                "degraded"
                    .equals(node.api.adminGet("/health/ready").json().getString("directory")));
        var ready = node.api.adminGet("/health/ready");
        assertThat(ready.status()).isEqualTo(200);
        assertThat(ready.json().getString("status")).isEqualTo("UP");
      } finally {
        slapd.restart();
      }
      eventually(
          "readiness says the directory is back",
          Duration.ofMillis(DirectoryVerticle.HEALTH_CHECK_MILLIS * 3),
          () -> "UP".equals(node.api.adminGet("/health/ready").json().getString("directory")));
    }
  }
}
