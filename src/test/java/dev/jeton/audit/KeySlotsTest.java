package dev.jeton.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeySlotsTest {

  /**
   * The check value of CRC16/XMODEM, and slots as {@code CLUSTER KEYSLOT} of Redis 7.0.15 answers
   * them: plain keys, hash tags, an empty tag (the whole key hashed), a tag after an empty one, and
   * a key that is not ASCII.
   */
  @Test
  void slotsAreTheClusterSpecificationsOnes() {
    assertThat(KeySlots.crc16("123456789".getBytes(StandardCharsets.US_ASCII))).isEqualTo(0x31C3);
    assertThat(KeySlots.slot("123456789")).isEqualTo(12739);
    assertThat(KeySlots.slot("somekey")).isEqualTo(11058);
    assertThat(KeySlots.slot("foo{hash_tag}")).isEqualTo(2515);
    assertThat(KeySlots.slot("jeton:{u:ann}:a")).isEqualTo(13189);
    assertThat(KeySlots.slot("a{}b")).isEqualTo(13694);
    assertThat(KeySlots.slot("{}{x}")).isEqualTo(3257);
    assertThat(KeySlots.slot("été")).isEqualTo(10087);
  }

  /**
   * The shards' names never change from one build to the next (an upgrade would lose the trail
   * otherwise), and shard I's slot lies in the I-th sixteenth of the slots: on a cluster the shards
   * spread over the masters as the slots do.
   */
  @Test
  void theShardsFallInEvenlySpreadSlotRangesUnderStableNames() {
    AuditLayout layout = new AuditLayout("jeton");
    List<String> known = new ArrayList<>();
    for (int i = 0; i < AuditLayout.SHARDS; i++) {
      known.add(layout.known(i));
      int slot = KeySlots.slot(layout.known(i));
      assertThat(slot / 1024).as("shard %d's slot %d", i, slot).isEqualTo(i);
      assertThat(KeySlots.slot(layout.unknown(i))).isEqualTo(slot);
      assertThat(KeySlots.slot(layout.noIndex(i))).isEqualTo(slot);
      assertThat(KeySlots.slot(new AuditLayout("other").known(i))).isEqualTo(slot);
    }
    assertThat(known)
        .containsExactly(
            "jeton:audit:{a0-60}",
            "jeton:audit:{a1-63}",
            "jeton:audit:{a2-40}",
            "jeton:audit:{a3-43}",
            "jeton:audit:{a4-2}",
            "jeton:audit:{a5-1}",
            "jeton:audit:{a6-23}",
            "jeton:audit:{a7-20}",
            "jeton:audit:{a8-40}",
            "jeton:audit:{a9-43}",
            "jeton:audit:{a10-0}",
            "jeton:audit:{a11-3}",
            "jeton:audit:{a12-61}",
            "jeton:audit:{a13-62}",
            "jeton:audit:{a14-23}",
            "jeton:audit:{a15-20}");
    assertThat(layout.unknown(4)).isEqualTo("jeton:audit:{a4-2}:unknown");
    assertThat(layout.trail("ann")).isEqualTo("jeton:{u:ann}:a");
    assertThat(KeySlots.slot(layout.trail("ann"))).isEqualTo(KeySlots.slot("jeton:{u:ann}"));
  }
}
