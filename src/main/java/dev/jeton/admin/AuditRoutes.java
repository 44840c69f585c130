package dev.jeton.admin;

import static dev.jeton.admin.AdminAuthorization.HELPDESK;

import dev.jeton.audit.AuditEvent;
import dev.jeton.audit.AuditVerticle;
import dev.jeton.bus.Addresses;
import dev.jeton.config.Config;
import dev.jeton.web.Replies;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /v1/admin/audit}: the latest audit events, of one user or of all, asked of the audit
 * log over the bus.
 */
final class AuditRoutes {

  private static final int AUDIT_MAX_LIMIT = 1000;

  private final Vertx vertx;
  private final Config config;

  AuditRoutes(Vertx vertx, Config config) {
    this.vertx = vertx;
    this.config = config;
  }

  void mount(AdminRouter routes) {
    routes.route(HttpMethod.GET, "/v1/admin/audit", HELPDESK, this::audit);
  }

  private void audit(RoutingContext ctx) throws BadRequest {
    String username = ctx.queryParams().get("username");
    if (username != null) {
      Params.username(username);
    }
    int limit = Params.limit(ctx, 50, AUDIT_MAX_LIMIT);
    Future<AuditVerticle.Events> found =
        vertx
            .eventBus()
            .<AuditVerticle.Events>request(
                Addresses.AUDIT_QUERY,
                new AuditVerticle.Query(username, limit),
                new DeliveryOptions()
                    .setLocalOnly(true)
                    .setSendTimeout(config.storeTimeoutMillis() * 2L + 1000))
            .map(Message::body);
    StoreAnswers.done(
        ctx,
        found,
        events -> {
          JsonArray out = new JsonArray();
          for (AuditEvent e : events.events()) {
            out.add(Views.event(e));
          }
          Replies.json(ctx, 200, new JsonObject().put("events", out));
        });
  }
}
