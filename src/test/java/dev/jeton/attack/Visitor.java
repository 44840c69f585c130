package dev.jeton.attack;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A browser on the portal's pages, reduced to what matters here: a cookie jar (names and values, no
 * attributes), the CSRF token of the last page, and forms posted with chosen headers. Not
 * thread-safe.
 */
final class Visitor {

  private static final Pattern CSRF_FIELD = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");
  private static final Pattern STATE_FIELD = Pattern.compile("name=\"state\" value=\"([^\"]+)\"");

  final Map<String, String> cookies = new LinkedHashMap<>();
  private final Target target;
  private final Http http = new Http();
  private final Map<String, String> baseHeaders = new LinkedHashMap<>();
  String csrf;
  String state;
  Http.Res last;

  /**
   * @param forwardedFor the address this visitor appears to come from (the jar trusts 127.0.0.1 as
   *     a proxy)
   */
  Visitor(Target target, String forwardedFor) {
    this.target = target;
    baseHeaders.put("X-Forwarded-For", forwardedFor);
    baseHeaders.put("Accept-Language", "en");
  }

  Visitor header(String name, String value) {
    baseHeaders.put(name, value);
    return this;
  }

  /** GET a portal page (path with query), keeping cookies and the form's CSRF token. */
  Http.Res open(String pathAndQuery) {
    return remember(http.get(target.pub(pathAndQuery), headers(Map.of())));
  }

  /** POST a form with the current CSRF token (unless {@code fields} sets or removes "csrf"). */
  Http.Res post(String path, Map<String, String> fields, Map<String, String> extraHeaders) {
    Map<String, String> all = new LinkedHashMap<>();
    if (csrf != null) {
      all.put("csrf", csrf);
    }
    all.putAll(fields);
    all.values().removeIf(v -> v == null);
    StringJoiner form = new StringJoiner("&");
    all.forEach(
        (k, v) ->
            form.add(
                URLEncoder.encode(k, StandardCharsets.UTF_8)
                    + "="
                    + URLEncoder.encode(v, StandardCharsets.UTF_8)));
    return remember(
        http.send(
            "POST",
            target.pub(path),
            headers(extraHeaders),
            "application/x-www-form-urlencoded",
            form.toString()));
  }

  /** Signs in with a password (or passcode) through the login form; returns the answer. */
  Http.Res login(String username, String password) {
    if (csrf == null) {
      open("/portal");
    }
    Map<String, String> f = new LinkedHashMap<>();
    f.put("username", username);
    f.put("password", password);
    return post("/portal/login", f, Map.of());
  }

  /** {@code GET /v1/session} with this visitor's cookies: 200 while the session is valid. */
  int session() {
    return http.get(target.pub("/v1/session"), headers(Map.of())).status();
  }

  String page(Http.Res r) {
    Matcher m = Pattern.compile("data-page=\"([^\"]+)\"").matcher(r.body() == null ? "" : r.body());
    return m.find() ? m.group(1) : null;
  }

  private Map<String, String> headers(Map<String, String> extra) {
    Map<String, String> h = new LinkedHashMap<>(baseHeaders);
    h.putAll(extra);
    if (!cookies.isEmpty() && !h.containsKey("Cookie")) {
      StringJoiner c = new StringJoiner("; ");
      cookies.forEach((k, v) -> c.add(k + "=" + v));
      h.put("Cookie", c.toString());
    }
    return h;
  }

  private Http.Res remember(Http.Res r) {
    List<String> set = r.headers().getOrDefault("set-cookie", List.of());
    for (String c : set) {
      String[] nv = c.split(";", 2)[0].split("=", 2);
      boolean expired =
          c.toLowerCase(java.util.Locale.ROOT).contains("max-age=0") || nv[1].isEmpty();
      if (expired) {
        cookies.remove(nv[0].trim());
      } else {
        cookies.put(nv[0].trim(), nv[1].trim());
      }
    }
    if (r.body() != null) {
      Matcher m = CSRF_FIELD.matcher(r.body());
      if (m.find()) {
        csrf = m.group(1);
      }
      Matcher s = STATE_FIELD.matcher(r.body());
      state = s.find() ? s.group(1) : null;
    }
    last = r;
    return r;
  }
}
