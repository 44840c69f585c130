package dev.jeton.admin;

import static dev.jeton.testsupport.TestJeton.expect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.testsupport.Api;
import dev.jeton.testsupport.TestJeton;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 15, item 6: the admin listener knows the caller before it reads a body, and streams bulk
 * loads. An anonymous (or unknown, or under-privileged) upload of 200 MB is answered at once and
 * its connection closed: the client cannot push more than the sockets' buffers hold.
 */
@Timeout(120)
class AdminBodiesTest {

  private static final long UPLOAD = 200L * 1024 * 1024;

  /**
   * What a refused client may get into the sockets before its writes fail: both loopback socket
   * buffers, which Linux autotunes to a few MiB each. A server that read the body would take all
   * {@link #UPLOAD} bytes.
   */
  private static final long AT_MOST_BUFFERED = 48L * 1024 * 1024;

  private TestJeton node;

  @BeforeEach
  void startNode() {
    node = TestJeton.start(null, Map.of());
  }

  @AfterEach
  void stopNode() {
    node.close();
  }

  @Test
  void anAnonymousBulkUploadIsRefusedBeforeItsBodyIsRead() throws Exception {
    Upload u = upload("/v1/admin/bulk", null, "application/x-ndjson");
    assertThat(u.status).as("answer: %s", u.answer).startsWith("HTTP/1.1 401");
    assertThat(u.sent).as("bytes the server let in before closing").isLessThan(AT_MOST_BUFFERED);
    assertThat(node.api.adminGet("/health/ready").status()).isEqualTo(200);
  }

  @Test
  void anAnonymousPskcUploadIsRefusedBeforeItsBodyIsRead() throws Exception {
    Upload u = upload("/v1/admin/tokens/import", null, "application/pskc+xml");
    assertThat(u.status).as("answer: %s", u.answer).startsWith("HTTP/1.1 401");
    assertThat(u.sent).isLessThan(AT_MOST_BUFFERED);
  }

  @Test
  void anUnknownTokenIsRefusedBeforeTheBodyIsRead() throws Exception {
    // Not the bootstrap token: the operator is looked up over the bus while the request waits,
    // paused.
    Upload u =
        upload("/v1/admin/bulk", "not-an-operator-secret-0123456789", "application/x-ndjson");
    assertThat(u.status).as("answer: %s", u.answer).startsWith("HTTP/1.1 401");
    assertThat(u.sent).isLessThan(AT_MOST_BUFFERED);
  }

  @Test
  void aHelpdeskTokenIsRefusedABulkLoadBeforeTheBodyIsRead() throws Exception {
    String helpdesk =
        expect(
                node.api.admin(
                    "PUT", "/v1/admin/operators/desk", new JsonObject().put("role", "helpdesk")),
                200)
            .str("secret");
    Upload u = upload("/v1/admin/bulk", helpdesk, "application/x-ndjson");
    assertThat(u.status).as("answer: %s", u.answer).startsWith("HTTP/1.1 403");
    assertThat(u.sent).isLessThan(AT_MOST_BUFFERED);
  }

  @Test
  void everyAdminRouteAuthenticatesBeforeReadingItsBody() throws Exception {
    // 2 MiB, chunked: a route that read first would answer 413 (over its 1 MiB bound), not 401.
    for (String path :
        List.of("/v1/admin/users/alice", "/v1/admin/tokens", "/v1/admin/clients/other")) {
      String method = path.equals("/v1/admin/tokens") ? "POST" : "PUT";
      try (Socket s = new Socket("127.0.0.1", node.jeton.adminPort())) {
        OutputStream out = s.getOutputStream();
        out.write(
            (method
                    + " "
                    + path
                    + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        byte[] piece = new byte[64 * 1024];
        java.util.Arrays.fill(piece, (byte) ' ');
        try {
          for (int i = 0; i < 32; i++) {
            out.write(
                (Integer.toHexString(piece.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(piece);
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
          }
          out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
          out.flush();
        } catch (IOException closedByServer) {
          // refused while sending: the answer is already there to read
        }
        s.setSoTimeout(10_000);
        assertThat(statusLine(s.getInputStream()))
            .as("%s %s", method, path)
            .startsWith("HTTP/1.1 401");
      }
    }
  }

  @Test
  void aBulkOfFiftyThousandLinesIsStreamedIntoTheStore() {
    StringBuilder body = new StringBuilder();
    int lines = 50_000;
    for (int i = 1; i <= lines; i++) {
      JsonObject line = new JsonObject().put("username", "u" + i).put("displayName", "User " + i);
      if (i % 10 == 0) {
        line.put(
            "token",
            new JsonObject()
                .put("serial", "S" + i)
                .put("type", "totp")
                .put("algorithm", "SHA1")
                .put("digits", 6)
                .put("period", 30)
                .put("secret", TestJeton.base32(TestJeton.seed())));
      }
      body.append(line.encode()).append('\n');
    }
    Api.Resp r =
        expect(
            node.api.raw(
                "POST",
                "admin",
                "/v1/admin/bulk",
                "application/x-ndjson",
                body.toString(),
                TestJeton.ADMIN_TOKEN),
            200);
    assertThat(r.json().getInteger("created")).isEqualTo(lines);
    assertThat(r.json().getJsonArray("failed")).isEmpty();
    assertThat(
            expect(node.api.adminGet("/v1/admin/users/u" + lines), 200)
                .json()
                .getJsonArray("tokens"))
        .hasSize(1);
    assertThat(expect(node.api.adminGet("/v1/admin/users/u1"), 200).json().getString("displayName"))
        .isEqualTo("User 1");
  }

  @Test
  void linesCutAcrossTinyChunksKeepTheirNumbersAndCharacters() throws Exception {
    String body =
        "{\"username\":\"zoe\",\"displayName\":\"Zoë Ångström\"}\n"
            + "\n"
            + "not json\n"
            + "{\"username\":\""
            + "x".repeat(70_000)
            + "\"}\n"
            + "{\"username\":\"last\"}";
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    List<byte[]> pieces = new ArrayList<>();
    for (int i = 0; i < bytes.length; i += 7) {
      pieces.add(java.util.Arrays.copyOfRange(bytes, i, Math.min(bytes.length, i + 7)));
    }
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + node.jeton.adminPort() + "/v1/admin/bulk"))
                .header("Authorization", "Bearer " + TestJeton.ADMIN_TOKEN)
                .header("Content-Type", "application/x-ndjson")
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofByteArrays(pieces))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonObject answer = new JsonObject(r.body());
    assertThat(answer.getInteger("created")).isEqualTo(2);
    assertThat(answer.getJsonArray("failed").stream().map(o -> ((JsonObject) o).getInteger("line")))
        .containsExactly(3, 4);
    assertThat(answer.getJsonArray("failed").getJsonObject(1).getString("error"))
        .contains("longer than");
    assertThat(
            expect(node.api.adminGet("/v1/admin/users/zoe"), 200).json().getString("displayName"))
        .isEqualTo("Zoë Ångström");
    expect(node.api.adminGet("/v1/admin/users/last"), 200);
  }

  // ---- a 200 MB upload on a raw socket ----

  private record Upload(String status, String answer, long sent) {}

  /**
   * Sends the head of a {@link #UPLOAD}-byte POST, then its body, 64 KiB at a time, while another
   * thread reads the answer. Returns the status line and how many body bytes the sockets took
   * before the writes failed (or all of them).
   */
  private Upload upload(String path, String token, String contentType) throws Exception {
    try (Socket s = new Socket("127.0.0.1", node.jeton.adminPort())) {
      s.setSoTimeout(60_000);
      OutputStream out = s.getOutputStream();
      String head =
          "POST "
              + path
              + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: "
              + contentType
              + "\r\n"
              + (token == null ? "" : "Authorization: Bearer " + token + "\r\n")
              + "Content-Length: "
              + UPLOAD
              + "\r\n\r\n";
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      CompletableFuture<String> answer =
          CompletableFuture.supplyAsync(
              () -> {
                // Byte by byte: a reset after the answer must not lose what was already read.
                StringBuilder text = new StringBuilder();
                try {
                  InputStream in = s.getInputStream();
                  for (int c = in.read(); c >= 0 && text.length() < 400; c = in.read()) {
                    text.append((char) c);
                  }
                } catch (IOException e) {
                  text.append(text.length() == 0 ? "read failed: " + e : "");
                }
                return text.toString();
              });
      AtomicLong sent = new AtomicLong();
      byte[] piece = new byte[64 * 1024];
      java.util.Arrays.fill(piece, (byte) '{');
      try {
        while (sent.get() < UPLOAD) {
          out.write(piece);
          sent.addAndGet(piece.length);
        }
        out.flush();
      } catch (IOException closedByServer) {
        // what a refused upload should see
      }
      String text = answer.get(60, TimeUnit.SECONDS);
      return new Upload(text.lines().findFirst().orElse(""), text, sent.get());
    }
  }

  private static String statusLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
      line.append((char) c);
    }
    return line.toString().trim();
  }
}
