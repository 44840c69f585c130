package dev.jeton.radius;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.crypto.Keys;
import dev.jeton.crypto.MasterKey;
import dev.jeton.track.RadiusClientRecord;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The intake's pieces that hold no socket: the table of clients, the States, the cache. */
class RadiusPartsTest {

  private final Keys keys = Keys.from(MasterKey.random());

  private RadiusClientRecord client(String name, String network) {
    return new RadiusClientRecord(
        name, network, true, false, keys.radiusSecrets().seal("secret-of-" + name, name));
  }

  private static byte[] ip(String text) {
    return dev.jeton.config.IpBlocks.literal(text);
  }

  @Test
  void theLongestPrefixThenTheFirstNameAnswersAnAddress() {
    NasTable table = new NasTable(keys.radiusSecrets());
    table.replace(
        List.of(
            client("wide", "10.0.0.0/8"),
            client("b-narrow", "10.1.0.0/16"),
            client("a-narrow", "10.1.0.0/16"),
            client("host", "10.1.2.3/32"),
            client("v6", "fd00::/8")));

    assertThat(table.find(ip("10.1.2.3")).name()).isEqualTo("host");
    assertThat(table.find(ip("10.1.9.9")).name()).isEqualTo("a-narrow");
    assertThat(table.find(ip("10.200.0.1")).name()).isEqualTo("wide");
    assertThat(table.find(ip("fd12::1")).name()).isEqualTo("v6");
    assertThat(table.find(ip("192.0.2.1"))).isNull();
    assertThat(table.find(null)).isNull();
    assertThat(new String(table.find(ip("10.1.2.3")).secret(), StandardCharsets.UTF_8))
        .isEqualTo("secret-of-host");
  }

  @Test
  void aClientWhoseSecretDoesNotOpenIsAnsweredByNoOne() {
    NasTable table = new NasTable(keys.radiusSecrets());
    Keys other = Keys.from(MasterKey.random());
    table.replace(
        List.of(
            new RadiusClientRecord(
                "foreign", "10.0.0.0/8", true, false, other.radiusSecrets().seal("s", "foreign")),
            new RadiusClientRecord(
                "moved", "10.0.0.0/8", true, false, keys.radiusSecrets().seal("s", "elsewhere")),
            client("ok", "192.0.2.0/24")));

    assertThat(table.find(ip("10.0.0.1"))).isNull();
    assertThat(table.unreadable()).isEqualTo(2);
    assertThat(table.size()).isEqualTo(1);
    assertThat(table.find(ip("192.0.2.9")).toString()).doesNotContain("secret");
  }

  @Test
  void aStateOpensForItsUserAndNasOnlyAndKeepsItsPinSealed() {
    Rounds rounds = new Rounds(keys.radiusStates());
    Rounds.Round confirm = new Rounds.Round(Rounds.Step.CONFIRM_PIN, "api|state-42", "2468");
    String sealed = rounds.seal(confirm, "alice", "vpn-1");

    assertThat(sealed).doesNotContain("2468", "state-42");
    assertThat(sealed.length()).isLessThanOrEqualTo(253);
    assertThat(rounds.open(sealed, "alice", "vpn-1")).isEqualTo(confirm);
    assertThat(rounds.open(sealed, "bob", "vpn-1")).isNull();
    assertThat(rounds.open(sealed, "alice", "vpn-2")).isNull();
    assertThat(rounds.open(sealed.substring(1), "alice", "vpn-1")).isNull();
    assertThat(
            new Rounds(Keys.from(MasterKey.random()).radiusStates()).open(sealed, "alice", "vpn-1"))
        .isNull();
    Rounds.Round next = new Rounds.Round(Rounds.Step.NEXT_PASSCODE, "s", null);
    assertThat(rounds.open(rounds.seal(next, "alice", "vpn-1"), "alice", "vpn-1")).isEqualTo(next);
    assertThat(confirm.toString()).doesNotContain("2468");
  }

  @Test
  void aRequestIsRememberedThirtySecondsWithItsAnswerAndTheOldestGoFirst() {
    Retransmissions seen = new Retransmissions(2);
    String a = Retransmissions.key("10.0.0.1", 1000, 7, new byte[16]);
    assertThat(seen.begin(a, 0)).isEqualTo(Retransmissions.Seen.NEW);
    assertThat(seen.begin(a, 10)).isEqualTo(Retransmissions.Seen.IN_PROGRESS);
    seen.answered(a, new byte[] {2});
    assertThat(seen.begin(a, 20)).isEqualTo(Retransmissions.Seen.ANSWERED);
    assertThat(seen.answer(a)).containsExactly(2);
    assertThat(seen.begin(a, 30_000))
        .as("30 s later: a new request")
        .isEqualTo(Retransmissions.Seen.NEW);

    String b = Retransmissions.key("10.0.0.1", 1000, 8, new byte[16]);
    String c = Retransmissions.key("10.0.0.1", 1001, 7, new byte[16]);
    seen.begin(b, 30_001);
    seen.begin(c, 30_002);
    assertThat(seen.size()).isEqualTo(2);
    assertThat(seen.begin(a, 30_003)).as("the oldest went").isEqualTo(Retransmissions.Seen.NEW);

    seen.forget(c);
    assertThat(seen.begin(c, 30_004)).isEqualTo(Retransmissions.Seen.NEW);
  }
}
