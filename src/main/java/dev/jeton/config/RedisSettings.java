package dev.jeton.config;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Where the Redis store is, and how sure an ACCEPT must be of surviving it. Exactly one topology:
 * one Redis ({@code JETON_REDIS_URL}), Sentinel ({@code JETON_REDIS_SENTINELS} and {@code
 * JETON_REDIS_MASTER_NAME}), or Redis Cluster ({@code JETON_REDIS_CLUSTER_NODES}). Immutable.
 *
 * @param topology which of the three
 * @param endpoints {@code redis://host:port[/db]} URLs: the one Redis, the sentinels, or the
 *     cluster's seed nodes, in the order given
 * @param masterName the master set the sentinels watch (Sentinel only)
 * @param password of the data nodes ({@code JETON_REDIS_PASSWORD} or {@code _FILE}), or null
 * @param replicaAcks how many replicas must hold a consumed code before ACCEPT is answered ({@code
 *     WAIT}); 0 answers as soon as the master holds it
 * @param replicaAckTimeoutMillis how long to wait for them before answering 503 instead
 */
public record RedisSettings(
    Topology topology,
    List<String> endpoints,
    String masterName,
    String password,
    int replicaAcks,
    int replicaAckTimeoutMillis) {

  /** The three ways Jeton can find its Redis. */
  public enum Topology {
    SINGLE,
    SENTINEL,
    CLUSTER
  }

  static final String DEFAULT_MASTER_NAME = "mymaster";
  static final int DEFAULT_ACK_TIMEOUT_MILLIS = 250;

  private static final Pattern HOST_PORT =
      Pattern.compile("(\\[[0-9A-Fa-f:.]+]|[A-Za-z0-9.-]{1,253}):([0-9]{1,5})");
  private static final Pattern MASTER_NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  public RedisSettings {
    endpoints = List.copyOf(endpoints);
  }

  /**
   * Parses a comma-separated {@code host:port} list into {@code redis://host:port} URLs.
   *
   * @throws ConfigException naming {@code variable} when an entry is not {@code host:port}
   */
  static List<String> hostPorts(String variable, String list) {
    List<String> urls = new java.util.ArrayList<>();
    for (String part : list.split(",")) {
      String p = part.trim();
      var m = HOST_PORT.matcher(p);
      if (!m.matches()
          || Integer.parseInt(m.group(2)) < 1
          || Integer.parseInt(m.group(2)) > 65535) {
        throw new ConfigException(
            variable + " must be a comma-separated list of host:port, got '" + p + "'");
      }
      urls.add("redis://" + p);
    }
    return urls;
  }

  static String masterName(String name) {
    if (!MASTER_NAME.matcher(name).matches()) {
      throw new ConfigException(
          "JETON_REDIS_MASTER_NAME must be 1 to 64 of A-Z a-z 0-9 . _ -, got '" + name + "'");
    }
    return name;
  }

  /** Without the password: safe to log. */
  @Override
  public String toString() {
    return topology.name().toLowerCase()
        + (topology == Topology.SENTINEL ? "(" + masterName + ")" : "")
        + " "
        + endpoints.size()
        + " endpoint(s), replica acks "
        + replicaAcks
        + (password == null ? "" : ", password set");
  }
}
