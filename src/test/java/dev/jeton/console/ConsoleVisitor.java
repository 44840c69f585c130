package dev.jeton.console;

import dev.jeton.testsupport.TestJeton;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * One browser on the console, as plain HTTP: its cookies (kept by name, dropped on {@code
 * Max-Age=0}), extra headers, and the hidden fields of the last page it got. Redirects are never
 * followed. Not thread-safe: one per test step.
 */
final class ConsoleVisitor {

  private static final Pattern HIDDEN = Pattern.compile("name=\"([a-zA-Z]+)\" value=\"([^\"]*)\"");
  private static final Pattern PAGE = Pattern.compile("data-page=\"([a-z-]+)\"");

  final Map<String, String> cookies = new LinkedHashMap<>();
  final Map<String, String> headers = new LinkedHashMap<>();
  Map<String, String> fields = Map.of();
  HttpResponse<String> last;
  private final HttpClient http;
  private final String base;

  /**
   * @param base {@code scheme://host:port} of the management listener
   */
  ConsoleVisitor(HttpClient http, String base) {
    this.http = http;
    this.base = base;
  }

  HttpResponse<String> get(String path) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
  }

  HttpResponse<String> post(String path, Map<String, String> form) {
    String body =
        form.entrySet().stream()
            .map(e -> enc(e.getKey()) + "=" + enc(e.getValue()))
            .collect(Collectors.joining("&"));
    return send(
        HttpRequest.newBuilder(URI.create(base + path))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  /** Posts the current page's hidden fields plus {@code extra} to {@code path}. */
  HttpResponse<String> submit(String path, Map<String, String> extra) {
    Map<String, String> form = new LinkedHashMap<>(fields);
    form.putAll(extra);
    return post(path, form);
  }

  /**
   * Posts {@code form} as {@code multipart/form-data}, with {@code file} as the file of field
   * {@code fileField}.
   */
  HttpResponse<String> multipart(
      String path, Map<String, String> form, String fileField, byte[] file) {
    String boundary = "----jeton" + System.nanoTime();
    java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
    StringBuilder head = new StringBuilder();
    form.forEach(
        (k, v) ->
            head.append("--")
                .append(boundary)
                .append("\r\nContent-Disposition: form-data; name=\"")
                .append(k)
                .append("\"\r\n\r\n")
                .append(v)
                .append("\r\n"));
    head.append("--")
        .append(boundary)
        .append("\r\nContent-Disposition: form-data; name=\"")
        .append(fileField)
        .append("\"; filename=\"keys.xml\"\r\nContent-Type: application/xml\r\n\r\n");
    body.writeBytes(head.toString().getBytes(StandardCharsets.UTF_8));
    body.writeBytes(file);
    body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    return send(
        HttpRequest.newBuilder(URI.create(base + path))
            .header("Content-Type", "multipart/form-data; boundary=" + boundary)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())));
  }

  /**
   * Makes {@code username} a console operator with {@code role}: a Jeton user holding a key of its
   * own whose PIN is {@code pin}. Returns the key's seed.
   */
  static byte[] makeOperator(TestJeton j, String username, String role, String pin) {
    byte[] seed = TestJeton.seed();
    j.user(username, null);
    j.token("S-" + username, seed, pin);
    TestJeton.expect(
        j.api.admin("PUT", "/v1/admin/users/" + username + "/tokens/S-" + username, null), 200);
    TestJeton.expect(
        j.api.admin(
            "PUT", "/v1/admin/console-operators/" + username, new JsonObject().put("role", role)),
        200);
    return seed;
  }

  /** The HTTP client of the console's tests: redirects are never followed, 5 s to connect. */
  static HttpClient newHttpClient() {
    return HttpClient.newBuilder()
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(Duration.ofSeconds(5))
        .build();
  }

  /** Opens the sign-in page and signs in with PIN + code; returns the answer to the form. */
  HttpResponse<String> signIn(String username, String passcode) {
    get("/console/login");
    return submit("/console/login", Map.of("username", username, "password", passcode));
  }

  /** The {@code data-page} of the last page, or what it was instead. */
  String page() {
    return page(last);
  }

  String location() {
    return last.headers().firstValue("Location").orElse(null);
  }

  static String page(HttpResponse<String> r) {
    Matcher m = PAGE.matcher(r.body());
    return m.find() ? m.group(1) : "none (" + r.statusCode() + "): " + r.body();
  }

  private HttpResponse<String> send(HttpRequest.Builder b) {
    if (!cookies.isEmpty()) {
      b.header(
          "Cookie",
          cookies.entrySet().stream()
              .map(e -> e.getKey() + "=" + e.getValue())
              .collect(Collectors.joining("; ")));
    }
    headers.forEach(b::header);
    try {
      last =
          http.send(
              b.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    for (String c : last.headers().allValues("set-cookie")) {
      String[] nameValue = c.split(";", 2)[0].split("=", 2);
      if (c.contains("Max-Age=0")) {
        cookies.remove(nameValue[0]);
      } else {
        cookies.put(nameValue[0], nameValue[1]);
      }
    }
    Map<String, String> found = new LinkedHashMap<>();
    Matcher m = HIDDEN.matcher(last.body());
    while (m.find()) {
      found.put(m.group(1), m.group(2).replace("&amp;", "&").replace("&quot;", "\""));
    }
    fields = found;
    return last;
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
