package dev.jeton.admin;

import static dev.jeton.admin.AdminAuthorization.ADMIN;

import dev.jeton.bus.Addresses;
import dev.jeton.crypto.Sealer;
import dev.jeton.crypto.Secrets;
import dev.jeton.track.RadiusClientRecord;
import dev.jeton.track.Store;
import dev.jeton.web.Cidr;
import dev.jeton.web.Replies;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code /v1/admin/radius-clients/…}: the RADIUS clients (NAS: VPN concentrators, Wi-Fi
 * controllers) the RADIUS intake answers, each known by the network its packets come from.
 *
 * <p>{@code PUT} creates or replaces one with a new shared secret on every call: {@value
 * #SECRET_LENGTH} characters of {@code A-Za-z0-9}, so that an operator can type it into the NAS,
 * shown once in the answer and kept only sealed under the master key (the intake must read it back
 * to check and sign packets, so it cannot be a hash). {@code GET} lists or reads them, never with
 * the secret; {@code DELETE} removes one. After a change this node's intakes are told at once on
 * the bus ({@link Addresses#RADIUS_CLIENTS_CHANGED}), the other nodes' through Redis.
 *
 * <p>Networks may overlap: the RADIUS intake takes the client whose network is the most specific
 * (longest prefix) of those holding a packet's source address, then the first by name.
 */
final class RadiusClientRoutes {

  /** Characters in a shared secret: about 190 bits. */
  static final int SECRET_LENGTH = 32;

  private final Vertx vertx;
  private final Store store;
  private final Sealer secrets;
  private final AdminAudit audit;

  /**
   * @param secrets seals the shared secrets ({@code Keys#radiusSecrets}), with the client's name as
   *     context
   */
  RadiusClientRoutes(Vertx vertx, Store store, Sealer secrets, AdminAudit audit) {
    this.vertx = vertx;
    this.store = store;
    this.secrets = secrets;
    this.audit = audit;
  }

  void mount(AdminRouter routes) {
    routes.route(HttpMethod.GET, "/v1/admin/radius-clients", ADMIN, this::list);
    routes.route(HttpMethod.GET, "/v1/admin/radius-clients/:name", ADMIN, this::get);
    routes.route(HttpMethod.PUT, "/v1/admin/radius-clients/:name", ADMIN, this::put);
    routes.route(HttpMethod.DELETE, "/v1/admin/radius-clients/:name", ADMIN, this::delete);
  }

  private void list(RoutingContext ctx) {
    StoreAnswers.done(
        ctx,
        store.radiusClients(),
        all -> {
          JsonArray out = new JsonArray();
          all.forEach(c -> out.add(view(c)));
          Replies.json(ctx, 200, new JsonObject().put("radiusClients", out));
        });
  }

  private void get(RoutingContext ctx) throws BadRequest {
    String name = Params.name(ctx);
    StoreAnswers.found(
        ctx,
        store
            .radiusClients()
            .map(all -> all.stream().filter(c -> c.name().equals(name)).findFirst())
            .map(found -> found.orElse(null)),
        "no such RADIUS client",
        c -> Replies.json(ctx, 200, view(c)));
  }

  private void put(RoutingContext ctx) throws BadRequest {
    String name = Params.name(ctx);
    JsonObject body = Params.body(ctx);
    String network = network(body);
    boolean requireMessageAuthenticator = flag(body, "requireMessageAuthenticator", true);
    boolean trustCallingStationId = flag(body, "trustCallingStationId", false);
    String secret = Secrets.randomAlphanumeric(SECRET_LENGTH);
    RadiusClientRecord c =
        new RadiusClientRecord(
            name,
            network,
            requireMessageAuthenticator,
            trustCallingStationId,
            secrets.seal(secret, name));
    StoreAnswers.done(
        ctx,
        store.putRadiusClient(c),
        v -> {
          vertx.eventBus().publish(Addresses.RADIUS_CLIENTS_CHANGED, name);
          audit.record(ctx, "radius_client_put:" + name);
          Replies.json(ctx, 200, view(c).put("secret", secret));
        });
  }

  private void delete(RoutingContext ctx) throws BadRequest {
    String name = Params.name(ctx);
    StoreAnswers.found(
        ctx,
        store.deleteRadiusClient(name),
        "no such RADIUS client",
        deleted -> {
          vertx.eventBus().publish(Addresses.RADIUS_CLIENTS_CHANGED, name);
          audit.record(ctx, "radius_client_deleted:" + name);
          ctx.response().setStatusCode(204).end();
        });
  }

  /** The required {@code network}, in normal form. */
  private static String network(JsonObject body) throws BadRequest {
    Object given = body.getValue("network");
    if (given == null) {
      throw new BadRequest("network is required: an IPv4 or IPv6 CIDR block, e.g. 10.1.0.0/16");
    }
    if (!(given instanceof String text)) {
      throw new BadRequest("network must be a string: an IPv4 or IPv6 CIDR block");
    }
    try {
      return Cidr.parse(text).toString();
    } catch (IllegalArgumentException e) {
      throw new BadRequest(e.getMessage());
    }
  }

  private static boolean flag(JsonObject body, String field, boolean def) throws BadRequest {
    Object v = body.getValue(field, def);
    if (!(v instanceof Boolean b)) {
      throw new BadRequest(field + " must be true or false");
    }
    return b;
  }

  /** What a person may see of a client: everything but the secret. */
  private static JsonObject view(RadiusClientRecord c) {
    return new JsonObject()
        .put("name", c.name())
        .put("network", c.network())
        .put("requireMessageAuthenticator", c.requireMessageAuthenticator())
        .put("trustCallingStationId", c.trustCallingStationId());
  }
}
