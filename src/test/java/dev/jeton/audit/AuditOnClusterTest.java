package dev.jeton.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The audit trail on a real Redis Cluster of two masters (slots 0-8191 and 8192-16383, no
 * replicas), where the client refuses a batch whose commands go to more than one node. Every write,
 * query and trim of the sink works there, its answers those of one Redis: each batch it sends stays
 * in one slot, and the shards spread over both masters.
 */
class AuditOnClusterTest {

  private static final long T0 = 1_700_000_000_000L;
  private static Vertx vertx;
  private static final List<Process> servers = new ArrayList<>();
  private static Path dir;
  private static int[] ports = new int[2];

  @BeforeAll
  static void start() throws Exception {
    dev.jeton.testsupport.RedisNode.requireInstalledRedis("AuditOnClusterTest");
    vertx = Vertx.vertx();
    dir = Files.createTempDirectory("jeton-cluster-");
    for (int n = 0; n < 2; n++) {
      ports[n] = dev.jeton.testsupport.Ports.free();
      Path node = Files.createDirectories(dir.resolve("n" + n));
      servers.add(
          new ProcessBuilder(
                  "redis-server",
                  "--port",
                  Integer.toString(ports[n]),
                  "--bind",
                  "127.0.0.1",
                  "--cluster-enabled",
                  "yes",
                  "--cluster-config-file",
                  node.resolve("nodes.conf").toString(),
                  "--save",
                  "",
                  "--appendonly",
                  "no",
                  "--dir",
                  node.toString())
              .redirectErrorStream(true)
              .redirectOutput(node.resolve("redis.log").toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .start());
    }
    for (int n = 0; n < 2; n++) {
      int node = n;
      await(() -> cli(node, "PING").equals("PONG"), "redis-server answers");
    }
    assertThat(cli(0, "CLUSTER", "ADDSLOTSRANGE", "0", "8191")).isEqualTo("OK");
    assertThat(cli(1, "CLUSTER", "ADDSLOTSRANGE", "8192", "16383")).isEqualTo("OK");
    assertThat(cli(0, "CLUSTER", "MEET", "127.0.0.1", Integer.toString(ports[1]))).isEqualTo("OK");
    for (int n = 0; n < 2; n++) {
      int node = n;
      await(
          () -> {
            String info = cli(node, "CLUSTER", "INFO");
            return info.contains("cluster_state:ok") && info.contains("cluster_known_nodes:2");
          },
          "the cluster is up");
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (vertx == null) {
      return; // skipped: no installed Redis
    }
    vertx.close().await(10, TimeUnit.SECONDS);
    for (Process server : servers) {
      server.destroy();
      if (!server.waitFor(5, TimeUnit.SECONDS)) {
        server.destroyForcibly();
      }
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  private static RedisOptions options() {
    return new RedisOptions()
        .setType(RedisClientType.CLUSTER)
        .addConnectionString("redis://127.0.0.1:" + ports[0]);
  }

  private static AuditEvent event(long at, String username, String reason) {
    return AuditEvent.of(at, "r", username, "192.0.2.1", "portal", "REJECT", reason, null, null);
  }

  private static AuditEvent unknown(long at, String username) {
    return AuditEvent.of(
        at, "r", username, "198.51.100.7", "portal", "REJECT", "unknown_user", null, null, false);
  }

  /** What the test relies on: this client refuses a batch for two nodes. */
  @Test
  void theClientRefusesABatchOverTwoSlots() throws Exception {
    Redis redis = Redis.createClient(vertx, options());
    try {
      assertThatThrownBy(
              () ->
                  redis
                      .batch(
                          List.of(
                              Request.cmd(Command.GET).arg("{a}"),
                              Request.cmd(Command.GET).arg("{b}")))
                      .await(5, TimeUnit.SECONDS))
          .hasMessageContaining("slot");
    } finally {
      redis.close().await(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void everyWriteQueryAndTrimOfTheSinkStaysInOneSlotABatch() throws Exception {
    cli(0, "FLUSHALL");
    cli(1, "FLUSHALL");
    RedisAuditSink sink =
        new RedisAuditSink(vertx, options(), 10_000, 1_000, 60_000, 10_000, "jeton");
    try {
      List<AuditEvent> all = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        all.add(
            i % 10 == 9
                ? unknown(T0 + i, "ghost" + i % 3)
                : i % 10 == 8
                    ? AuditEvent.of(
                        T0 + i, null, null, "192.0.2.2", "ops", "ADMIN", "client_put", null, null)
                    : event(T0 + i, "user" + i % 7, "e" + i));
      }
      for (int from = 0; from < all.size(); from += 100) {
        sink.append(all.subList(from, from + 100)).await(5, TimeUnit.SECONDS);
      }
      for (int u = 0; u < 7; u++) {
        String name = "user" + u;
        List<AuditEvent> expected =
            all.stream()
                .filter(e -> name.equals(e.username()))
                .sorted(AuditEvent.NEWEST_FIRST)
                .limit(20)
                .toList();
        assertThat(sink.query(name, 20).await(5, TimeUnit.SECONDS)).isEqualTo(expected);
      }
      assertThat(sink.query("ghost1", 100).await(5, TimeUnit.SECONDS))
          .hasSize(10)
          .allMatch(e -> !e.knownUser() && e.username().equals("ghost1"));
      assertThat(sink.query(null, 50).await(5, TimeUnit.SECONDS))
          .extracting(AuditEvent::seq)
          .containsExactlyElementsOf(
              all.stream().sorted(AuditEvent.NEWEST_FIRST).limit(50).map(AuditEvent::seq).toList());
      // The shards spread over both masters.
      for (int n = 0; n < 2; n++) {
        assertThat(cli(n, "KEYS", "jeton:audit:*").lines().filter(k -> !k.isBlank()).count())
            .as("audit shards on master %d", n)
            .isGreaterThanOrEqualTo(8);
      }
      sink.trim(System.currentTimeMillis() + 120_000).await(5, TimeUnit.SECONDS);
      assertThat(sink.query(null, 50).await(5, TimeUnit.SECONDS)).isEmpty();
      assertThat(sink.query("user3", 50).await(5, TimeUnit.SECONDS))
          .as("the user's trail, read past the age cap")
          .isEmpty();
    } finally {
      sink.close().await(5, TimeUnit.SECONDS);
    }
  }

  private static String cli(int node, String... args) {
    List<String> cmd = new ArrayList<>(List.of("redis-cli", "-p", Integer.toString(ports[node])));
    cmd.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes()).trim();
      p.waitFor(5, TimeUnit.SECONDS);
      return out;
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  private interface Check {
    boolean ok();
  }

  private static void await(Check check, String what) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 15_000;
    while (!check.ok()) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError(what + ": not within 15 s");
      }
      Thread.sleep(50);
    }
  }
}
