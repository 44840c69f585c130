package dev.jeton.portal;

import dev.jeton.bus.LoginOutcome;
import dev.jeton.bus.LoginRequest;
import dev.jeton.config.Config;
import dev.jeton.crypto.Secrets;
import dev.jeton.track.BusStore;
import dev.jeton.track.Store;
import dev.jeton.web.ClientAddress;
import dev.jeton.web.Csrf;
import dev.jeton.web.HtmlReplies;
import dev.jeton.web.Texts;
import dev.jeton.web.VerifierClient;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The portal intake: the login pages of the staff user guide, served on the public listener. Like
 * the JSON intake, it only bounds and parses what the browser sends, then asks verification over
 * the event bus (as client {@value #CLIENT}); it knows nothing of OTP. One instance per public
 * verticle (event loop).
 *
 * <p>Routes: {@code GET /} (to the portal), {@code GET /portal} (login page; {@code CT_ORIG_URL} =
 * where to return after login), {@code POST /portal/login} (every step: login, NEW_PIN,
 * NEXT_PASSCODE), {@code POST /portal/logout}, {@code GET /v1/session} (is this session cookie
 * valid and not revoked, for whom), the stylesheet and script under {@code /portal/static/}, and on
 * the embedded store the demo key ({@code GET /portal/demo-key}, and its {@code /code} as JSON).
 *
 * <p>Every form carries a CSRF token bound to this browser's CSRF cookie ({@code __Host-} over
 * HTTPS, see {@link Csrf}); the challenge {@code state} and the return URL travel in hidden fields,
 * never in a URL; the return URL is checked against {@code JETON_PORTAL_RETURN_HOSTS} when the page
 * opens and again at ACCEPT. Every page goes out with a Content-Security-Policy without inline
 * script or style, framing forbidden, no referrer, no caching.
 *
 * <p>Sessions are revocable: a session cookie carries the user's session mark from the login, and
 * the portal counts it (for {@code GET /v1/session} and for "already signed in") only while the
 * store still holds that mark, one read over the bus. Logout, a lock, clearing the PINs and
 * deleting the user change it (see {@code Store.sessionMark}).
 */
public final class PortalRoutes {

  /**
   * The name verification and the audit trail know the portal by; no API client can be named so.
   */
  public static final String CLIENT = "@portal";

  /** The return-URL parameter, named as in the district's existing links. */
  public static final String RETURN_PARAM = "CT_ORIG_URL";

  private static final Logger LOG = LoggerFactory.getLogger(PortalRoutes.class);
  private static final int FORM_LIMIT = 16 * 1024;
  private static final String CSS = HtmlReplies.resource("/portal/static/portal.css");
  private static final String DEMO_JS = HtmlReplies.resource("/portal/static/demo-key.js");

  private final Vertx vertx;
  private final Portal portal;
  private final ClientAddress proxies;
  private final VerifierClient verifier;
  private final Store store;
  private final HtmlReplies replies;

  public PortalRoutes(Vertx vertx, Config config, Portal portal) {
    this.vertx = vertx;
    this.portal = portal;
    this.proxies = ClientAddress.trusting(config.trustedProxies());
    this.verifier = new VerifierClient(vertx, config.storeTimeoutMillis());
    this.store = new BusStore(vertx, config.storeTimeoutMillis() + 200L);
    // A form posted to the portal may end in a redirect to a return host: form-action must allow
    // those hosts too.
    StringBuilder formAction = new StringBuilder("'self'");
    portal.settings().returnHosts().forEach(h -> formAction.append(' ').append(h));
    String csp =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
            + "form-action "
            + formAction
            + "; frame-ancestors 'none'; base-uri 'none'";
    this.replies = new HtmlReplies(csp, portal.tls(), proxies);
  }

  public void mount(Router router) {
    router.get("/").handler(this::root);
    router.get("/portal").handler(this::loginPage);
    router
        .post("/portal/login")
        .handler(BodyHandler.create(false).setBodyLimit(FORM_LIMIT))
        .handler(this::submit);
    router
        .post("/portal/logout")
        .handler(BodyHandler.create(false).setBodyLimit(FORM_LIMIT))
        .handler(this::logout);
    router
        .get("/portal/static/portal.css")
        .handler(ctx -> asset(ctx, "text/css; charset=utf-8", CSS));
    router.get("/v1/session").handler(this::session);
    if (portal.demo() != null) {
      router
          .get("/portal/static/demo-key.js")
          .handler(ctx -> asset(ctx, "text/javascript; charset=utf-8", DEMO_JS));
      router.get("/portal/demo-key").handler(this::demoPage);
      router.get("/portal/demo-key/code").handler(this::demoCode);
    }
  }

  // ---- pages ----

  private void root(RoutingContext ctx) {
    String query = ctx.request().query();
    ctx.response()
        .setStatusCode(303)
        .putHeader("Location", query == null ? "/portal" : "/portal?" + query)
        .end();
  }

  private void loginPage(RoutingContext ctx) {
    // When the store cannot say whether the session is current, the visitor is not signed in: the
    // login page.
    currentSession(ctx).otherwise(Optional.empty()).onSuccess(session -> loginPage(ctx, session));
  }

  private void loginPage(RoutingContext ctx, Optional<SessionCookie.Session> session) {
    Texts t = texts(ctx);
    String returnUrl = allowedReturn(ctx.request().getParam(RETURN_PARAM));
    if (session.isPresent()) {
      // Already signed in: straight back to the application, as a single sign-on portal does.
      if (returnUrl != null) {
        redirect(ctx, returnUrl);
      } else {
        html(ctx, 200, Pages.signedIn(t, session.get().username(), csrfToken(ctx)));
      }
      return;
    }
    html(
        ctx,
        200,
        Pages.login(
            t, portal.settings(), new Pages.Carry(csrfToken(ctx), returnUrl, null, null), null));
  }

  private void submit(RoutingContext ctx) {
    Texts t = texts(ctx);
    MultiMap form = ctx.request().formAttributes();
    String returnUrl = allowedReturn(single(form, "return"));
    if (!formFromHere(ctx, form)) {
      html(
          ctx,
          403,
          Pages.login(
              t,
              portal.settings(),
              new Pages.Carry(csrfToken(ctx), returnUrl, null, null),
              t.get("error.form")));
      return;
    }
    String username = single(form, "username");
    String password = single(form, "password");
    String state = single(form, "state");
    String newPin = single(form, "newPin");
    String confirmPin = single(form, "confirmPin");
    Pages.Carry carry = new Pages.Carry(csrfToken(ctx), returnUrl, username, state);
    boolean pinStep = state != null && (newPin != null || confirmPin != null);
    if (!VerifierClient.acceptableUsername(username)
        || tooLong(password, 256)
        || tooLong(state, 128)
        || tooLong(newPin, 32)
        || tooLong(confirmPin, 32)) {
      // Not a username Jeton could know, or not a form of these pages: the same answer as a wrong
      // password.
      html(ctx, 401, Pages.login(t, portal.settings(), carry, t.get("error.reject")));
      return;
    }
    if (pinStep
        ? newPin == null || confirmPin == null || newPin.isEmpty()
        : password == null || password.isEmpty()) {
      html(
          ctx,
          400,
          pinStep
              ? Pages.newPin(
                  t, portal.pinMinLength(), portal.pinMaxLength(), carry, t.get("error.fields"))
              : state != null
                  ? Pages.nextPasscode(t, carry, t.get("error.fields"))
                  : Pages.login(t, portal.settings(), carry, t.get("error.fields")));
      return;
    }
    String requestId = Secrets.randomId();
    ctx.response().putHeader("X-Request-Id", requestId);
    String ip = proxies.of(ctx.request());
    LoginRequest request =
        new LoginRequest(
            requestId,
            username,
            pinStep ? null : password,
            state,
            pinStep ? newPin : null,
            pinStep ? confirmPin : null,
            ip,
            CLIENT,
            "any",
            System.nanoTime());
    verifier
        .verify(request)
        .onComplete(
            ar -> {
              if (ar.succeeded()) {
                answer(ctx, t, carry, pinStep, ar.result());
              } else {
                html(ctx, 503, Pages.notice(t, "unavailable", "unavailable"));
              }
            });
  }

  private void answer(
      RoutingContext ctx, Texts t, Pages.Carry carry, boolean pinStep, LoginOutcome o) {
    switch (o.kind()) {
      case ACCEPT:
        if (o.sessionMark() == null) {
          // No mark, no revocable session: never a session that logout or a lock could not end.
          html(ctx, 503, Pages.notice(t, "unavailable", "unavailable"));
          return;
        }
        ctx.response()
            .addCookie(
                cookie(
                    SessionCookie.NAME,
                    portal.sessions().issue(o.username(), o.method(), o.sessionMark()),
                    "/",
                    portal.settings().sessionSeconds(),
                    CookieSameSite.LAX,
                    ctx));
        if (carry.returnUrl() != null) {
          redirect(ctx, carry.returnUrl());
        } else {
          html(ctx, 200, Pages.signedIn(t, o.username(), carry.csrf()));
        }
        return;
      case CHALLENGE:
        {
          Pages.Carry next =
              new Pages.Carry(carry.csrf(), carry.returnUrl(), o.username(), o.state());
          html(
              ctx,
              200,
              "NEW_PIN".equals(o.challenge())
                  ? Pages.newPin(t, portal.pinMinLength(), portal.pinMaxLength(), next, null)
                  : Pages.nextPasscode(t, next, null));
          return;
        }
      case BAD_REQUEST:
        // Only a refused PIN gets here from these pages; the NEW_PIN challenge stays open for
        // another try.
        if (pinStep) {
          String error =
              "pin_mismatch".equals(o.error())
                  ? t.get("error.pin_mismatch")
                  : "pin_policy".equals(o.error())
                      ? t.get(
                          "error.pin_policy",
                          t.pinDigits(portal.pinMinLength(), portal.pinMaxLength()))
                      : t.get("error.fields");
          html(
              ctx,
              400,
              Pages.newPin(t, portal.pinMinLength(), portal.pinMaxLength(), carry, error));
        } else {
          html(ctx, 400, Pages.login(t, portal.settings(), carry, t.get("error.fields")));
        }
        return;
      case REJECT:
        // Whatever the step, a wrong answer starts over: the state may be closed, and nothing says
        // why it failed.
        html(
            ctx,
            401,
            Pages.login(
                t,
                portal.settings(),
                new Pages.Carry(carry.csrf(), carry.returnUrl(), carry.username(), null),
                t.get("error.reject")));
        return;
      case LOCKED:
        html(ctx, 401, Pages.notice(t, "locked", "locked"));
        return;
      case RATE_LIMITED:
        ctx.response().putHeader("Retry-After", Long.toString(o.retryAfter()));
        html(ctx, 429, Pages.notice(t, "rate-limited", "ratelimited"));
        return;
      default:
        html(ctx, 503, Pages.notice(t, "unavailable", "unavailable"));
    }
  }

  /**
   * Ends the user's sessions on every device (the store moves their session mark on), not only in
   * this browser. When the store cannot do it, the visitor is told so (503) rather than believing
   * they are signed out everywhere.
   */
  private void logout(RoutingContext ctx) {
    if (!formFromHere(ctx, ctx.request().formAttributes())) {
      ctx.response().setStatusCode(303).putHeader("Location", "/portal").end();
      return;
    }
    // Read before the removal is added: the request's cookies and the response's share one jar.
    Optional<SessionCookie.Session> s = signedSession(ctx);
    ctx.response().addCookie(cookie(SessionCookie.NAME, "", "/", 0, CookieSameSite.LAX, ctx));
    Future<Boolean> ended =
        s.isEmpty()
            ? Future.succeededFuture(false)
            : store.endSessions(new Store.EndSessions(s.get().username(), s.get().mark()));
    ended.onComplete(
        ar -> {
          if (ar.succeeded()) {
            ctx.response().setStatusCode(303).putHeader("Location", "/portal").end();
          } else {
            LOG.atWarn()
                .setMessage("logout_failed")
                .addKeyValue("failure", ar.cause().getClass().getSimpleName())
                .log();
            html(ctx, 503, Pages.notice(texts(ctx), "unavailable", "unavailable"));
          }
        });
  }

  /**
   * {@code GET /v1/session}: 200 with who the session cookie is for, 401 when there is none or it
   * was revoked, 503 when the store cannot say. For applications behind the portal.
   */
  private void session(RoutingContext ctx) {
    currentSession(ctx)
        .onComplete(
            ar -> {
              JsonObject body;
              int status;
              if (ar.failed()) {
                status = 503;
                body = new JsonObject().put("error", "unavailable");
              } else if (ar.result().isEmpty()) {
                status = 401;
                body = new JsonObject().put("error", "no_session");
              } else {
                SessionCookie.Session v = ar.result().get();
                status = 200;
                body =
                    new JsonObject()
                        .put("username", v.username())
                        .put("method", v.method())
                        .put("issuedAt", v.issuedAt().toString())
                        .put("expiresAt", v.expiresAt().toString());
              }
              if (!ctx.response().ended()) {
                ctx.response()
                    .setStatusCode(status)
                    .putHeader("Content-Type", "application/json")
                    .putHeader("Cache-Control", "no-store")
                    .end(body.encode());
              }
            });
  }

  private void demoPage(RoutingContext ctx) {
    DemoKey demo = portal.demo();
    html(
        ctx,
        200,
        Pages.demoKey(
            texts(ctx), DemoKey.USERNAME, demo.code(), demo.secondsLeft(), demo.period()));
  }

  private void demoCode(RoutingContext ctx) {
    DemoKey demo = portal.demo();
    replies
        .secure(ctx.response())
        .putHeader("Content-Type", "application/json")
        .end(
            new JsonObject()
                .put("code", demo.code())
                .put("secondsLeft", demo.secondsLeft())
                .put("period", demo.period())
                .encode());
  }

  // ---- helpers ----

  /** The session the cookie's value vouches for by itself (signature and times), revoked or not. */
  private Optional<SessionCookie.Session> signedSession(RoutingContext ctx) {
    Cookie cookie = ctx.request().getCookie(SessionCookie.NAME);
    return cookie == null ? Optional.empty() : portal.sessions().verify(cookie.getValue());
  }

  /**
   * The session of this request if it is signed, current and not revoked: its mark is still the
   * user's session mark in the store (one read, only when a signed cookie is present). Fails when
   * the store cannot answer.
   */
  private Future<Optional<SessionCookie.Session>> currentSession(RoutingContext ctx) {
    Optional<SessionCookie.Session> signed = signedSession(ctx);
    if (signed.isEmpty()) {
      return Future.succeededFuture(Optional.empty());
    }
    SessionCookie.Session s = signed.get();
    return store
        .sessionMark(s.username())
        .map(
            current ->
                current != null
                        && MessageDigest.isEqual(
                            current.getBytes(StandardCharsets.UTF_8),
                            s.mark().getBytes(StandardCharsets.UTF_8))
                    ? signed
                    : Optional.empty());
  }

  /**
   * The CSRF token for this browser's CSRF cookie, setting the cookie first when it has none. Over
   * HTTPS the cookie is {@code __Host-jeton_csrf} ({@code Secure}, {@code Path=/}, no Domain),
   * which no other host can plant; over plain HTTP it is {@code jeton_csrf} on {@code /portal} (see
   * {@link Csrf} for what holds then).
   */
  private String csrfToken(RoutingContext ctx) {
    String value = ctx.get(Csrf.COOKIE);
    if (value == null) {
      boolean https = secureConnection(ctx);
      String name = Csrf.cookieName(https);
      Cookie existing = ctx.request().getCookie(name);
      value =
          existing != null
                  && existing.getValue().length() >= 32
                  && existing.getValue().length() <= 64
              ? existing.getValue()
              : null;
      if (value == null) {
        value = Csrf.newCookieValue();
        ctx.response()
            .addCookie(
                cookie(name, value, https ? "/" : "/portal", -1, CookieSameSite.STRICT, ctx));
      }
      ctx.put(Csrf.COOKIE, value);
    }
    return portal.csrf().token(value);
  }

  private boolean formFromHere(RoutingContext ctx, MultiMap form) {
    if (!replies.fromThisSite(ctx)) {
      return false;
    }
    // Over HTTPS only the __Host- cookie counts: a plain one may have been planted by a sibling
    // subdomain.
    Cookie cookie = ctx.request().getCookie(Csrf.cookieName(secureConnection(ctx)));
    return cookie != null && portal.csrf().valid(cookie.getValue(), single(form, Csrf.FIELD));
  }

  private String allowedReturn(String candidate) {
    return candidate == null
        ? null
        : ReturnUrl.allowed(candidate, portal.settings().returnHosts()).orElse(null);
  }

  private void redirect(RoutingContext ctx, String url) {
    replies.redirect(ctx, url);
  }

  private void html(RoutingContext ctx, int status, String page) {
    replies.page(ctx, status, page);
  }

  private void asset(RoutingContext ctx, String type, String body) {
    replies.asset(ctx, type, body);
  }

  private Cookie cookie(
      String name,
      String value,
      String path,
      long maxAgeSeconds,
      CookieSameSite sameSite,
      RoutingContext ctx) {
    return replies.cookie(ctx, name, value, path, maxAgeSeconds, sameSite);
  }

  private boolean secureConnection(RoutingContext ctx) {
    return replies.https(ctx);
  }

  private static Texts texts(RoutingContext ctx) {
    return Pages.TEXTS.forAcceptLanguage(ctx.request().getHeader("Accept-Language"));
  }

  private static String single(MultiMap form, String name) {
    return HtmlReplies.single(form, name);
  }

  private static boolean tooLong(String v, int max) {
    return HtmlReplies.tooLong(v, max);
  }
}
