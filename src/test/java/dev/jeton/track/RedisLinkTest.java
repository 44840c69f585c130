package dev.jeton.track;

import static dev.jeton.testsupport.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.testsupport.RedisServer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetSocket;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.ProtocolVersion;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.impl.RedisStandaloneConnection;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The pipelined link on a Redis of its own, so that Redis's read counter sees only this test's
 * traffic; and what its flush coalescing relies on in vertx-redis-client and Vert.x
 * (docs/internal-hooks.md).
 */
class RedisLinkTest {

  /** What a failure of the hook says: the class, the APIs it relies on, where to look. */
  private static final String HOOK =
      "dev.jeton.track.RedisLink coalesces flushes through vertx-redis-client's private"
          + " field RedisStandaloneConnection.netSocket (read by reflection), PooledRedisConnection.actual() and Vert.x's"
          + " internal NetSocketInternal.channelHandlerContext(); see docs/internal-hooks.md";

  private static Vertx vertx;
  private static RedisServer redis;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    redis = RedisServer.start();
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
    redis.close();
  }

  /**
   * Runs on the context, as the tracking verticle does: the link connects on, and writes from, its
   * event loop.
   */
  private static <T> T on(Context context, Supplier<Future<T>> action) throws Exception {
    Promise<T> done = Promise.promise();
    context.runOnContext(v -> action.get().onComplete(done));
    return done.future().await(10, TimeUnit.SECONDS);
  }

  private static RedisLink link() {
    return new RedisLink(
        vertx,
        new RedisOptions()
            .setConnectionString(redis.url())
            .setPreferredProtocolVersion(ProtocolVersion.RESP2)
            .setMaxWaitingHandlers(16_384));
  }

  /**
   * Commands sent in one event-loop turn leave in one write: Redis reads them in one go, instead of
   * once per command as when each send flushed. Each answer still reaches its own command.
   */
  @Test
  void commandsSentInOneTurnLeaveTogetherAndEachGetsItsAnswer() throws Exception {
    RedisLink link = link();
    Context context = vertx.getOrCreateContext();
    try {
      on(context, () -> link.send(Request.cmd(Command.PING)));
      assertThat(link.consolidated())
          .as("flush consolidation installed on this Redis client: " + HOOK)
          .isTrue();

      int n = 200;
      long readsBefore = readsProcessed(context, link);
      List<Response> answers =
          on(
              context,
              () -> {
                List<Future<Response>> sent = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                  sent.add(link.send(Request.cmd(Command.ECHO).arg("m" + i)));
                }
                return Future.all(sent).map(cf -> cf.<Response>list());
              });
      for (int i = 0; i < n; i++) {
        assertThat(answers.get(i).toString()).isEqualTo("m" + i);
      }
      // The INFO that reads the counter is one read itself; 200 separately flushed commands make
      // dozens.
      long reads = readsProcessed(context, link) - readsBefore;
      assertThat(reads).isLessThanOrEqualTo(4);
    } finally {
      link.close().await(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void aConnectionLostIsReplacedAndConsolidatedToo() throws Exception {
    RedisLink link = link();
    Context context = vertx.getOrCreateContext();
    try {
      on(context, () -> link.send(Request.cmd(Command.PING)));
      // Kills every normal client, the link's own connection included: its answer may never come.
      on(
          context,
          () -> link.send(Request.cmd(Command.CLIENT).arg("KILL").arg("TYPE").arg("normal")));
    } catch (Exception killedItself) {
      // expected, or not: either way the connection is gone
    }
    try {
      eventually(
          "the link connects again after its connection was killed",
          () -> "PONG".equals(on(context, () -> link.send(Request.cmd(Command.PING))).toString()));
      assertThat(link.consolidated())
          .as("the new connection's flushes coalesced too: " + HOOK)
          .isTrue();
    } finally {
      link.close().await(5, TimeUnit.SECONDS);
    }
  }

  /**
   * The store's replica-acknowledged connections are made when it starts, not by the first commit
   * that needs one: in Redis Cluster a new connection waits for every node to answer, and a commit
   * that had to make it while one replica hangs timed out on a healthy shard (ClusterFailoverTest
   * caught it).
   */
  @Test
  void theReplicaAcknowledgedConnectionsAreMadeWhenTheScriptsLoad() throws Exception {
    List<RedisLink> acks = List.of(link(), link(), link());
    RedisCalls calls = new RedisCalls(vertx, link(), acks, 2_000, 1, 100, () -> {});
    Context context = vertx.getOrCreateContext();
    try {
      on(context, calls::loadScripts);
      eventually(
          "the main connection and the 3 replica-acknowledged ones are open, before any commit",
          () -> connectedClients(context, calls) == 4);
    } finally {
      on(context, calls::close);
    }
  }

  private static long connectedClients(Context context, RedisCalls calls) throws Exception {
    String info =
        on(context, () -> calls.send(Request.cmd(Command.INFO).arg("clients"))).toString();
    return info.lines()
        .filter(l -> l.startsWith("connected_clients:"))
        .mapToLong(l -> Long.parseLong(l.substring("connected_clients:".length()).trim()))
        .findFirst()
        .orElseThrow();
  }

  /**
   * The field RedisLink reads is still there, and still a socket. When this fails after an upgrade
   * of vertx-redis-client, the link works unconsolidated (and warns once): see
   * docs/internal-hooks.md.
   */
  @Test
  void theRedisClientStillKeepsItsSocketInTheFieldTheLinkReads() {
    Field socket;
    try {
      socket = RedisStandaloneConnection.class.getDeclaredField("netSocket");
    } catch (NoSuchFieldException e) {
      throw new AssertionError(
          "no field RedisStandaloneConnection.netSocket in this vertx-redis-client: " + HOOK, e);
    }
    assertThat(NetSocket.class.isAssignableFrom(socket.getType()))
        .as(
            "RedisStandaloneConnection.netSocket is a "
                + socket.getType().getName()
                + ", no NetSocket: "
                + HOOK)
        .isTrue();
  }

  private static long readsProcessed(Context context, RedisLink link) throws Exception {
    String info = on(context, () -> link.send(Request.cmd(Command.INFO).arg("stats"))).toString();
    for (String line : info.split("\r?\n")) {
      if (line.startsWith("total_reads_processed:")) {
        return Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
      }
    }
    throw new IllegalStateException("no total_reads_processed in INFO");
  }
}
