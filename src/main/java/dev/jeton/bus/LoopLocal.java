package dev.jeton.bus;

import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;

/**
 * Keeps a request on the event loop it arrived on. Jeton deploys one instance of each verticle per event loop; a
 * consumer registers, besides the shared address, {@code address@<its event loop>}, and a sender on the same loop
 * uses that one: the message is handed over without waking another thread. A sender on a loop without such a
 * consumer (or off any loop) uses the shared address, which reaches any instance.
 */
public final class LoopLocal {

  private static final String REGISTRY = "jeton.loop-local-addresses";

  private LoopLocal() {}

  /** The loop-local name of {@code address} for the calling thread. */
  public static String address(String address) {
    return address + "@" + Thread.currentThread().getName();
  }

  /** Records that a consumer on the calling thread's loop listens on {@code address@loop}; returns that name. */
  public static String register(Vertx vertx, String address) {
    String local = address(address);
    registry(vertx).put(local, Boolean.TRUE);
    return local;
  }

  public static void unregister(Vertx vertx, String localAddress) {
    registry(vertx).remove(localAddress);
  }

  /** Where a sender on the calling thread should send {@code address}. */
  public static String route(Vertx vertx, String address) {
    String local = address(address);
    return registry(vertx).containsKey(local) ? local : address;
  }

  private static LocalMap<String, Boolean> registry(Vertx vertx) {
    return vertx.sharedData().getLocalMap(REGISTRY);
  }
}
