package dev.jeton.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigTest {

  private static final String KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

  @Test
  void variablesAreTheNamesConfigReadsEvenThoseReadOnlyByHelpersOrBeforeTheRest() {
    assertThat(Config.variables())
        .allMatch(v -> v.startsWith("JETON_"))
        .contains(
            "JETON_CONFIG_FILE",
            "JETON_MASTER_KEY",
            "JETON_MASTER_KEY_FILE",
            "JETON_TRUSTED_PROXIES",
            "JETON_PORTAL_RETURN_HOSTS",
            "JETON_HTTP_HOST",
            "JETON_LOG_LEVEL",
            "JETON_HTTP_MAX_CONNECTIONS");
  }

  @Test
  void defaultsAreTheContractsAndTheEmbeddedStoreMakesItsOwnKeyAndToken() {
    Config c = Config.from(Map.of());
    assertThat(c.httpHost()).as("the demo is on by default: loopback").isEqualTo("127.0.0.1");
    assertThat(c.httpHostForDemo()).isTrue();
    assertThat(c.limits().idleTimeoutSeconds()).isEqualTo(60);
    assertThat(c.limits().readTimeoutSeconds()).isEqualTo(10);
    assertThat(c.limits().maxConnections()).isEqualTo(10_000);
    assertThat(c.httpPort()).isEqualTo(8080);
    assertThat(c.adminHost()).isEqualTo("127.0.0.1");
    assertThat(c.adminPort()).isEqualTo(8081);
    assertThat(c.embeddedStore()).isTrue();
    assertThat(c.masterKeyGenerated()).isTrue();
    assertThat(c.adminTokenGenerated()).isTrue();
    assertThat(c.totpWindow()).isEqualTo(1);
    assertThat(c.resyncWindow()).isEqualTo(10);
    assertThat(c.hotpLookahead()).isEqualTo(10);
    assertThat(c.hotpResyncWindow()).isEqualTo(100);
    assertThat(c.nextCodeAfterFailures()).isEqualTo(3);
    assertThat(c.lockoutFailures()).isEqualTo(10);
    assertThat(c.lockoutSeconds()).isEqualTo(900);
    assertThat(c.ipFailureLimit()).isEqualTo(200);
    assertThat(c.ipFailureWindowSeconds()).isEqualTo(300);
    assertThat(c.pinMinLength()).isEqualTo(4);
    assertThat(c.pinMaxLength()).isEqualTo(4);
    assertThat(c.pinForbidTrivial()).isTrue();
    assertThat(c.challengeTtlSeconds()).isEqualTo(300);
    assertThat(c.portal().returnHosts()).isEmpty();
    assertThat(c.portal().sessionSeconds()).isEqualTo(28_800);
    assertThat(c.portal().demo()).isTrue();
    assertThat(c.portal().helpUrl()).isNull();
    assertThat(c.console().idleMinutes()).isEqualTo(15);
    assertThat(c.console().maxHours()).isEqualTo(8);
    assertThat(c.trustedProxies().contains(IpBlocks.literal("127.0.0.1"))).isFalse();
  }

  @Test
  void portalSettingsAreReadAndABadOneNamesItsVariable() {
    Config c =
        Config.from(
            Map.of(
                "JETON_PORTAL_RETURN_HOSTS",
                "Apps.Example, intranet.example:8443",
                "JETON_TRUSTED_PROXIES",
                "10.0.0.0/8, ::1",
                "JETON_PORTAL_HELP_URL",
                "https://help.example/otp",
                "JETON_PORTAL_HELP_CONTACT",
                "support@district.example",
                "JETON_PORTAL_DEMO",
                "false"));
    assertThat(c.portal().returnHosts())
        .containsExactlyInAnyOrder("apps.example", "intranet.example:8443");
    assertThat(c.trustedProxies().contains(IpBlocks.literal("10.1.2.3"))).isTrue();
    assertThat(c.portal().demo()).isFalse();
    assertThatThrownBy(
            () -> Config.from(Map.of("JETON_PORTAL_RETURN_HOSTS", "https://apps.example/")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("JETON_PORTAL_RETURN_HOSTS");
    assertThatThrownBy(() -> Config.from(Map.of("JETON_TRUSTED_PROXIES", "proxy.example")))
        .hasMessageContaining("JETON_TRUSTED_PROXIES");
    assertThatThrownBy(() -> Config.from(Map.of("JETON_PORTAL_HELP_URL", "javascript:alert(1)")))
        .hasMessageContaining("JETON_PORTAL_HELP_URL");
    assertThatThrownBy(() -> Config.from(Map.of("JETON_PORTAL_SESSION_SECONDS", "5")))
        .hasMessageContaining("JETON_PORTAL_SESSION_SECONDS");
  }

  @Test
  void theRadiusListenerIsOffWithoutItsPortAndABadValueNamesItsVariable() {
    assertThat(Config.from(Map.of()).radius()).isNull();
    assertThat(Config.from(Map.of("JETON_RADIUS_PORT", "1812")).radius())
        .isEqualTo(new RadiusSettings("0.0.0.0", 1812, "fr"));
    assertThat(
            Config.from(
                    Map.of(
                        "JETON_RADIUS_PORT",
                        "0",
                        "JETON_RADIUS_HOST",
                        "127.0.0.1",
                        "JETON_RADIUS_LANGUAGE",
                        "en"))
                .radius())
        .isEqualTo(new RadiusSettings("127.0.0.1", 0, "en"));
    for (Map<String, String> bad :
        List.of(
            Map.of("JETON_RADIUS_PORT", "70000"),
            Map.of("JETON_RADIUS_PORT", "radius"),
            Map.of("JETON_RADIUS_LANGUAGE", "de"),
            Map.of("JETON_RADIUS_HOST", "not a host"))) {
      String variable = bad.keySet().iterator().next();
      assertThatThrownBy(() -> Config.from(bad))
          .as(variable)
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining(variable);
    }
  }

  @Test
  void consoleSessionTimesAreReadAndABadOneNamesItsVariable() {
    Config c =
        Config.from(Map.of("JETON_CONSOLE_IDLE_MINUTES", "5", "JETON_CONSOLE_MAX_HOURS", "2"));
    assertThat(c.console().idle()).hasMinutes(5);
    assertThat(c.console().lifetime()).hasHours(2);
    assertThat(Config.variables())
        .contains("JETON_CONSOLE_IDLE_MINUTES", "JETON_CONSOLE_MAX_HOURS");
    assertThatThrownBy(() -> Config.from(Map.of("JETON_CONSOLE_IDLE_MINUTES", "0")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("JETON_CONSOLE_IDLE_MINUTES");
    assertThatThrownBy(() -> Config.from(Map.of("JETON_CONSOLE_MAX_HOURS", "many")))
        .hasMessageContaining("JETON_CONSOLE_MAX_HOURS");
    assertThatThrownBy(
            () ->
                Config.from(
                    Map.of("JETON_CONSOLE_IDLE_MINUTES", "120", "JETON_CONSOLE_MAX_HOURS", "1")))
        .hasMessageContaining("JETON_CONSOLE_IDLE_MINUTES");
  }

  @Test
  void aBadValueNamesItsVariable() {
    assertThatThrownBy(() -> Config.from(Map.of("JETON_HTTP_PORT", "abc")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("JETON_HTTP_PORT");
    assertThatThrownBy(() -> Config.from(Map.of("JETON_LOCKOUT_FAILURES", "0")))
        .hasMessageContaining("JETON_LOCKOUT_FAILURES");
    assertThatThrownBy(() -> Config.from(Map.of("JETON_PIN_FORBID_TRIVIAL", "maybe")))
        .hasMessageContaining("JETON_PIN_FORBID_TRIVIAL");
    assertThatThrownBy(
            () -> Config.from(Map.of("JETON_REDIS_URL", "localhost:6379", "JETON_MASTER_KEY", KEY)))
        .hasMessageContaining("JETON_REDIS_URL");
  }

  @Test
  void redisRequiresAMasterKeyAndABadKeyIsNeverEchoed() {
    assertThatThrownBy(() -> Config.from(Map.of("JETON_REDIS_URL", "redis://127.0.0.1:6379")))
        .hasMessageContaining("JETON_MASTER_KEY");
    assertThatThrownBy(() -> Config.from(Map.of("JETON_MASTER_KEY", "c2hvcnQ=")))
        .hasMessageContaining("JETON_MASTER_KEY")
        .hasMessageNotContaining("c2hvcnQ=");
    Config c =
        Config.from(Map.of("JETON_REDIS_URL", "redis://127.0.0.1:6379", "JETON_MASTER_KEY", KEY));
    assertThat(c.embeddedStore()).isFalse();
    assertThat(c.adminToken()).isNull();
    assertThat(c.toString()).doesNotContain(KEY);
  }

  @Test
  void aConfigFileAddsKeysAndTheEnvironmentWins(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path file = dir.resolve("jeton.properties");
    java.nio.file.Files.writeString(file, "JETON_LOCKOUT_FAILURES=5\nJETON_HTTP_PORT=9000\n");
    Map<String, String> env = new HashMap<>();
    env.put("JETON_CONFIG_FILE", file.toString());
    env.put("JETON_HTTP_PORT", "9100");
    Config c = Config.from(env);
    assertThat(c.lockoutFailures()).isEqualTo(5);
    assertThat(c.httpPort()).isEqualTo(9100);
  }

  @Test
  void withTheDemoOnThePublicListenerBindsLoopbackUnlessTheOperatorChoseTheAddress() {
    assertThat(Config.from(Map.of()).httpHost()).isEqualTo("127.0.0.1");
    Config chosen = Config.from(Map.of("JETON_HTTP_HOST", "0.0.0.0"));
    assertThat(chosen.httpHost()).isEqualTo("0.0.0.0");
    assertThat(chosen.httpHostForDemo()).isFalse();
    assertThat(Config.from(Map.of("JETON_HTTP_HOST", "192.0.2.7")).httpHost())
        .isEqualTo("192.0.2.7");
    Config noDemo = Config.from(Map.of("JETON_PORTAL_DEMO", "false"));
    assertThat(noDemo.httpHost())
        .as("no demo: every interface, as API.md says")
        .isEqualTo("0.0.0.0");
    assertThat(noDemo.httpHostForDemo()).isFalse();
    Config redis =
        Config.from(Map.of("JETON_REDIS_URL", "redis://127.0.0.1:6379", "JETON_MASTER_KEY", KEY));
    assertThat(redis.httpHost()).as("no demo with Redis").isEqualTo("0.0.0.0");
    assertThat(redis.httpHostForDemo()).isFalse();
  }

  @Test
  void listenerLimitsAreReadAndABadOneNamesItsVariable() {
    Config c =
        Config.from(
            Map.of(
                "JETON_HTTP_IDLE_TIMEOUT_SECONDS",
                "30",
                "JETON_HTTP_READ_TIMEOUT_SECONDS",
                "5",
                "JETON_HTTP_MAX_CONNECTIONS",
                "200"));
    assertThat(c.limits().idleTimeoutSeconds()).isEqualTo(30);
    assertThat(c.limits().readTimeoutSeconds()).isEqualTo(5);
    assertThat(c.limits().maxConnections()).isEqualTo(200);
    for (String variable :
        new String[] {
          "JETON_HTTP_IDLE_TIMEOUT_SECONDS",
          "JETON_HTTP_READ_TIMEOUT_SECONDS",
          "JETON_HTTP_MAX_CONNECTIONS"
        }) {
      for (String bad : new String[] {"0", "-1", "ten", "99999999"}) {
        assertThatThrownBy(() -> Config.from(Map.of(variable, bad)))
            .as("%s=%s", variable, bad)
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining(variable);
      }
    }
  }

  private static Map<String, String> withKey(String... kv) {
    Map<String, String> env = new HashMap<>();
    env.put("JETON_MASTER_KEY", KEY);
    env.put("JETON_ADMIN_TOKEN", "an-admin-token-of-enough-length");
    for (int i = 0; i < kv.length; i += 2) {
      env.put(kv[i], kv[i + 1]);
    }
    return env;
  }

  @Test
  void oneRedisWaitsForNoReplicaUnlessTold() {
    RedisSettings r = Config.from(withKey("JETON_REDIS_URL", "redis://10.0.0.5:6380/2")).redis();
    assertThat(r.topology()).isEqualTo(RedisSettings.Topology.SINGLE);
    assertThat(r.endpoints()).containsExactly("redis://10.0.0.5:6380/2");
    assertThat(r.replicaAcks()).isZero();
    assertThat(r.replicaAckTimeoutMillis()).isEqualTo(250);
    assertThat(
            Config.from(withKey("JETON_REDIS_URL", "redis://h:1", "JETON_REDIS_REPLICA_ACKS", "2"))
                .redis()
                .replicaAcks())
        .isEqualTo(2);
  }

  @Test
  void sentinelAndClusterWaitForOneReplicaByDefault() {
    RedisSettings s =
        Config.from(
                withKey(
                    "JETON_REDIS_SENTINELS",
                    "10.0.0.1:26379, 10.0.0.2:26379,[::1]:26380",
                    "JETON_REDIS_PASSWORD",
                    "data-node-password"))
            .redis();
    assertThat(s.topology()).isEqualTo(RedisSettings.Topology.SENTINEL);
    assertThat(s.masterName()).isEqualTo("mymaster");
    assertThat(s.endpoints())
        .containsExactly("redis://10.0.0.1:26379", "redis://10.0.0.2:26379", "redis://[::1]:26380");
    assertThat(s.password()).isEqualTo("data-node-password");
    assertThat(s.replicaAcks()).isEqualTo(1);
    assertThat(s.toString()).doesNotContain("data-node-password");

    RedisSettings c =
        Config.from(
                withKey(
                    "JETON_REDIS_CLUSTER_NODES",
                    "n1:7000,n2:7001",
                    "JETON_REDIS_REPLICA_ACK_TIMEOUT_MS",
                    "500"))
            .redis();
    assertThat(c.topology()).isEqualTo(RedisSettings.Topology.CLUSTER);
    assertThat(c.endpoints()).containsExactly("redis://n1:7000", "redis://n2:7001");
    assertThat(c.replicaAcks()).isEqualTo(1);
    assertThat(c.replicaAckTimeoutMillis()).isEqualTo(500);
    assertThat(
            Config.from(
                    withKey(
                        "JETON_REDIS_SENTINELS", "s:26379", "JETON_REDIS_MASTER_NAME", "district"))
                .redis()
                .masterName())
        .isEqualTo("district");
  }

  @Test
  void theRedisPasswordMayComeFromAFile(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    java.nio.file.Path f = dir.resolve("redis-password");
    java.nio.file.Files.writeString(f, "from-a-file\n");
    assertThat(
            Config.from(
                    withKey(
                        "JETON_REDIS_CLUSTER_NODES",
                        "n1:7000",
                        "JETON_REDIS_PASSWORD_FILE",
                        f.toString()))
                .redis()
                .password())
        .isEqualTo("from-a-file");
    assertThatThrownBy(
            () ->
                Config.from(
                    withKey(
                        "JETON_REDIS_URL",
                        "redis://h:1",
                        "JETON_REDIS_PASSWORD",
                        "x",
                        "JETON_REDIS_PASSWORD_FILE",
                        f.toString())))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("JETON_REDIS_PASSWORD")
        .hasMessageNotContaining("from-a-file");
  }

  @Test
  void aBadRedisCombinationNamesTheVariables() {
    assertThatThrownBy(
            () ->
                Config.from(
                    withKey(
                        "JETON_REDIS_URL", "redis://h:1", "JETON_REDIS_CLUSTER_NODES", "n1:7000")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("JETON_REDIS_URL")
        .hasMessageContaining("JETON_REDIS_SENTINELS")
        .hasMessageContaining("JETON_REDIS_CLUSTER_NODES");
    assertThatThrownBy(
            () ->
                Config.from(
                    withKey("JETON_REDIS_SENTINELS", "s:1", "JETON_REDIS_CLUSTER_NODES", "n:2")))
        .hasMessageContaining("only one");
    assertThatThrownBy(
            () ->
                Config.from(
                    withKey("JETON_REDIS_URL", "redis://h:1", "JETON_REDIS_MASTER_NAME", "m")))
        .hasMessageContaining("JETON_REDIS_MASTER_NAME");
    assertThatThrownBy(() -> Config.from(withKey("JETON_REDIS_REPLICA_ACKS", "1")))
        .hasMessageContaining("JETON_REDIS_REPLICA_ACKS");
    assertThatThrownBy(() -> Config.from(withKey("JETON_REDIS_SENTINELS", "no-port")))
        .hasMessageContaining("JETON_REDIS_SENTINELS");
    assertThatThrownBy(() -> Config.from(withKey("JETON_REDIS_CLUSTER_NODES", "h:99999")))
        .hasMessageContaining("JETON_REDIS_CLUSTER_NODES");
    assertThatThrownBy(
            () ->
                Config.from(
                    withKey(
                        "JETON_REDIS_URL",
                        "redis://h:1",
                        "JETON_REDIS_REPLICA_ACK_TIMEOUT_MS",
                        "0")))
        .hasMessageContaining("JETON_REDIS_REPLICA_ACK_TIMEOUT_MS");
    assertThat(Config.variables())
        .contains(
            "JETON_REDIS_SENTINELS",
            "JETON_REDIS_MASTER_NAME",
            "JETON_REDIS_CLUSTER_NODES",
            "JETON_REDIS_PASSWORD",
            "JETON_REDIS_PASSWORD_FILE",
            "JETON_REDIS_REPLICA_ACKS",
            "JETON_REDIS_REPLICA_ACK_TIMEOUT_MS");
  }

  private static Map<String, String> ldap(String... kv) {
    Map<String, String> env = new HashMap<>();
    env.put("JETON_LDAP_URL", "ldap://dir1.example, ldaps://dir2.example:636");
    env.put("JETON_LDAP_BASE_DN", "ou=people,dc=district,dc=example");
    for (int i = 0; i < kv.length; i += 2) {
      env.put(kv[i], kv[i + 1]);
    }
    return env;
  }

  @Test
  void withoutADirectoryUrlThereIsNoDirectoryAndNoOtherLdapVariableMaySayOtherwise() {
    assertThat(Config.from(Map.of()).ldap()).isNull();
    assertThatThrownBy(() -> Config.from(Map.of("JETON_LDAP_BASE_DN", "dc=district,dc=example")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("JETON_LDAP_URL");
    assertThat(Config.variables())
        .contains(
            "JETON_LDAP_URL",
            "JETON_LDAP_STARTTLS",
            "JETON_LDAP_BIND_DN",
            "JETON_LDAP_BIND_PASSWORD",
            "JETON_LDAP_BIND_PASSWORD_FILE",
            "JETON_LDAP_BASE_DN",
            "JETON_LDAP_USER_FILTER",
            "JETON_LDAP_DISPLAY_NAME_ATTRIBUTE",
            "JETON_LDAP_TIMEOUT_MS",
            "JETON_LDAP_POOL_SIZE",
            "JETON_LDAP_CA_FILE");
  }

  @Test
  void directoryDefaultsAreTheContract() {
    LdapSettings l = Config.from(ldap()).ldap();
    assertThat(l.urls()).containsExactly("ldap://dir1.example", "ldaps://dir2.example:636");
    assertThat(l.startTls()).isFalse();
    assertThat(l.bindDn()).isNull();
    assertThat(l.bindPassword()).isNull();
    assertThat(l.baseDn()).isEqualTo("ou=people,dc=district,dc=example");
    assertThat(l.userFilter()).isEqualTo("(uid={username})");
    assertThat(l.usernameAttribute()).isEqualTo("uid");
    assertThat(l.displayNameAttribute()).isEqualTo("cn");
    assertThat(l.timeoutMillis()).isEqualTo(2000);
    assertThat(l.poolSize()).isEqualTo(8);
    assertThat(l.caFile()).isNull();
  }

  @Test
  void anActiveDirectoryConfigurationIsReadAndTheBindPasswordIsNeverPrinted(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path secret = dir.resolve("bind-password");
    java.nio.file.Files.writeString(secret, "s3rvice-Secret\n");
    java.nio.file.Path ca = dir.resolve("ca.pem");
    java.nio.file.Files.writeString(ca, "-----BEGIN CERTIFICATE-----\n");
    Config c =
        Config.from(
            ldap(
                "JETON_LDAP_URL",
                "ldap://dc1.district.example,ldap://dc2.district.example",
                "JETON_LDAP_STARTTLS",
                "true",
                "JETON_LDAP_BIND_DN",
                "CN=jeton,OU=Service,DC=district,DC=example",
                "JETON_LDAP_BIND_PASSWORD_FILE",
                secret.toString(),
                "JETON_LDAP_USER_FILTER",
                "(&(objectClass=user)(sAMAccountName={username}))",
                "JETON_LDAP_DISPLAY_NAME_ATTRIBUTE",
                "displayName",
                "JETON_LDAP_TIMEOUT_MS",
                "500",
                "JETON_LDAP_POOL_SIZE",
                "16",
                "JETON_LDAP_CA_FILE",
                ca.toString()));
    LdapSettings l = c.ldap();
    assertThat(l.startTls()).isTrue();
    assertThat(l.bindPassword()).isEqualTo("s3rvice-Secret");
    assertThat(l.usernameAttribute()).isEqualTo("sAMAccountName");
    assertThat(l.displayNameAttribute()).isEqualTo("displayName");
    assertThat(l.timeoutMillis()).isEqualTo(500);
    assertThat(l.poolSize()).isEqualTo(16);
    assertThat(l.caFile()).isEqualTo(ca.toString());
    assertThat(c.toString()).contains("dc1.district.example").doesNotContain("s3rvice-Secret");
    assertThat(l.toString()).doesNotContain("s3rvice-Secret");
  }

  @Test
  void aBadDirectoryValueNamesItsVariable() {
    String[][] bad = {
      {"JETON_LDAP_URL", "http://dir.example"},
      {"JETON_LDAP_URL", "ldap://dir.example/dc=x?uid"},
      {"JETON_LDAP_URL", "ldap://dir.example, not a url"},
      {"JETON_LDAP_STARTTLS", "maybe"},
      {"JETON_LDAP_BASE_DN", "not a dn"},
      {"JETON_LDAP_USER_FILTER", "(uid=someone)"},
      {"JETON_LDAP_USER_FILTER", "(uid={username}"},
      {"JETON_LDAP_USER_FILTER", "(mail={username}@district.example)"},
      {"JETON_LDAP_DISPLAY_NAME_ATTRIBUTE", "cn)(x"},
      {"JETON_LDAP_TIMEOUT_MS", "99"},
      {"JETON_LDAP_TIMEOUT_MS", "60001"},
      {"JETON_LDAP_POOL_SIZE", "0"},
      {"JETON_LDAP_POOL_SIZE", "257"},
      {"JETON_LDAP_CA_FILE", "/nonexistent/ca.pem"},
      {"JETON_LDAP_BIND_DN", "not a dn"},
    };
    for (String[] kv : bad) {
      Map<String, String> env = ldap(kv);
      if (kv[0].equals("JETON_LDAP_BIND_DN")) {
        env.put("JETON_LDAP_BIND_PASSWORD", "pw");
      }
      assertThatThrownBy(() -> Config.from(env))
          .as(kv[0] + "=" + kv[1])
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining(kv[0]);
    }
    Map<String, String> noBase = ldap();
    noBase.remove("JETON_LDAP_BASE_DN");
    assertThatThrownBy(() -> Config.from(noBase)).hasMessageContaining("JETON_LDAP_BASE_DN");
    assertThatThrownBy(
            () ->
                Config.from(
                    ldap("JETON_LDAP_URL", "ldaps://dir.example", "JETON_LDAP_STARTTLS", "true")))
        .hasMessageContaining("JETON_LDAP_STARTTLS");
    assertThatThrownBy(
            () -> Config.from(ldap("JETON_LDAP_BIND_DN", "cn=jeton,dc=district,dc=example")))
        .hasMessageContaining("JETON_LDAP_BIND_PASSWORD");
    assertThatThrownBy(
            () ->
                Config.from(
                    ldap(
                        "JETON_LDAP_BIND_DN",
                        "cn=jeton,dc=district,dc=example",
                        "JETON_LDAP_BIND_PASSWORD",
                        "inline-secret",
                        "JETON_LDAP_BIND_PASSWORD_FILE",
                        "/some/file")))
        .hasMessageContaining("JETON_LDAP_BIND_PASSWORD")
        .hasMessageNotContaining("inline-secret");
  }
}
