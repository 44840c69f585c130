package dev.jeton.web;

import dev.jeton.track.Store;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code /health/live} (the process answers) and {@code /health/ready} (the store answers in time),
 * on a router.
 */
public final class Health {

  private final Store store;

  public Health(Store store) {
    this.store = store;
  }

  public void mount(Router router) {
    router.get("/health/live").handler(this::live);
    router.get("/health/ready").handler(this::ready);
  }

  private void live(RoutingContext ctx) {
    Replies.json(ctx, 200, new JsonObject().put("status", "UP"));
  }

  private void ready(RoutingContext ctx) {
    store
        .ping()
        .onComplete(
            ar -> {
              if (ar.succeeded()) {
                Replies.json(ctx, 200, new JsonObject().put("status", "UP").put("store", "UP"));
              } else {
                Replies.json(ctx, 503, new JsonObject().put("status", "DOWN").put("store", "DOWN"));
              }
            });
  }
}
