package dev.jeton.track;

import static dev.jeton.testsupport.Eventually.eventually;
import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import dev.jeton.bus.Addresses;
import dev.jeton.testsupport.RedisServer;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.ProtocolVersion;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import java.time.Duration;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;

/**
 * The subscriber of one node, on a real redis-server, with the store of another node (another
 * Vert.x) writing: what it hears goes to the local bus, and after every subscription it drops
 * everything once, also after Redis restarted or stood still.
 */
@Timeout(120)
class InvalidationVerticleTest {

  /** Within this a published change is heard: far below the intakes' 5 s cache. */
  private static final long HEARD_WITHIN_SECONDS = 1;

  /** Within this the subscriber is back after an outage (backoff at most 2 s, silence 3 s). */
  private static final long BACK_WITHIN_SECONDS = 15;

  private Vertx node;
  private Vertx other;

  /** What the node's bus carried at {@link Addresses#CLIENTS_CHANGED}: empty for "everything". */
  private final BlockingQueue<Optional<String>> heard = new LinkedBlockingQueue<>();

  /** What it carried at {@link Addresses#RADIUS_CLIENTS_CHANGED}: empty for "everything". */
  private final BlockingQueue<Optional<String>> radiusHeard = new LinkedBlockingQueue<>();

  @BeforeEach
  void start() throws Exception {
    node = Vertx.vertx();
    other = Vertx.vertx();
    node.eventBus()
        .<String>localConsumer(
            Addresses.CLIENTS_CHANGED, m -> heard.add(Optional.ofNullable(m.body())))
        .completion()
        .await(10, SECONDS);
    node.eventBus()
        .<String>localConsumer(
            Addresses.RADIUS_CLIENTS_CHANGED, m -> radiusHeard.add(Optional.ofNullable(m.body())))
        .completion()
        .await(10, SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    node.close().await(10, SECONDS);
    other.close().await(10, SECONDS);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ProtocolVersion.class)
  void aClientWrittenOnAnotherNodeIsHeardAtOnceAndNothingElse(ProtocolVersion protocol)
      throws Exception {
    RedisServer redis = RedisServer.shared();
    String namespace = redis.freshNamespace();
    subscribe(
        new RedisOptions().setConnectionString(redis.url()).setPreferredProtocolVersion(protocol),
        namespace);
    assertThat(next(BACK_WITHIN_SECONDS)).as("every client dropped once subscribed").isEmpty();

    RedisStore mine = store(redis, namespace);
    RedisStore elsewhere = store(redis, redis.freshNamespace());
    try {
      // Another deployment's client, and an operator (nothing caches operators): neither is heard.
      elsewhere
          .putClient(new ClientRecord("kiosk", "h-elsewhere", false, "any"))
          .await(10, SECONDS);
      mine.putOperator(new OperatorRecord("desk", "h-desk", "helpdesk")).await(10, SECONDS);
      mine.putClient(new ClientRecord("kiosk", "h-1", false, "any")).await(10, SECONDS);
      assertThat(next(HEARD_WITHIN_SECONDS)).contains("kiosk");

      mine.putClient(new ClientRecord("kiosk", "h-2", true, "otp")).await(10, SECONDS);
      assertThat(next(HEARD_WITHIN_SECONDS)).as("a rotation").contains("kiosk");
      assertThat(heard).isEmpty();
    } finally {
      mine.close().await(10, SECONDS);
      elsewhere.close().await(10, SECONDS);
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ProtocolVersion.class)
  void aRadiusClientWrittenOrDeletedOnAnotherNodeIsHeardAtItsOwnAddress(ProtocolVersion protocol)
      throws Exception {
    RedisServer redis = RedisServer.shared();
    String namespace = redis.freshNamespace();
    subscribe(
        new RedisOptions().setConnectionString(redis.url()).setPreferredProtocolVersion(protocol),
        namespace);
    assertThat(next(BACK_WITHIN_SECONDS)).as("every API client dropped once subscribed").isEmpty();
    assertThat(next(radiusHeard, BACK_WITHIN_SECONDS))
        .as("every RADIUS client dropped once subscribed")
        .isEmpty();

    RedisStore mine = store(redis, namespace);
    RedisStore elsewhere = store(redis, redis.freshNamespace());
    try {
      elsewhere
          .putRadiusClient(new RadiusClientRecord("vpn", "10.0.0.0/8", true, false, "s0"))
          .await(10, SECONDS);
      mine.putRadiusClient(new RadiusClientRecord("vpn", "10.1.0.0/16", true, false, "s1"))
          .await(10, SECONDS);
      assertThat(next(radiusHeard, HEARD_WITHIN_SECONDS)).contains("vpn");

      assertThat(mine.deleteRadiusClient("vpn").await(10, SECONDS)).isTrue();
      assertThat(next(radiusHeard, HEARD_WITHIN_SECONDS)).as("a deletion").contains("vpn");

      assertThat(mine.deleteRadiusClient("vpn").await(10, SECONDS)).isFalse();
      mine.putClient(new ClientRecord("kiosk", "h-1", false, "any")).await(10, SECONDS);
      assertThat(next(HEARD_WITHIN_SECONDS))
          .as("an API client, at its own address")
          .contains("kiosk");
      assertThat(radiusHeard)
          .as("nothing deleted, and an API client, are not heard here")
          .isEmpty();
      assertThat(heard).isEmpty();
    } finally {
      mine.close().await(10, SECONDS);
      elsewhere.close().await(10, SECONDS);
    }
  }

  @Test
  void afterRedisRestartsItSubscribesAgainAndDropsEveryClient() throws Exception {
    try (RedisServer redis = RedisServer.start()) {
      String namespace = redis.freshNamespace();
      subscribe(new RedisOptions().setConnectionString(redis.url()), namespace);
      assertThat(next(BACK_WITHIN_SECONDS)).isEmpty();

      redis.restart();

      assertThat(next(BACK_WITHIN_SECONDS))
          .as("subscribed again: what changed meanwhile was not heard, so every client goes")
          .isEmpty();
      RedisStore mine = store(redis, namespace);
      try {
        mine.putClient(new ClientRecord("kiosk", "h-1", false, "any")).await(10, SECONDS);
        assertThat(next(HEARD_WITHIN_SECONDS)).contains("kiosk");
      } finally {
        mine.close().await(10, SECONDS);
      }
    }
  }

  @Test
  void aRedisThatStandsStillIsLeftAndSubscribedAgainWhenItAnswers() throws Exception {
    Queue<String> logged = new ConcurrentLinkedQueue<>();
    Logger log = (Logger) LoggerFactory.getLogger(InvalidationVerticle.class);
    AppenderBase<ILoggingEvent> appender =
        new AppenderBase<>() {
          @Override
          protected void append(ILoggingEvent e) {
            logged.add(e.getMessage());
          }
        };
    appender.start();
    log.addAppender(appender);
    try (RedisServer redis = RedisServer.start()) {
      String namespace = redis.freshNamespace();
      subscribe(new RedisOptions().setConnectionString(redis.url()), namespace);
      assertThat(next(BACK_WITHIN_SECONDS)).isEmpty();
      // A Redis with nothing to publish is not taken for a silent one: the heartbeat keeps it.
      assertThat(
              heard.poll(
                  InvalidationVerticle.SILENT_MILLIS + 2 * InvalidationVerticle.HEARTBEAT_MILLIS,
                  MILLISECONDS))
          .as("no new subscription while Redis answers")
          .isNull();
      assertThat(logged).doesNotContain("redis_changes_lost");

      // SIGSTOP: the socket stays open and says nothing, as a Redis that hangs or a dropped
      // network.
      String pid = pid(redis);
      signal("STOP", pid);
      try {
        eventually(
            "the silent connection is given up",
            Duration.ofSeconds(BACK_WITHIN_SECONDS),
            () -> logged.contains("redis_changes_lost"));
      } finally {
        signal("CONT", pid);
      }
      assertThat(next(BACK_WITHIN_SECONDS)).as("subscribed again, every client dropped").isEmpty();
      RedisStore mine = store(redis, namespace);
      try {
        mine.putClient(new ClientRecord("kiosk", "h-1", false, "any")).await(10, SECONDS);
        assertThat(next(HEARD_WITHIN_SECONDS)).contains("kiosk");
      } finally {
        mine.close().await(10, SECONDS);
      }
    } finally {
      log.detachAppender(appender);
    }
  }

  // ---- helpers ----

  private void subscribe(RedisOptions options, String namespace) throws Exception {
    node.deployVerticle(new InvalidationVerticle(options, namespace)).await(30, SECONDS);
  }

  private RedisStore store(RedisServer redis, String namespace) throws Exception {
    RedisStore store = new RedisStore(other, redis.url(), 2000, namespace);
    store.loadScripts().await(10, SECONDS);
    return store;
  }

  /** The next thing the bus carried, waiting at most {@code seconds}. */
  private Optional<String> next(long seconds) throws InterruptedException {
    return next(heard, seconds);
  }

  private static Optional<String> next(BlockingQueue<Optional<String>> queue, long seconds)
      throws InterruptedException {
    Optional<String> h = queue.poll(seconds, SECONDS);
    assertThat(h).as("something published on the bus within " + seconds + " s").isNotNull();
    return h;
  }

  private String pid(RedisServer redis) throws Exception {
    Redis client = Redis.createClient(other, redis.url());
    try {
      String info =
          client.send(Request.cmd(Command.INFO).arg("server")).await(10, SECONDS).toString();
      Matcher m = Pattern.compile("process_id:(\\d+)").matcher(info);
      assertThat(m.find()).as("INFO server names the process").isTrue();
      return m.group(1);
    } finally {
      client.close();
    }
  }

  private static void signal(String signal, String pid) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + signal, pid).inheritIO().start();
    assertThat(kill.waitFor(10, SECONDS)).isTrue();
    assertThat(kill.exitValue()).as("kill -" + signal + " " + pid).isZero();
  }
}
