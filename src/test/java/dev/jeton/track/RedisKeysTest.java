package dev.jeton.track;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * The key layout: the default namespace names every key as Jeton always has, so that existing data
 * is found.
 */
class RedisKeysTest {

  @Test
  void theDefaultNamespaceKeepsEveryKeyAsItWas() {
    RedisKeys k = new RedisKeys(RedisKeys.DEFAULT_NAMESPACE);

    assertThat(k.user("alice")).isEqualTo("jeton:{u:alice}");
    assertThat(k.failures("alice")).isEqualTo("jeton:{u:alice}:f");
    assertThat(k.challenge("alice", "c1")).isEqualTo("jeton:{u:alice}:c:c1");
    assertThat(k.challenge("alice", null)).isEqualTo("jeton:{u:alice}:c:");
    assertThat(k.token("T1")).isEqualTo("jeton:{t:T1}");
    assertThat(k.client("portal")).isEqualTo("jeton:{clients}:c:portal");
    assertThat(k.operator("desk")).isEqualTo("jeton:{ops}:o:desk");
    assertThat(k.clientIndex()).isEqualTo("jeton:{clients}:by-secret");
    assertThat(k.operatorIndex()).isEqualTo("jeton:{ops}:by-secret");
    assertThat(k.consoleOperators()).isEqualTo("jeton:{ops}:console");
    assertThat(k.userIndex()).isEqualTo("jeton:{idx}:users");
    assertThat(k.radiusClients()).isEqualTo("jeton:{radius}:clients");
    assertThat(k.radiusClientsChanged()).isEqualTo("jeton:radius-clients-changed");
    assertThat(k.ip("192.0.2.10", 5_666_666)).isEqualTo("jeton:ip:{192.0.2.10}:5666666");
  }

  @Test
  void anotherNamespaceKeepsTheHashTags() {
    RedisKeys k = new RedisKeys("jeton-t42");

    assertThat(k.user("alice")).isEqualTo("jeton-t42:{u:alice}");
    assertThat(k.failures("alice")).startsWith("jeton-t42:{u:alice}");
    assertThat(k.token("T1")).isEqualTo("jeton-t42:{t:T1}");
    assertThat(k.clientIndex()).isEqualTo("jeton-t42:{clients}:by-secret");
    assertThat(k.ip("192.0.2.10", 7)).isEqualTo("jeton-t42:ip:{192.0.2.10}:7");
  }

  @Test
  void theBackfillTakesOnlyTheUserHashesOfItsPattern() {
    RedisKeys k = new RedisKeys("jeton-t42");

    assertThat(k.userIndexBuilt()).isEqualTo("jeton-t42:{idx}:users:built");
    assertThat(k.userPattern()).isEqualTo("jeton-t42:{u:*}");
    assertThat(k.scannedUser(k.user("alice"))).isEqualTo("alice");
    assertThat(k.scannedUser(k.user("a.b@c-d_e"))).isEqualTo("a.b@c-d_e");
    assertThat(k.scannedUser(k.failures("alice"))).isNull();
    assertThat(k.scannedUser(k.auditTrail("alice"))).isNull();
    assertThat(k.scannedUser(k.challenge("alice", "c1"))).isNull();
    assertThat(k.scannedUser("jeton-t42:{u:x}:c:y}")).isNull();
    assertThat(k.scannedUser("jeton-t42:{u:}")).isNull();
    assertThat(k.scannedUser("jeton-t420:{u:alice}")).isNull();
  }

  @Test
  void aNamespaceThatWouldMoveAHashTagOrMatchAPatternIsRefused() {
    for (String bad : new String[] {"", "a{b}", "a}", "je*", "a b", "x".repeat(65)}) {
      assertThatThrownBy(() -> new RedisKeys(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> new RedisKeys(null)).isInstanceOf(IllegalArgumentException.class);
  }
}
