package dev.jeton.track;

import dev.jeton.bus.Addresses;
import dev.jeton.bus.LoopLocal;
import dev.jeton.metrics.JetonMetrics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyFailure;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Tracking: owns a {@link Store} and serves each of its operations on {@code
 * jeton.track.<operation>}. Anything that must be atomic across nodes happens here, in the store. A
 * store failure is replied as a RECIPIENT_FAILURE so that the caller fails closed.
 */
public final class TrackingVerticle extends VerticleBase {

  private final Supplier<Store> stores;
  private final Clock clock;
  private final JetonMetrics metrics;
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private final List<String> localAddresses = new ArrayList<>();
  private Store store;

  /**
   * @param stores makes this instance's store (one Redis client per verticle instance)
   */
  public TrackingVerticle(Supplier<Store> stores, Clock clock, JetonMetrics metrics) {
    this.stores = stores;
    this.clock = clock;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    store = stores.get();
    serve(BusStore.LOAD_LOGIN, store::loadLogin);
    serve(BusStore.COMMIT, store::commit);
    serve(BusStore.FAIL, store::fail);
    serve(BusStore.SET_PIN, store::setPin);
    serve(BusStore.PUT_USER, store::putUser);
    serve(BusStore.GET_USER, store::getUser);
    serve(BusStore.DELETE_USER, store::deleteUser);
    serve(BusStore.CREATE_TOKEN, store::createToken);
    serve(BusStore.GET_TOKEN, store::getToken);
    serve(BusStore.ASSIGN, store::assign);
    serve(BusStore.UNASSIGN, store::unassign);
    serve(BusStore.SET_ENABLED, store::setEnabled);
    serve(BusStore.CLEAR_PINS, store::clearPins);
    serve(BusStore.UNLOCK, store::unlock);
    serve(BusStore.EMERGENCY, store::putEmergencyCodes);
    serve(BusStore.PUT_CLIENT, store::putClient);
    serve(BusStore.FIND_CLIENT, store::findClient);
    this.<Object, BusStore.Listed<ClientRecord>>serve(
        BusStore.CLIENTS, ignored -> store.clients().map(BusStore.Listed::new));
    serve(BusStore.PUT_RADIUS_CLIENT, store::putRadiusClient);
    this.<Object, BusStore.Listed<RadiusClientRecord>>serve(
        BusStore.RADIUS_CLIENTS, ignored -> store.radiusClients().map(BusStore.Listed::new));
    serve(BusStore.DELETE_RADIUS_CLIENT, store::deleteRadiusClient);
    serve(BusStore.PUT_OPERATOR, store::putOperator);
    serve(BusStore.FIND_OPERATOR, store::findOperator);
    serve(BusStore.DELETE_OPERATOR, store::deleteOperator);
    serve(BusStore.BULK, store::bulk);
    serve(BusStore.SESSION_MARK, store::sessionMark);
    serve(BusStore.END_SESSIONS, store::endSessions);
    this.<BusStore.SearchUsers, BusStore.Listed<Store.UserMatch>>serve(
        BusStore.SEARCH_USERS,
        q -> store.searchUsers(q.prefix(), q.limit()).map(BusStore.Listed::new));
    this.<Store.ConsoleOperator, Boolean>serve(
        BusStore.PUT_CONSOLE_OPERATOR, o -> store.putConsoleOperator(o.username(), o.role()));
    serve(BusStore.CONSOLE_ROLE, store::consoleRole);
    serve(BusStore.DELETE_CONSOLE_OPERATOR, store::deleteConsoleOperator);
    this.<Object, BusStore.Listed<Store.ConsoleOperator>>serve(
        BusStore.CONSOLE_OPERATORS, ignored -> store.consoleOperators().map(BusStore.Listed::new));
    this.<Object, Void>serve(BusStore.PING, ignored -> store.ping());
    if (store instanceof MemoryStore memory) {
      vertx.setPeriodic(60_000, id -> memory.purge(clock.millis()));
    }
    List<Future<Void>> ready = new ArrayList<>();
    consumers.forEach(c -> ready.add(c.completion()));
    if (store instanceof RedisStore redis) {
      ready.add(redis.start());
    }
    return Future.all(ready);
  }

  @Override
  public Future<?> stop() {
    localAddresses.forEach(a -> LoopLocal.unregister(vertx, a));
    return store.close();
  }

  private <Q, R> void serve(String operation, Function<Q, Future<R>> op) {
    metrics.storeOperation(operation);
    String address = Addresses.TRACK + operation;
    consumers.add(vertx.eventBus().<Q>localConsumer(address, msg -> reply(operation, msg, op)));
    String local = LoopLocal.register(vertx, address);
    localAddresses.add(local);
    consumers.add(vertx.eventBus().<Q>localConsumer(local, msg -> reply(operation, msg, op)));
  }

  private <Q, R> void reply(String operation, Message<Q> msg, Function<Q, Future<R>> op) {
    long start = System.nanoTime();
    Future<R> result;
    try {
      result = op.apply(msg.body());
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    result.onComplete(
        ar -> {
          metrics.store(operation, System.nanoTime() - start, ar.succeeded());
          if (ar.succeeded()) {
            msg.reply(ar.result());
          } else {
            msg.fail(ReplyFailure.RECIPIENT_FAILURE.toInt(), "store: " + ar.cause().getMessage());
          }
        });
  }
}
