package dev.jeton.attack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Oversized and malformed bodies on every route of both listeners, as listed by the served {@code
 * /openapi.yaml} (strict jar), anonymous and authenticated: each is answered 4xx (never 5xx), the
 * server stays alive, and nothing is written to Redis. Then malformed HTTP itself on both
 * listeners.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class BodiesIT {

  private static final Pattern PATH = Pattern.compile("^  (/\\S*):\\s*$");
  private static final Pattern METHOD = Pattern.compile("^    (get|post|put|delete|patch):\\s*$");

  /**
   * Body limits of the two listeners (API.md: 16 KiB on the public one; the admin listener's small
   * routes).
   */
  static final int PUBLIC_BODY_LIMIT = 16 * 1024;

  static final int ADMIN_BODY_LIMIT = 1024 * 1024;

  /**
   * Routes whose bodies may be far larger (streamed imports): their anonymous side is {@link
   * ListenersIT}'s.
   */
  static final java.util.Set<String> LARGE_BODY_ROUTES =
      java.util.Set.of("/v1/admin/bulk", "/v1/admin/tokens/import");

  private Target target;
  private String client;

  @BeforeAll
  void start() {
    target = Targets.strict();
    client = target.client("bodies-portal", false, null);
  }

  /**
   * Every (method, path) of the served OpenAPI document, path parameters filled with names that do
   * not exist.
   */
  private List<String[]> routes() {
    Http.Res doc = target.expect(target.http.get(target.adm("/openapi.yaml"), Map.of()), 200);
    List<String[]> routes = new ArrayList<>();
    String path = null;
    for (String line : doc.body().lines().toList()) {
      Matcher p = PATH.matcher(line);
      if (p.matches()) {
        path =
            p.group(1)
                .replace("{username}", "bodies.nobody")
                .replace("{serial}", "BODIES-NONE")
                .replace("{name}", "bodies-none")
                .replace("{id}", "bodies-no-job");
        continue;
      }
      Matcher m = METHOD.matcher(line);
      if (m.matches() && path != null) {
        routes.add(new String[] {m.group(1).toUpperCase(java.util.Locale.ROOT), path, "no-body"});
      } else if (line.startsWith("      requestBody:") && !routes.isEmpty()) {
        routes.get(routes.size() - 1)[2] = "body";
      }
    }
    assertThat(routes).as("routes in the served OpenAPI document").hasSizeGreaterThan(20);
    return routes;
  }

  /** Malformed bodies, and one well-formed JSON object just over the listener's limit. */
  private static Map<String, byte[]> bodies(boolean admin) {
    Map<String, byte[]> b = new LinkedHashMap<>();
    int over = (admin ? ADMIN_BODY_LIMIT : PUBLIC_BODY_LIMIT) + 4096;
    b.put(
        "oversized (" + over + " bytes)",
        ("{\"pad\":\"" + "a".repeat(over) + "\"}").getBytes(StandardCharsets.UTF_8));
    b.put("truncated JSON", "{\"username\":\"x\",\"password\":".getBytes(StandardCharsets.UTF_8));
    b.put("JSON array", "[1,2,3]".getBytes(StandardCharsets.UTF_8));
    b.put("deep nesting", ("[".repeat(8_000) + "]".repeat(8_000)).getBytes(StandardCharsets.UTF_8));
    b.put(
        "invalid UTF-8",
        new byte[] {
          '{',
          '"',
          'u',
          's',
          'e',
          'r',
          'n',
          'a',
          'm',
          'e',
          '"',
          ':',
          '"',
          (byte) 0xff,
          (byte) 0xfe,
          (byte) 0xc3,
          '"',
          '}'
        });
    b.put(
        "NUL bytes",
        "{\"username\":\"a\u0000b\",\"password\":\"\u0000\"}".getBytes(StandardCharsets.UTF_8));
    // Every field any route knows, each of a wrong type.
    b.put(
        "wrong types",
        ("{\"username\":[\"a\"],\"password\":{\"x\":1},\"displayName\":7,\"trustClientIp\":\"yes\","
                + "\"defaultLevel\":5,\"role\":[],\"serial\":{},\"type\":1,\"algorithm\":[],\"digits\":\"six\","
                + "\"period\":1e309,\"counter\":\"x\",\"secret\":false,\"pin\":[1],\"count\":\"9e999\",\"validSeconds\":-1,"
                + "\"newPin\":{},\"confirmPin\":[],\"state\":7,\"clientIp\":{},\"level\":[]}")
            .getBytes(StandardCharsets.UTF_8));
    return b;
  }

  @Test
  void everyRouteAnswersMalformedAndOversizedBodiesWith4xxAndWritesNothing() {
    RedisProbe redis = target.redis();
    List<String[]> routes = routes();
    Map<String, String> before = redis.snapshot();
    List<String> problems = new ArrayList<>();
    // Anonymous: no bearer, no client secret, no CSRF cookie.
    for (String[] route : routes) {
      for (Map.Entry<String, byte[]> body : bodies(admin(route[1])).entrySet()) {
        check(route, body.getKey(), body.getValue(), Map.of(), true, problems);
      }
    }
    Map<String, String> afterAnonymous = redis.snapshot();
    assertThat(problems).as("anonymous requests answered wrongly").isEmpty();
    assertThat(afterAnonymous)
        .as("Redis after anonymous malformed bodies on every route")
        .isEqualTo(before);

    // Authenticated: the admin token on the admin listener, a client secret on the API, a CSRF pair
    // on the portal.
    Visitor browser = new Visitor(target, "10.55.0.1");
    browser.open("/portal");
    for (String[] route : routes) {
      Map<String, String> auth =
          route[1].startsWith("/v1/admin") || route[1].equals("/metrics")
              ? Map.of("Authorization", "Bearer " + target.adminToken)
              : route[1].equals("/v1/authenticate")
                  ? Map.of("Authorization", "Bearer " + client)
                  : Map.of("Cookie", cookieHeader(browser));
      for (Map.Entry<String, byte[]> body : bodies(admin(route[1])).entrySet()) {
        if (body.getKey().startsWith("oversized") && LARGE_BODY_ROUTES.contains(route[1])) {
          continue;
        }
        byte[] bytes = body.getValue();
        if (route[1].startsWith("/portal/") && route[0].equals("POST")) {
          bytes =
              ("csrf=" + browser.csrf + "&")
                  .concat(new String(bytes, StandardCharsets.ISO_8859_1))
                  .getBytes(StandardCharsets.ISO_8859_1);
        }
        check(route, body.getKey(), bytes, auth, false, problems);
      }
    }
    assertThat(problems).as("authenticated requests answered wrongly").isEmpty();
    assertThat(withoutAudit(redis.snapshot()))
        .as("Redis after authenticated malformed bodies (audit aside)")
        .isEqualTo(withoutAudit(afterAnonymous));
    assertThat(target.http.get(target.pub("/health/live"), Map.of()).status()).isEqualTo(200);
    assertThat(target.http.get(target.adm("/health/live"), Map.of()).status()).isEqualTo(200);
  }

  @Test
  void malformedHttpIsRefusedWithoutA5xxOnBothListeners() {
    Map<String, String> requests = new LinkedHashMap<>();
    requests.put("garbage request line", "GARBAGE\r\n\r\n");
    requests.put(
        "64 KiB header",
        "GET /health/live HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(65_536) + "\r\n\r\n");
    requests.put(
        "bad chunk size",
        "POST /v1/authenticate HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
            + "Content-Type: application/json\r\n\r\nzz\r\n{}\r\n0\r\n\r\n");
    requests.put(
        "length and chunked",
        "POST /v1/authenticate HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n"
            + "Transfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n0\r\n\r\n");
    requests.put(
        "negative length",
        "POST /v1/authenticate HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n");
    requests.put(
        "huge length",
        "POST /v1/authenticate HTTP/1.1\r\nHost: x\r\nContent-Length: "
            + "99999999999999999999\r\n\r\n");
    requests.put(
        "two lengths",
        "POST /v1/authenticate HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
            + "Content-Length: 40\r\n\r\n{}");
    requests.put(
        "10,000 headers",
        "GET /health/live HTTP/1.1\r\nHost: x\r\n" + "X-A: b\r\n".repeat(10_000) + "\r\n");
    List<String> problems = new ArrayList<>();
    for (int port : new int[] {target.httpPort(), target.adminPort()}) {
      requests.forEach(
          (name, raw) -> {
            Http.Raw r = Http.raw(port, raw.getBytes(StandardCharsets.ISO_8859_1), 4_000, true);
            int status = r.status();
            boolean ok = (status >= 400 && status < 500) || (status == -1 && r.closedByServer());
            if (!ok) {
              problems.add(
                  name
                      + " on port "
                      + port
                      + ": "
                      + (r.received().isEmpty()
                          ? "no answer, connection open"
                          : r.received().lines().findFirst().orElse("")));
            }
          });
    }
    assertThat(problems).as("malformed HTTP answered other than 4xx or a close").isEmpty();
    assertThat(target.http.get(target.pub("/health/live"), Map.of()).status()).isEqualTo(200);
    assertThat(target.http.get(target.adm("/health/live"), Map.of()).status()).isEqualTo(200);
  }

  private void check(
      String[] route,
      String what,
      byte[] body,
      Map<String, String> auth,
      boolean anonymous,
      List<String> problems) {
    String method = route[0];
    String path = route[1];
    boolean takesBody = route[2].equals("body");
    String url = admin(path) ? target.adm(path) : target.pub(path);
    String type =
        path.startsWith("/portal/") || path.startsWith("/console/")
            ? "application/x-www-form-urlencoded"
            : "application/json";
    Http.Res r;
    try {
      r = target.http.sendBytes(method, url, auth, type, body);
    } catch (IllegalStateException e) {
      problems.add(method + " " + path + " (" + what + "): no answer: " + e.getCause());
      return;
    }
    String label =
        method
            + " "
            + path
            + " ("
            + what
            + ", "
            + (anonymous ? "anonymous" : "authenticated")
            + "): "
            + r.status()
            + " "
            + abbreviate(r.body());
    boolean oversized = what.startsWith("oversized");
    boolean mustRefuse = !method.equals("GET") && (anonymous || takesBody || oversized);
    if (r.status() >= 500) {
      problems.add(label);
    } else if (mustRefuse && r.status() < 400 && !allowedNon4xx(path, r)) {
      problems.add(label);
    }
  }

  /**
   * Three deliberate exceptions: a logout form that is not from the portal goes back to the login
   * page (303, changing nothing), a console form without a console session goes to the console's
   * sign-in page (303, changing nothing), and bulk NDJSON answers 200 with every line in {@code
   * failed} and nothing created (its contract).
   */
  private static boolean allowedNon4xx(String path, Http.Res r) {
    if (path.equals("/portal/logout")) {
      return r.status() == 303;
    }
    if (path.startsWith("/console/") && !path.equals("/console/login")) {
      return r.status() == 303;
    }
    if (path.equals("/v1/admin/bulk") && r.status() == 200 && r.json() != null) {
      return r.json().getInteger("created", -1) == 0 && !r.json().getJsonArray("failed").isEmpty();
    }
    return false;
  }

  private static boolean admin(String path) {
    return path.startsWith("/v1/admin")
        || path.startsWith("/console/")
        || path.equals("/metrics")
        || path.equals("/openapi.yaml");
  }

  private static Map<String, String> withoutAudit(Map<String, String> snapshot) {
    Map<String, String> m = new LinkedHashMap<>(snapshot);
    m.entrySet().removeIf(e -> e.getValue().startsWith("stream:") || e.getKey().endsWith(":a"));
    return m;
  }

  private static String cookieHeader(Visitor v) {
    StringBuilder b = new StringBuilder();
    v.cookies.forEach(
        (k, val) -> b.append(b.length() == 0 ? "" : "; ").append(k).append('=').append(val));
    return b.toString();
  }

  private static String abbreviate(String s) {
    return s == null ? "" : s.length() > 120 ? s.substring(0, 120) + "…" : s;
  }
}
