package dev.jeton.admin;

import static dev.jeton.admin.AdminAuthorization.ADMIN;
import static dev.jeton.admin.AdminAuthorization.HELPDESK;

import dev.jeton.bus.Addresses;
import dev.jeton.bus.DirectoryBus;
import dev.jeton.bus.EmergencyCodes;
import dev.jeton.config.Config;
import dev.jeton.crypto.PasswordHasher;
import dev.jeton.track.Store;
import dev.jeton.track.UserRecord;
import dev.jeton.web.DirectoryClient;
import dev.jeton.web.Replies;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;

/**
 * {@code /v1/admin/users…}: the users found by the start of their identifier or name, a user (put,
 * get, delete), what the helpdesk does for one (clear the PINs, unlock, issue emergency codes) and
 * which tokens the user holds.
 */
final class UserRoutes {

  /** Users a search answers when the caller names no limit. */
  static final int SEARCH_LIMIT = 20;

  /** Users a search answers at most. */
  static final int SEARCH_MAX_LIMIT = 100;

  /** The longest prefix searched for, in characters. */
  static final int SEARCH_MAX_PREFIX = 64;

  private final Vertx vertx;
  private final Config config;
  private final Store store;
  private final PasswordHasher passwords;
  private final Clock clock;
  private final AdminAudit audit;
  private final Views views;
  private final DirectoryClient directory;

  /** What a put wrote (created or updated), and the user as it now is. */
  private record Saved(boolean created, Store.UserView user) {}

  UserRoutes(
      Vertx vertx,
      Config config,
      Store store,
      PasswordHasher passwords,
      Clock clock,
      AdminAudit audit,
      Views views,
      DirectoryClient directory) {
    this.directory = directory;
    this.vertx = vertx;
    this.config = config;
    this.store = store;
    this.passwords = passwords;
    this.clock = clock;
    this.audit = audit;
    this.views = views;
  }

  void mount(AdminRouter routes) {
    routes.route(HttpMethod.GET, "/v1/admin/users", HELPDESK, this::searchUsers);
    routes.route(HttpMethod.PUT, "/v1/admin/users/:username", ADMIN, this::putUser);
    routes.route(HttpMethod.GET, "/v1/admin/users/:username", HELPDESK, this::getUser);
    routes.route(HttpMethod.DELETE, "/v1/admin/users/:username", ADMIN, this::deleteUser);
    routes.route(HttpMethod.POST, "/v1/admin/users/:username/clear-pin", HELPDESK, this::clearPin);
    routes.route(HttpMethod.POST, "/v1/admin/users/:username/unlock", HELPDESK, this::unlock);
    routes.route(
        HttpMethod.POST,
        "/v1/admin/users/:username/emergency-codes",
        HELPDESK,
        this::emergencyCodes);
    routes.route(HttpMethod.PUT, "/v1/admin/users/:username/tokens/:serial", ADMIN, this::assign);
    routes.route(
        HttpMethod.DELETE, "/v1/admin/users/:username/tokens/:serial", ADMIN, this::unassign);
  }

  private void putUser(RoutingContext ctx) throws BadRequest {
    String username = Params.username(ctx);
    JsonObject body = Params.body(ctx);
    String displayName = Params.string(body, "displayName", 256);
    String password = Params.password(body);
    Future<String> hash =
        password == null
            ? Future.succeededFuture(null)
            : vertx.executeBlocking(() -> passwords.hash(password), false);
    Future<Saved> saved =
        hash.compose(
                h -> store.putUser(new Store.PutUser(username, displayName, h, clock.millis())))
            .compose(created -> store.getUser(username).map(v -> new Saved(created, v)));
    StoreAnswers.done(
        ctx,
        saved,
        s -> {
          audit.record(ctx, s.created() ? "user_created" : "user_updated", username, null);
          Replies.json(ctx, s.created() ? 201 : 200, views.user(s.user()));
        });
  }

  /**
   * The users whose identifier or display name starts with the prefix ({@link Store#searchUsers}),
   * and the directory's ({@link DirectoryClient#searchAlongside}): with a directory, each user says
   * where it is ({@code source}) and the answer whether the directory was searched.
   */
  private void searchUsers(RoutingContext ctx) throws BadRequest {
    String prefix = Params.prefix(ctx, SEARCH_MAX_PREFIX);
    int limit = Params.limit(ctx, SEARCH_LIMIT, SEARCH_MAX_LIMIT);
    StoreAnswers.done(
        ctx,
        directory.searchAlongside(store.searchUsers(prefix, limit), prefix, limit),
        found -> {
          boolean withDirectory = found.directory() != DirectoryClient.Reach.NONE;
          JsonArray users = new JsonArray();
          found
              .users()
              .forEach(
                  u -> {
                    JsonObject o =
                        new JsonObject()
                            .put("username", u.username())
                            .put("displayName", u.displayName());
                    users.add(withDirectory ? o.put("source", source(u.inJeton())) : o);
                  });
          JsonObject body = new JsonObject().put("users", users);
          if (withDirectory) {
            body.put("directorySearched", found.directory() == DirectoryClient.Reach.ANSWERED);
          }
          Replies.json(ctx, 200, body);
        });
  }

  private static String source(boolean inJeton) {
    return inJeton ? "jeton" : "directory";
  }

  /**
   * A user of Jeton's store, or (with a directory) one only the directory has. A user of the store
   * is shown even when the directory cannot be asked; one only the directory could know is then
   * 503.
   */
  private void getUser(RoutingContext ctx) throws BadRequest {
    String username = Params.username(ctx);
    Future<Store.UserView> own = store.getUser(username);
    if (!directory.configured()) {
      StoreAnswers.found(ctx, own, "no such user", v -> Replies.json(ctx, 200, views.user(v)));
      return;
    }
    Future<DirectoryBus.DirectoryUser> theirs = directory.findUser(username);
    Future<JsonObject> shown =
        own.compose(
            v ->
                theirs.transform(
                    ar -> {
                      if (v != null) {
                        return Future.succeededFuture(
                            Views.withDirectory(views.user(v), ar.result(), ar.succeeded()));
                      }
                      if (ar.failed()) {
                        return Future.failedFuture(ar.cause());
                      }
                      return Future.succeededFuture(
                          ar.result() == null ? null : Views.directoryUser(ar.result()));
                    }));
    StoreAnswers.found(ctx, shown, "no such user", o -> Replies.json(ctx, 200, o));
  }

  private void deleteUser(RoutingContext ctx) throws BadRequest {
    String username = Params.username(ctx);
    StoreAnswers.found(
        ctx,
        store.deleteUser(username),
        "no such user",
        deleted -> {
          audit.record(ctx, "user_deleted", username, null);
          ctx.response().setStatusCode(204).end();
        });
  }

  private void clearPin(RoutingContext ctx) throws BadRequest {
    String username = Params.username(ctx);
    StoreAnswers.found(
        ctx,
        store.clearPins(username),
        "no such user",
        cleared -> {
          audit.record(ctx, "pin_cleared", username, null);
          Replies.json(
              ctx, 200, new JsonObject().put("username", username).put("pinCleared", true));
        });
  }

  private void unlock(RoutingContext ctx) throws BadRequest {
    String username = Params.username(ctx);
    StoreAnswers.done(
        ctx,
        store.unlock(username),
        v -> {
          audit.record(ctx, "unlocked", username, null);
          Replies.json(ctx, 200, new JsonObject().put("username", username).put("locked", false));
        });
  }

  /** Verification makes the codes and writes them to the store; this asks it over the bus. */
  private void emergencyCodes(RoutingContext ctx) throws BadRequest {
    String username = Params.username(ctx);
    JsonObject body = Params.body(ctx);
    int count = Params.integer(body, "count", 1, 10, 5);
    int validSeconds = Params.integer(body, "validSeconds", 60, 30 * 86_400, 86_400);
    Future<EmergencyCodes.Issued> issued =
        vertx
            .eventBus()
            .<EmergencyCodes.Issued>request(
                Addresses.VERIFY_EMERGENCY_CODES,
                new EmergencyCodes.Request(username, count, validSeconds),
                emergencyOptions())
            .map(Message::body);
    StoreAnswers.found(
        ctx,
        issued.map(i -> i.found() ? i : null),
        "no such user",
        i -> {
          audit.record(ctx, "emergency_codes_issued", username, null);
          Replies.json(ctx, 200, Views.codes(i));
        });
  }

  /** Verification writes the codes to the store: the store's timeout, and a margin. */
  private DeliveryOptions emergencyOptions() {
    return new DeliveryOptions()
        .setLocalOnly(true)
        .setSendTimeout(config.storeTimeoutMillis() + 1000L);
  }

  private void assign(RoutingContext ctx) throws BadRequest {
    String username = Params.username(ctx);
    String serial = Params.serial(ctx);
    StoreAnswers.done(
        ctx,
        directory.assign(
            store,
            new Store.Assign(username, serial),
            clock.millis(),
            u -> audit.record(ctx, "user_created", username, null, DirectoryClient.CREATED_NOTE)),
        r -> {
          switch (r) {
            case OK:
              audit.record(ctx, "token_assigned", username, serial);
              Replies.json(
                  ctx, 200, new JsonObject().put("username", username).put("serial", serial));
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
              Replies.error(
                  ctx, 409, "conflict", "a user has at most " + UserRecord.MAX_TOKENS + " tokens");
          }
        });
  }

  private void unassign(RoutingContext ctx) throws BadRequest {
    String username = Params.username(ctx);
    String serial = Params.serial(ctx);
    StoreAnswers.found(
        ctx,
        store.unassign(new Store.Assign(username, serial)),
        "the user does not hold this token",
        unassigned -> {
          audit.record(ctx, "token_unassigned", username, serial);
          ctx.response().setStatusCode(204).end();
        });
  }
}
