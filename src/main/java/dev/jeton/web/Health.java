package dev.jeton.web;

import dev.jeton.bus.DirectoryBus;
import dev.jeton.track.Store;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code /health/live} (the process answers) and {@code /health/ready} (the store answers in time),
 * on a router.
 *
 * <p>With a directory configured, {@code /health/ready} also says {@code "directory":"UP"} or
 * {@code "directory":"degraded"} (down, slow, or its last check failed; asked over {@link
 * DirectoryBus#HEALTH}). A degraded directory does not take the node out of service: OTP logins go
 * on, only password logins fail, so readiness stays 200.
 */
public final class Health {

  /** How long readiness waits for the directory's flag before calling it degraded. */
  private static final long DIRECTORY_WAIT_MILLIS = 500;

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
    Future<String> directory = directory(ctx);
    store
        .ping()
        .onComplete(
            ar ->
                directory.onComplete(
                    d -> {
                      JsonObject body =
                          ar.succeeded()
                              ? new JsonObject().put("status", "UP").put("store", "UP")
                              : new JsonObject().put("status", "DOWN").put("store", "DOWN");
                      if (d.result() != null) {
                        body.put("directory", d.result());
                      }
                      Replies.json(ctx, ar.succeeded() ? 200 : 503, body);
                    }));
  }

  /** "UP", "degraded", or null when no directory is configured (no consumer); never failed. */
  private static Future<String> directory(RoutingContext ctx) {
    return ctx.vertx()
        .eventBus()
        .<Boolean>request(
            DirectoryBus.HEALTH,
            "",
            new DeliveryOptions().setSendTimeout(DIRECTORY_WAIT_MILLIS).setLocalOnly(true))
        .map(m -> Boolean.TRUE.equals(m.body()) ? "degraded" : "UP")
        .recover(
            e ->
                Future.succeededFuture(
                    e instanceof ReplyException r && r.failureType() == ReplyFailure.NO_HANDLERS
                        ? null
                        : "degraded"));
  }
}
