package dev.jeton.admin;

import static dev.jeton.admin.AdminAuthorization.ADMIN;
import static dev.jeton.admin.AdminAuthorization.HELPDESK;

import dev.jeton.track.Store;
import dev.jeton.track.TokenRecord;
import dev.jeton.web.Replies;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;

/** {@code /v1/admin/tokens/…}: create a token, show one, enable or disable it. */
final class TokenRoutes {

  private final Store store;
  private final TokenInput tokens;
  private final AdminAudit audit;

  TokenRoutes(Store store, TokenInput tokens, AdminAudit audit) {
    this.store = store;
    this.tokens = tokens;
    this.audit = audit;
  }

  void mount(AdminRouter routes) {
    routes.route(HttpMethod.POST, "/v1/admin/tokens", ADMIN, this::createToken);
    routes.route(HttpMethod.GET, "/v1/admin/tokens/:serial", HELPDESK, this::getToken);
    routes.route(
        HttpMethod.POST, "/v1/admin/tokens/:serial/enable", ADMIN, ctx -> setEnabled(ctx, true));
    routes.route(
        HttpMethod.POST, "/v1/admin/tokens/:serial/disable", ADMIN, ctx -> setEnabled(ctx, false));
  }

  private void createToken(RoutingContext ctx) throws BadRequest {
    TokenRecord t = tokens.fromJson(Params.body(ctx));
    StoreAnswers.done(
        ctx,
        store.createToken(t),
        created -> {
          if (created) {
            audit.record(
                ctx, t.pinSet() ? "token_created_with_pin" : "token_created", null, t.serial());
            Replies.json(ctx, 201, Views.token(t));
          } else {
            Replies.error(ctx, 409, "conflict", "a token with this serial exists");
          }
        });
  }

  private void getToken(RoutingContext ctx) throws BadRequest {
    String serial = Params.serial(ctx);
    StoreAnswers.found(
        ctx, store.getToken(serial), "no such token", t -> Replies.json(ctx, 200, Views.token(t)));
  }

  private void setEnabled(RoutingContext ctx, boolean enabled) throws BadRequest {
    String serial = Params.serial(ctx);
    Future<TokenRecord> changed =
        store
            .setEnabled(new Store.SetEnabled(serial, enabled))
            .compose(found -> found ? store.getToken(serial) : Future.succeededFuture(null));
    StoreAnswers.found(
        ctx,
        changed,
        "no such token",
        t -> {
          audit.record(ctx, enabled ? "token_enabled" : "token_disabled", null, serial);
          Replies.json(ctx, 200, Views.token(t));
        });
  }
}
