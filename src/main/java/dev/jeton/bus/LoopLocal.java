package dev.jeton.bus;

import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps a request on the event loop it arrived on. Jeton deploys one instance of each verticle per
 * event loop; a consumer registers, besides the shared address, {@code address@<its event loop>},
 * and a sender on the same loop uses that one: the message is handed over without waking another
 * thread. A sender on a loop without such a consumer (or off any loop) uses the shared address,
 * which reaches any instance.
 *
 * <p>Each thread remembers where it sent an address (four sends a login), until a consumer
 * registers or unregisters anywhere: working it out each time (the name, then two lookups in
 * Vert.x's shared maps) showed in the login rush's profile ({@code
 * docs/2026-12-05-performance-history.md}).
 */
public final class LoopLocal {

  private static final String REGISTRY = "jeton.loop-local-addresses";

  /**
   * Bumped by every registration and unregistration: routes a thread remembers from before are
   * worked out again.
   */
  private static final AtomicLong CHANGES = new AtomicLong();

  private static final ThreadLocal<Map<String, Route>> ROUTES =
      ThreadLocal.withInitial(HashMap::new);

  private record Route(Vertx vertx, String target, long changes) {}

  private LoopLocal() {}

  /** The loop-local name of {@code address} for the calling thread. */
  public static String address(String address) {
    return address + "@" + Thread.currentThread().getName();
  }

  /**
   * Records that a consumer on the calling thread's loop listens on {@code address@loop}; returns
   * that name.
   */
  public static String register(Vertx vertx, String address) {
    String local = address(address);
    registry(vertx).put(local, Boolean.TRUE);
    CHANGES.incrementAndGet();
    return local;
  }

  public static void unregister(Vertx vertx, String localAddress) {
    registry(vertx).remove(localAddress);
    CHANGES.incrementAndGet();
  }

  /** Where a sender on the calling thread should send {@code address}. */
  public static String route(Vertx vertx, String address) {
    long changes = CHANGES.get();
    Map<String, Route> routes = ROUTES.get();
    Route known = routes.get(address);
    if (known != null && known.changes() == changes && known.vertx() == vertx) {
      return known.target();
    }
    String local = address(address);
    String target = registry(vertx).containsKey(local) ? local : address;
    routes.put(address, new Route(vertx, target, changes));
    return target;
  }

  private static LocalMap<String, Boolean> registry(Vertx vertx) {
    return vertx.sharedData().getLocalMap(REGISTRY);
  }
}
