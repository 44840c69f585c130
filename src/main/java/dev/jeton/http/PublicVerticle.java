package dev.jeton.http;

import dev.jeton.bus.Addresses;
import dev.jeton.bus.LoginOutcome;
import dev.jeton.bus.LoginRequest;
import dev.jeton.config.Config;
import dev.jeton.crypto.Secrets;
import dev.jeton.portal.Portal;
import dev.jeton.portal.PortalRoutes;
import dev.jeton.track.BusStore;
import dev.jeton.track.ClientRecord;
import dev.jeton.track.Store;
import dev.jeton.web.ClientAddress;
import dev.jeton.web.Health;
import dev.jeton.web.ListenerVerticle;
import dev.jeton.web.Replies;
import dev.jeton.web.Validation;
import dev.jeton.web.VerifierClient;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The public listener: the JSON intake {@code POST /v1/authenticate}, the login portal ({@link
 * PortalRoutes}) and health. The JSON intake bounds and parses the request, authenticates the
 * calling portal, sends a {@link LoginRequest} to verification over the bus and turns the {@link
 * LoginOutcome} into HTTP. It knows nothing of OTP.
 */
public final class PublicVerticle extends ListenerVerticle {

  private static final Logger LOG = LoggerFactory.getLogger(PublicVerticle.class);
  static final int BODY_LIMIT = 16 * 1024;
  private static final long CLIENT_CACHE_MILLIS = 5_000;
  private static final String RECEIVED = "jeton.received";

  private final Map<String, CachedClient> clients = new HashMap<>();

  /**
   * Counts the changes heard; a lookup that a change overtook is not cached (it may hold the old
   * record).
   */
  private long clientChanges;

  private final Portal portal;
  private Store store;
  private VerifierClient verifier;
  private ClientAddress proxies;

  private record CachedClient(ClientRecord client, long until) {}

  public PublicVerticle(Config config, Portal portal) {
    super(config);
    this.portal = portal;
  }

  @Override
  public Future<?> start() {
    store = new BusStore(vertx, config.storeTimeoutMillis() + 200L);
    verifier = new VerifierClient(vertx, config.storeTimeoutMillis());
    proxies = ClientAddress.trusting(config.trustedProxies());
    // From this node's admin API, and from every node's through Redis (track.InvalidationVerticle).
    vertx
        .eventBus()
        .<String>localConsumer(
            Addresses.CLIENTS_CHANGED,
            m -> {
              clients.clear();
              clientChanges++;
            });

    router = Router.router(vertx);
    Replies.installErrorHandlers(router);
    new Health(store).mount(router);
    router
        .post("/v1/authenticate")
        .handler(BodyHandler.create(false).setBodyLimit(BODY_LIMIT))
        .handler(this::authenticate);
    new PortalRoutes(vertx, config, portal).mount(router);
    return listen(config.httpHost(), config.httpPort());
  }

  private void authenticate(RoutingContext ctx) {
    ctx.put(RECEIVED, System.nanoTime());
    String secret = bearer(ctx);
    if (secret == null) {
      Replies.error(ctx, 401, "unauthorized_client", null);
      return;
    }
    client(Secrets.hash(secret))
        .onComplete(
            ar -> {
              if (ar.failed()) {
                Replies.error(ctx, 503, "unavailable", null);
              } else if (ar.result() == null) {
                Replies.error(ctx, 401, "unauthorized_client", null);
              } else {
                evaluate(ctx, ar.result());
              }
            });
  }

  private void evaluate(RoutingContext ctx, ClientRecord client) {
    MultiMap fields;
    try {
      fields = fields(ctx);
    } catch (IllegalArgumentException e) {
      Replies.error(ctx, 400, "invalid_request", e.getMessage());
      return;
    }
    long received = ctx.<Long>get(RECEIVED);
    String username = fields.get("username");
    String problem = problem(fields, username);
    if (problem != null) {
      Replies.error(ctx, 400, "invalid_request", problem);
      return;
    }
    String ip = proxies.of(ctx.request());
    String claimedIp = fields.get("clientIp");
    if (client.trustClientIp() && claimedIp != null) {
      ip = ClientAddress.canonical(claimedIp);
    }
    // The client's level is a floor: a request may ask for more (otp), never for less.
    String level =
        "otp".equals(client.defaultLevel()) || "otp".equals(fields.get("level")) ? "otp" : "any";
    String requestId = requestId(ctx);
    // The same id is in the decision's log line and audit event: a portal can quote it to the
    // helpdesk.
    ctx.response().putHeader("X-Request-Id", requestId);
    LoginRequest request =
        new LoginRequest(
            requestId,
            username,
            fields.get("password"),
            fields.get("state"),
            fields.get("newPin"),
            fields.get("confirmPin"),
            ip,
            client.name(),
            level,
            received);
    verifier
        .verify(request)
        .onComplete(
            ar -> {
              if (ar.succeeded()) {
                reply(ctx, ar.result());
              } else {
                Replies.error(ctx, 503, "unavailable", null);
              }
            });
  }

  private static String problem(MultiMap f, String username) {
    if (!VerifierClient.acceptableUsername(username)) {
      return "username must be 1 to 64 of A-Z a-z 0-9 . _ @ -";
    }
    if (tooLong(f, "password", 256)
        || tooLong(f, "state", 128)
        || tooLong(f, "newPin", 32)
        || tooLong(f, "confirmPin", 32)) {
      return "a field is too long";
    }
    if (f.get("state") == null && f.get("password") == null) {
      return "password is required";
    }
    String level = f.get("level");
    if (level != null && !level.equals("otp") && !level.equals("any")) {
      return "level must be otp or any";
    }
    String ip = f.get("clientIp");
    if (ip != null && (!Validation.ipLiteral(ip) || ClientAddress.literal(ip) == null)) {
      return "clientIp must be an IP address";
    }
    return null;
  }

  private static boolean tooLong(MultiMap f, String name, int max) {
    String v = f.get(name);
    return v != null && v.length() > max;
  }

  /** The fields of a JSON object or a form, by the same names. Every value must be a string. */
  private static MultiMap fields(RoutingContext ctx) {
    String type = ctx.request().getHeader("Content-Type");
    String mime = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase();
    MultiMap out = MultiMap.caseInsensitiveMultiMap();
    if (mime.equals("application/x-www-form-urlencoded")) {
      ctx.request()
          .formAttributes()
          .forEach(
              e -> {
                if (out.contains(e.getKey())) {
                  throw new IllegalArgumentException("field " + e.getKey() + " is repeated");
                }
                out.add(e.getKey(), e.getValue());
              });
      return out;
    }
    if (!mime.equals("application/json")) {
      throw new IllegalArgumentException(
          "Content-Type must be application/json or application/x-www-form-urlencoded");
    }
    JsonObject json;
    try {
      json = ctx.body().asJsonObject();
    } catch (DecodeException | ClassCastException e) {
      throw new IllegalArgumentException("the body is not a JSON object");
    }
    if (json == null) {
      throw new IllegalArgumentException("the body is empty");
    }
    for (String key : json.fieldNames()) {
      Object v = json.getValue(key);
      if (v == null) {
        continue;
      }
      if (!(v instanceof String)) {
        throw new IllegalArgumentException("field " + key + " must be a string");
      }
      out.add(key, (String) v);
    }
    return out;
  }

  private void reply(RoutingContext ctx, LoginOutcome o) {
    switch (o.kind()) {
      case ACCEPT:
        {
          JsonObject body =
              new JsonObject()
                  .put("decision", "ACCEPT")
                  .put("username", o.username())
                  .put("method", o.method());
          if (o.tokenSerial() != null) {
            body.put("tokenSerial", o.tokenSerial());
          }
          Replies.json(ctx, 200, body);
          return;
        }
      case CHALLENGE:
        {
          JsonObject body =
              new JsonObject()
                  .put("decision", "CHALLENGE")
                  .put("challenge", o.challenge())
                  .put("state", o.state())
                  .put("expiresIn", o.expiresIn());
          if ("NEW_PIN".equals(o.challenge())) {
            body.put("pinMinLength", config.pinMinLength())
                .put("pinMaxLength", config.pinMaxLength());
          }
          Replies.json(ctx, 200, body.put("message", o.message()));
          return;
        }
      case REJECT:
        Replies.json(
            ctx,
            401,
            new JsonObject().put("decision", "REJECT").put("reason", "INVALID_CREDENTIALS"));
        return;
      case LOCKED:
        Replies.json(
            ctx,
            401,
            new JsonObject()
                .put("decision", "REJECT")
                .put("reason", "LOCKED")
                .put("retryAfter", o.retryAfter()));
        return;
      case RATE_LIMITED:
        ctx.response().putHeader("Retry-After", Long.toString(o.retryAfter()));
        Replies.json(
            ctx,
            429,
            new JsonObject().put("error", "rate_limited").put("retryAfter", o.retryAfter()));
        return;
      case BAD_REQUEST:
        Replies.error(ctx, 400, o.error(), o.detail());
        return;
      default:
        Replies.error(ctx, 503, "unavailable", null);
    }
  }

  private Future<ClientRecord> client(String secretHash) {
    long now = System.currentTimeMillis();
    CachedClient cached = clients.get(secretHash);
    if (cached != null && cached.until() > now) {
      return Future.succeededFuture(cached.client());
    }
    long changes = clientChanges;
    return store
        .findClient(secretHash)
        .onSuccess(
            c -> {
              if (c != null && changes == clientChanges) {
                if (clients.size() > 10_000) {
                  clients.clear();
                }
                clients.put(secretHash, new CachedClient(c, now + CLIENT_CACHE_MILLIS));
              }
            });
  }

  static String bearer(RoutingContext ctx) {
    String h = ctx.request().getHeader("Authorization");
    if (h == null || h.length() < 8 || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    String secret = h.substring(7).trim();
    return secret.isEmpty() || secret.length() > 512 ? null : secret;
  }

  static String requestId(RoutingContext ctx) {
    String given = ctx.request().getHeader("X-Request-Id");
    return given != null && Validation.NAME.matcher(given).matches() ? given : Secrets.randomId();
  }
}
