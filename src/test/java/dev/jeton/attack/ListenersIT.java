package dev.jeton.attack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The listeners, attacked at the connection level (strict jar): anonymous bulk uploads answered
 * before their body is read (issue 15, hole 6), and connections that send half a request or nothing
 * at all (hole 7).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class ListenersIT {

  /**
   * How long a refusal of an anonymous upload may take to come back while the body is still unsent.
   */
  static final long ANSWER_BEFORE_BODY_MS = 5_000;

  /**
   * Margin over the configured timeouts (a loaded machine) before a half request must have been
   * closed.
   */
  static final long CLOSE_MARGIN_MS = 5_000;

  private Target target;
  private String helpdesk;

  @BeforeAll
  void start() {
    target = Targets.strict();
    helpdesk = target.operator("listeners-helpdesk", "helpdesk");
  }

  @Test
  void anonymousUploadsAreRefusedBeforeTheirBodyIsRead() throws Exception {
    Map<String, String> routes =
        Map.of(
            "/v1/admin/bulk", "application/x-ndjson", "/v1/admin/tokens/import", "application/xml");
    Map<String, CompletableFuture<Http.Raw>> running = new LinkedHashMap<>();
    Map<String, Integer> expected = new LinkedHashMap<>();
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(6);
    for (Map.Entry<String, String> route : routes.entrySet()) {
      for (String auth :
          new String[] {null, "Bearer not-a-token-" + Target.hex(8), "Bearer " + helpdesk}) {
        String who =
            route.getKey()
                + " as "
                + (auth == null
                    ? "anonymous"
                    : auth.endsWith(helpdesk) ? "helpdesk" : "a wrong token");
        expected.put(who, auth != null && auth.endsWith(helpdesk) ? 403 : 401);
        // Declares 200 MB (under the 256 MiB limit, so no early 413), sends 64 KiB of it, then
        // waits.
        String head =
            "POST "
                + route.getKey()
                + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                + route.getValue()
                + "\r\nContent-Length: 200000000\r\n"
                + (auth == null ? "" : "Authorization: " + auth + "\r\n")
                + "\r\n";
        byte[] start = new byte[head.length() + 65_536];
        System.arraycopy(head.getBytes(StandardCharsets.ISO_8859_1), 0, start, 0, head.length());
        java.util.Arrays.fill(start, head.length(), start.length, (byte) '{');
        running.put(
            who,
            CompletableFuture.supplyAsync(
                () -> Http.raw(target.adminPort(), start, ANSWER_BEFORE_BODY_MS, true), pool));
      }
    }
    pool.shutdown();
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, CompletableFuture<Http.Raw>> e : running.entrySet()) {
      Http.Raw r = e.getValue().get();
      if (r.status() != expected.get(e.getKey())) {
        problems.add(
            e.getKey()
                + ": expected "
                + expected.get(e.getKey())
                + " before the body, got "
                + (r.received().isEmpty()
                    ? "nothing in " + r.millis() + " ms"
                    : r.received().lines().findFirst().orElse("")));
      }
    }
    assertThat(problems).as("uploads answered only after their body (or never)").isEmpty();
    assertThat(target.http.get(target.adm("/health/live"), Map.of()).status()).isEqualTo(200);
  }

  @Test
  void halfRequestsAndIdleConnectionsAreClosedOnBothListeners() throws Exception {
    Map<String, byte[]> probes = new LinkedHashMap<>();
    for (String listener : List.of("public", "admin")) {
      probes.put(
          listener + ": half a request line",
          "POST /v1/auth".getBytes(StandardCharsets.ISO_8859_1));
      probes.put(
          listener + ": headers never ended",
          ("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n" + "X-Slow: 1\r\n")
              .getBytes(StandardCharsets.ISO_8859_1));
      probes.put(
          listener + ": half a body",
          ("POST /v1/authenticate HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  + "Content-Type: application/json\r\nContent-Length: 400\r\n\r\n{\"username\":")
              .getBytes(StandardCharsets.ISO_8859_1));
      probes.put(
          listener + ": idle after one request",
          ("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
              .getBytes(StandardCharsets.ISO_8859_1));
    }
    long wait =
        Math.max(Targets.READ_TIMEOUT_SECONDS, Targets.IDLE_TIMEOUT_SECONDS) * 1000L
            + CLOSE_MARGIN_MS;
    Map<String, CompletableFuture<Http.Raw>> running = new LinkedHashMap<>();
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(probes.size());
    probes.forEach(
        (name, bytes) -> {
          int port = name.startsWith("public") ? target.httpPort() : target.adminPort();
          running.put(
              name, CompletableFuture.supplyAsync(() -> Http.raw(port, bytes, wait, false), pool));
        });
    pool.shutdown();
    List<String> open = new ArrayList<>();
    for (Map.Entry<String, CompletableFuture<Http.Raw>> e : running.entrySet()) {
      Http.Raw r = e.getValue().get();
      if (!r.closedByServer()) {
        open.add(e.getKey() + " (still open after " + r.millis() + " ms)");
      }
    }
    assertThat(open).as("connections the server left open past its read/idle timeouts").isEmpty();
    assertThat(target.http.get(target.pub("/health/live"), Map.of()).status()).isEqualTo(200);
  }
}
