package dev.jeton.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jeton.bus.DirectoryBus.DirectoryUser;
import dev.jeton.bus.DirectoryBus.PasswordResult;
import dev.jeton.bus.DirectoryBus.Verdict;
import dev.jeton.config.Config;
import dev.jeton.config.LdapSettings;
import dev.jeton.testsupport.ExternalTools;
import dev.jeton.testsupport.Ports;
import dev.jeton.testsupport.Slapd;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The LDAP client against a real slapd (skipped only when slapd is not installed). */
class LdapDirectoryTest {

  private static final int TIMEOUT_MS = 500;
  private static Slapd slapd;

  @BeforeAll
  static void startSlapd() {
    ExternalTools.require(
        Slapd.available(),
        "slapd and ldap-utils are not installed (apt-get install slapd ldap-utils)");
    slapd = Slapd.start();
  }

  @AfterAll
  static void stopSlapd() {
    if (slapd != null) {
      slapd.close();
    }
  }

  static LdapSettings settings(String url, String... kv) {
    Map<String, String> env = new HashMap<>();
    env.put("JETON_LDAP_URL", url);
    env.put("JETON_LDAP_BASE_DN", Slapd.BASE);
    env.put("JETON_LDAP_BIND_DN", Slapd.SERVICE_DN);
    env.put("JETON_LDAP_BIND_PASSWORD", Slapd.SERVICE_PASSWORD);
    env.put("JETON_LDAP_TIMEOUT_MS", Integer.toString(TIMEOUT_MS));
    env.put("JETON_LDAP_POOL_SIZE", "4");
    for (int i = 0; i < kv.length; i += 2) {
      env.put(kv[i], kv[i + 1]);
    }
    return Config.from(env).ldap();
  }

  private static LdapDirectory directory(String... kv) {
    return new LdapDirectory(settings(slapd.url(), kv));
  }

  @Test
  void theRightPasswordIsOkWithTheDisplayNameAndAWrongOneOrAnUnknownUserIsWrong() {
    try (LdapDirectory d = directory()) {
      assertThat(d.checkPassword("alice", "alice-pw"))
          .isEqualTo(new PasswordResult(Verdict.OK, "Alice Martin"));
      assertThat(d.checkPassword("alice", "bob-pw"))
          .isEqualTo(new PasswordResult(Verdict.WRONG, null));
      assertThat(d.checkPassword("nobody", "alice-pw"))
          .isEqualTo(new PasswordResult(Verdict.WRONG, null));
    }
  }

  @Test
  void anUnknownUsernameCostsABindAsAWrongPasswordDoes() {
    try (LdapDirectory d = directory()) {
      long before = slapd.bindsOtherThanService();
      assertThat(d.checkPassword("nobody-at-all", "some-pw").verdict()).isEqualTo(Verdict.WRONG);
      assertThat(slapd.bindsOtherThanService()).isEqualTo(before + 1);
    }
  }

  @Test
  void anEmptyPasswordIsWrongWithoutAnyBind() {
    try (LdapDirectory d = directory()) {
      d.checkPassword("alice", "alice-pw"); // warm up: the user bind pool exists
      long before = slapd.binds("uid=alice," + Slapd.PEOPLE);
      long others = slapd.bindsOtherThanService();
      assertThat(d.checkPassword("alice", "")).isEqualTo(new PasswordResult(Verdict.WRONG, null));
      assertThat(d.checkPassword("nobody", "").verdict()).isEqualTo(Verdict.WRONG);
      assertThat(slapd.binds("uid=alice," + Slapd.PEOPLE)).isEqualTo(before);
      assertThat(slapd.bindsOtherThanService()).isEqualTo(others);
    }
  }

  @Test
  void filterCharactersInAUsernameNeverMatchAnotherEntry() throws Exception {
    try (LdapDirectory d = directory()) {
      for (String injected :
          new String[] {
            "*", "a*", "o(brien*", "\\", ")(uid=*", "alice)(uid=*", "*)(|(uid=*", "\0"
          }) {
        assertThat(d.checkPassword(injected, "alice-pw").verdict())
            .as(injected)
            .isEqualTo(Verdict.WRONG);
        assertThat(d.checkPassword(injected, "obrien-pw").verdict())
            .as(injected)
            .isEqualTo(Verdict.WRONG);
        assertThat(d.findUser(injected)).as(injected).isNull();
      }
      assertThat(d.checkPassword("o(brien*)", "obrien-pw"))
          .isEqualTo(new PasswordResult(Verdict.OK, "Pat O'Brien"));
      assertThat(d.findUser("o(brien*)")).isEqualTo(new DirectoryUser("o(brien*)", "Pat O'Brien"));
      assertThat(d.userFilter(")(uid=*")).isEqualTo("(uid=\\29\\28uid=\\2a)");
    }
  }

  @Test
  void aMovedUserIsStillFoundAndADeletedOneIsNot() throws Exception {
    slapd.add(
        """
        dn: uid=carol,ou=people,dc=district,dc=example
        objectClass: inetOrgPerson
        uid: carol
        cn: Carol Petit
        sn: Petit
        userPassword: carol-pw

        dn: uid=dave,ou=people,dc=district,dc=example
        objectClass: inetOrgPerson
        uid: dave
        cn: Dave Leroy
        sn: Leroy
        userPassword: dave-pw
        """);
    try (LdapDirectory d = directory()) {
      assertThat(d.checkPassword("carol", "carol-pw").verdict()).isEqualTo(Verdict.OK);
      assertThat(d.checkPassword("dave", "dave-pw").verdict()).isEqualTo(Verdict.OK);
      slapd.modrdn("uid=carol," + Slapd.PEOPLE, "uid=carol", Slapd.MOVED);
      slapd.delete("uid=dave," + Slapd.PEOPLE);
      assertThat(d.checkPassword("carol", "carol-pw"))
          .isEqualTo(new PasswordResult(Verdict.OK, "Carol Petit"));
      assertThat(d.findUser("carol")).isEqualTo(new DirectoryUser("carol", "Carol Petit"));
      assertThat(d.checkPassword("dave", "dave-pw").verdict()).isEqualTo(Verdict.WRONG);
      assertThat(d.findUser("dave")).isNull();
    }
  }

  @Test
  void aUsernameOfSeveralEntriesIsNoUser() throws Exception {
    slapd.add(
        """
        dn: uid=twin,ou=people,dc=district,dc=example
        objectClass: inetOrgPerson
        uid: twin
        cn: Twin One
        sn: One
        userPassword: twin-pw

        dn: uid=twin,ou=moved,dc=district,dc=example
        objectClass: inetOrgPerson
        uid: twin
        cn: Twin Two
        sn: Two
        userPassword: twin-pw
        """);
    try (LdapDirectory d = directory()) {
      assertThat(d.checkPassword("twin", "twin-pw").verdict()).isEqualTo(Verdict.WRONG);
      assertThat(d.findUser("twin")).isNull();
    }
  }

  @Test
  void usersAreSearchedByUsernameOrDisplayNamePrefix() throws Exception {
    try (LdapDirectory d = directory()) {
      assertThat(d.searchUsers("al", 10))
          .containsExactlyInAnyOrder(
              new DirectoryUser("alice", "Alice Martin"),
              new DirectoryUser("alberto", "Alberto Rossi"));
      assertThat(d.searchUsers("Bob D", 10))
          .containsExactly(new DirectoryUser("bob", "Bob Durand"));
      assertThat(d.searchUsers("o(b", 10))
          .containsExactly(new DirectoryUser("o(brien*)", "Pat O'Brien"));
      assertThat(d.searchUsers("*", 10)).isEmpty();
      assertThat(d.searchUsers("", 2)).hasSize(2);
    }
  }

  @Test
  void anActiveDirectoryStyleFilterFindsUsersBySamAccountName() throws Exception {
    try (LdapDirectory d =
        directory(
            "JETON_LDAP_USER_FILTER",
            "(&(objectClass=inetOrgPerson)(sAMAccountName={username}))",
            "JETON_LDAP_DISPLAY_NAME_ATTRIBUTE",
            "cn")) {
      assertThat(d.checkPassword("amartin", "alice-pw"))
          .isEqualTo(new PasswordResult(Verdict.OK, "Alice Martin"));
      assertThat(d.checkPassword("AMARTIN", "alice-pw").verdict()).isEqualTo(Verdict.OK);
      assertThat(d.checkPassword("alice", "alice-pw").verdict()).isEqualTo(Verdict.WRONG);
      assertThat(d.findUser("bdurand")).isEqualTo(new DirectoryUser("bdurand", "Bob Durand"));
      assertThat(d.searchUsers("a", 10))
          .containsExactly(new DirectoryUser("amartin", "Alice Martin"));
    }
  }

  @Test
  void aStoppedDirectoryIsUnavailableQuicklyAndUsedAgainOnceItIsBack() throws Exception {
    try (LdapDirectory d = directory()) {
      assertThat(d.checkPassword("bob", "bob-pw").verdict()).isEqualTo(Verdict.OK);
      slapd.stop();
      try {
        long start = System.nanoTime();
        assertThat(d.checkPassword("bob", "bob-pw").verdict()).isEqualTo(Verdict.UNAVAILABLE);
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(TIMEOUT_MS + 1_000L);
        assertThatThrownBy(() -> d.findUser("bob"))
            .isInstanceOf(DirectoryUnavailableException.class);
        assertThatThrownBy(() -> d.searchUsers("b", 5))
            .isInstanceOf(DirectoryUnavailableException.class);
        assertThat(d.healthy()).isFalse();
      } finally {
        slapd.restart();
      }
      assertThat(d.checkPassword("bob", "bob-pw"))
          .isEqualTo(new PasswordResult(Verdict.OK, "Bob Durand"));
      assertThat(d.checkPassword("bob", "alice-pw").verdict()).isEqualTo(Verdict.WRONG);
      assertThat(d.healthy()).isTrue();
    }
  }

  @Test
  void aDirectoryThatHangsIsUnavailableWithinTheTimeoutsAndUsedAgainWhenItAnswers()
      throws Exception {
    try (LdapDirectory d = directory()) {
      assertThat(d.checkPassword("bob", "bob-pw").verdict()).isEqualTo(Verdict.OK);
      slapd.pause();
      try {
        long start = System.nanoTime();
        assertThat(d.checkPassword("bob", "bob-pw").verdict()).isEqualTo(Verdict.UNAVAILABLE);
        long took = (System.nanoTime() - start) / 1_000_000;
        // A search that times out, and at most one retry on a new connection, each bounded.
        assertThat(took).isLessThan(3L * TIMEOUT_MS + 1_000L);
      } finally {
        slapd.resume();
      }
      assertThat(d.checkPassword("bob", "bob-pw").verdict()).isEqualTo(Verdict.OK);
    }
  }

  @Test
  void whenTheFirstUrlIsDeadTheSecondAnswersAtOnce() {
    String dead = "ldap://127.0.0.1:" + Ports.free();
    try (LdapDirectory d = new LdapDirectory(settings(dead + "," + slapd.url()))) {
      long start = System.nanoTime();
      assertThat(d.checkPassword("alice", "alice-pw").verdict()).isEqualTo(Verdict.OK);
      assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(TIMEOUT_MS);
    }
  }
}
