package dev.jeton.admin;

import dev.jeton.config.Config;
import dev.jeton.crypto.PasswordHasher;
import dev.jeton.crypto.Secrets;
import dev.jeton.http.Health;
import dev.jeton.http.PublicVerticle;
import dev.jeton.http.Replies;
import dev.jeton.http.Validation;
import dev.jeton.otp.OtpAlgorithm;
import dev.jeton.track.BusStore;
import dev.jeton.track.ClientRecord;
import dev.jeton.track.FailState;
import dev.jeton.track.OperatorRecord;
import dev.jeton.track.Store;
import dev.jeton.track.TokenRecord;
import dev.jeton.track.UserRecord;
import dev.jeton.verify.Keys;
import dev.jeton.verify.PinPolicy;
import dev.jeton.verify.Verifier;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.bouncycastle.util.encoders.Base32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * The management listener: the admin API of API.md §3 that the login flows need, and health. Every call needs a
 * bearer token: the bootstrap admin token, or an operator's secret (role {@code admin} or {@code helpdesk}).
 */
public final class AdminVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger("jeton.admin");
  private static final String ADMIN = "admin";
  private static final String HELPDESK = "helpdesk";
  private static final String OPERATOR = "jeton.operator";
  private static final String ROLE = "jeton.role";

  private final Config config;
  private final Clock clock;
  private final Keys keys;
  private final PasswordHasher passwords;
  private final PinPolicy pinPolicy;
  private Store store;
  private HttpServer server;

  public AdminVerticle(Config config, Clock clock, Keys keys, PasswordHasher passwords) {
    this.config = config;
    this.clock = clock;
    this.keys = keys;
    this.passwords = passwords;
    this.pinPolicy = new PinPolicy(config.pinMinLength(), config.pinMaxLength(), config.pinForbidTrivial());
  }

  @Override
  public Future<?> start() {
    store = new BusStore(vertx, config.storeTimeoutMillis() + 200L);
    Router router = Router.router(vertx);
    Replies.installErrorHandlers(router);
    new Health(store).mount(router);
    router.route("/v1/admin/*").handler(BodyHandler.create(false).setBodyLimit(1024 * 1024)).handler(this::authorize);

    router.put("/v1/admin/users/:username").handler(role(ADMIN, this::putUser));
    router.get("/v1/admin/users/:username").handler(role(HELPDESK, this::getUser));
    router.delete("/v1/admin/users/:username").handler(role(ADMIN, this::deleteUser));
    router.post("/v1/admin/users/:username/clear-pin").handler(role(HELPDESK, this::clearPin));
    router.post("/v1/admin/users/:username/unlock").handler(role(HELPDESK, this::unlock));
    router.post("/v1/admin/users/:username/emergency-codes").handler(role(HELPDESK, this::emergencyCodes));
    router.put("/v1/admin/users/:username/tokens/:serial").handler(role(ADMIN, this::assign));
    router.delete("/v1/admin/users/:username/tokens/:serial").handler(role(ADMIN, this::unassign));
    router.post("/v1/admin/tokens").handler(role(ADMIN, this::createToken));
    router.get("/v1/admin/tokens/:serial").handler(role(HELPDESK, this::getToken));
    router.post("/v1/admin/tokens/:serial/enable").handler(role(ADMIN, ctx -> setEnabled(ctx, true)));
    router.post("/v1/admin/tokens/:serial/disable").handler(role(ADMIN, ctx -> setEnabled(ctx, false)));
    router.put("/v1/admin/clients/:name").handler(role(ADMIN, this::putClient));
    router.put("/v1/admin/operators/:name").handler(role(ADMIN, this::putOperator));
    router.delete("/v1/admin/operators/:name").handler(role(ADMIN, this::deleteOperator));

    server = vertx.createHttpServer(new HttpServerOptions().setHost(config.adminHost()).setPort(config.adminPort()));
    return server.requestHandler(router).listen();
  }

  public int actualPort() {
    return server.actualPort();
  }

  // ---- authorization ----

  private void authorize(RoutingContext ctx) {
    String h = ctx.request().getHeader("Authorization");
    String secret = h != null && h.regionMatches(true, 0, "Bearer ", 0, 7) ? h.substring(7).trim() : null;
    if (secret == null || secret.isEmpty() || secret.length() > 512) {
      Replies.error(ctx, 401, "unauthorized", "an admin bearer token is required");
      return;
    }
    if (config.adminToken() != null && Secrets.matches(secret, Secrets.hash(config.adminToken()))) {
      ctx.put(OPERATOR, "bootstrap").put(ROLE, ADMIN).next();
      return;
    }
    store.findOperator(Secrets.hash(secret)).onComplete(ar -> {
      if (ar.failed()) {
        Replies.error(ctx, 503, "unavailable", null);
      } else if (ar.result() == null) {
        Replies.error(ctx, 401, "unauthorized", "unknown or revoked token");
      } else {
        ctx.put(OPERATOR, ar.result().name()).put(ROLE, ar.result().role()).next();
      }
    });
  }

  /** Lets the handler run for {@code admin}, and for {@code helpdesk} too when {@code least} is helpdesk. */
  private static Handler<RoutingContext> role(String least, Handler<RoutingContext> handler) {
    return ctx -> {
      String role = ctx.get(ROLE);
      if (ADMIN.equals(role) || (HELPDESK.equals(least) && HELPDESK.equals(role))) {
        handler.handle(ctx);
      } else {
        Replies.error(ctx, 403, "forbidden", "role " + role + " may not do this");
      }
    };
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
    Future<String> hash = password == null ? Future.succeededFuture(null)
        : vertx.executeBlocking(() -> passwords.hash(password), false);
    hash.compose(h -> store.putUser(new Store.PutUser(username, displayName, h, clock.millis())))
        .compose(created -> store.getUser(username).map(v -> {
          audit(ctx, created ? "user_created" : "user_updated", username);
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
        audit(ctx, "user_deleted", username);
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
        audit(ctx, "pin_cleared", username);
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
      audit(ctx, "unlocked", username);
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
    List<String> codes = new ArrayList<>();
    List<String> hashes = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String code = Secrets.randomDigits(Verifier.EMERGENCY_DIGITS);
      codes.add(code);
      hashes.add(keys.emergencyCodes().hash(username, code));
    }
    long expiresAt = clock.millis() + validSeconds * 1000L;
    store.putEmergencyCodes(new Store.EmergencyCodes(username, hashes, expiresAt)).onSuccess(found -> {
      if (found) {
        audit(ctx, "emergency_codes_issued", username);
        Replies.json(ctx, 200, new JsonObject().put("codes", new JsonArray(codes))
            .put("expiresAt", Instant.ofEpochMilli(expiresAt).toString()));
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
    String serial = optionalString(ctx, body, "serial", 64);
    String type = optionalString(ctx, body, "type", 8);
    String algorithm = optionalString(ctx, body, "algorithm", 8);
    String secret = optionalString(ctx, body, "secret", 1024);
    String pin = optionalString(ctx, body, "pin", 32);
    Integer digits = optionalInt(ctx, body, "digits", 6, 8, 6);
    Integer period = optionalInt(ctx, body, "period", 1, 300, 30);
    Integer counter = optionalInt(ctx, body, "counter", 0, Integer.MAX_VALUE, 0);
    if (ctx.response().ended()) {
      return;
    }
    if (serial == null || !Validation.SERIAL.matcher(serial).matches()) {
      Replies.error(ctx, 400, "invalid_request", "serial must be 1 to 64 of A-Z a-z 0-9 . _ -");
      return;
    }
    type = type == null ? "totp" : type.toLowerCase(Locale.ROOT);
    if (!type.equals("totp") && !type.equals("hotp")) {
      Replies.error(ctx, 400, "invalid_request", "type must be totp or hotp");
      return;
    }
    if (digits == 7) {
      Replies.error(ctx, 400, "invalid_request", "digits must be 6 or 8");
      return;
    }
    OtpAlgorithm alg;
    try {
      alg = OtpAlgorithm.parse(algorithm == null ? "SHA1" : algorithm);
    } catch (IllegalArgumentException e) {
      Replies.error(ctx, 400, "invalid_request", "algorithm must be SHA1, SHA256 or SHA512");
      return;
    }
    byte[] seed = base32(secret);
    if (seed == null || seed.length < 10 || seed.length > 128) {
      Replies.error(ctx, 400, "invalid_request", "secret must be base32 of 10 to 128 bytes");
      return;
    }
    String pinHash = null;
    if (pin != null) {
      String refusal = pinPolicy.refusal(pin);
      if (refusal != null) {
        Replies.error(ctx, 400, "pin_policy", refusal);
        return;
      }
      pinHash = keys.pins().hash(serial, pin);
    }
    String encrypted = Base64.getEncoder().encodeToString(keys.seeds().encrypt(seed, serial));
    long last = type.equals("hotp") ? counter - 1L : -1L;
    TokenRecord t = new TokenRecord(serial, type, alg.name(), digits, type.equals("hotp") ? 0 : period, encrypted, true,
        pinHash, last, 0, 0, null);
    boolean withPin = pinHash != null;
    store.createToken(t).onSuccess(created -> {
      if (created) {
        audit(ctx, withPin ? "token_created_with_pin" : "token_created", serial);
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
            audit(ctx, enabled ? "token_enabled" : "token_disabled", serial);
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
          audit(ctx, "token_assigned:" + serial, username);
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
        audit(ctx, "token_unassigned:" + serial, username);
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
      vertx.eventBus().publish(PublicVerticle.CLIENTS_CHANGED, name);
      audit(ctx, "client_put", name);
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
      audit(ctx, "operator_put:" + role, name);
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
        audit(ctx, "operator_revoked", name);
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

  private static byte[] base32(String s) {
    if (s == null) {
      return null;
    }
    String clean = s.replace(" ", "").replace("=", "").toUpperCase(Locale.ROOT);
    if (clean.isEmpty() || !clean.matches("[A-Z2-7]+")) {
      return null;
    }
    int pad = (8 - clean.length() % 8) % 8;
    try {
      return Base32.decode(clean + "=".repeat(pad));
    } catch (RuntimeException e) {
      return null;
    }
  }

  private void audit(RoutingContext ctx, String action, String subject) {
    LOG.info("event=admin action={} subject={} operator={} ip={}", action, subject, ctx.<String>get(OPERATOR),
        ctx.request().remoteAddress() == null ? null : ctx.request().remoteAddress().hostAddress());
  }

  private static void unavailable(RoutingContext ctx, Throwable e) {
    LOG.warn("event=admin_store_failure detail=\"{}\"", e.getMessage());
    Replies.error(ctx, 503, "unavailable", null);
  }
}
