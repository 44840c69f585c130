package dev.jeton.admin;

import dev.jeton.config.Config;
import dev.jeton.metrics.JetonMetrics;
import io.vertx.micrometer.PrometheusScrapingHandler;
import dev.jeton.crypto.PasswordHasher;
import dev.jeton.crypto.Secrets;
import dev.jeton.web.Health;
import dev.jeton.web.ListenerVerticle;
import dev.jeton.web.Replies;
import dev.jeton.web.Validation;
import dev.jeton.track.BusStore;
import dev.jeton.track.ClientRecord;
import dev.jeton.track.FailState;
import dev.jeton.track.OperatorRecord;
import dev.jeton.track.Store;
import dev.jeton.track.TokenRecord;
import dev.jeton.track.UserRecord;
import dev.jeton.crypto.Keys;
import dev.jeton.policy.PasswordPolicy;
import dev.jeton.policy.PinPolicy;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import dev.jeton.audit.AuditEvent;
import dev.jeton.audit.AuditVerticle;
import dev.jeton.bus.Addresses;
import dev.jeton.bus.EmergencyCodes;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.SecurityPolicyHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The management listener: the admin API of API.md §3 that the login flows need, and health. Every call needs a
 * bearer token: the bootstrap admin token, or an operator's secret (role {@code admin} or {@code helpdesk}). The
 * token and its role are checked before any body is read; bodies are then bounded (1 MiB, PSKC files
 * {@link PskcImport#BODY_LIMIT}), and bulk loads are streamed ({@link BulkLoader}).
 */
public final class AdminVerticle extends ListenerVerticle {

  private static final Logger LOG = LoggerFactory.getLogger("jeton.admin");
  private static final String ADMIN = "admin";
  private static final String HELPDESK = "helpdesk";
  private static final String OPERATOR = "jeton.operator";
  private static final String ROLE = "jeton.role";
  private static final int BODY_LIMIT = 1024 * 1024;
  private static final int AUDIT_MAX_LIMIT = 1000;
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);

  private final Clock clock;
  private final Keys keys;
  private final PasswordHasher passwords;
  private final JetonMetrics metrics;

  private final TokenInput tokens;
  private Store store;
  private BulkLoader bulk;
  private PskcImport pskc;

  public AdminVerticle(Config config, Clock clock, Keys keys, PasswordHasher passwords, JetonMetrics metrics) {
    super(config);
    this.metrics = metrics;
    this.clock = clock;
    this.keys = keys;
    this.passwords = passwords;
    this.tokens = new TokenInput(keys,
        new PinPolicy(config.pinMinLength(), config.pinMaxLength(), config.pinForbidTrivial()));
  }

  @Override
  public Future<?> start() {
    store = new BusStore(vertx, config.storeTimeoutMillis() + 200L);
    bulk = new BulkLoader(vertx, store, tokens, passwords, clock, this);
    pskc = new PskcImport(vertx, store, tokens, this);
    router = Router.router(vertx);
    Replies.installErrorHandlers(router);
    new Health(store).mount(router);
    router.get("/openapi.yaml").handler(this::openApi);
    if (metrics.enabled()) {
      router.get("/metrics").handler(PrometheusScrapingHandler.create(metrics.prometheusRegistry()));
    }
    route(router, HttpMethod.PUT, "/v1/admin/users/:username", ADMIN, this::putUser);
    route(router, HttpMethod.GET, "/v1/admin/users/:username", HELPDESK, this::getUser);
    route(router, HttpMethod.DELETE, "/v1/admin/users/:username", ADMIN, this::deleteUser);
    route(router, HttpMethod.POST, "/v1/admin/users/:username/clear-pin", HELPDESK, this::clearPin);
    route(router, HttpMethod.POST, "/v1/admin/users/:username/unlock", HELPDESK, this::unlock);
    route(router, HttpMethod.POST, "/v1/admin/users/:username/emergency-codes", HELPDESK, this::emergencyCodes);
    route(router, HttpMethod.PUT, "/v1/admin/users/:username/tokens/:serial", ADMIN, this::assign);
    route(router, HttpMethod.DELETE, "/v1/admin/users/:username/tokens/:serial", ADMIN, this::unassign);
    route(router, HttpMethod.POST, "/v1/admin/tokens", ADMIN, this::createToken);
    route(router, HttpMethod.GET, "/v1/admin/tokens/:serial", HELPDESK, this::getToken);
    route(router, HttpMethod.POST, "/v1/admin/tokens/:serial/enable", ADMIN, ctx -> setEnabled(ctx, true));
    route(router, HttpMethod.POST, "/v1/admin/tokens/:serial/disable", ADMIN, ctx -> setEnabled(ctx, false));
    route(router, HttpMethod.PUT, "/v1/admin/clients/:name", ADMIN, this::putClient);
    route(router, HttpMethod.PUT, "/v1/admin/operators/:name", ADMIN, this::putOperator);
    route(router, HttpMethod.DELETE, "/v1/admin/operators/:name", ADMIN, this::deleteOperator);
    route(router, HttpMethod.GET, "/v1/admin/audit", HELPDESK, this::audit);
    router.route(HttpMethod.POST, "/v1/admin/tokens/import")
        .handler(authorize(ADMIN))
        .handler(BodyHandler.create(false).setBodyLimit(PskcImport.BODY_LIMIT))
        .handler(pskc::handle);
    router.route(HttpMethod.POST, "/v1/admin/bulk")
        .handler(authorize(ADMIN))
        .handler(ctx -> {
          streamsItsBody(ctx);
          bulk.load(ctx);
        });

    return listen(config.adminHost(), config.adminPort());
  }

  /** The caller is known, and allowed, before a byte of the body is read: then the body, bounded. */
  private void route(Router router, HttpMethod method, String path, String least, Handler<RoutingContext> handler) {
    router.route(method, path)
        .handler(authorize(least))
        .handler(BodyHandler.create(false).setBodyLimit(BODY_LIMIT))
        .handler(handler);
  }

  /** The OpenAPI 3.1 document of both listeners, read once from the jar. */
  private void openApi(RoutingContext ctx) {
    vertx.fileSystem().readFile("openapi.yaml")
        .onSuccess(doc -> ctx.response().putHeader("Content-Type", "application/yaml").end(doc))
        .onFailure(e -> Replies.error(ctx, 500, "internal_error", null));
  }

  // ---- authorization ----

  private Handler<RoutingContext> authorize(String least) {
    return new Gate(least);
  }

  /**
   * Authenticates the bearer token and checks its role ({@code admin}, or {@code helpdesk} too when {@code least}
   * is helpdesk) before anything reads the body: the request is paused while the operator is looked up
   * over the bus (a body arriving meanwhile waits in the connection, then in TCP, instead of being dropped), and the
   * next handler (the body handler, or the bulk load) resumes it. A caller who is refused never has the body read
   * ({@link #refuseUnread}).
   *
   * <p>A {@link SecurityPolicyHandler} by kind: Vert.x Web orders a route's handlers by kind and runs the body
   * handler before any authentication handler; a security policy (like CORS, which also answers before the body) is
   * the kind that it lets run first.
   */
  private final class Gate implements SecurityPolicyHandler {
    private final String least;

    Gate(String least) {
      this.least = least;
    }

    @Override
    public void handle(RoutingContext ctx) {
      String h = ctx.request().getHeader("Authorization");
      String secret = h != null && h.regionMatches(true, 0, "Bearer ", 0, 7) ? h.substring(7).trim() : null;
      if (secret == null || secret.isEmpty() || secret.length() > 512) {
        refuseUnread(ctx, 401, "unauthorized", "an admin bearer token is required");
        return;
      }
      if (config.adminToken() != null && Secrets.matches(secret, Secrets.hash(config.adminToken()))) {
        admit(ctx, "bootstrap", ADMIN, least);
        return;
      }
      // Without a pause, the body's first bytes (or its end) would go to no handler while the operator is looked up.
      ctx.request().pause();
      store.findOperator(Secrets.hash(secret)).onComplete(ar -> {
        if (ar.failed()) {
          refuseUnread(ctx, 503, "unavailable", null);
        } else if (ar.result() == null) {
          refuseUnread(ctx, 401, "unauthorized", "unknown or revoked token");
        } else {
          admit(ctx, ar.result().name(), ar.result().role(), least);
        }
      });
    }
  }

  /** Lets the request go on for {@code admin}, and for {@code helpdesk} too when {@code least} is helpdesk. */
  private static void admit(RoutingContext ctx, String operator, String role, String least) {
    if (ADMIN.equals(role) || (HELPDESK.equals(least) && HELPDESK.equals(role))) {
      HttpServerRequest request = ctx.request();
      if (request.getHeader(HttpHeaders.CONTENT_LENGTH) == null
          && !request.headers().contains(HttpHeaders.TRANSFER_ENCODING)) {
        // No body to read: the body handler passes it by, so nothing else would resume it and let it end.
        request.resume();
      }
      ctx.put(OPERATOR, operator).put(ROLE, role).next();
    } else {
      refuseUnread(ctx, 403, "forbidden", "role " + role + " may not do this");
    }
  }

  // ---- users ----

  private void putUser(RoutingContext ctx) {
    String username = username(ctx);
    JsonObject body = body(ctx);
    if (username == null || body == null) {
      return;
    }
    String displayName = optionalString(ctx, body, "displayName", 256);
    String password = optionalString(ctx, body, "password", 256);
    if (ctx.response().ended()) {
      return;
    }
    String refusal = password == null ? null : PasswordPolicy.refusal(password);
    if (refusal != null) {
      Replies.error(ctx, 400, "invalid_request", refusal);
      return;
    }
    Future<String> hash = password == null ? Future.succeededFuture(null)
        : vertx.executeBlocking(() -> passwords.hash(password), false);
    hash.compose(h -> store.putUser(new Store.PutUser(username, displayName, h, clock.millis())))
        .compose(created -> store.getUser(username).map(v -> {
          audit(ctx, created ? "user_created" : "user_updated", username, null);
          Replies.json(ctx, created ? 201 : 200, userView(v));
          return null;
        }))
        .onFailure(e -> unavailable(ctx, e));
  }

  private void getUser(RoutingContext ctx) {
    String username = username(ctx);
    if (username == null) {
      return;
    }
    store.getUser(username).onSuccess(v -> {
      if (v == null) {
        Replies.error(ctx, 404, "not_found", "no such user");
      } else {
        Replies.json(ctx, 200, userView(v));
      }
    }).onFailure(e -> unavailable(ctx, e));
  }

  private void deleteUser(RoutingContext ctx) {
    String username = username(ctx);
    if (username == null) {
      return;
    }
    store.deleteUser(username).onSuccess(found -> {
      if (found) {
        audit(ctx, "user_deleted", username, null);
        ctx.response().setStatusCode(204).end();
      } else {
        Replies.error(ctx, 404, "not_found", "no such user");
      }
    }).onFailure(e -> unavailable(ctx, e));
  }

  private void clearPin(RoutingContext ctx) {
    String username = username(ctx);
    if (username == null) {
      return;
    }
    store.clearPins(username).onSuccess(found -> {
      if (found) {
        audit(ctx, "pin_cleared", username, null);
        Replies.json(ctx, 200, new JsonObject().put("username", username).put("pinCleared", true));
      } else {
        Replies.error(ctx, 404, "not_found", "no such user");
      }
    }).onFailure(e -> unavailable(ctx, e));
  }

  private void unlock(RoutingContext ctx) {
    String username = username(ctx);
    if (username == null) {
      return;
    }
    store.unlock(username).onSuccess(v -> {
      audit(ctx, "unlocked", username, null);
      Replies.json(ctx, 200, new JsonObject().put("username", username).put("locked", false));
    }).onFailure(e -> unavailable(ctx, e));
  }

  private void emergencyCodes(RoutingContext ctx) {
    String username = username(ctx);
    JsonObject body = body(ctx);
    if (username == null || body == null) {
      return;
    }
    Integer count = optionalInt(ctx, body, "count", 1, 10, 5);
    Integer validSeconds = optionalInt(ctx, body, "validSeconds", 60, 30 * 86_400, 86_400);
    if (count == null || validSeconds == null) {
      return;
    }
    vertx.eventBus().<EmergencyCodes.Issued>request(Addresses.VERIFY_EMERGENCY_CODES,
        new EmergencyCodes.Request(username, count, validSeconds), emergencyOptions()).onSuccess(m -> {
          EmergencyCodes.Issued issued = m.body();
          if (issued.found()) {
            audit(ctx, "emergency_codes_issued", username, null);
            Replies.json(ctx, 200, new JsonObject().put("codes", new JsonArray(issued.codes()))
                .put("expiresAt", Instant.ofEpochMilli(issued.expiresAtMillis()).toString()));
          } else {
            Replies.error(ctx, 404, "not_found", "no such user");
          }
        }).onFailure(e -> unavailable(ctx, e));
  }

  // ---- tokens ----

  private void createToken(RoutingContext ctx) {
    JsonObject body = body(ctx);
    if (body == null) {
      return;
    }
    TokenRecord t;
    try {
      t = tokens.fromJson(body);
    } catch (BadRequest e) {
      Replies.error(ctx, 400, e.error(), e.getMessage());
      return;
    }
    String serial = t.serial();
    store.createToken(t).onSuccess(created -> {
      if (created) {
        audit(ctx, t.pinSet() ? "token_created_with_pin" : "token_created", null, serial);
        Replies.json(ctx, 201, tokenView(t));
      } else {
        Replies.error(ctx, 409, "conflict", "a token with this serial exists");
      }
    }).onFailure(e -> unavailable(ctx, e));
  }

  private void getToken(RoutingContext ctx) {
    String serial = serial(ctx);
    if (serial == null) {
      return;
    }
    store.getToken(serial).onSuccess(t -> {
      if (t == null) {
        Replies.error(ctx, 404, "not_found", "no such token");
      } else {
        Replies.json(ctx, 200, tokenView(t));
      }
    }).onFailure(e -> unavailable(ctx, e));
  }

  private void setEnabled(RoutingContext ctx, boolean enabled) {
    String serial = serial(ctx);
    if (serial == null) {
      return;
    }
    store.setEnabled(new Store.SetEnabled(serial, enabled))
        .compose(found -> found ? store.getToken(serial) : Future.succeededFuture(null))
        .onSuccess(t -> {
          if (t == null) {
            Replies.error(ctx, 404, "not_found", "no such token");
          } else {
            audit(ctx, enabled ? "token_enabled" : "token_disabled", null, serial);
            Replies.json(ctx, 200, tokenView(t));
          }
        }).onFailure(e -> unavailable(ctx, e));
  }

  private void assign(RoutingContext ctx) {
    String username = username(ctx);
    String serial = username == null ? null : serial(ctx);
    if (serial == null) {
      return;
    }
    store.assign(new Store.Assign(username, serial)).onSuccess(r -> {
      switch (r) {
        case OK:
          audit(ctx, "token_assigned", username, serial);
          Replies.json(ctx, 200, new JsonObject().put("username", username).put("serial", serial));
          break;
        case NO_USER:
          Replies.error(ctx, 404, "not_found", "no such user");
          break;
        case NO_TOKEN:
          Replies.error(ctx, 404, "not_found", "no such token");
          break;
        case OWNED_BY_OTHER:
          Replies.error(ctx, 409, "conflict", "the token is assigned to another user");
          break;
        default:
          Replies.error(ctx, 409, "conflict", "a user has at most " + UserRecord.MAX_TOKENS + " tokens");
      }
    }).onFailure(e -> unavailable(ctx, e));
  }

  private void unassign(RoutingContext ctx) {
    String username = username(ctx);
    String serial = username == null ? null : serial(ctx);
    if (serial == null) {
      return;
    }
    store.unassign(new Store.Assign(username, serial)).onSuccess(found -> {
      if (found) {
        audit(ctx, "token_unassigned", username, serial);
        ctx.response().setStatusCode(204).end();
      } else {
        Replies.error(ctx, 404, "not_found", "the user does not hold this token");
      }
    }).onFailure(e -> unavailable(ctx, e));
  }

  // ---- clients and operators ----

  private void putClient(RoutingContext ctx) {
    String name = name(ctx);
    JsonObject body = body(ctx);
    if (name == null || body == null) {
      return;
    }
    Object trust = body.getValue("trustClientIp", false);
    String level = optionalString(ctx, body, "defaultLevel", 8);
    if (ctx.response().ended()) {
      return;
    }
    if (!(trust instanceof Boolean)) {
      Replies.error(ctx, 400, "invalid_request", "trustClientIp must be true or false");
      return;
    }
    level = level == null ? "any" : level;
    if (!level.equals("any") && !level.equals("otp")) {
      Replies.error(ctx, 400, "invalid_request", "defaultLevel must be any or otp");
      return;
    }
    String secret = Secrets.newSecret();
    ClientRecord c = new ClientRecord(name, Secrets.hash(secret), (Boolean) trust, level);
    store.putClient(c).onSuccess(v -> {
      vertx.eventBus().publish(Addresses.CLIENTS_CHANGED, name);
      audit(ctx, "client_put:" + name, null, null);
      Replies.json(ctx, 200, new JsonObject().put("name", name).put("secret", secret)
          .put("trustClientIp", c.trustClientIp()).put("defaultLevel", c.defaultLevel()));
    }).onFailure(e -> unavailable(ctx, e));
  }

  private void putOperator(RoutingContext ctx) {
    String name = name(ctx);
    JsonObject body = body(ctx);
    if (name == null || body == null) {
      return;
    }
    String role = optionalString(ctx, body, "role", 16);
    if (ctx.response().ended()) {
      return;
    }
    if (!ADMIN.equals(role) && !HELPDESK.equals(role)) {
      Replies.error(ctx, 400, "invalid_request", "role must be admin or helpdesk");
      return;
    }
    String secret = Secrets.newSecret();
    store.putOperator(new OperatorRecord(name, Secrets.hash(secret), role)).onSuccess(v -> {
      audit(ctx, "operator_put:" + name + ":" + role, null, null);
      Replies.json(ctx, 200, new JsonObject().put("name", name).put("role", role).put("secret", secret));
    }).onFailure(e -> unavailable(ctx, e));
  }

  private void deleteOperator(RoutingContext ctx) {
    String name = name(ctx);
    if (name == null) {
      return;
    }
    store.deleteOperator(name).onSuccess(found -> {
      if (found) {
        audit(ctx, "operator_revoked:" + name, null, null);
        ctx.response().setStatusCode(204).end();
      } else {
        Replies.error(ctx, 404, "not_found", "no such operator");
      }
    }).onFailure(e -> unavailable(ctx, e));
  }

  // ---- views ----

  private JsonObject userView(Store.UserView v) {
    UserRecord u = v.user();
    FailState f = v.fail();
    long now = clock.millis();
    JsonArray tokens = new JsonArray();
    u.tokens().forEach(t -> tokens.add(new JsonObject().put("serial", t.serial()).put("type", t.type())
        .put("pinSet", t.pinSet()).put("enabled", t.enabled()).put("drift", t.drift())
        .put("lastUsedAt", t.lastUsedAt() == 0 ? null : Instant.ofEpochMilli(t.lastUsedAt()).toString())));
    return new JsonObject().put("username", u.username()).put("displayName", u.displayName())
        .put("hasPassword", u.passwordHash() != null).put("locked", f.lockedAt(now))
        .put("lockedUntil", f.lockedAt(now) ? Instant.ofEpochMilli(f.lockedUntil()).toString() : null)
        .put("failures", f.failures()).put("tokens", tokens)
        .put("emergencyCodesLeft", u.emergencyCodesLeft(now));
  }

  private static JsonObject tokenView(TokenRecord t) {
    JsonObject o = new JsonObject().put("serial", t.serial()).put("type", t.type()).put("algorithm", t.algorithm())
        .put("digits", t.digits());
    if (t.totp()) {
      o.put("period", t.period());
    }
    return o.put("enabled", t.enabled()).put("pinSet", t.pinSet()).put("owner", t.owner()).put("drift", t.drift())
        .put("lastUsedAt", t.lastUsedAt() == 0 ? null : Instant.ofEpochMilli(t.lastUsedAt()).toString());
  }

  // ---- request helpers ----

  private static String username(RoutingContext ctx) {
    return param(ctx, "username", Validation.USERNAME, "username must be 1 to 64 of A-Z a-z 0-9 . _ @ -");
  }

  private static String serial(RoutingContext ctx) {
    return param(ctx, "serial", Validation.SERIAL, "serial must be 1 to 64 of A-Z a-z 0-9 . _ -");
  }

  private static String name(RoutingContext ctx) {
    return param(ctx, "name", Validation.NAME, "name must be 1 to 64 of A-Z a-z 0-9 . _ -");
  }

  private static String param(RoutingContext ctx, String name, java.util.regex.Pattern pattern, String detail) {
    String v = ctx.pathParam(name);
    if (v == null || !pattern.matcher(v).matches()) {
      Replies.error(ctx, 400, "invalid_request", detail);
      return null;
    }
    return v;
  }

  /** The JSON object body; an absent body is an empty object. Answers 400 and returns null otherwise. */
  private static JsonObject body(RoutingContext ctx) {
    if (ctx.body() == null || ctx.body().length() == 0) {
      return new JsonObject();
    }
    try {
      JsonObject o = ctx.body().asJsonObject();
      return o == null ? new JsonObject() : o;
    } catch (DecodeException | ClassCastException e) {
      Replies.error(ctx, 400, "invalid_request", "the body must be a JSON object");
      return null;
    }
  }

  private static String optionalString(RoutingContext ctx, JsonObject body, String field, int maxLength) {
    Object v = body.getValue(field);
    if (v == null || ctx.response().ended()) {
      return null;
    }
    if (!(v instanceof String) || ((String) v).length() > maxLength) {
      Replies.error(ctx, 400, "invalid_request", field + " must be a string of at most " + maxLength + " characters");
      return null;
    }
    return (String) v;
  }

  private static Integer optionalInt(RoutingContext ctx, JsonObject body, String field, int min, int max, int def) {
    Object v = body.getValue(field);
    if (ctx.response().ended()) {
      return null;
    }
    if (v == null) {
      return def;
    }
    if (!(v instanceof Integer) || (Integer) v < min || (Integer) v > max) {
      Replies.error(ctx, 400, "invalid_request", field + " must be an integer from " + min + " to " + max);
      return null;
    }
    return (Integer) v;
  }


  /** Every admin action is audited: who (operator), from where, did what, to which user or token. */
  void audit(RoutingContext ctx, String action, String username, String serial) {
    String operator = ctx.get(OPERATOR);
    String ip = ctx.request().remoteAddress() == null ? null : ctx.request().remoteAddress().hostAddress();
    LOG.atInfo().setMessage("admin").addKeyValue("action", action).addKeyValue("user", username)
        .addKeyValue("serial", serial).addKeyValue("operator", operator).addKeyValue("ip", ip).log();
    vertx.eventBus().send(Addresses.AUDIT_DECISION, AuditEvent.of(clock.millis(), null, username, ip, operator,
        "ADMIN", action, null, serial), LOCAL);
  }

  private void audit(RoutingContext ctx) {
    String username = ctx.queryParams().get("username");
    if (username != null && !Validation.USERNAME.matcher(username).matches()) {
      Replies.error(ctx, 400, "invalid_request", "username must be 1 to 64 of A-Z a-z 0-9 . _ @ -");
      return;
    }
    int limit;
    try {
      String given = ctx.queryParams().get("limit");
      limit = given == null ? 50 : Integer.parseInt(given);
    } catch (NumberFormatException e) {
      limit = -1;
    }
    if (limit < 1 || limit > AUDIT_MAX_LIMIT) {
      Replies.error(ctx, 400, "invalid_request", "limit must be an integer from 1 to " + AUDIT_MAX_LIMIT);
      return;
    }
    vertx.eventBus().<AuditVerticle.Events>request(Addresses.AUDIT_QUERY, new AuditVerticle.Query(username, limit),
            new DeliveryOptions().setLocalOnly(true).setSendTimeout(config.storeTimeoutMillis() * 2L + 1000))
        .map(Message::body)
        .onSuccess(found -> {
          JsonArray events = new JsonArray();
          for (AuditEvent e : found.events()) {
            events.add(new JsonObject().put("at", e.at()).put("username", e.username()).put("clientIp", e.clientIp())
                .put("client", e.client()).put("decision", e.decision()).put("reason", e.reason())
                .put("method", e.method()).put("tokenSerial", e.tokenSerial()).put("requestId", e.requestId()));
          }
          Replies.json(ctx, 200, new JsonObject().put("events", events));
        })
        .onFailure(e -> unavailable(ctx, e));
  }

  /** Verification makes the codes and writes them to the store: the store's timeout, and a margin. */
  private DeliveryOptions emergencyOptions() {
    return new DeliveryOptions().setLocalOnly(true).setSendTimeout(config.storeTimeoutMillis() + 1000L);
  }

  private static void unavailable(RoutingContext ctx, Throwable e) {
    LOG.atWarn().setMessage("admin_store_failure").addKeyValue("detail", e.getMessage()).log();
    Replies.error(ctx, 503, "unavailable", null);
  }
}
