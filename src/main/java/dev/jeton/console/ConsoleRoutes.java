package dev.jeton.console;

import dev.jeton.audit.AuditEvent;
import dev.jeton.audit.AuditVerticle;
import dev.jeton.bus.Addresses;
import dev.jeton.bus.EmergencyCodes;
import dev.jeton.bus.LoginOutcome;
import dev.jeton.bus.LoginRequest;
import dev.jeton.config.Config;
import dev.jeton.crypto.Secrets;
import dev.jeton.provision.BulkLines;
import dev.jeton.provision.PskcImporter;
import dev.jeton.track.Store;
import dev.jeton.track.TokenRecord;
import dev.jeton.track.UserRecord;
import dev.jeton.web.ClientAddress;
import dev.jeton.web.Csrf;
import dev.jeton.web.HtmlReplies;
import dev.jeton.web.Texts;
import dev.jeton.web.Validation;
import dev.jeton.web.VerifierClient;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The helpdesk console: server-rendered pages under {@code /console} on the management listener,
 * for people with an OTP key and a console role ({@value #ADMIN} or {@value #HELPDESK}). An intake
 * like the portal: it bounds and parses what the browser sends and asks verification (as client
 * {@value #CLIENT}, level {@code otp}: a password alone never signs in) and the store over the
 * event bus; it knows nothing of OTP.
 *
 * <p>Sessions live in a sealed cookie ({@link ConsoleSessions}); every request re-reads the
 * operator's console role and session mark, so that a role withdrawn, a lock, a PIN cleared or a
 * sign-out elsewhere takes effect at the next click. Every form carries a CSRF token: bound to the
 * session once signed in, to a CSRF cookie before ({@link Csrf}); a form from another site is
 * refused whatever its token. Every action on a user asks for a reason, which goes into the audit
 * event with the operator's name ({@code client} = {@code @console:<operator>}).
 *
 * <p>One instance on the management listener's event loop.
 */
public final class ConsoleRoutes {

  /**
   * The name verification and the audit trail know the console by; no API client can be named so.
   */
  public static final String CLIENT = "@console";

  static final String ADMIN = "admin";
  static final String HELPDESK = "helpdesk";
  private static final Set<String> ROLES = Set.of(ADMIN, HELPDESK);

  /** The CSRF cookie of the sign-in forms ({@code __Host-} prefixed over HTTPS). */
  static final String CSRF_COOKIE = "jeton_console_csrf";

  private static final Logger LOG = LoggerFactory.getLogger("jeton.console");
  private static final int FORM_LIMIT = 16 * 1024;
  private static final int SEARCH_LIMIT = 20;
  private static final int HISTORY = 20;
  private static final int REASON_MAX = 200;
  private static final String CSS = HtmlReplies.resource("/console/static/console.css");
  private static final String BULK_JS = HtmlReplies.resource("/console/static/bulk.js");
  private static final Set<String> USER_ACTIONS = Set.of("unlock", "clear-pin", "emergency-codes");
  private static final Set<String> TOKEN_ACTIONS = Set.of("enable", "disable");
  private static final Set<String> ADMIN_USER_ACTIONS = Set.of("assign", "delete");
  private static final Set<String> ADMIN_TOKEN_ACTIONS = Set.of("unassign");
  private static final Set<String> DONE =
      Set.of(
          "unlock",
          "clear-pin",
          "enable",
          "disable",
          "assign",
          "unassign",
          "operator-added",
          "operator-removed");
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);

  /** A page for a signed-in operator whose role allows it. */
  @FunctionalInterface
  private interface Page {
    void handle(RoutingContext ctx, Texts t, ConsolePages.Who who);
  }

  private final Vertx vertx;
  private final Console console;
  private final Store store;
  private final ClientAddress proxies;
  private final VerifierClient verifier;
  private final HtmlReplies replies;
  private final DeliveryOptions emergencyOptions;
  private final DeliveryOptions auditOptions;
  private ImportPage importPage;
  private BulkPage bulkPage;

  public ConsoleRoutes(Vertx vertx, Config config, Console console, Store store) {
    this.vertx = vertx;
    this.console = console;
    this.store = store;
    this.proxies = ClientAddress.trusting(config.trustedProxies());
    this.verifier = new VerifierClient(vertx, config.storeTimeoutMillis());
    this.replies =
        new HtmlReplies(
            "default-src 'none'; style-src 'self'; img-src 'self'; script-src 'self';"
                + " connect-src 'self'; form-action 'self'; frame-ancestors 'none';"
                + " base-uri 'none'",
            console.tls(),
            proxies);
    this.emergencyOptions =
        new DeliveryOptions()
            .setLocalOnly(true)
            .setSendTimeout(config.storeTimeoutMillis() + 1000L);
    this.auditOptions =
        new DeliveryOptions()
            .setLocalOnly(true)
            .setSendTimeout(config.storeTimeoutMillis() * 2L + 1000L);
  }

  /** Adds the admins' PSKC import page, {@code /console/import}, over {@code importer}. */
  public ConsoleRoutes importing(PskcImporter importer) {
    this.importPage = new ImportPage(this, importer, replies);
    return this;
  }

  /** Adds the admins' NDJSON bulk load page, {@code /console/bulk}, over {@code lines}. */
  public ConsoleRoutes bulkLoading(BulkLines lines) {
    this.bulkPage = new BulkPage(vertx, this, lines, replies);
    return this;
  }

  /**
   * Each action under {@code prefix}, for {@code role} and above: its confirmation page (GET) and
   * the action itself (POST, with this session's CSRF token).
   */
  private void actions(Router router, String prefix, Iterable<String> actions, String role) {
    for (String action : actions) {
      router
          .get(prefix + action)
          .handler(signedIn(role, false, (c, t, w) -> confirm(c, t, w, action)));
      router
          .post(prefix + action)
          .handler(form())
          .handler(signedIn(role, true, (c, t, w) -> act(c, t, w, action)));
    }
  }

  public void mount(Router router) {
    router
        .get("/console/static/console.css")
        .handler(ctx -> replies.asset(ctx, "text/css; charset=utf-8", CSS));
    router
        .get("/console/static/bulk.js")
        .handler(ctx -> replies.asset(ctx, "text/javascript; charset=utf-8", BULK_JS));
    router.get("/console/login").handler(this::loginPage);
    router.post("/console/login").handler(form()).handler(this::signIn);
    router.post("/console/logout").handler(form()).handler(this::signOut);
    router.get("/console/").handler(signedIn(HELPDESK, false, this::search));
    // After "/console/", so that this one never takes the search page's requests.
    router.get("/console").handler(ctx -> replies.redirect(ctx, "/console/"));
    router.get("/console/users/:username").handler(signedIn(HELPDESK, false, this::userPage));
    String user = "/console/users/:username/";
    String token = user + "tokens/:serial/";
    actions(router, user, USER_ACTIONS, HELPDESK);
    actions(router, token, TOKEN_ACTIONS, HELPDESK);
    actions(router, user, ADMIN_USER_ACTIONS, ADMIN);
    actions(router, token, ADMIN_TOKEN_ACTIONS, ADMIN);
    router.get("/console/operators").handler(signedIn(ADMIN, false, this::operators));
    router
        .post("/console/operators")
        .handler(form())
        .handler(signedIn(ADMIN, true, this::addOperator));
    router
        .get("/console/operators/:username/remove")
        .handler(signedIn(ADMIN, false, this::confirmRemoval));
    router
        .post("/console/operators/:username/remove")
        .handler(form())
        .handler(signedIn(ADMIN, true, this::removeOperator));
    AuditPage audit = new AuditPage(vertx, replies, auditOptions, this);
    router.get("/console/audit").handler(signedIn(ADMIN, false, audit::page));
    router.get("/console/audit.csv").handler(signedIn(ADMIN, false, audit::csv));
    ClientsPage clients = new ClientsPage(vertx, store, replies, this);
    router.get("/console/clients").handler(signedIn(ADMIN, false, clients::page));
    router.post("/console/clients").handler(form()).handler(signedIn(ADMIN, true, clients::put));
    if (importPage != null) {
      router.get("/console/import").handler(signedIn(ADMIN, false, importPage::form));
      router
          .post("/console/import")
          .handler(Uploads.reader(console, replies, ImportPage.FIELD))
          .handler(signedIn(ADMIN, true, importPage::imports));
    }
    if (bulkPage != null) {
      router.get("/console/bulk").handler(signedIn(ADMIN, false, bulkPage::form));
      router
          .post("/console/bulk")
          .handler(Uploads.reader(console, replies, BulkPage.FIELD))
          .handler(signedIn(ADMIN, true, bulkPage::loads));
      router.get("/console/bulk/jobs/:id").handler(signedIn(ADMIN, false, bulkPage::job));
      router.get("/console/bulk/jobs/:id/state").handler(signedIn(ADMIN, false, bulkPage::state));
    }
    // Last: any other path under /console is the console's own not-found page (the sign-in page
    // first, without a session: what exists is nobody's business before that).
    router
        .route("/console/*")
        .handler(signedIn(HELPDESK, false, (c, t, w) -> notFound(c, t, w, t.get("notfound.page"))));
  }

  // ---- signing in and out ----

  private void loginPage(RoutingContext ctx) {
    Texts t = texts(ctx);
    String info =
        ctx.queryParams().contains("ended")
            ? t.get("login.ended")
            : ctx.queryParams().contains("out") ? t.get("login.signedout") : null;
    replies.page(
        ctx,
        200,
        ConsolePages.login(t, new ConsolePages.Carry(csrfToken(ctx), null, null), null, info));
  }

  /** Every step of a sign-in: PIN + code, then NEW_PIN and NEXT_PASSCODE when asked. */
  private void signIn(RoutingContext ctx) {
    Texts t = texts(ctx);
    MultiMap form = ctx.request().formAttributes();
    String csrf = csrfToken(ctx);
    if (!signInFormFromHere(ctx, form)) {
      replies.page(
          ctx,
          403,
          ConsolePages.login(
              t, new ConsolePages.Carry(csrf, null, null), t.get("error.form"), null));
      return;
    }
    String username = HtmlReplies.single(form, "username");
    String password = HtmlReplies.single(form, "password");
    String state = HtmlReplies.single(form, "state");
    String newPin = HtmlReplies.single(form, "newPin");
    String confirmPin = HtmlReplies.single(form, "confirmPin");
    if (state != null && state.isEmpty()) {
      state = null;
    }
    ConsolePages.Carry carry = new ConsolePages.Carry(csrf, username, state);
    boolean pinStep = state != null && (newPin != null || confirmPin != null);
    if (!VerifierClient.acceptableUsername(username)
        || HtmlReplies.tooLong(password, 256)
        || HtmlReplies.tooLong(state, 128)
        || HtmlReplies.tooLong(newPin, 32)
        || HtmlReplies.tooLong(confirmPin, 32)) {
      replies.page(ctx, 401, ConsolePages.login(t, carry, t.get("error.reject"), null));
      return;
    }
    if (pinStep
        ? newPin == null || confirmPin == null || newPin.isEmpty()
        : password == null || password.isEmpty()) {
      String error = t.get("error.fields");
      replies.page(
          ctx,
          400,
          pinStep
              ? ConsolePages.newPin(t, console.pinMinLength(), console.pinMaxLength(), carry, error)
              : state != null
                  ? ConsolePages.nextPasscode(t, carry, error)
                  : ConsolePages.login(t, carry, error, null));
      return;
    }
    String requestId = Secrets.randomId();
    ctx.response().putHeader("X-Request-Id", requestId);
    LoginRequest request =
        new LoginRequest(
            requestId,
            username,
            pinStep ? null : password,
            state,
            pinStep ? newPin : null,
            pinStep ? confirmPin : null,
            proxies.of(ctx.request()),
            CLIENT,
            "otp",
            System.nanoTime());
    verifier
        .verify(request)
        .onComplete(
            ar -> {
              if (ar.succeeded()) {
                answer(ctx, t, carry, pinStep, ar.result());
              } else {
                unavailable(ctx, t, null);
              }
            });
  }

  private void answer(
      RoutingContext ctx, Texts t, ConsolePages.Carry carry, boolean pinStep, LoginOutcome o) {
    switch (o.kind()) {
      case ACCEPT:
        accepted(ctx, t, carry, o);
        return;
      case CHALLENGE:
        {
          ConsolePages.Carry next = new ConsolePages.Carry(carry.csrf(), o.username(), o.state());
          replies.page(
              ctx,
              200,
              "NEW_PIN".equals(o.challenge())
                  ? ConsolePages.newPin(
                      t, console.pinMinLength(), console.pinMaxLength(), next, null)
                  : ConsolePages.nextPasscode(t, next, null));
          return;
        }
      case BAD_REQUEST:
        if (pinStep) {
          String error =
              "pin_mismatch".equals(o.error())
                  ? t.get("error.pin_mismatch")
                  : "pin_policy".equals(o.error())
                      ? t.get(
                          "error.pin_policy",
                          t.pinDigits(console.pinMinLength(), console.pinMaxLength()))
                      : t.get("error.fields");
          replies.page(
              ctx,
              400,
              ConsolePages.newPin(t, console.pinMinLength(), console.pinMaxLength(), carry, error));
        } else {
          replies.page(ctx, 400, ConsolePages.login(t, carry, t.get("error.fields"), null));
        }
        return;
      case REJECT:
        refuse(ctx, t, carry);
        return;
      case LOCKED:
        replies.page(
            ctx,
            401,
            ConsolePages.notice(t, null, "locked", t.get("locked.heading"), t.get("locked.text")));
        return;
      case RATE_LIMITED:
        ctx.response().putHeader("Retry-After", Long.toString(o.retryAfter()));
        replies.page(
            ctx,
            429,
            ConsolePages.notice(
                t, null, "rate-limited", t.get("ratelimited.heading"), t.get("ratelimited.text")));
        return;
      default:
        unavailable(ctx, t, null);
    }
  }

  /**
   * An ACCEPT signs in only a user who holds a console role; anyone else gets the words of a wrong
   * code, so that the console does not tell who its operators are.
   */
  private void accepted(RoutingContext ctx, Texts t, ConsolePages.Carry carry, LoginOutcome o) {
    if (o.sessionMark() == null) {
      unavailable(ctx, t, null);
      return;
    }
    store
        .consoleRole(o.username())
        .onComplete(
            ar -> {
              if (ar.failed()) {
                unavailable(ctx, t, null);
              } else if (ar.result() == null || !in(ROLES, ar.result())) {
                LOG.atInfo()
                    .setMessage("console_signin_refused")
                    .addKeyValue("reason", "no_console_role")
                    .addKeyValue("request_id", ctx.response().headers().get("X-Request-Id"))
                    .log();
                auditRefusal(ctx, o.username());
                refuse(ctx, t, carry);
              } else {
                ConsoleSessions.Session s = console.sessions().start(o.username(), o.sessionMark());
                ctx.response().addCookie(sessionCookie(ctx, console.sessions().renew(s)));
                replies.redirect(ctx, "/console/");
              }
            });
  }

  /**
   * Writes the refusal of a right code from a user without a console role to the audit trail: the
   * verifier recorded an ACCEPT, and the trail must say the console turned it away.
   */
  private void auditRefusal(RoutingContext ctx, String username) {
    vertx
        .eventBus()
        .send(
            Addresses.AUDIT_DECISION,
            AuditEvent.of(
                console.clock().millis(),
                ctx.response().headers().get("X-Request-Id"),
                username,
                proxies.of(ctx.request()),
                CLIENT,
                "REJECT",
                "console_signin_refused",
                null,
                null),
            LOCAL);
  }

  private void refuse(RoutingContext ctx, Texts t, ConsolePages.Carry carry) {
    replies.page(
        ctx,
        401,
        ConsolePages.login(
            t,
            new ConsolePages.Carry(carry.csrf(), carry.username(), null),
            t.get("error.reject"),
            null));
  }

  /**
   * Ends the session here and everywhere: the user's session mark moves on (as a portal logout
   * does), so that a copy of the cookie is worth nothing. When the store cannot do it, the operator
   * is told so (503) rather than believing they are signed out.
   */
  private void signOut(RoutingContext ctx) {
    Optional<ConsoleSessions.Session> s = session(ctx);
    MultiMap form = ctx.request().formAttributes();
    if (s.isEmpty()) {
      ctx.response().addCookie(sessionCookie(ctx, ""));
      replies.redirect(ctx, "/console/login");
      return;
    }
    if (!replies.fromThisSite(ctx)
        || !console.csrf().valid(s.get().id(), HtmlReplies.single(form, Csrf.FIELD))) {
      replies.redirect(ctx, "/console/");
      return;
    }
    ctx.response().addCookie(sessionCookie(ctx, ""));
    store
        .endSessions(new Store.EndSessions(s.get().username(), s.get().mark()))
        .onComplete(
            ar -> {
              if (ar.succeeded()) {
                replies.redirect(ctx, "/console/login?out");
              } else {
                unavailable(ctx, texts(ctx), null);
              }
            });
  }

  // ---- the gate of every signed-in page ----

  /**
   * Lets a request through to {@code page} when its session cookie opens, the user still holds a
   * console role (re-read now) at least {@code least}, the session mark is still theirs, and, for a
   * form ({@code post}), it comes from this site with the session's CSRF token. Without a session:
   * to the sign-in page. A role too low: 403. The cookie is sealed anew with this request as the
   * last use.
   */
  private Handler<RoutingContext> signedIn(String least, boolean post, Page page) {
    return ctx -> {
      Texts t = texts(ctx);
      Cookie cookie = ctx.request().getCookie(ConsoleSessions.COOKIE);
      Optional<ConsoleSessions.Session> opened = session(ctx);
      if (opened.isEmpty()) {
        if (cookie != null) {
          ctx.response().addCookie(sessionCookie(ctx, ""));
        }
        replies.redirect(ctx, cookie == null ? "/console/login" : "/console/login?ended");
        return;
      }
      ConsoleSessions.Session s = opened.get();
      Future<String> role = store.consoleRole(s.username());
      Future<String> mark = store.sessionMark(s.username());
      Future.all(role, mark)
          .onComplete(
              ar -> {
                if (ar.failed()) {
                  unavailable(ctx, t, null);
                  return;
                }
                if (role.result() == null
                    || !in(ROLES, role.result())
                    || mark.result() == null
                    || !sameText(mark.result(), s.mark())) {
                  ctx.response().addCookie(sessionCookie(ctx, ""));
                  replies.redirect(ctx, "/console/login?ended");
                  return;
                }
                ConsolePages.Who who =
                    new ConsolePages.Who(s.username(), role.result(), console.csrf().token(s.id()));
                ctx.response().addCookie(sessionCookie(ctx, console.sessions().renew(s)));
                if (ADMIN.equals(least) && !who.admin()) {
                  replies.page(
                      ctx,
                      403,
                      ConsolePages.notice(
                          t,
                          who,
                          "forbidden",
                          t.get("forbidden.heading"),
                          t.get("forbidden.text")));
                  return;
                }
                if (post
                    && !(replies.fromThisSite(ctx)
                        && console
                            .csrf()
                            .valid(
                                s.id(),
                                HtmlReplies.single(ctx.request().formAttributes(), Csrf.FIELD)))) {
                  replies.page(
                      ctx,
                      403,
                      ConsolePages.notice(
                          t, who, "form-refused", t.get("forbidden.heading"), t.get("error.form")));
                  return;
                }
                try {
                  page.handle(ctx, t, who);
                } catch (RuntimeException e) {
                  ctx.fail(e);
                }
              });
    };
  }

  // ---- finding people ----

  /**
   * The search page; with {@code q}: a key's serial goes straight to its owner, anything else is a
   * prefix of usernames and display names.
   */
  private void search(RoutingContext ctx, Texts t, ConsolePages.Who who) {
    String given = ctx.queryParams().get("q");
    String q = given == null ? "" : given.strip();
    if (q.isEmpty()) {
      String done = "user-deleted".equals(ctx.queryParams().get("done")) ? "user-deleted" : null;
      replies.page(ctx, 200, ConsolePages.search(t, who, null, null, SEARCH_LIMIT, null, done));
      return;
    }
    if (q.length() > 64 || q.chars().anyMatch(Character::isISOControl)) {
      replies.page(ctx, 200, ConsolePages.search(t, who, q, List.of(), SEARCH_LIMIT, null));
      return;
    }
    Future<TokenRecord> token =
        Validation.SERIAL.matcher(q).matches() ? store.getToken(q) : Future.succeededFuture(null);
    token.onComplete(
        tr -> {
          if (tr.failed()) {
            unavailable(ctx, t, who);
            return;
          }
          TokenRecord k = tr.result();
          if (k != null && k.owner() != null) {
            replies.redirect(ctx, "/console/users/" + k.owner());
            return;
          }
          store
              .searchUsers(q, SEARCH_LIMIT)
              .onComplete(
                  found -> {
                    if (found.failed()) {
                      unavailable(ctx, t, who);
                    } else {
                      replies.page(
                          ctx,
                          200,
                          ConsolePages.search(
                              t,
                              who,
                              q,
                              found.result(),
                              SEARCH_LIMIT,
                              k == null ? null : k.serial()));
                    }
                  });
        });
  }

  // ---- one user ----

  private void userPage(RoutingContext ctx, Texts t, ConsolePages.Who who) {
    String username = ctx.pathParam("username");
    if (!Validation.username(username)) {
      notFound(ctx, t, who, t.get("notfound.user", username));
      return;
    }
    String done = ctx.queryParams().get("done");
    Future<Store.UserView> user = store.getUser(username);
    // The page shows the user even when the audit trail cannot be read: it says so instead.
    Future<List<AuditEvent>> events =
        vertx
            .eventBus()
            .<AuditVerticle.Events>request(
                Addresses.AUDIT_QUERY, new AuditVerticle.Query(username, HISTORY), auditOptions)
            .map(m -> m.body().events())
            .otherwise((List<AuditEvent>) null);
    Future.all(user, events)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                unavailable(ctx, t, who);
              } else if (user.result() == null) {
                notFound(ctx, t, who, t.get("notfound.user", username));
              } else {
                replies.page(
                    ctx,
                    200,
                    ConsolePages.user(
                        t,
                        who,
                        user.result(),
                        console.clock().millis(),
                        events.result(),
                        in(DONE, done) ? done : null));
              }
            });
  }

  /** The form of an action: only for a user who exists (and holds the key, for a key's action). */
  private void confirm(RoutingContext ctx, Texts t, ConsolePages.Who who, String action) {
    String username = ctx.pathParam("username");
    String serial = ctx.pathParam("serial");
    if (self(ctx, t, who, action, username, serial)) {
      return;
    }
    target(ctx, t, who, username, serial)
        .onSuccess(
            found -> {
              if (found) {
                replies.page(
                    ctx, 200, ConsolePages.confirm(t, who, action, username, serial, null));
              }
            });
  }

  /**
   * Does the action, audits it with the operator's reason, and goes back to the user's page (or,
   * for emergency codes, shows them this once).
   */
  private void act(RoutingContext ctx, Texts t, ConsolePages.Who who, String action) {
    String username = ctx.pathParam("username");
    String serial = ctx.pathParam("serial");
    MultiMap form = ctx.request().formAttributes();
    String reason = reason(form);
    int count = number(form, "count", 1, 10);
    int days = number(form, "days", 1, 30);
    boolean codes = "emergency-codes".equals(action);
    String assigned = HtmlReplies.single(form, "serial");
    assigned = assigned == null ? null : assigned.strip();
    boolean confirmed =
        !ConsolePages.CONFIRMED.contains(action)
            || "yes".equals(HtmlReplies.single(form, ConsolePages.CONFIRM_FIELD));
    String error =
        !confirmed
            ? t.get("error.confirm")
            : reason == null
                ? t.get("error.reason")
                : codes && (count < 0 || days < 0)
                    ? t.get("error.count")
                    : "assign".equals(action)
                            && (assigned == null || !Validation.SERIAL.matcher(assigned).matches())
                        ? t.get("error.serial")
                        : null;
    if (self(ctx, t, who, action, username, serial)) {
      return;
    }
    if (error != null && Validation.username(username)) {
      replies.page(ctx, 400, ConsolePages.confirm(t, who, action, username, serial, error));
      return;
    }
    String assignedSerial = assigned;
    target(ctx, t, who, username, serial)
        .onSuccess(
            found -> {
              if (!found) {
                return;
              }
              if (codes) {
                issueCodes(ctx, t, who, username, reason, count, days);
                return;
              }
              if ("assign".equals(action)) {
                assign(ctx, t, who, username, assignedSerial, reason);
                return;
              }
              if ("delete".equals(action)) {
                store
                    .deleteUser(username)
                    .onComplete(
                        ar -> {
                          if (ar.failed()) {
                            unavailable(ctx, t, who);
                          } else if (!ar.result()) {
                            notFound(ctx, t, who, t.get("notfound.user", username));
                          } else {
                            audit(ctx, who, "user_deleted", username, null, reason);
                            replies.redirect(ctx, "/console/?done=user-deleted");
                          }
                        });
                return;
              }
              Future<Boolean> done =
                  switch (action) {
                    case "unlock" -> store.unlock(username).map(true);
                    case "clear-pin" -> store.clearPins(username);
                    case "unassign" -> store.unassign(new Store.Assign(username, serial));
                    default ->
                        store.setEnabled(new Store.SetEnabled(serial, "enable".equals(action)));
                  };
              done.onComplete(
                  ar -> {
                    if (ar.failed()) {
                      unavailable(ctx, t, who);
                    } else if (!ar.result()) {
                      notFound(ctx, t, who, t.get("notfound.user", username));
                    } else {
                      audit(ctx, who, auditAction(action), username, serial, reason);
                      replies.redirect(ctx, "/console/users/" + username + "?done=" + action);
                    }
                  });
            });
  }

  /**
   * Refuses (409, answered here) an admin's deleting their own account: it would end the session
   * they are working in and could leave the console without an admin. Another admin can.
   */
  private boolean self(
      RoutingContext ctx,
      Texts t,
      ConsolePages.Who who,
      String action,
      String username,
      String serial) {
    if (!"delete".equals(action) || !who.username().equals(username)) {
      return false;
    }
    replies.page(
        ctx,
        409,
        ConsolePages.confirm(t, who, action, username, serial, t.get("error.self.delete")));
    return true;
  }

  /** Assigns the key {@code serial} to the user; a refusal shows the form again with its reason. */
  private void assign(
      RoutingContext ctx,
      Texts t,
      ConsolePages.Who who,
      String username,
      String serial,
      String reason) {
    store
        .assign(new Store.Assign(username, serial))
        .onComplete(
            ar -> {
              if (ar.failed()) {
                unavailable(ctx, t, who);
                return;
              }
              String error;
              int status;
              switch (ar.result()) {
                case OK -> {
                  audit(ctx, who, "token_assigned", username, serial, reason);
                  replies.redirect(ctx, "/console/users/" + username + "?done=assign");
                  return;
                }
                case NO_USER -> {
                  notFound(ctx, t, who, t.get("notfound.user", username));
                  return;
                }
                case NO_TOKEN -> {
                  status = 404;
                  error = t.get("assign.notoken", serial);
                }
                case OWNED_BY_OTHER -> {
                  status = 409;
                  error = t.get("assign.other", serial);
                }
                default -> {
                  status = 409;
                  error = t.get("assign.toomany", UserRecord.MAX_TOKENS);
                }
              }
              replies.page(
                  ctx, status, ConsolePages.confirm(t, who, "assign", username, null, error));
            });
  }

  /** Verification makes the codes and writes them to the store; this asks it over the bus. */
  private void issueCodes(
      RoutingContext ctx,
      Texts t,
      ConsolePages.Who who,
      String username,
      String reason,
      int count,
      int days) {
    vertx
        .eventBus()
        .<EmergencyCodes.Issued>request(
            Addresses.VERIFY_EMERGENCY_CODES,
            new EmergencyCodes.Request(username, count, days * 86_400),
            emergencyOptions)
        .map(Message::body)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                unavailable(ctx, t, who);
              } else if (!ar.result().found()) {
                notFound(ctx, t, who, t.get("notfound.user", username));
              } else {
                audit(ctx, who, "emergency_codes_issued", username, null, reason);
                replies.page(
                    ctx,
                    200,
                    ConsolePages.codes(
                        t, who, username, ar.result().codes(), ar.result().expiresAtMillis()));
              }
            });
  }

  /**
   * True when the user exists (and holds {@code serial}, when given); otherwise the request is
   * answered here (404 or 503) and the future holds false.
   */
  private Future<Boolean> target(
      RoutingContext ctx, Texts t, ConsolePages.Who who, String username, String serial) {
    if (!Validation.username(username)) {
      notFound(ctx, t, who, t.get("notfound.user", username));
      return Future.succeededFuture(false);
    }
    return store
        .getUser(username)
        .map(
            v -> {
              if (v == null) {
                notFound(ctx, t, who, t.get("notfound.user", username));
                return false;
              }
              if (serial != null && v.user().token(serial) == null) {
                notFound(ctx, t, who, t.get("notfound.token", serial));
                return false;
              }
              return true;
            })
        .recover(
            e -> {
              unavailable(ctx, t, who);
              return Future.succeededFuture(false);
            });
  }

  // ---- operators ----

  private void operators(RoutingContext ctx, Texts t, ConsolePages.Who who) {
    String done = ctx.queryParams().get("done");
    operatorsPage(ctx, t, who, 200, null, in(DONE, done) ? done : null);
  }

  private void operatorsPage(
      RoutingContext ctx, Texts t, ConsolePages.Who who, int status, String error, String done) {
    store
        .consoleOperators()
        .onComplete(
            ar -> {
              if (ar.failed()) {
                unavailable(ctx, t, who);
              } else {
                replies.page(ctx, status, ConsolePages.operators(t, who, ar.result(), error, done));
              }
            });
  }

  private void addOperator(RoutingContext ctx, Texts t, ConsolePages.Who who) {
    MultiMap form = ctx.request().formAttributes();
    String username = HtmlReplies.single(form, "username");
    username = username == null ? null : username.strip();
    String role = HtmlReplies.single(form, "role");
    String reason = reason(form);
    String error =
        !Validation.username(username)
            ? t.get("error.username")
            : !in(ROLES, role)
                ? t.get("error.role")
                : reason == null ? t.get("error.reason") : null;
    if (error != null) {
      operatorsPage(ctx, t, who, 400, error, null);
      return;
    }
    if (who.username().equals(username)) {
      // An admin changing their own role could only lower it, perhaps leaving no admin at all.
      operatorsPage(ctx, t, who, 409, t.get("error.self.role"), null);
      return;
    }
    String name = username;
    store
        .putConsoleOperator(name, role)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                unavailable(ctx, t, who);
              } else if (!ar.result()) {
                operatorsPage(ctx, t, who, 404, t.get("operators.nouser", name), null);
              } else {
                audit(ctx, who, "console_operator_put:" + role, name, null, reason);
                replies.redirect(ctx, "/console/operators?done=operator-added");
              }
            });
  }

  private void confirmRemoval(RoutingContext ctx, Texts t, ConsolePages.Who who) {
    String username = ctx.pathParam("username");
    if (who.username().equals(username)) {
      operatorsPage(ctx, t, who, 409, t.get("error.self.role"), null);
      return;
    }
    operator(ctx, t, who, username)
        .onSuccess(
            found -> {
              if (found) {
                replies.page(ctx, 200, ConsolePages.removeOperator(t, who, username, null));
              }
            });
  }

  private void removeOperator(RoutingContext ctx, Texts t, ConsolePages.Who who) {
    String username = ctx.pathParam("username");
    String reason = reason(ctx.request().formAttributes());
    if (who.username().equals(username)) {
      operatorsPage(ctx, t, who, 409, t.get("error.self.role"), null);
      return;
    }
    if (reason == null && Validation.username(username)) {
      replies.page(ctx, 400, ConsolePages.removeOperator(t, who, username, t.get("error.reason")));
      return;
    }
    operator(ctx, t, who, username)
        .onSuccess(
            found -> {
              if (!found) {
                return;
              }
              store
                  .deleteConsoleOperator(username)
                  .onComplete(
                      ar -> {
                        if (ar.failed()) {
                          unavailable(ctx, t, who);
                        } else if (!ar.result()) {
                          notFound(ctx, t, who, t.get("notfound.operator", username));
                        } else {
                          audit(ctx, who, "console_operator_deleted", username, null, reason);
                          replies.redirect(ctx, "/console/operators?done=operator-removed");
                        }
                      });
            });
  }

  /** True when {@code username} is a console operator; otherwise answered here (404 or 503). */
  private Future<Boolean> operator(
      RoutingContext ctx, Texts t, ConsolePages.Who who, String username) {
    if (!Validation.username(username)) {
      notFound(ctx, t, who, t.get("notfound.operator", username));
      return Future.succeededFuture(false);
    }
    return store
        .consoleRole(username)
        .map(
            role -> {
              if (role == null) {
                notFound(ctx, t, who, t.get("notfound.operator", username));
                return false;
              }
              return true;
            })
        .recover(
            e -> {
              unavailable(ctx, t, who);
              return Future.succeededFuture(false);
            });
  }

  // ---- helpers ----

  /**
   * Logs the action and sends it to the audit trail: decision {@code ADMIN}, the action as its
   * reason, {@code @console:<operator>} as its client, and the operator's words as its note.
   */
  void audit(
      RoutingContext ctx,
      ConsolePages.Who who,
      String action,
      String username,
      String serial,
      String reason) {
    audit(address(ctx), who, action, username, serial, reason);
  }

  /**
   * {@link #audit(RoutingContext, ConsolePages.Who, String, String, String, String)} for an action
   * that ends after its request was answered (a bulk load): from {@code ip}, the operator's address
   * when it began.
   */
  void audit(
      String ip,
      ConsolePages.Who who,
      String action,
      String username,
      String serial,
      String reason) {
    LOG.atInfo()
        .setMessage("console")
        .addKeyValue("action", action)
        .addKeyValue("user", username)
        .addKeyValue("serial", serial)
        .addKeyValue("operator", who.username())
        .addKeyValue("ip", ip)
        .log();
    vertx
        .eventBus()
        .send(
            Addresses.AUDIT_DECISION,
            AuditEvent.of(
                    console.clock().millis(),
                    null,
                    username,
                    ip,
                    CLIENT + ":" + who.username(),
                    "ADMIN",
                    action,
                    null,
                    serial)
                .withNote(reason),
            LOCAL);
  }

  /** The audit trail's name of an action, as the admin API names the same action. */
  private static String auditAction(String action) {
    return switch (action) {
      case "unlock" -> "unlocked";
      case "clear-pin" -> "pin_cleared";
      case "enable" -> "token_enabled";
      case "unassign" -> "token_unassigned";
      default -> "token_disabled";
    };
  }

  /** The reason given: one line of 1 to 200 characters, trimmed; null when it is not that. */
  static String reason(MultiMap form) {
    String r = HtmlReplies.single(form, "reason");
    if (r == null) {
      return null;
    }
    r = r.strip();
    return r.isEmpty() || r.length() > REASON_MAX || r.chars().anyMatch(Character::isISOControl)
        ? null
        : r;
  }

  /** The whole number in a field, or -1 when absent, malformed or out of bounds. */
  private static int number(MultiMap form, String name, int min, int max) {
    String v = HtmlReplies.single(form, name);
    try {
      int n = v == null ? -1 : Integer.parseInt(v.strip());
      return n < min || n > max ? -1 : n;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** The operator's address: the peer's, or what a trusted proxy in front says it is. */
  String address(RoutingContext ctx) {
    return proxies.of(ctx.request());
  }

  private Optional<ConsoleSessions.Session> session(RoutingContext ctx) {
    Cookie cookie = ctx.request().getCookie(ConsoleSessions.COOKIE);
    return cookie == null ? Optional.empty() : console.sessions().open(cookie.getValue());
  }

  /** The session cookie with {@code value}; an empty value removes it. */
  private Cookie sessionCookie(RoutingContext ctx, String value) {
    return replies.cookie(
        ctx,
        ConsoleSessions.COOKIE,
        value,
        "/console",
        value.isEmpty() ? 0 : console.sessions().lifetime().toSeconds(),
        CookieSameSite.STRICT);
  }

  /**
   * The CSRF token of the sign-in forms, for this browser's CSRF cookie (set first when it has
   * none): {@code __Host-jeton_console_csrf} over HTTPS, else {@code jeton_console_csrf} on {@code
   * /console}.
   */
  private String csrfToken(RoutingContext ctx) {
    boolean https = replies.https(ctx);
    String name = Csrf.cookieName(CSRF_COOKIE, https);
    Cookie existing = ctx.request().getCookie(name);
    String value =
        existing != null && existing.getValue().length() >= 32 && existing.getValue().length() <= 64
            ? existing.getValue()
            : null;
    if (value == null) {
      value = Csrf.newCookieValue();
      ctx.response()
          .addCookie(
              replies.cookie(
                  ctx, name, value, https ? "/" : "/console", -1, CookieSameSite.STRICT));
    }
    return console.csrf().token(value);
  }

  private boolean signInFormFromHere(RoutingContext ctx, MultiMap form) {
    if (!replies.fromThisSite(ctx)) {
      return false;
    }
    Cookie cookie = ctx.request().getCookie(Csrf.cookieName(CSRF_COOKIE, replies.https(ctx)));
    return cookie != null
        && console.csrf().valid(cookie.getValue(), HtmlReplies.single(form, Csrf.FIELD));
  }

  void unavailable(RoutingContext ctx, Texts t, ConsolePages.Who who) {
    replies.page(
        ctx,
        503,
        ConsolePages.notice(
            t, who, "unavailable", t.get("unavailable.heading"), t.get("unavailable.text")));
  }

  void notFound(RoutingContext ctx, Texts t, ConsolePages.Who who, String text) {
    replies.page(
        ctx, 404, ConsolePages.notice(t, who, "not-found", t.get("notfound.heading"), text));
  }

  private static BodyHandler form() {
    return BodyHandler.create(false).setBodyLimit(FORM_LIMIT);
  }

  static Texts texts(RoutingContext ctx) {
    return ConsolePages.TEXTS.forAcceptLanguage(ctx.request().getHeader("Accept-Language"));
  }

  /** {@code s.contains(v)} for a value that may be null (an absent field or parameter). */
  private static boolean in(Set<String> s, String v) {
    return v != null && s.contains(v);
  }

  private static boolean sameText(String a, String b) {
    return MessageDigest.isEqual(
        a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }
}
