package dev.jeton.config;

import dev.jeton.crypto.MasterKey;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Jeton's configuration, read once at start from the environment (API.md §1) and validated. A
 * properties file named by {@code JETON_CONFIG_FILE} may supply the same keys; the environment
 * wins. Immutable and thread-safe.
 *
 * @param masterKeyGenerated true when no key was configured and a random one was made (embedded
 *     store only)
 * @param adminTokenGenerated true when no bootstrap admin token was configured and one was
 *     generated
 * @param storeTimeoutMillis how long a store call may take before the request fails closed with 503
 * @param passwordWorkers worker threads that hash passwords; also bounds concurrent password checks
 * @param auditMaxEvents the audit trail keeps at most this many events (approximately, on Redis)
 * @param auditMaxAgeDays and none older than this
 * @param metricsEnabled Prometheus metrics at {@code /metrics}, and Vert.x's own; off only to
 *     measure their cost
 * @param tlsCertFile PEM certificate chain for both listeners, or null for plain HTTP
 * @param tlsKeyFile PEM private key of that certificate
 * @param shutdownGraceSeconds how long a SIGTERM waits for requests in flight before closing
 * @param limits how long both listeners wait for a client, and how many connections each keeps
 * @param httpHostForDemo true when {@code JETON_HTTP_HOST} was not set and the demo user is on, so
 *     the public listener binds loopback only: the demo's live code is for the person at the
 *     machine, not for the network
 * @param trustedProxies addresses and CIDR blocks of the reverse proxies whose {@code
 *     X-Forwarded-For} is believed ({@code JETON_TRUSTED_PROXIES}); the connection's address counts
 *     for everyone else
 * @param redis where the Redis store is (one Redis, Sentinel or Cluster), or null for the embedded
 *     store
 * @param redisNamespace the first part of every Redis key ({@code JETON_REDIS_NAMESPACE}, default
 *     {@code jeton}): two deployments, or two tests, may share one Redis without seeing each
 *     other's keys
 * @param portal the login portal's settings
 * @param console the helpdesk console's settings
 * @param ldap the district's directory ({@code JETON_LDAP_*}), or null when {@code JETON_LDAP_URL}
 *     is unset: then passwords are Jeton's own, as before
 */
public record Config(
    String httpHost,
    int httpPort,
    String adminHost,
    int adminPort,
    RedisSettings redis,
    String redisNamespace,
    MasterKey masterKey,
    boolean masterKeyGenerated,
    String adminToken,
    boolean adminTokenGenerated,
    int totpWindow,
    int resyncWindow,
    int hotpLookahead,
    int hotpResyncWindow,
    int nextCodeAfterFailures,
    int lockoutFailures,
    int lockoutSeconds,
    int ipFailureLimit,
    int ipFailureWindowSeconds,
    int pinMinLength,
    int pinMaxLength,
    boolean pinForbidTrivial,
    int challengeTtlSeconds,
    int storeTimeoutMillis,
    int passwordWorkers,
    int auditMaxEvents,
    int auditMaxAgeDays,
    boolean metricsEnabled,
    String tlsCertFile,
    String tlsKeyFile,
    int shutdownGraceSeconds,
    ListenerLimits limits,
    boolean httpHostForDemo,
    IpBlocks trustedProxies,
    PortalSettings portal,
    ConsoleSettings console,
    RadiusSettings radius,
    LdapSettings ldap) {

  private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.:\\-\\[\\]]{1,255}");
  private static final String ANY = "0.0.0.0";
  private static final String LOOPBACK = "127.0.0.1";
  private static final Pattern REDIS_NAMESPACE = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
  private static final Pattern LDAP_ATTRIBUTE =
      Pattern.compile("[A-Za-z][A-Za-z0-9-]{0,127}|[0-9]+(\\.[0-9]+)+");
  private static final Pattern REDIS_URL = Pattern.compile("rediss?://[^\\s]+");

  /** True when no Redis is configured and the embedded in-memory store is used. */
  public boolean embeddedStore() {
    return redis == null;
  }

  /** Reads the process environment. */
  public static Config fromEnvironment() {
    return from(System.getenv());
  }

  /**
   * Reads the given variables (plus {@code JETON_CONFIG_FILE}, if named) and validates every value.
   *
   * @throws ConfigException naming the first variable whose value cannot be used
   */
  public static Config from(Map<String, String> env) {
    return from(env, null);
  }

  /**
   * The names of every variable Jeton reads ({@code JETON_*}), sorted: what an operator's manifests
   * may set. Taken from the reading code itself (an empty configuration is read and every name it
   * asks for is noted), so the list cannot drift from what {@link #from(Map)} reads.
   */
  public static Set<String> variables() {
    Set<String> names = new TreeSet<>();
    from(Map.of(), names);
    return Collections.unmodifiableSet(names);
  }

  /**
   * {@link #from(Map)}, noting in {@code asked} (when not null) the name of every variable read.
   */
  private static Config from(Map<String, String> env, Set<String> asked) {
    Map<String, String> values = new HashMap<>();
    if (asked != null) {
      asked.add("JETON_CONFIG_FILE");
    }
    String file = blankToNull(env.get("JETON_CONFIG_FILE"));
    if (file != null) {
      values.putAll(readFile(file));
    }
    env.forEach(
        (k, v) -> {
          if (k.startsWith("JETON_")) {
            values.put(k, v);
          }
        });
    Values r = new Values(values, asked);

    RedisSettings redis = r.redis();
    String redisNamespace = r.string("JETON_REDIS_NAMESPACE", "jeton");
    if (!REDIS_NAMESPACE.matcher(redisNamespace).matches()) {
      throw new ConfigException("JETON_REDIS_NAMESPACE must be 1 to 64 of A-Z a-z 0-9 . _ : -");
    }
    MasterKey masterKey = r.masterKey();
    boolean generatedKey = masterKey == null;
    if (generatedKey) {
      if (redis != null) {
        throw new ConfigException(
            "JETON_MASTER_KEY or JETON_MASTER_KEY_FILE is required with Redis (JETON_REDIS_URL, JETON_REDIS_SENTINELS or JETON_REDIS_CLUSTER_NODES; base64 of 32 random bytes)");
      }
      masterKey = MasterKey.random();
    }
    String adminToken = r.string("JETON_ADMIN_TOKEN", null);
    boolean generatedToken = false;
    if (adminToken != null && adminToken.length() < 16) {
      throw new ConfigException("JETON_ADMIN_TOKEN must be at least 16 characters");
    }
    if (adminToken == null && redis == null) {
      adminToken = dev.jeton.crypto.Secrets.newSecret();
      generatedToken = true;
    }

    String tlsCert = r.readableFile("JETON_TLS_CERT_FILE");
    String tlsKey = r.readableFile("JETON_TLS_KEY_FILE");
    if ((tlsCert == null) != (tlsKey == null)) {
      throw new ConfigException(
          "JETON_TLS_CERT_FILE and JETON_TLS_KEY_FILE go together: set both or neither");
    }
    r.oneOf("JETON_LOG_FORMAT", "json", "text");
    r.oneOf("JETON_LOG_LEVEL", "TRACE", "DEBUG", "INFO", "WARN", "ERROR");
    int pinMin = r.integer("JETON_PIN_MIN_LENGTH", 4, 4, 12);
    int pinMax = r.integer("JETON_PIN_MAX_LENGTH", 4, 4, 12);
    if (pinMax < pinMin) {
      throw new ConfigException("JETON_PIN_MAX_LENGTH must not be below JETON_PIN_MIN_LENGTH");
    }
    int totpWindow = r.integer("JETON_TOTP_WINDOW", 1, 0, 10);
    int resyncWindow = r.integer("JETON_RESYNC_WINDOW", 10, 0, 1000);
    if (resyncWindow < totpWindow) {
      throw new ConfigException("JETON_RESYNC_WINDOW must not be below JETON_TOTP_WINDOW");
    }
    int hotpLookahead = r.integer("JETON_HOTP_LOOKAHEAD", 10, 0, 1000);
    int hotpResync = r.integer("JETON_HOTP_RESYNC_WINDOW", 100, 0, 10000);
    if (hotpResync < hotpLookahead) {
      throw new ConfigException("JETON_HOTP_RESYNC_WINDOW must not be below JETON_HOTP_LOOKAHEAD");
    }
    PortalSettings portal =
        new PortalSettings(
            r.returnHosts(),
            r.integer("JETON_PORTAL_SESSION_SECONDS", 28_800, 60, 604_800),
            r.webUrl("JETON_PORTAL_HELP_URL"),
            r.text("JETON_PORTAL_HELP_CONTACT", 200),
            r.text("JETON_PORTAL_WARNING", 1000),
            r.bool("JETON_PORTAL_DEMO", true));
    int consoleIdle = r.integer("JETON_CONSOLE_IDLE_MINUTES", 15, 1, 24 * 60);
    int consoleMax = r.integer("JETON_CONSOLE_MAX_HOURS", 8, 1, 7 * 24);
    if (consoleMax * 60 < consoleIdle) {
      throw new ConfigException(
          "JETON_CONSOLE_IDLE_MINUTES must not exceed JETON_CONSOLE_MAX_HOURS (in minutes)");
    }
    // The demo key page shows a live code that logs in: unless the operator chose the address, only
    // this machine
    // may reach it.
    boolean demo = redis == null && portal.demo();
    boolean hostForDemo = demo && r.string("JETON_HTTP_HOST", null) == null;
    String httpHost = r.host("JETON_HTTP_HOST", hostForDemo ? LOOPBACK : ANY);
    return new Config(
        httpHost,
        r.integer("JETON_HTTP_PORT", 8080, 0, 65535),
        r.host("JETON_ADMIN_HOST", "127.0.0.1"),
        r.integer("JETON_ADMIN_PORT", 8081, 0, 65535),
        redis,
        redisNamespace,
        masterKey,
        generatedKey,
        adminToken,
        generatedToken,
        totpWindow,
        resyncWindow,
        hotpLookahead,
        hotpResync,
        r.integer("JETON_NEXT_CODE_AFTER_FAILURES", 3, 1, 1000),
        r.integer("JETON_LOCKOUT_FAILURES", 10, 1, 1000),
        r.integer("JETON_LOCKOUT_SECONDS", 900, 1, 86_400 * 30),
        r.integer("JETON_IP_FAILURE_LIMIT", 200, 1, 10_000_000),
        r.integer("JETON_IP_FAILURE_WINDOW_SECONDS", 300, 1, 86_400),
        pinMin,
        pinMax,
        r.bool("JETON_PIN_FORBID_TRIVIAL", true),
        r.integer("JETON_CHALLENGE_TTL_SECONDS", 300, 10, 86_400),
        r.integer("JETON_STORE_TIMEOUT_MS", 1000, 10, 60_000),
        r.integer(
            "JETON_PASSWORD_WORKERS",
            Math.max(2, Runtime.getRuntime().availableProcessors()),
            1,
            256),
        r.integer("JETON_AUDIT_MAX_EVENTS", 1_000_000, 100, 100_000_000),
        r.integer("JETON_AUDIT_MAX_AGE_DAYS", 90, 1, 3650),
        r.bool("JETON_METRICS_ENABLED", true),
        tlsCert,
        tlsKey,
        r.integer("JETON_SHUTDOWN_GRACE_SECONDS", 20, 0, 600),
        new ListenerLimits(
            r.integer("JETON_HTTP_IDLE_TIMEOUT_SECONDS", 60, 1, 86_400),
            r.integer("JETON_HTTP_READ_TIMEOUT_SECONDS", 10, 1, 3_600),
            r.integer("JETON_HTTP_MAX_CONNECTIONS", 10_000, 1, 1_000_000)),
        hostForDemo,
        r.trustedProxies(),
        portal,
        new ConsoleSettings(consoleIdle, consoleMax),
        radius(r),
        r.ldap());
  }

  /**
   * The RADIUS listener, or null without {@code JETON_RADIUS_PORT}; its other variables are checked
   * either way, so that a mistake shows before the day the port is set.
   */
  private static RadiusSettings radius(Values r) {
    r.oneOf("JETON_RADIUS_LANGUAGE", "fr", "en");
    String language = r.string("JETON_RADIUS_LANGUAGE", "fr");
    String host = r.host("JETON_RADIUS_HOST", ANY);
    if (r.string("JETON_RADIUS_PORT", null) == null) {
      return null;
    }
    return new RadiusSettings(host, r.integer("JETON_RADIUS_PORT", 1812, 0, 65535), language);
  }

  /** Without secrets: safe to log. */
  @Override
  public String toString() {
    return "Config[http="
        + httpHost
        + ":"
        + httpPort
        + ", admin="
        + adminHost
        + ":"
        + adminPort
        + ", store="
        + (redis == null ? "embedded" : "redis " + redis)
        + ", directory="
        + (ldap == null ? "none" : ldap)
        + "]";
  }

  private static Map<String, String> readFile(String file) {
    Properties p = new Properties();
    try (Reader in = Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8)) {
      p.load(in);
    } catch (IOException | RuntimeException e) {
      throw new ConfigException("JETON_CONFIG_FILE cannot be read: " + file);
    }
    Map<String, String> m = new HashMap<>();
    p.forEach((k, v) -> m.put(k.toString().trim(), v.toString().trim()));
    return m;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }

  private static final class Values {
    private final Map<String, String> values;
    private final Set<String> asked;

    Values(Map<String, String> values, Set<String> asked) {
      this.values = values;
      this.asked = asked;
    }

    /**
     * Every other reader goes through here, so that {@link Config#variables()} sees each name read.
     */
    String string(String name, String def) {
      if (asked != null) {
        asked.add(name);
      }
      String v = blankToNull(values.get(name));
      return v == null ? def : v;
    }

    String host(String name, String def) {
      String v = string(name, def);
      if (!HOST.matcher(v).matches()) {
        throw new ConfigException(name + " is not a host name or address: " + v);
      }
      return v;
    }

    int integer(String name, int def, int min, int max) {
      String v = string(name, null);
      if (v == null) {
        return def;
      }
      try {
        int n = Integer.parseInt(v);
        if (n < min || n > max) {
          throw new ConfigException(
              name + " must be between " + min + " and " + max + ", got " + n);
        }
        return n;
      } catch (NumberFormatException e) {
        throw new ConfigException(name + " must be an integer, got '" + v + "'");
      }
    }

    boolean bool(String name, boolean def) {
      String v = string(name, null);
      if (v == null) {
        return def;
      }
      switch (v.toLowerCase()) {
        case "true":
        case "yes":
        case "1":
          return true;
        case "false":
        case "no":
        case "0":
          return false;
        default:
          throw new ConfigException(name + " must be true or false, got '" + v + "'");
      }
    }

    /** A file that must exist and be readable, or null when the variable is unset. */
    String readableFile(String name) {
      String v = string(name, null);
      if (v != null && !Files.isReadable(Path.of(v))) {
        throw new ConfigException(name + " names a file that cannot be read: " + v);
      }
      return v;
    }

    /**
     * Checks a value that logback reads itself (the log level, in any case, and format), before
     * logback guesses.
     */
    void oneOf(String name, String... allowed) {
      String v = string(name, null);
      boolean anyCase = name.equals("JETON_LOG_LEVEL");
      if (v != null
          && java.util.Arrays.stream(allowed)
              .noneMatch(a -> anyCase ? a.equalsIgnoreCase(v) : a.equals(v))) {
        throw new ConfigException(
            name + " must be one of " + String.join(", ", allowed) + ", got '" + v + "'");
      }
    }

    IpBlocks trustedProxies() {
      try {
        return IpBlocks.parse(string("JETON_TRUSTED_PROXIES", null), "trusted proxy");
      } catch (IllegalArgumentException e) {
        throw new ConfigException(
            "JETON_TRUSTED_PROXIES: "
                + e.getMessage()
                + " (a comma-separated list of IP addresses and CIDR blocks)");
      }
    }

    java.util.Set<String> returnHosts() {
      try {
        return ReturnHosts.parse(string("JETON_PORTAL_RETURN_HOSTS", null));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(
            "JETON_PORTAL_RETURN_HOSTS: "
                + e.getMessage()
                + " (a comma-separated list of host names, each with an optional :port)");
      }
    }

    /** An absolute http(s) URL, or null when unset. */
    String webUrl(String name) {
      String v = string(name, null);
      if (v == null) {
        return null;
      }
      try {
        java.net.URI u = new java.net.URI(v);
        if (u.getHost() == null
            || !("https".equalsIgnoreCase(u.getScheme())
                || "http".equalsIgnoreCase(u.getScheme()))) {
          throw new ConfigException(name + " must be an absolute http:// or https:// URL");
        }
      } catch (java.net.URISyntaxException e) {
        throw new ConfigException(name + " is not a URL: " + e.getReason());
      }
      return v;
    }

    /** Free text shown to users, bounded, or null when unset. */
    String text(String name, int max) {
      String v = string(name, null);
      if (v != null && (v.length() > max || v.chars().anyMatch(c -> c < 0x20))) {
        throw new ConfigException(name + " must be one line of at most " + max + " characters");
      }
      return v;
    }

    /**
     * The one topology configured, or null for the embedded store. Every variable is read even when
     * unused, so that {@link Config#variables()} lists them all.
     */
    RedisSettings redis() {
      String url = string("JETON_REDIS_URL", null);
      String sentinels = string("JETON_REDIS_SENTINELS", null);
      String masterName = string("JETON_REDIS_MASTER_NAME", null);
      String cluster = string("JETON_REDIS_CLUSTER_NODES", null);
      String password = secret("JETON_REDIS_PASSWORD");
      String acks = string("JETON_REDIS_REPLICA_ACKS", null);
      int ackTimeout =
          integer(
              "JETON_REDIS_REPLICA_ACK_TIMEOUT_MS",
              RedisSettings.DEFAULT_ACK_TIMEOUT_MILLIS,
              1,
              60_000);
      int set = (url != null ? 1 : 0) + (sentinels != null ? 1 : 0) + (cluster != null ? 1 : 0);
      if (set > 1) {
        throw new ConfigException(
            "set only one of JETON_REDIS_URL (one Redis), JETON_REDIS_SENTINELS (Sentinel) and"
                + " JETON_REDIS_CLUSTER_NODES (Redis Cluster)");
      }
      if (masterName != null && sentinels == null) {
        throw new ConfigException("JETON_REDIS_MASTER_NAME goes with JETON_REDIS_SENTINELS only");
      }
      if (set == 0) {
        if (password != null || acks != null) {
          throw new ConfigException(
              "JETON_REDIS_PASSWORD and JETON_REDIS_REPLICA_ACKS need a Redis: set"
                  + " JETON_REDIS_URL, JETON_REDIS_SENTINELS or JETON_REDIS_CLUSTER_NODES");
        }
        return null;
      }
      RedisSettings.Topology topology;
      List<String> endpoints;
      if (url != null) {
        if (!REDIS_URL.matcher(url).matches()) {
          throw new ConfigException("JETON_REDIS_URL must look like redis://host:port[/db]");
        }
        topology = RedisSettings.Topology.SINGLE;
        endpoints = List.of(url);
      } else if (sentinels != null) {
        topology = RedisSettings.Topology.SENTINEL;
        endpoints = RedisSettings.hostPorts("JETON_REDIS_SENTINELS", sentinels);
      } else {
        topology = RedisSettings.Topology.CLUSTER;
        endpoints = RedisSettings.hostPorts("JETON_REDIS_CLUSTER_NODES", cluster);
      }
      int defaultAcks = topology == RedisSettings.Topology.SINGLE ? 0 : 1;
      int replicaAcks = integer("JETON_REDIS_REPLICA_ACKS", defaultAcks, 0, 16);
      return new RedisSettings(
          topology,
          endpoints,
          RedisSettings.masterName(
              masterName == null ? RedisSettings.DEFAULT_MASTER_NAME : masterName),
          password,
          replicaAcks,
          ackTimeout);
    }

    /**
     * The directory, or null when {@code JETON_LDAP_URL} is unset (then no other {@code
     * JETON_LDAP_*} may be set). Every variable is read even when unused, so that {@link
     * Config#variables()} lists them all.
     */
    LdapSettings ldap() {
      String urls = string("JETON_LDAP_URL", null);
      String startTlsValue = string("JETON_LDAP_STARTTLS", null);
      boolean startTls = bool("JETON_LDAP_STARTTLS", false);
      String bindDn = string("JETON_LDAP_BIND_DN", null);
      String bindPassword = secret("JETON_LDAP_BIND_PASSWORD");
      String baseDn = string("JETON_LDAP_BASE_DN", null);
      String filter = string("JETON_LDAP_USER_FILTER", null);
      String displayName = string("JETON_LDAP_DISPLAY_NAME_ATTRIBUTE", null);
      int timeout = integer("JETON_LDAP_TIMEOUT_MS", 2000, 100, 60_000);
      int poolSize = integer("JETON_LDAP_POOL_SIZE", 8, 1, 256);
      String caFile = readableFile("JETON_LDAP_CA_FILE");
      if (urls == null) {
        boolean other =
            startTlsValue != null
                || bindDn != null
                || bindPassword != null
                || baseDn != null
                || filter != null
                || displayName != null
                || caFile != null
                || string("JETON_LDAP_TIMEOUT_MS", null) != null
                || string("JETON_LDAP_POOL_SIZE", null) != null;
        if (other) {
          throw new ConfigException(
              "JETON_LDAP_* is set but JETON_LDAP_URL is not: set JETON_LDAP_URL to use a"
                  + " directory");
        }
        return null;
      }
      List<String> parsed = new java.util.ArrayList<>();
      for (String u : urls.split(",")) {
        parsed.add(ldapUrl(u.trim(), startTls));
      }
      if ((bindDn == null) != (bindPassword == null)) {
        throw new ConfigException(
            "JETON_LDAP_BIND_DN and JETON_LDAP_BIND_PASSWORD (or _FILE) go together: set both, or"
                + " neither for anonymous searches");
      }
      if (bindDn != null && !com.unboundid.ldap.sdk.DN.isValidDN(bindDn)) {
        throw new ConfigException("JETON_LDAP_BIND_DN is not a DN: " + bindDn);
      }
      if (baseDn == null) {
        throw new ConfigException(
            "JETON_LDAP_BASE_DN is required with JETON_LDAP_URL (where users are searched,"
                + " e.g. ou=people,dc=district,dc=example)");
      }
      if (!com.unboundid.ldap.sdk.DN.isValidDN(baseDn)) {
        throw new ConfigException("JETON_LDAP_BASE_DN is not a DN: " + baseDn);
      }
      String userFilter = filter == null ? LdapSettings.DEFAULT_USER_FILTER : filter;
      try {
        LdapSettings.usernameAttribute(userFilter);
      } catch (IllegalArgumentException e) {
        throw new ConfigException("JETON_LDAP_USER_FILTER " + e.getMessage());
      }
      String attribute =
          displayName == null ? LdapSettings.DEFAULT_DISPLAY_NAME_ATTRIBUTE : displayName;
      if (!LDAP_ATTRIBUTE.matcher(attribute).matches()) {
        throw new ConfigException(
            "JETON_LDAP_DISPLAY_NAME_ATTRIBUTE must be an attribute name (letters, digits and -)"
                + " or an OID");
      }
      return new LdapSettings(
          parsed,
          startTls,
          bindDn,
          bindPassword,
          baseDn,
          userFilter,
          attribute,
          timeout,
          poolSize,
          caFile);
    }

    /** One URL of {@code JETON_LDAP_URL}: scheme, host and port only. */
    private static String ldapUrl(String url, boolean startTls) {
      com.unboundid.ldap.sdk.LDAPURL parsed;
      try {
        parsed = new com.unboundid.ldap.sdk.LDAPURL(url);
      } catch (com.unboundid.ldap.sdk.LDAPException e) {
        throw new ConfigException(
            "JETON_LDAP_URL must be comma-separated ldap://host[:port] or ldaps://host[:port]"
                + " URLs, got '"
                + url
                + "'");
      }
      String scheme = parsed.getScheme().toLowerCase(java.util.Locale.ROOT);
      if (!parsed.hostProvided()
          || !(scheme.equals("ldap") || scheme.equals("ldaps"))
          || parsed.baseDNProvided()
          || parsed.attributesProvided()
          || parsed.scopeProvided()
          || parsed.filterProvided()) {
        throw new ConfigException(
            "JETON_LDAP_URL must be comma-separated ldap://host[:port] or ldaps://host[:port]"
                + " URLs (no DN, attributes, scope or filter: see JETON_LDAP_BASE_DN and"
                + " JETON_LDAP_USER_FILTER), got '"
                + url
                + "'");
      }
      if (startTls && scheme.equals("ldaps")) {
        throw new ConfigException(
            "JETON_LDAP_STARTTLS goes with ldap:// URLs only: ldaps:// is TLS already ('"
                + url
                + "')");
      }
      return url;
    }

    /**
     * A secret given inline ({@code NAME}) or in a file ({@code NAME_FILE}, trailing newline
     * dropped), never both; null when neither is set. The message never holds the value.
     */
    String secret(String name) {
      String inline = string(name, null);
      String file = string(name + "_FILE", null);
      if (inline != null && file != null) {
        throw new ConfigException("set only one of " + name + " and " + name + "_FILE");
      }
      if (file == null) {
        return inline;
      }
      try {
        String v = Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
        if (v.isEmpty()) {
          throw new ConfigException(name + "_FILE names an empty file: " + file);
        }
        return v;
      } catch (IOException | RuntimeException e) {
        if (e instanceof ConfigException c) {
          throw c;
        }
        throw new ConfigException(name + "_FILE cannot be read: " + file);
      }
    }

    MasterKey masterKey() {
      String inline = string("JETON_MASTER_KEY", null);
      String file = string("JETON_MASTER_KEY_FILE", null);
      if (inline != null && file != null) {
        throw new ConfigException("set only one of JETON_MASTER_KEY and JETON_MASTER_KEY_FILE");
      }
      String name = inline != null ? "JETON_MASTER_KEY" : "JETON_MASTER_KEY_FILE";
      String b64 = inline;
      if (file != null) {
        try {
          b64 = Files.readString(Path.of(file), StandardCharsets.US_ASCII).trim();
        } catch (IOException | RuntimeException e) {
          throw new ConfigException("JETON_MASTER_KEY_FILE cannot be read: " + file);
        }
      }
      if (b64 == null) {
        return null;
      }
      try {
        return MasterKey.fromBase64(b64);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(name + " must be base64 of exactly 32 bytes");
      }
    }
  }
}
