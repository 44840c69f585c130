package dev.jeton.attack;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * What an attacker's scripts send: ordinary HTTP requests, and raw bytes on a socket when HTTP is
 * not enough.
 */
final class Http {

  /** One answer: status, every header (names in lower case), body. */
  record Res(int status, Map<String, List<String>> headers, String body) {
    JsonObject json() {
      return body != null && body.startsWith("{") ? new JsonObject(body) : null;
    }

    String str(String field) {
      JsonObject j = json();
      return j == null ? null : j.getString(field);
    }

    String header(String name) {
      List<String> v = headers.get(name.toLowerCase(java.util.Locale.ROOT));
      return v == null || v.isEmpty() ? null : v.get(0);
    }

    /** The headers without those that differ by nature between two answers (Date, X-Request-Id). */
    Map<String, List<String>> stableHeaders() {
      Map<String, List<String>> m = new TreeMap<>(headers);
      m.remove("date");
      m.remove("x-request-id");
      return m;
    }

    @Override
    public String toString() {
      return status + " " + headers + " " + body;
    }
  }

  private final HttpClient client =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(5))
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();

  Res send(
      String method, String url, Map<String, String> headers, String contentType, String body) {
    return join(
        sendAsync(
            method,
            url,
            headers,
            contentType,
            body == null ? null : body.getBytes(StandardCharsets.UTF_8)));
  }

  Res sendBytes(
      String method, String url, Map<String, String> headers, String contentType, byte[] body) {
    return join(sendAsync(method, url, headers, contentType, body));
  }

  Res get(String url, Map<String, String> headers) {
    return send("GET", url, headers, null, null);
  }

  CompletableFuture<Res> sendAsync(
      String method, String url, Map<String, String> headers, String contentType, byte[] body) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(30))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    headers.forEach(b::header);
    return client
        .sendAsync(b.build(), HttpResponse.BodyHandlers.ofString())
        .thenApply(r -> new Res(r.statusCode(), lower(r.headers().map()), r.body()));
  }

  private static Map<String, List<String>> lower(Map<String, List<String>> m) {
    Map<String, List<String>> out = new TreeMap<>();
    m.forEach((k, v) -> out.put(k.toLowerCase(java.util.Locale.ROOT), v));
    return out;
  }

  private static Res join(CompletableFuture<Res> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (Exception e) {
      throw new IllegalStateException("request failed", e);
    }
  }

  // ---- raw sockets ----

  /**
   * What came back on a raw connection: the bytes read, and whether the server closed it (EOF or
   * reset).
   */
  record Raw(String received, boolean closedByServer, long millis) {
    int status() {
      if (!received.startsWith("HTTP/1.")) {
        return -1;
      }
      return Integer.parseInt(received.substring(9, 12));
    }
  }

  /**
   * Sends {@code bytes} on a new connection to 127.0.0.1:{@code port}, then reads until the server
   * closes the connection or {@code waitMs} pass. With {@code stopAtFirstAnswer}, returns as soon
   * as a whole status line came.
   */
  static Raw raw(int port, byte[] bytes, long waitMs, boolean stopAtFirstAnswer) {
    long start = System.currentTimeMillis();
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    try (Socket s = new Socket()) {
      try {
        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      } catch (IOException e) {
        // not a close by the server after a request: never counted as one
        return new Raw("[connect failed: " + e + "]", false, System.currentTimeMillis() - start);
      }
      s.setSoTimeout(200);
      OutputStream out = s.getOutputStream();
      out.write(bytes);
      out.flush();
      InputStream in = s.getInputStream();
      byte[] buf = new byte[8192];
      while (System.currentTimeMillis() - start < waitMs) {
        int n;
        try {
          n = in.read(buf);
        } catch (SocketTimeoutException e) {
          continue;
        } catch (IOException e) {
          return new Raw(
              got.toString(StandardCharsets.ISO_8859_1), true, System.currentTimeMillis() - start);
        }
        if (n < 0) {
          return new Raw(
              got.toString(StandardCharsets.ISO_8859_1), true, System.currentTimeMillis() - start);
        }
        got.write(buf, 0, n);
        if (stopAtFirstAnswer && got.toString(StandardCharsets.ISO_8859_1).contains("\r\n")) {
          return new Raw(
              got.toString(StandardCharsets.ISO_8859_1), false, System.currentTimeMillis() - start);
        }
      }
      return new Raw(
          got.toString(StandardCharsets.ISO_8859_1), false, System.currentTimeMillis() - start);
    } catch (IOException e) {
      return new Raw(
          got.toString(StandardCharsets.ISO_8859_1) + "[" + e + "]",
          true,
          System.currentTimeMillis() - start);
    }
  }
}
