package dev.jeton.admin;

import dev.jeton.web.Replies;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * How every admin route is put together: the caller authorised first ({@link AdminAuthorization},
 * before a byte of the body is read), then the body, bounded, then the endpoint. An endpoint
 * refuses a request by throwing {@link BadRequest}, answered 400 here: validation reads as a list
 * of checks, and a refusal is answered once.
 */
final class AdminRouter {

  /** The largest JSON body read, in bytes. */
  private static final int BODY_LIMIT = 1024 * 1024;

  /** Answers the request, or throws {@link BadRequest} before it has answered. */
  @FunctionalInterface
  interface Endpoint {
    void handle(RoutingContext ctx) throws BadRequest;
  }

  private final Router router;
  private final AdminAuthorization authorization;
  private final Handler<RoutingContext> streaming;

  /**
   * @param streaming marks a request whose body its route reads itself, with backpressure (the
   *     listener's {@code streamsItsBody})
   */
  AdminRouter(Router router, AdminAuthorization authorization, Handler<RoutingContext> streaming) {
    this.router = router;
    this.authorization = authorization;
    this.streaming = streaming;
  }

  /** A route with a JSON body of at most {@value #BODY_LIMIT} bytes. */
  void route(HttpMethod method, String path, String least, Endpoint endpoint) {
    route(method, path, least, BODY_LIMIT, endpoint);
  }

  /**
   * A route whose body is read whole, up to {@code bodyLimit} bytes (a larger one is answered 413).
   */
  void route(HttpMethod method, String path, String least, long bodyLimit, Endpoint endpoint) {
    router
        .route(method, path)
        .handler(authorization.atLeast(least))
        .handler(BodyHandler.create(false).setBodyLimit(bodyLimit))
        .handler(ctx -> answer(ctx, endpoint));
  }

  /** A route that reads its body itself, as it arrives, once the caller is admitted. */
  void streamed(HttpMethod method, String path, String least, Handler<RoutingContext> handler) {
    router
        .route(method, path)
        .handler(authorization.atLeast(least))
        .handler(
            ctx -> {
              streaming.handle(ctx);
              handler.handle(ctx);
            });
  }

  private static void answer(RoutingContext ctx, Endpoint endpoint) {
    try {
      endpoint.handle(ctx);
    } catch (BadRequest e) {
      Replies.error(ctx, 400, e.error(), e.getMessage());
    }
  }
}
