package dev.jeton.track;

import dev.jeton.testsupport.RedisServer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.ProtocolVersion;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/** The pipelined link on a Redis of its own, so that Redis's read counter sees only this test's traffic. */
class RedisLinkTest {

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

  /** Runs on the context, as the tracking verticle does: the link connects on, and writes from, its event loop. */
  private static <T> T on(Context context, Supplier<Future<T>> action) throws Exception {
    Promise<T> done = Promise.promise();
    context.runOnContext(v -> action.get().onComplete(done));
    return done.future().await(10, TimeUnit.SECONDS);
  }

  private static RedisLink link() {
    return new RedisLink(vertx, new RedisOptions().setConnectionString(redis.url())
        .setPreferredProtocolVersion(ProtocolVersion.RESP2).setMaxWaitingHandlers(16_384));
  }

  /**
   * Commands sent in one event-loop turn leave in one write: Redis reads them in one go, instead of once per command
   * as when each send flushed. Each answer still reaches its own command.
   */
  @Test
  void commandsSentInOneTurnLeaveTogetherAndEachGetsItsAnswer() throws Exception {
    RedisLink link = link();
    Context context = vertx.getOrCreateContext();
    try {
      on(context, () -> link.send(Request.cmd(Command.PING)));
      assertThat(link.consolidated()).as("flush consolidation installed on this Redis client").isTrue();

      int n = 200;
      long readsBefore = readsProcessed(context, link);
      List<Response> answers = on(context, () -> {
        List<Future<Response>> sent = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          sent.add(link.send(Request.cmd(Command.ECHO).arg("m" + i)));
        }
        return Future.all(sent).map(cf -> cf.<Response>list());
      });
      for (int i = 0; i < n; i++) {
        assertThat(answers.get(i).toString()).isEqualTo("m" + i);
      }
      // The INFO that reads the counter is one read itself; 200 separately flushed commands make dozens.
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
      on(context, () -> link.send(Request.cmd(Command.CLIENT).arg("KILL").arg("TYPE").arg("normal")));
    } catch (Exception killedItself) {
      // expected, or not: either way the connection is gone
    }
    try {
      Response pong = null;
      for (int attempt = 0; attempt < 50 && pong == null; attempt++) {
        try {
          pong = on(context, () -> link.send(Request.cmd(Command.PING)));
        } catch (Exception e) {
          Thread.sleep(RedisLink.RETRY_MILLIS);
        }
      }
      assertThat(pong).hasToString("PONG");
      assertThat(link.consolidated()).isTrue();
    } finally {
      link.close().await(5, TimeUnit.SECONDS);
    }
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
