package dev.jeton.admin;

import static dev.jeton.admin.AdminAuthorization.ADMIN;

import dev.jeton.bus.Addresses;
import dev.jeton.crypto.Secrets;
import dev.jeton.track.ClientRecord;
import dev.jeton.track.Store;
import dev.jeton.web.Replies;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code PUT /v1/admin/clients/:name}: a client of the public API, with a new secret (shown once,
 * kept as a hash); every intake is told over the bus to drop its cached copy. {@code GET
 * /v1/admin/clients}: every client's name and settings, never a secret nor its hash.
 */
final class ClientRoutes {

  private final Vertx vertx;
  private final Store store;
  private final AdminAudit audit;

  ClientRoutes(Vertx vertx, Store store, AdminAudit audit) {
    this.vertx = vertx;
    this.store = store;
    this.audit = audit;
  }

  void mount(AdminRouter routes) {
    routes.route(HttpMethod.GET, "/v1/admin/clients", ADMIN, this::list);
    routes.route(HttpMethod.PUT, "/v1/admin/clients/:name", ADMIN, this::putClient);
  }

  private void list(RoutingContext ctx) {
    StoreAnswers.done(
        ctx,
        store.clients(),
        all -> {
          JsonArray out = new JsonArray();
          all.forEach(
              c ->
                  out.add(
                      new JsonObject()
                          .put("name", c.name())
                          .put("trustClientIp", c.trustClientIp())
                          .put("defaultLevel", c.defaultLevel())));
          Replies.json(ctx, 200, new JsonObject().put("clients", out));
        });
  }

  private void putClient(RoutingContext ctx) throws BadRequest {
    String name = Params.name(ctx);
    JsonObject body = Params.body(ctx);
    Object trust = body.getValue("trustClientIp", false);
    String level = Params.string(body, "defaultLevel", 8);
    if (!(trust instanceof Boolean)) {
      throw new BadRequest("trustClientIp must be true or false");
    }
    String defaultLevel = level == null ? "any" : level;
    if (!defaultLevel.equals("any") && !defaultLevel.equals("otp")) {
      throw new BadRequest("defaultLevel must be any or otp");
    }
    String secret = Secrets.newSecret();
    ClientRecord c = new ClientRecord(name, Secrets.hash(secret), (Boolean) trust, defaultLevel);
    StoreAnswers.done(
        ctx,
        store.putClient(c),
        v -> {
          vertx.eventBus().publish(Addresses.CLIENTS_CHANGED, name);
          audit.record(ctx, "client_put:" + name);
          Replies.json(
              ctx,
              200,
              new JsonObject()
                  .put("name", name)
                  .put("secret", secret)
                  .put("trustClientIp", c.trustClientIp())
                  .put("defaultLevel", c.defaultLevel()));
        });
  }
}
