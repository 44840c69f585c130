package dev.jeton.web;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** JSON answers shared by both listeners. */
public final class Replies {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Replies.class);

  private Replies() {}

  public static void json(RoutingContext ctx, int status, JsonObject body) {
    if (ctx.response().ended()) {
      return;
    }
    ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "no-store")
        .end(body.encode());
  }

  public static void error(RoutingContext ctx, int status, String error, String detail) {
    JsonObject body = new JsonObject().put("error", error);
    if (detail != null) {
      body.put("detail", detail);
    }
    json(ctx, status, body);
  }

  /**
   * Maps what Vert.x Web itself refuses (body too large, no route, wrong method) to the contract's
   * JSON errors.
   */
  public static void installErrorHandlers(io.vertx.ext.web.Router router) {
    router.errorHandler(413, ctx -> error(ctx, 413, "too_large", null));
    router.errorHandler(404, ctx -> error(ctx, 404, "not_found", null));
    router.errorHandler(405, ctx -> error(ctx, 405, "method_not_allowed", null));
    router.errorHandler(
        400, ctx -> error(ctx, 400, "invalid_request", "the request cannot be read"));
    router.errorHandler(
        500,
        ctx -> {
          // A bug: say where (the exception's class and stack), never the request's fields.
          LOG.atError()
              .setMessage("internal_error")
              .addKeyValue("path", ctx.request().path())
              .setCause(ctx.failure())
              .log();
          error(ctx, 500, "internal_error", null);
        });
  }
}
