package dev.jeton.track;

import dev.jeton.config.RedisSettings;
import io.vertx.redis.client.ProtocolVersion;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.RedisReplicas;
import io.vertx.redis.client.RedisRole;

/**
 * Turns {@link RedisSettings} into the options of vertx-redis-client, whose own STANDALONE,
 * SENTINEL and CLUSTER modes find the master: Jeton keeps no failover or sharding logic of its own.
 * Reads and writes go to masters only (a replica may lag, and the login path must see the last step
 * consumed). Sentinel's topology and Cluster's slot map are cached by the client for a second, so
 * that a failover is seen within about a second of the sentinels or the cluster announcing it.
 */
public final class RedisTopology {

  /** How long the client trusts the master or slot map it last read before asking again. */
  static final long TOPOLOGY_CACHE_MILLIS = 1_000;

  private RedisTopology() {}

  /**
   * Options for one client of the given topology.
   *
   * @param maxWaiting requests that may wait for their answer on one connection (the pipeline's
   *     depth)
   */
  public static RedisOptions options(RedisSettings s, int maxWaiting) {
    RedisOptions o =
        new RedisOptions()
            .setPreferredProtocolVersion(ProtocolVersion.RESP2)
            .setMaxPoolSize(2)
            .setMaxWaitingHandlers(maxWaiting)
            .setUseReplicas(RedisReplicas.NEVER);
    switch (s.topology()) {
      case SINGLE -> o.setType(RedisClientType.STANDALONE);
      case SENTINEL ->
          o.setType(RedisClientType.SENTINEL)
              .setRole(RedisRole.MASTER)
              .setMasterName(s.masterName())
              .setTopologyCacheTTL(TOPOLOGY_CACHE_MILLIS);
      case CLUSTER ->
          o.setType(RedisClientType.CLUSTER)
              .setHashSlotCacheTTL(TOPOLOGY_CACHE_MILLIS)
              // Pool waiters for a node's connection while it is being made: a burst of logins.
              .setMaxPoolWaiting(maxWaiting);
    }
    o.setEndpoints(new java.util.ArrayList<>(s.endpoints()));
    if (s.password() != null) {
      o.setPassword(s.password());
    }
    return o;
  }

  /** One Redis at a URL, as the tests and the tools give it. */
  public static RedisOptions single(String url, int maxWaiting) {
    return options(
        new RedisSettings(
            RedisSettings.Topology.SINGLE, java.util.List.of(url), "mymaster", null, 0, 250),
        maxWaiting);
  }
}
