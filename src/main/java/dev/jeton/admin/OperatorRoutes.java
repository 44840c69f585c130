package dev.jeton.admin;

import static dev.jeton.admin.AdminAuthorization.ADMIN;
import static dev.jeton.admin.AdminAuthorization.HELPDESK;

import dev.jeton.crypto.Secrets;
import dev.jeton.track.OperatorRecord;
import dev.jeton.track.Store;
import dev.jeton.web.Replies;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code /v1/admin/operators/:name}: an operator of this API, with a new secret (shown once), or
 * its revocation.
 */
final class OperatorRoutes {

  private final Store store;
  private final AdminAudit audit;

  OperatorRoutes(Store store, AdminAudit audit) {
    this.store = store;
    this.audit = audit;
  }

  void mount(AdminRouter routes) {
    routes.route(HttpMethod.PUT, "/v1/admin/operators/:name", ADMIN, this::putOperator);
    routes.route(HttpMethod.DELETE, "/v1/admin/operators/:name", ADMIN, this::deleteOperator);
  }

  private void putOperator(RoutingContext ctx) throws BadRequest {
    String name = Params.name(ctx);
    String role = Params.string(Params.body(ctx), "role", 16);
    if (!ADMIN.equals(role) && !HELPDESK.equals(role)) {
      throw new BadRequest("role must be admin or helpdesk");
    }
    String secret = Secrets.newSecret();
    StoreAnswers.done(
        ctx,
        store.putOperator(new OperatorRecord(name, Secrets.hash(secret), role)),
        v -> {
          audit.record(ctx, "operator_put:" + name + ":" + role);
          Replies.json(
              ctx, 200, new JsonObject().put("name", name).put("role", role).put("secret", secret));
        });
  }

  private void deleteOperator(RoutingContext ctx) throws BadRequest {
    String name = Params.name(ctx);
    StoreAnswers.found(
        ctx,
        store.deleteOperator(name),
        "no such operator",
        revoked -> {
          audit.record(ctx, "operator_revoked:" + name);
          ctx.response().setStatusCode(204).end();
        });
  }
}
