package dev.jeton.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class RedisServerTest {

  private RedisServer redis;

  @BeforeEach
  void startServer() {
    redis = RedisServer.start();
  }

  @AfterEach
  void stopServer() {
    if (redis != null) {
      redis.close();
    }
  }

  @Test
  void answersPingOnLoopbackPort() throws IOException {
    assertThat(redis.port()).isBetween(1, 65535);
    assertThat(redis.url()).isEqualTo("redis://127.0.0.1:" + redis.port());
    assertThat(redis.isRunning()).isTrue();
    assertThat(send(redis.port(), "PING")).isEqualTo("+PONG");
    assertThat(redis.ping()).isTrue();
  }

  /**
   * Where no redis-server is installed the harness runs the one shipped in a test-scoped jar: it
   * starts, and it has the newest commands the store sends (ZRANGE … BYLEX of Redis 6.2, WAIT,
   * streams, scripts).
   */
  @Test
  void theShippedRedisServerRunsTheCommandsTheStoreNeeds() {
    try (RedisServer shipped = RedisServer.start(RedisNode.shippedRedisServer())) {
      assertThat(RespClient.parseInfo(shipped.cli("INFO", "server")).get("redis_version"))
          .startsWith("6.2.");
      assertThat(shipped.cli("ZADD", "k", "0", "ann", "0", "bob", "0", "carl")).isEqualTo("3");
      assertThat(shipped.cli("ZRANGE", "k", "[b", "+", "BYLEX", "LIMIT", "0", "1"))
          .isEqualTo("bob");
      assertThat(shipped.cli("WAIT", "0", "0")).isEqualTo("0");
      assertThat(shipped.cli("XADD", "s", "1-1", "f", "v")).isEqualTo("1-1");
      assertThat(shipped.cli("EVAL", "return redis.call('XLEN', KEYS[1])", "1", "s"))
          .isEqualTo("1");
    }
  }

  @Test
  void stopClosesThePort() {
    int port = redis.port();
    redis.stop();

    assertThat(redis.isRunning()).isFalse();
    assertThat(redis.ping()).isFalse();
    assertThatThrownBy(() -> send(port, "PING")).isInstanceOf(ConnectException.class);

    redis.stop(); // idempotent
  }

  @Test
  void restartComesBackOnTheSamePort() throws IOException {
    int port = redis.port();
    redis.stop();
    assertThatThrownBy(() -> send(port, "PING")).isInstanceOf(ConnectException.class);

    redis.restart();

    assertThat(redis.port()).isEqualTo(port);
    assertThat(redis.isRunning()).isTrue();
    assertThat(send(port, "PING")).isEqualTo("+PONG");

    redis.restart(); // restart while running also works
    assertThat(send(port, "PING")).isEqualTo("+PONG");
  }

  @Test
  void flushAllRemovesEveryKey() throws IOException {
    assertThat(send(redis.port(), "SET jeton:test:a 1")).isEqualTo("+OK");
    assertThat(send(redis.port(), "SET jeton:test:b 2")).isEqualTo("+OK");
    assertThat(send(redis.port(), "DBSIZE")).isEqualTo(":2");

    redis.flushAll();

    assertThat(send(redis.port(), "DBSIZE")).isEqualTo(":0");
  }

  @Test
  void everyFreshNamespaceIsNewAndUsableInAKey() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 100; i++) {
      String ns = redis.freshNamespace();
      assertThat(ns).matches("[a-z0-9-]+");
      assertThat(seen.add(ns)).as("namespace %s handed out twice", ns).isTrue();
    }
    assertThat(RedisServer.shared().freshNamespace()).isNotIn(seen);
  }

  @Test
  void hasNoPersistence() throws IOException {
    // *2 / $10 / appendonly / $2 / no
    assertThat(multiLine(redis.port(), "CONFIG GET appendonly", 5)).endsWith("\nno");
    // *2 / $4 / save / $0 (empty: no RDB snapshots)
    assertThat(multiLine(redis.port(), "CONFIG GET save", 4)).endsWith("\n$0");
  }

  @Test
  void sharedIsOneLiveServerPerJvm() {
    RedisServer shared = RedisServer.shared();
    assertThat(RedisServer.shared()).isSameAs(shared);
    assertThat(shared.ping()).isTrue();
    assertThat(shared.port()).isNotEqualTo(redis.port());
  }

  /** Sends one inline command over a fresh socket and returns the first reply line. */
  private static String send(int port, String command) throws IOException {
    return multiLine(port, command, 1);
  }

  private static String multiLine(int port, String command, int lines) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
      socket.setSoTimeout(2_000);
      OutputStream out = socket.getOutputStream();
      out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      StringBuilder reply = new StringBuilder();
      for (int i = 0; i < lines; i++) {
        if (i > 0) {
          reply.append('\n');
        }
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
          if (c != '\r') {
            reply.append((char) c);
          }
        }
      }
      return reply.toString();
    }
  }
}
