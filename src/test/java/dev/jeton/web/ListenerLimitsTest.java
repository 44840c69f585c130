package dev.jeton.web;

import static dev.jeton.testsupport.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.testsupport.TestJeton;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 15, item 7: both listeners close connections that take too long to ask (read timeout), that
 * say nothing (idle timeout), and those over the cap; with raw sockets, on short timeouts set
 * through the configuration.
 */
@Timeout(90)
class ListenerLimitsTest {

  private static final int READ_SECONDS = 1;
  private static final int IDLE_SECONDS = 3;

  /**
   * How long a test waits for the server to close a connection before it says the server never
   * will.
   */
  private static final long CLOSE_WAIT_MS = 8_000;

  private TestJeton node;

  @AfterEach
  void stop() {
    if (node != null) {
      node.close();
    }
  }

  private TestJeton start(int maxConnections) {
    node =
        TestJeton.start(
            null,
            Map.of(
                "JETON_HTTP_READ_TIMEOUT_SECONDS", String.valueOf(READ_SECONDS),
                "JETON_HTTP_IDLE_TIMEOUT_SECONDS", String.valueOf(IDLE_SECONDS),
                "JETON_HTTP_MAX_CONNECTIONS", String.valueOf(maxConnections)));
    return node;
  }

  @Test
  void aRequestHeadTrickledByteByByteIsClosedAfterTheReadTimeout() throws Exception {
    start(100);
    for (int port : new int[] {node.jeton.httpPort(), node.jeton.adminPort()}) {
      try (Socket s = socket(port)) {
        OutputStream out = s.getOutputStream();
        out.write(
            "GET /health/live HTTP/1.1\r\nHost: localhost\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        // A header byte every 200 ms: never idle, never complete.
        eventually(
            "port " + port + " closes a connection whose request never completes",
            Duration.ofMillis(CLOSE_WAIT_MS),
            () -> trickleClosed(s, 'X'));
      }
    }
  }

  @Test
  void aBodyTrickledByteByByteIsClosedAfterTheReadTimeout() throws Exception {
    start(100);
    try (Socket s = socket(node.jeton.httpPort())) {
      OutputStream out = s.getOutputStream();
      out.write(
          ("POST /v1/authenticate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                  + "Content-Length: 1000\r\n\r\n{")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      eventually(
          "a body that never completes closes the connection",
          Duration.ofMillis(CLOSE_WAIT_MS),
          () -> trickleClosed(s, ' '));
    }
  }

  @Test
  void aSilentConnectionIsClosedAfterTheReadTimeout() throws Exception {
    start(100);
    try (Socket s = socket(node.jeton.httpPort())) {
      s.getOutputStream().write("GET /health/li".getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      assertThat(closedWithin(s, CLOSE_WAIT_MS)).as("half a request line, then nothing").isTrue();
    }
  }

  @Test
  void anIdleKeptAliveConnectionGetsTheIdleTimeoutThenIsClosed() throws Exception {
    start(100);
    for (int port : new int[] {node.jeton.httpPort(), node.jeton.adminPort()}) {
      try (Socket s = socket(port)) {
        String answer = exchange(s, "GET /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n");
        assertThat(answer).startsWith("HTTP/1.1 200");
        // Past the read timeout the connection is still there: between requests, the idle timeout
        // counts.
        assertThat(closedWithin(s, READ_SECONDS * 1000L + 700))
            .as("open after the read timeout")
            .isFalse();
        assertThat(exchange(s, "GET /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n"))
            .startsWith("HTTP/1.1 200");
        assertThat(closedWithin(s, CLOSE_WAIT_MS))
            .as("port %d closes an idle kept-alive connection", port)
            .isTrue();
      }
    }
  }

  @Test
  void aConnectionBeyondTheCapIsClosedAtOnceAndOthersAreServed() throws Exception {
    start(3);
    List<Socket> held = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        Socket s = socket(node.jeton.httpPort());
        held.add(s);
        assertThat(exchange(s, "GET /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n"))
            .startsWith("HTTP/1.1 200");
      }
      try (Socket extra = socket(node.jeton.httpPort())) {
        extra
            .getOutputStream()
            .write(
                "GET /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
        assertThat(closedWithin(extra, 2_000))
            .as("the fourth connection is closed without an answer")
            .isTrue();
      } catch (IOException e) {
        // reset by the server: closed, as it should be
      }
      // The admin listener has its own count.
      try (Socket admin = socket(node.jeton.adminPort())) {
        assertThat(exchange(admin, "GET /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n"))
            .startsWith("HTTP/1.1 200");
      }
      // The cap is on connections open at once: one closed makes room.
      held.remove(0).close();
      eventually(
          "a new connection is served once one has closed",
          Duration.ofSeconds(2),
          () -> {
            try (Socket again = socket(node.jeton.httpPort())) {
              return exchange(
                      again,
                      "GET /health/live HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                  .startsWith("HTTP/1.1 200");
            }
          });
      // The held connections were never disturbed.
      assertThat(exchange(held.get(0), "GET /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n"))
          .startsWith("HTTP/1.1 200");
    } finally {
      for (Socket s : held) {
        s.close();
      }
    }
  }

  @Test
  void requestsThatArriveInTimeAreServedOnAKeptAliveConnection() throws Exception {
    start(100);
    try (Socket s = socket(node.jeton.httpPort())) {
      for (int i = 0; i < 5; i++) {
        assertThat(exchange(s, "GET /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n"))
            .startsWith("HTTP/1.1 200");
        // The point: half the read timeout between requests, five times, so the connection outlives
        // the timeout.
        Thread.sleep(READ_SECONDS * 500L);
      }
    }
    TestJeton.expect(node.api.admin("PUT", "/v1/admin/users/alice", null), 201);
    TestJeton.expect(node.api.adminGet("/v1/admin/users/alice"), 200);
  }

  @Test
  void anAuthenticatedBulkLoadMayStreamForLongerThanTheReadTimeout() throws Exception {
    start(100);
    String operator =
        TestJeton.expect(
                node.api.admin(
                    "PUT",
                    "/v1/admin/operators/loader",
                    new io.vertx.core.json.JsonObject().put("role", "admin")),
                200)
            .str("secret");
    // The bootstrap token is checked at once; an operator's secret is looked up over the bus while
    // the body waits.
    for (String token : new String[] {TestJeton.ADMIN_TOKEN, operator}) {
      String prefix = token.equals(operator) ? "op" : "boot";
      try (Socket s = socket(node.jeton.adminPort())) {
        OutputStream out = s.getOutputStream();
        out.write(
            ("POST /v1/admin/bulk HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                    + token
                    + "\r\nContent-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        int lines = 8;
        for (int i = 0; i < lines; i++) {
          // Three times the read timeout in all, never idle for long.
          Thread.sleep(READ_SECONDS * 3000L / lines);
          byte[] line =
              ("{\"username\":\"" + prefix + i + "\"}\n").getBytes(StandardCharsets.US_ASCII);
          out.write(
              (Integer.toHexString(line.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
          out.write(line);
          out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
          out.flush();
        }
        String answer = exchange(s, "0\r\n\r\n");
        assertThat(answer).startsWith("HTTP/1.1 200").contains("\"created\":" + lines);
      }
    }
  }

  // ---- raw sockets ----

  private static Socket socket(int port) throws IOException {
    Socket s = new Socket("127.0.0.1", port);
    s.setTcpNoDelay(true);
    return s;
  }

  /** Sends a request and reads one answer (status line, headers and a Content-Length body). */
  private static String exchange(Socket s, String request) throws IOException {
    s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
    s.getOutputStream().flush();
    s.setSoTimeout(5_000);
    InputStream in = s.getInputStream();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int c = in.read();
      if (c < 0) {
        throw new IOException("closed after " + head);
      }
      head.append((char) c);
    }
    int length = 0;
    for (String line : head.toString().split("\r\n")) {
      if (line.toLowerCase().startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    byte[] body = in.readNBytes(length);
    return head + new String(body, StandardCharsets.UTF_8);
  }

  /**
   * Sends one more byte of a request that never completes; true if the server has closed the
   * connection.
   */
  private static boolean trickleClosed(Socket s, char next) {
    try {
      s.getOutputStream().write(next);
      s.getOutputStream().flush();
      return closedWithin(s, 200);
    } catch (IOException e) {
      return true;
    }
  }

  /**
   * True if the server closes (or resets) the connection within {@code millis}; any bytes it sends
   * are skipped.
   */
  private static boolean closedWithin(Socket s, long millis) throws IOException {
    long deadline = System.currentTimeMillis() + millis;
    InputStream in = s.getInputStream();
    while (true) {
      long left = deadline - System.currentTimeMillis();
      if (left <= 0) {
        return false;
      }
      s.setSoTimeout((int) Math.max(1, left));
      try {
        if (in.read() < 0) {
          return true;
        }
      } catch (SocketTimeoutException e) {
        return false;
      } catch (IOException e) {
        return true;
      }
    }
  }
}
