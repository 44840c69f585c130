package dev.jeton.web;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * How Jeton's server-rendered pages (the portal's, the console's) answer: every page and asset with
 * the same strict headers (a Content-Security-Policy of the caller's, framing forbidden, no
 * sniffing, referrers kept to this origin, nothing cached, HSTS under TLS), cookies marked {@code
 * Secure} whenever the browser reaches the pages over HTTPS (here or at a trusted proxy that says
 * so), and a form refused when it comes from another site. Also the HTML escaping and the form
 * reading both sets of pages use. Immutable and thread-safe.
 */
public final class HtmlReplies {

  private final String csp;
  private final boolean tls;
  private final ClientAddress proxies;

  /**
   * @param csp the Content-Security-Policy of every answer
   * @param tls whether the listener itself serves HTTPS
   * @param proxies the trusted reverse proxies, whose {@code X-Forwarded-Proto} is believed
   */
  public HtmlReplies(String csp, boolean tls, ClientAddress proxies) {
    this.csp = csp;
    this.tls = tls;
    this.proxies = proxies;
  }

  /** Puts the strict headers on an answer. */
  public HttpServerResponse secure(HttpServerResponse r) {
    r.putHeader("Content-Security-Policy", csp)
        .putHeader("X-Frame-Options", "DENY")
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Referrer-Policy", "same-origin")
        .putHeader("Cross-Origin-Opener-Policy", "same-origin")
        .putHeader("Cache-Control", "no-store");
    if (tls) {
      r.putHeader("Strict-Transport-Security", "max-age=31536000");
    }
    return r;
  }

  /** Answers an HTML page, unless the request was answered already. */
  public void page(RoutingContext ctx, int status, String page) {
    if (ctx.response().ended()) {
      return;
    }
    secure(ctx.response())
        .setStatusCode(status)
        .putHeader("Content-Type", "text/html; charset=utf-8")
        .end(Buffer.buffer(page));
  }

  /** A 303 to {@code location}. */
  public void redirect(RoutingContext ctx, String location) {
    if (ctx.response().ended()) {
      return;
    }
    secure(ctx.response()).setStatusCode(303).putHeader("Location", location).end();
  }

  /** A stylesheet or script, cached for five minutes. */
  public void asset(RoutingContext ctx, String type, String body) {
    secure(ctx.response())
        .putHeader("Content-Type", type)
        .putHeader("Cache-Control", "public, max-age=300")
        .end(body);
  }

  /** HTTPS here, or at a trusted proxy in front that says so. */
  public boolean https(RoutingContext ctx) {
    if (tls) {
      return true;
    }
    String remote =
        ctx.request().remoteAddress() == null ? null : ctx.request().remoteAddress().hostAddress();
    return remote != null
        && proxies.trusts(remote)
        && "https".equalsIgnoreCase(ctx.request().getHeader("X-Forwarded-Proto"));
  }

  /**
   * An {@code HttpOnly} cookie, {@code Secure} under HTTPS.
   *
   * @param maxAgeSeconds the cookie's {@code Max-Age}; 0 removes it; negative: a session cookie
   */
  public Cookie cookie(
      RoutingContext ctx,
      String name,
      String value,
      String path,
      long maxAgeSeconds,
      CookieSameSite sameSite) {
    Cookie c =
        Cookie.cookie(name, value)
            .setPath(path)
            .setHttpOnly(true)
            .setSameSite(sameSite)
            .setSecure(https(ctx));
    if (maxAgeSeconds >= 0) {
      c.setMaxAge(maxAgeSeconds);
    }
    return c;
  }

  /**
   * False when the request says it comes from another site ({@link Csrf#crossSite}) or names no
   * host: a state-changing form from there is refused whatever its token.
   */
  public boolean fromThisSite(RoutingContext ctx) {
    String host = ctx.request().getHeader("Host");
    if (host == null) {
      return false;
    }
    String expectedOrigin = (https(ctx) ? "https" : ctx.request().scheme()) + "://" + host;
    return !Csrf.crossSite(
        ctx.request().getHeader("Sec-Fetch-Site"),
        ctx.request().getHeader("Origin"),
        expectedOrigin);
  }

  /**
   * A field's value when sent exactly once, else null (a repeated field is not from these pages).
   */
  public static String single(MultiMap form, String name) {
    List<String> all = form.getAll(name);
    return all.size() == 1 ? all.get(0) : null;
  }

  public static boolean tooLong(String v, int max) {
    return v != null && v.length() > max;
  }

  /** A text resource of the jar, read whole (a stylesheet, a script). */
  public static String resource(String name) {
    try (InputStream in = HtmlReplies.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** HTML-escapes text for element content and double-quoted attributes. */
  public static String esc(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      switch (ch) {
        case '&':
          out.append("&amp;");
          break;
        case '<':
          out.append("&lt;");
          break;
        case '>':
          out.append("&gt;");
          break;
        case '"':
          out.append("&quot;");
          break;
        case '\'':
          out.append("&#39;");
          break;
        default:
          out.append(ch);
      }
    }
    return out.toString();
  }
}
