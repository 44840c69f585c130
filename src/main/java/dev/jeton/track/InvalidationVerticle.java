package dev.jeton.track;

import dev.jeton.bus.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells this node's intakes at once when a client (of the JSON API, or of the RADIUS intake)
 * changed on any node. Nodes share nothing but Redis: the Redis store publishes the name of every
 * client it writes on the channel {@code NAMESPACE:clients-changed}, in the same script as the
 * write ({@code putsecret.lua}), and the name of every RADIUS client it writes or deletes on {@code
 * NAMESPACE:radius-clients-changed} ({@code radiusclient.lua}); this verticle, deployed once per
 * node, holds one subscriber connection on both channels and publishes each name on the local event
 * bus, at {@link Addresses#CLIENTS_CHANGED} or {@link Addresses#RADIUS_CLIENTS_CHANGED} after the
 * channel it came on, and nowhere else (never back to Redis), so that every intake drops its cached
 * copy instead of keeping it for its few seconds.
 *
 * <p>Redis keeps nothing for a subscriber that was away, so after every subscription (the first one
 * included) it publishes once on each address with a null body: anything may have changed, drop
 * everything. It reconnects by itself, waiting 50 ms after the first failure and twice as long
 * after each next one, 2 s at most: when the connection ends or fails, and when the connection has
 * said nothing for {@value #SILENT_MILLIS} ms although the channels are subscribed again every
 * {@value #HEARTBEAT_MILLIS} ms (a Redis that stopped, or a network that dropped it, closes no
 * socket). While no connection holds, the intakes' caches still expire on their own.
 *
 * <p>Topologies: one Redis, and Sentinel, through the options as given (each connection asks the
 * sentinels for the master of the moment; the client's own automatic failover is turned off here,
 * since it would move the connection without its subscription). Cluster: one node at a time, taking
 * the options' endpoints in turn, since a classic {@code PUBLISH} reaches every node of a cluster.
 *
 * <p>Messages reach the connection's handler as {@code ["message", channel, name]}: a multi-bulk
 * reply on RESP2 (the client hands the handler any reply that no command awaits), a push on RESP3.
 * The heartbeat is a {@code SUBSCRIBE} again, not a {@code PING}: the client sends subscribe
 * commands without awaiting a reply and their confirmation reaches the handler like a message,
 * whereas on RESP2 a message arriving before a {@code PING}'s answer would be taken for it.
 *
 * <p>Everything runs on the verticle's event loop; nothing blocks. Logs a client's name at debug
 * level, never a secret nor the Redis address (it may hold a password).
 */
public final class InvalidationVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(InvalidationVerticle.class);

  static final long FIRST_BACKOFF_MILLIS = 50;
  static final long MAX_BACKOFF_MILLIS = 2_000;
  static final long HEARTBEAT_MILLIS = 1_000;
  static final long SILENT_MILLIS = 3_000;

  private final RedisOptions options;

  /** Each channel subscribed to, and the local address its names are published at. */
  private final Map<String, String> channels;

  private final Promise<Void> firstAttempt = Promise.promise();

  /** The attempt whose callbacks count; every other attempt's are ignored (and closed). */
  private long attempt;

  private Redis client;
  private RedisConnection connection;
  private boolean subscribed;

  /** The channels whose subscription the current connection has confirmed. */
  private final Set<String> confirmed = new HashSet<>();

  private boolean failing;
  private long heardAt;
  private long backoff = FIRST_BACKOFF_MILLIS;
  private long retryTimer = -1;
  private long heartbeatTimer = -1;
  private boolean stopped;

  /**
   * @param options the Redis the store uses (one Redis, Sentinel or Cluster), as the store gets
   *     them
   * @param namespace the store's key namespace ({@code JETON_REDIS_NAMESPACE})
   * @throws IllegalArgumentException when the namespace is not one the store accepts
   */
  public InvalidationVerticle(RedisOptions options, String namespace) {
    this.options = new RedisOptions(options);
    RedisKeys keys = new RedisKeys(namespace);
    this.channels =
        Map.of(
            keys.clientsChanged(), Addresses.CLIENTS_CHANGED,
            keys.radiusClientsChanged(), Addresses.RADIUS_CLIENTS_CHANGED);
  }

  /**
   * Completes once the first subscription is confirmed or the first attempt failed: never fails, so
   * that a node starts while Redis is away (and subscribes when it returns).
   */
  @Override
  public Future<?> start() {
    heartbeatTimer = vertx.setPeriodic(HEARTBEAT_MILLIS, id -> heartbeat());
    connect();
    return firstAttempt.future();
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    attempt++;
    vertx.cancelTimer(heartbeatTimer);
    if (retryTimer != -1) {
      vertx.cancelTimer(retryTimer);
    }
    return close();
  }

  private void connect() {
    retryTimer = -1;
    long id = ++attempt;
    heardAt = System.nanoTime();
    client = Redis.createClient(vertx, optionsFor(id));
    client
        .connect()
        .onComplete(
            ar -> {
              if (id != attempt) {
                if (ar.succeeded()) {
                  ar.result().close();
                }
              } else if (ar.failed()) {
                lost(ar.cause());
              } else {
                connection = ar.result();
                connection.handler(frame -> heard(id, frame));
                connection.exceptionHandler(e -> lostIf(id, e));
                connection.endHandler(v -> lostIf(id, null));
                subscribe(id);
              }
            });
  }

  /**
   * One Redis, Sentinel: the options as given, without the client's own failover. Cluster: the seed
   * nodes in turn, each as one Redis.
   */
  private RedisOptions optionsFor(long id) {
    RedisOptions o = new RedisOptions(options).setAutoFailover(false);
    if (options.getType() == RedisClientType.CLUSTER) {
      List<String> seeds = options.getEndpoints();
      o.setType(RedisClientType.STANDALONE)
          .setEndpoints(List.of(seeds.get((int) (id % seeds.size()))));
    }
    return o;
  }

  private void subscribe(long id) {
    Request subscribe = Request.cmd(Command.SUBSCRIBE);
    channels.keySet().forEach(subscribe::arg);
    connection.send(subscribe).onFailure(e -> lostIf(id, e));
  }

  private void heartbeat() {
    if (stopped || retryTimer != -1) {
      return;
    }
    if (System.nanoTime() - heardAt > SILENT_MILLIS * 1_000_000) {
      lost(new IllegalStateException("no answer from Redis for " + SILENT_MILLIS + " ms"));
    } else if (connection != null) {
      subscribe(attempt);
    }
  }

  private void heard(long id, Response frame) {
    if (id != attempt) {
      return;
    }
    heardAt = System.nanoTime();
    if (frame == null
        || (frame.type() != ResponseType.MULTI && frame.type() != ResponseType.PUSH)
        || frame.size() < 3
        || frame.get(0) == null
        || frame.get(1) == null) {
      return;
    }
    String kind = frame.get(0).toString();
    String channel = frame.get(1).toString();
    String address = channels.get(channel);
    if (address == null) {
      return;
    }
    if ("message".equalsIgnoreCase(kind)) {
      String name = frame.get(2) == null ? null : frame.get(2).toString();
      LOG.atDebug()
          .setMessage(
              address.equals(Addresses.CLIENTS_CHANGED)
                  ? "client_changed"
                  : "radius_client_changed")
          .addKeyValue("client", name)
          .log();
      vertx.eventBus().publish(address, name);
    } else if ("subscribe".equalsIgnoreCase(kind) && confirmed.add(channel)) {
      // Whatever changed while no one listened was not heard: every cached client goes.
      vertx.eventBus().publish(address, null);
      if (!subscribed && confirmed.size() == channels.size()) {
        subscribed = true;
        failing = false;
        backoff = FIRST_BACKOFF_MILLIS;
        LOG.atInfo().setMessage("redis_changes_subscribed").log();
        firstAttempt.tryComplete();
      }
    }
  }

  private void lostIf(long id, Throwable cause) {
    if (id == attempt) {
      lost(cause);
    }
  }

  /** Drops the current attempt (its late callbacks are ignored) and tries again after a backoff. */
  private void lost(Throwable cause) {
    if (stopped) {
      return;
    }
    attempt++;
    String detail = cause == null ? "connection closed" : String.valueOf(cause.getMessage());
    if (!failing) {
      failing = true;
      LOG.atWarn()
          .setMessage(subscribed ? "redis_changes_lost" : "redis_changes_unavailable")
          .addKeyValue("detail", detail)
          .log();
    } else {
      LOG.atDebug().setMessage("redis_changes_retry").addKeyValue("detail", detail).log();
    }
    subscribed = false;
    confirmed.clear();
    close();
    retryTimer = vertx.setTimer(backoff, id -> connect());
    backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
    firstAttempt.tryComplete();
  }

  private Future<Void> close() {
    RedisConnection c = connection;
    Redis r = client;
    connection = null;
    client = null;
    Future<Void> closed =
        c == null ? Future.succeededFuture() : c.close().recover(e -> Future.succeededFuture());
    return closed.eventually(() -> r == null ? Future.succeededFuture() : r.close());
  }
}
