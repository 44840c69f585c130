package dev.jeton.track;

import java.util.regex.Pattern;

/**
 * Where the Redis store keeps what: every key it names, in one place. Every key starts with the
 * namespace ({@value #DEFAULT_NAMESPACE} unless told otherwise, so that keys are the same as they
 * have always been), so that several deployments, or several tests, can share one Redis without
 * meeting. Immutable, thread-safe.
 *
 * <p>All keys of one user share the hash tag {@code {u:NAME}} and all keys of one pooled token
 * {@code {t:SERIAL}}, so that each script touches one slot and works on Redis Cluster. The Lua
 * scripts name no key themselves: every key they touch comes from here, in KEYS.
 *
 * <p>Layout, for the namespace {@code jeton}: {@code jeton:{u:NAME}} user hash (display name,
 * password hash, token list, generation id {@code gen}, portal session count {@code sg}, per token
 * {@code t:SERIAL} = "type|algorithm|digits|period" and {@code t:SERIAL:k|on|pin|last|drift|used},
 * emergency codes {@code e:HASH} = expiry), every value short enough (64 bytes at most with a
 * 20-byte seed) for the hash to stay a compact listpack; {@code jeton:{u:NAME}:f} failures; {@code
 * jeton:{u:NAME}:c:ID} challenges (each carries the user's generation id, so that a deleted user's
 * die with it); {@code jeton:{t:SERIAL}} the token while it is in the pool, only its owner while
 * assigned; {@code jeton:ip:{IP}:WINDOW} IP failures ({@link IpWindow}); {@code
 * jeton:{clients}:c:NAME} and {@code jeton:{ops}:o:NAME} clients and operators, each found by its
 * secret's hash through the index hash {@code jeton:{clients}:by-secret} or {@code
 * jeton:{ops}:by-secret} (one hash tag each, so that a replaced secret leaves its index in the same
 * script that writes the new one); {@code jeton:{u:NAME}:a} the user's audit trail (a list of whole
 * events, newest first), which the commit of an ACCEPT writes into and the audit trail ({@code
 * dev.jeton.audit.RedisAuditSink}, whose {@code AuditLayout} names it too) reads and writes. The
 * audit trail keeps its sharded streams under the same namespace. {@code jeton:{ops}:console} the
 * console operators (a hash, username → role); {@code jeton:{idx}:users} the search index of the
 * users (a sorted set, every score 0, members {@code searchKey NUL username} for each user's
 * identifier and display name, read by lexical range), and beside it {@code
 * jeton:{idx}:users:built} the mark that the index holds every user ({@link RedisIndexBackfill}).
 * Both are global keys under a hash tag of their own, written by plain commands beside the user's
 * script, never inside it. {@code jeton:{radius}:clients} the RADIUS clients (one hash, name → the
 * record in one field, {@code RedisRecords.radiusClient}: network, flags and the secret sealed
 * under the master key, never in clear), read whole by the RADIUS intake; every write or deletion
 * of one publishes its name on the channel {@code jeton:radius-clients-changed} in the same script
 * ({@code radiusclient.lua}).
 */
final class RedisKeys {

  /** The namespace of every deployment that names none. */
  static final String DEFAULT_NAMESPACE = "jeton";

  /**
   * No braces (they would move the hash tag) and nothing a {@code KEYS}/{@code SCAN} pattern would
   * read as special.
   */
  private static final Pattern NAMESPACE = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

  private final String namespace;
  private final String clientIndex;
  private final String operatorIndex;
  private final String consoleOperators;
  private final String userIndex;
  private final String userIndexBuilt;
  private final String radiusClients;

  /**
   * @throws IllegalArgumentException when the namespace is empty, longer than 64 characters, or
   *     holds other than letters, digits and {@code . _ : -}
   */
  RedisKeys(String namespace) {
    if (namespace == null || !NAMESPACE.matcher(namespace).matches()) {
      throw new IllegalArgumentException(
          "a Redis key namespace is 1 to 64 letters, digits, '.', '_', ':' or '-'");
    }
    this.namespace = namespace;
    this.clientIndex = namespace + ":{clients}:by-secret";
    this.operatorIndex = namespace + ":{ops}:by-secret";
    this.consoleOperators = namespace + ":{ops}:console";
    this.userIndex = namespace + ":{idx}:users";
    this.userIndexBuilt = userIndex + ":built";
    this.radiusClients = namespace + ":{radius}:clients";
  }

  String namespace() {
    return namespace;
  }

  String user(String username) {
    return namespace + ":{u:" + username + "}";
  }

  String failures(String username) {
    return user(username) + ":f";
  }

  /**
   * The user's audit trail, in the user's slot so that the commit of an ACCEPT writes the record in
   * the same script that consumes the code.
   */
  String auditTrail(String username) {
    return user(username) + ":a";
  }

  String challenge(String username, String id) {
    return user(username) + ":c:" + (id == null ? "" : id);
  }

  String token(String serial) {
    return namespace + ":{t:" + serial + "}";
  }

  String client(String name) {
    return namespace + ":{clients}:c:" + name;
  }

  String operator(String name) {
    return namespace + ":{ops}:o:" + name;
  }

  /**
   * Index of the clients by secret hash; every client key shares its hash tag, so one script
   * updates both.
   */
  String clientIndex() {
    return clientIndex;
  }

  /**
   * The pub/sub channel (not a key: it has no slot) on which the name of every client that changes
   * is published, so that every node drops its cached copy ({@link InvalidationVerticle}).
   */
  String clientsChanged() {
    return namespace + ":clients-changed";
  }

  /**
   * The RADIUS clients: one hash, name → the encoded record ({@code RedisRecords.radiusClient}),
   * its secret sealed; under a hash tag of its own, so that one read gives the intake all of them.
   */
  String radiusClients() {
    return radiusClients;
  }

  /**
   * The pub/sub channel (not a key) on which the name of every RADIUS client written or deleted is
   * published, by the same script as the change ({@link InvalidationVerticle}).
   */
  String radiusClientsChanged() {
    return namespace + ":radius-clients-changed";
  }

  /** Index of the operators by secret hash, under the operators' own hash tag. */
  String operatorIndex() {
    return operatorIndex;
  }

  /** The console operators: one hash, username → console role. */
  String consoleOperators() {
    return consoleOperators;
  }

  /**
   * The users' search index: a sorted set read by lexical range ({@link Store#searchUsers}), under
   * a hash tag of its own.
   */
  String userIndex() {
    return userIndex;
  }

  /**
   * The mark, in the index's slot, that the index holds every user: a string (when it was set, in
   * epoch milliseconds), set once {@link RedisIndexBackfill} has scanned every user key; while it
   * is absent, each start of a store scans them again. Users written by a Jeton that had no index
   * are missing from the index until then; every later write of a user keeps its entries itself.
   */
  String userIndexBuilt() {
    return userIndexBuilt;
  }

  /**
   * The {@code SCAN} pattern of the user hashes: it also matches the user's other keys ({@link
   * #failures}, {@link #challenge}, {@link #auditTrail}), which {@link #scannedUser} tells apart.
   */
  String userPattern() {
    return namespace + ":{u:*}";
  }

  /**
   * The username whose user hash is {@code key}, or null when {@code key} is another key that
   * {@link #userPattern} matched (one of a user's other keys, all of which carry a suffix after the
   * hash tag).
   */
  String scannedUser(String key) {
    String prefix = namespace + ":{u:";
    if (!key.startsWith(prefix) || !key.endsWith("}") || key.length() == prefix.length() + 1) {
      return null;
    }
    String username = key.substring(prefix.length(), key.length() - 1);
    return username.indexOf('}') >= 0 ? null : username;
  }

  /**
   * The failures of one client address in one window ({@link IpWindow#number}); both windows read
   * share a slot.
   */
  String ip(String ip, long window) {
    return namespace + ":ip:{" + ip + "}:" + window;
  }
}
