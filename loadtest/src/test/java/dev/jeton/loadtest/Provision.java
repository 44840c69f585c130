package dev.jeton.loadtest;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Provisions what a simulation needs through Jeton's own admin API, called from each simulation's {@code before()}:
 * a portal client that may send {@code clientIp}, and users each with one TOTP token (seed derived from the load-test
 * key) loaded through {@code POST /v1/admin/bulk}. Nothing here touches the store directly.
 */
final class Provision {
  private static final int CHUNK = 10_000;
  private static final Pattern CREATED = Pattern.compile("\"created\"\\s*:\\s*(\\d+)");
  private static final Pattern FAILED_EMPTY = Pattern.compile("\"failed\"\\s*:\\s*\\[\\s*]");
  private static final Pattern SECRET = Pattern.compile("\"secret\"\\s*:\\s*\"([^\"\\\\]+)\"");

  private final Settings settings;
  /* The JVM's proxy properties point at a closed loopback port to stop Gatling's release check: never use them. */
  private final HttpClient http = HttpClient.newBuilder()
      .proxy(HttpClient.Builder.NO_PROXY)
      .connectTimeout(Duration.ofSeconds(5))
      .version(HttpClient.Version.HTTP_1_1)
      .build();

  Provision(Settings settings) {
    this.settings = settings;
  }

  /** Fails fast, with a readable message, when no Jeton answers on the admin listener. */
  void requireReady() {
    HttpResponse<String> r;
    try {
      r = send(HttpRequest.newBuilder(URI.create(settings.adminUrl + "/health/ready")).GET(), Duration.ofSeconds(5));
    } catch (IllegalStateException e) {
      throw new IllegalStateException("no Jeton answers on " + settings.adminUrl + " (start it first)", e);
    }
    if (r.statusCode() != 200) {
      throw new IllegalStateException("Jeton is not ready: GET /health/ready answered " + r.statusCode());
    }
  }

  /** Creates (or replaces) the portal client {@code name} with trustClientIp and returns its secret. */
  String client(String name) {
    HttpResponse<String> r = send(admin("/v1/admin/clients/" + name)
        .PUT(HttpRequest.BodyPublishers.ofString("{\"trustClientIp\":true}")), Duration.ofSeconds(30));
    if (r.statusCode() != 200 && r.statusCode() != 201) {
      throw new IllegalStateException("PUT /v1/admin/clients/" + name + " answered " + r.statusCode() + ": " + r.body());
    }
    Matcher m = SECRET.matcher(r.body());
    if (!m.find()) {
      throw new IllegalStateException("no secret in the answer to PUT /v1/admin/clients/" + name);
    }
    return m.group(1);
  }

  /**
   * Bulk-loads one user per name, each with a TOTP token (SHA1, 6 digits, 30 s) whose serial is
   * {@code serialPrefix + index} and whose seed is {@link Totp#seed}; with {@code pin} null the first login runs
   * NEW_PIN. Throws unless every line was created.
   */
  void users(List<String> usernames, String serialPrefix, String pin) {
    long started = System.nanoTime();
    for (int from = 0; from < usernames.size(); from += CHUNK) {
      int to = Math.min(usernames.size(), from + CHUNK);
      StringBuilder ndjson = new StringBuilder((to - from) * 220);
      for (int i = from; i < to; i++) {
        String u = usernames.get(i);
        ndjson.append("{\"username\":\"").append(u).append("\",\"token\":{\"serial\":\"").append(serialPrefix)
            .append(String.format("%07d", i)).append("\",\"type\":\"totp\",\"algorithm\":\"SHA1\",\"digits\":6,")
            .append("\"period\":30,\"secret\":\"").append(Totp.base32(Totp.seed(settings.loadTestKey, u)))
            .append('"');
        if (pin != null) {
          ndjson.append(",\"pin\":\"").append(pin).append('"');
        }
        ndjson.append("}}\n");
      }
      HttpResponse<String> r = send(admin("/v1/admin/bulk").header("Content-Type", "application/x-ndjson")
          .POST(HttpRequest.BodyPublishers.ofString(ndjson.toString())), Duration.ofMinutes(5));
      Matcher m = CREATED.matcher(r.body());
      int expected = to - from;
      if (r.statusCode() != 200 || !m.find() || Integer.parseInt(m.group(1)) != expected
          || !FAILED_EMPTY.matcher(r.body()).find()) {
        String body = r.body().length() > 500 ? r.body().substring(0, 500) + "…" : r.body();
        throw new IllegalStateException("bulk load of " + expected + " users answered " + r.statusCode() + ": " + body);
      }
    }
    System.out.printf("provisioned %d users (%s%s) in %d ms%n", usernames.size(),
        usernames.isEmpty() ? "" : usernames.get(0), pin == null ? ", no PIN" : ", with PIN",
        (System.nanoTime() - started) / 1_000_000);
  }

  private HttpRequest.Builder admin(String path) {
    return HttpRequest.newBuilder(URI.create(settings.adminUrl + path))
        .header("Authorization", "Bearer " + settings.adminToken)
        .header("Content-Type", "application/json");
  }

  private HttpResponse<String> send(HttpRequest.Builder request, Duration timeout) {
    try {
      return http.send(request.timeout(timeout).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException("admin call failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
