package dev.jeton.admin;

import static dev.jeton.admin.AdminAuthorization.ADMIN;
import static dev.jeton.admin.AdminAuthorization.HELPDESK;

import dev.jeton.track.Store;
import dev.jeton.web.Replies;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code /v1/admin/console-operators/…}: which users may sign in to the helpdesk console, and as
 * what. A console operator is a user (a person with a key), not an operator of this API (a bearer
 * secret): the role is kept beside the user and goes with it when the user is deleted.
 */
final class ConsoleOperatorRoutes {

  private final Store store;
  private final AdminAudit audit;

  ConsoleOperatorRoutes(Store store, AdminAudit audit) {
    this.store = store;
    this.audit = audit;
  }

  void mount(AdminRouter routes) {
    routes.route(HttpMethod.GET, "/v1/admin/console-operators", ADMIN, this::list);
    routes.route(HttpMethod.PUT, "/v1/admin/console-operators/:username", ADMIN, this::put);
    routes.route(HttpMethod.DELETE, "/v1/admin/console-operators/:username", ADMIN, this::delete);
  }

  private void list(RoutingContext ctx) {
    StoreAnswers.done(
        ctx,
        store.consoleOperators(),
        all -> {
          JsonArray out = new JsonArray();
          all.forEach(o -> out.add(view(o.username(), o.role())));
          Replies.json(ctx, 200, new JsonObject().put("operators", out));
        });
  }

  private void put(RoutingContext ctx) throws BadRequest {
    String username = Params.username(ctx);
    String role = Params.string(Params.body(ctx), "role", 16);
    if (!ADMIN.equals(role) && !HELPDESK.equals(role)) {
      throw new BadRequest("role must be admin or helpdesk");
    }
    StoreAnswers.found(
        ctx,
        store.putConsoleOperator(username, role),
        "no such user",
        put -> {
          audit.record(ctx, "console_operator_put:" + role, username, null);
          Replies.json(ctx, 200, view(username, role));
        });
  }

  private void delete(RoutingContext ctx) throws BadRequest {
    String username = Params.username(ctx);
    StoreAnswers.found(
        ctx,
        store.deleteConsoleOperator(username),
        "no such console operator",
        deleted -> {
          audit.record(ctx, "console_operator_deleted", username, null);
          ctx.response().setStatusCode(204).end();
        });
  }

  private static JsonObject view(String username, String role) {
    return new JsonObject().put("username", username).put("role", role);
  }
}
