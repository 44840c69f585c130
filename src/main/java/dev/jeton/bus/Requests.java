package dev.jeton.bus;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;

/**
 * Event-bus requests whose reply handlers are not close hooks of a deployment.
 *
 * <p>Vert.x registers a request's reply handler on the requester's context and, when that context
 * belongs to a deployment (a verticle), adds the handler to the deployment's close hooks while
 * holding the handler's lock. The hook table takes the handler's identity hash, and the JVM
 * inflates the monitor of a locked object whose identity hash is taken: three monitors a login on
 * the login path, each allocated, later deflated, and walked in every young GC pause (the
 * measurements are in docs/2026-12-05-performance-history.md). A reply handler needs no close hook:
 * it ends with its reply or its timeout.
 *
 * <p>So a request made on an event loop is issued from a context of that loop that belongs to no
 * deployment (one per loop thread, made on first use); the reply, and whatever the caller chains on
 * it, runs on that loop as before. Anywhere else (a worker thread, no context) the request is an
 * ordinary one.
 *
 * <p>Vert.x has no public way to do this: it is an internal hook (docs/internal-hooks.md) on {@code
 * VertxInternal.contextBuilder()} and {@code ContextInternal.beginDispatch}/{@code endDispatch},
 * guarded by {@code RequestsTest} and {@code RequestsHookTest}.
 */
public final class Requests {

  /** The context of no deployment of the calling event-loop thread, once made. */
  private static final ThreadLocal<ContextInternal> BARE = new ThreadLocal<>();

  private Requests() {}

  public static <T> Future<Message<T>> request(
      Vertx vertx, String address, Object body, DeliveryOptions options) {
    ContextInternal bare = bareContext((VertxInternal) vertx);
    if (bare == null) {
      return vertx.eventBus().request(address, body, options);
    }
    ContextInternal previous = bare.beginDispatch();
    try {
      return vertx.eventBus().request(address, body, options);
    } finally {
      bare.endDispatch(previous);
    }
  }

  /**
   * The calling thread's context of no deployment, or null when the caller is not on an event loop
   * of {@code vertx}.
   */
  private static ContextInternal bareContext(VertxInternal vertx) {
    ContextInternal current = vertx.getContext();
    if (current == null || !current.isEventLoopContext() || !current.inThread()) {
      return null;
    }
    ContextInternal bare = BARE.get();
    if (bare == null
        || bare.owner() != vertx
        || bare.nettyEventLoop() != current.nettyEventLoop()) {
      bare =
          vertx
              .contextBuilder()
              .withEventLoop(current.nettyEventLoop())
              .withClassLoader(current.classLoader())
              .build();
      BARE.set(bare);
    }
    return bare;
  }
}
