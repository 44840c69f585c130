package dev.jeton.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/** A plain HTTP client for the two listeners, as a portal or a helpdesk tool would call them. */
public final class Api {

  /** One answer: status, JSON body (null when empty), and the Retry-After header. */
  public record Resp(int status, JsonObject json, String retryAfter, String raw, String requestId) {
    public String str(String field) {
      return json == null ? null : json.getString(field);
    }
  }

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String publicBase;
  private final String adminBase;
  private volatile String adminToken;
  private volatile String clientSecret;

  public Api(int publicPort, int adminPort, String adminToken) {
    this.publicBase = "http://127.0.0.1:" + publicPort;
    this.adminBase = "http://127.0.0.1:" + adminPort;
    this.adminToken = adminToken;
  }

  public void clientSecret(String secret) {
    this.clientSecret = secret;
  }

  public String clientSecret() {
    return clientSecret;
  }

  // ---- admin ----

  public Resp admin(String method, String path, JsonObject body) {
    return adminAs(adminToken, method, path, body);
  }

  public Resp adminAs(String token, String method, String path, JsonObject body) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(adminBase + path))
            .timeout(Duration.ofSeconds(20))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body.encode()))
            .header("Content-Type", "application/json");
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return send(b.build());
  }

  public Resp adminGet(String path) {
    return admin("GET", path, null);
  }

  /**
   * The audit events of {@code username} that {@code which} keeps, of the newest {@code limit},
   * read with {@code token}, once there are at least {@code atLeast}: an ACCEPT's record is written
   * with its commit, before the answer, but every other decision and admin action is written off
   * the login path and trails the answers. Fails after {@link Eventually#DEFAULT} with what it
   * found last.
   */
  public List<JsonObject> awaitAudit(
      String token, String username, int limit, Predicate<JsonObject> which, int atLeast) {
    AtomicReference<List<JsonObject>> found = new AtomicReference<>(List.of());
    Eventually.eventuallyAsserts(
        Eventually.DEFAULT,
        () -> {
          Resp r =
              adminAs(
                  token, "GET", "/v1/admin/audit?username=" + username + "&limit=" + limit, null);
          assertThat(r.status()).as("GET the audit of %s: %s", username, r.raw()).isEqualTo(200);
          found.set(
              r.json().getJsonArray("events").stream()
                  .map(o -> (JsonObject) o)
                  .filter(which)
                  .toList());
          assertThat(found.get())
              .as("audit events of %s", username)
              .hasSizeGreaterThanOrEqualTo(atLeast);
        });
    return found.get();
  }

  /** {@link #awaitAudit(String, String, int, Predicate, int)} with this client's admin token. */
  public List<JsonObject> awaitAudit(
      String username, int limit, Predicate<JsonObject> which, int atLeast) {
    return awaitAudit(adminToken, username, limit, which, atLeast);
  }

  // ---- public ----

  public Resp authenticate(JsonObject fields) {
    return join(authenticateAsync(fields));
  }

  public CompletableFuture<Resp> authenticateAsync(JsonObject fields) {
    return http.sendAsync(authRequest(fields, clientSecret), HttpResponse.BodyHandlers.ofString())
        .thenApply(Api::resp);
  }

  /**
   * {@link #authenticateAsync(JsonObject)} carrying the portal's own request id ({@code
   * X-Request-Id}), which Jeton keeps in the decision's audit event: an answer that never arrived
   * can still be found in the audit.
   */
  public CompletableFuture<Resp> authenticateAsync(JsonObject fields, String requestId) {
    HttpRequest r =
        HttpRequest.newBuilder(authRequest(fields, clientSecret), (name, value) -> true)
            .header("X-Request-Id", requestId)
            .build();
    return http.sendAsync(r, HttpResponse.BodyHandlers.ofString()).thenApply(Api::resp);
  }

  public Resp authenticateAs(String secret, JsonObject fields) {
    return send(authRequest(fields, secret));
  }

  public Resp authenticateForm(Map<String, String> fields) {
    StringJoiner form = new StringJoiner("&");
    fields.forEach(
        (k, v) ->
            form.add(
                URLEncoder.encode(k, StandardCharsets.UTF_8)
                    + "="
                    + URLEncoder.encode(v, StandardCharsets.UTF_8)));
    return send(
        HttpRequest.newBuilder(URI.create(publicBase + "/v1/authenticate"))
            .timeout(Duration.ofSeconds(20))
            .header("Authorization", "Bearer " + clientSecret)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form.toString()))
            .build());
  }

  public Resp raw(
      String method, String base, String path, String contentType, String body, String bearer) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create((base.equals("admin") ? adminBase : publicBase) + path))
            .timeout(Duration.ofSeconds(20))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    if (bearer != null) {
      b.header("Authorization", "Bearer " + bearer);
    }
    return send(b.build());
  }

  public Resp login(String username, String password) {
    return authenticate(new JsonObject().put("username", username).put("password", password));
  }

  public Resp answer(String username, String state, String password) {
    return authenticate(
        new JsonObject().put("username", username).put("state", state).put("password", password));
  }

  public Resp newPin(String username, String state, String pin, String confirm) {
    return authenticate(
        new JsonObject()
            .put("username", username)
            .put("state", state)
            .put("newPin", pin)
            .put("confirmPin", confirm));
  }

  private HttpRequest authRequest(JsonObject fields, String secret) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(publicBase + "/v1/authenticate"))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(fields.encode()));
    if (secret != null) {
      b.header("Authorization", "Bearer " + secret);
    }
    return b.build();
  }

  private Resp send(HttpRequest r) {
    try {
      return resp(http.send(r, HttpResponse.BodyHandlers.ofString()));
    } catch (Exception e) {
      throw new IllegalStateException("request failed: " + r.uri(), e);
    }
  }

  private static Resp join(CompletableFuture<Resp> f) {
    try {
      return f.get();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static Resp resp(HttpResponse<String> r) {
    String body = r.body();
    JsonObject json = null;
    if (body != null && body.startsWith("{")) {
      json = new JsonObject(body);
    }
    return new Resp(
        r.statusCode(),
        json,
        r.headers().firstValue("Retry-After").orElse(null),
        body,
        r.headers().firstValue("X-Request-Id").orElse(null));
  }
}
