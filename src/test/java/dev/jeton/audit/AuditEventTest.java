package dev.jeton.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AuditEventTest {

  /**
   * The time of an event reads exactly as {@code Instant.toString} writes it, whatever came before
   * on the thread.
   */
  @Test
  void itsTimeIsWrittenAsInstantWritesIt() {
    long t0 = 1_764_316_800_000L; // 2025-11-28T08:00:00Z
    long[] chosen = {
      0,
      1,
      999,
      1000,
      1001,
      -1,
      -999,
      -1000,
      -1001,
      t0,
      t0 + 1,
      t0 + 10,
      t0 + 100,
      t0 + 999,
      t0 + 1000,
      253_402_300_799_999L,
      253_402_300_800_000L,
      -62_167_219_200_000L,
      -62_167_219_200_001L
    };
    for (long millis : chosen) {
      assertThat(AuditEvent.iso(millis))
          .as("%d", millis)
          .isEqualTo(Instant.ofEpochMilli(millis).toString());
    }
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 200_000; i++) {
      // Mostly runs of one second (the cached case), then jumps anywhere.
      long millis =
          i % 50 == 0
              ? random.nextLong(-100_000_000_000_000L, 100_000_000_000_000L)
              : t0 + i / 7 + random.nextInt(3);
      assertThat(AuditEvent.iso(millis))
          .as("%d", millis)
          .isEqualTo(Instant.ofEpochMilli(millis).toString());
    }
  }

  @Test
  void anEventTakesItsTimeFromTheMillisGiven() {
    assertThat(
            AuditEvent.of(
                    1_764_316_800_123L, "r", "u", "192.0.2.1", "c", "ACCEPT", "ok", "otp", "S")
                .at())
        .isEqualTo("2025-11-28T08:00:00.123Z");
  }

  @Test
  void anOperatorsNoteTravelsInBothPackedFormsAndEventsWithoutOneReadAsBefore() {
    AuditEvent plain =
        AuditEvent.of(
            1_764_316_800_000L,
            null,
            "alice",
            "10.0.0.1",
            "@console:bob",
            "ADMIN",
            "unlocked",
            null,
            null);
    AuditEvent noted = plain.withNote("INC-4242 called from school B");

    assertThat(AuditEvent.unpacked(noted.packed())).isEqualTo(noted);
    assertThat(AuditEvent.fromTabs(noted.tabPacked())).isEqualTo(noted);
    assertThat(plain.tabPacked()).as("no note, no extra field").doesNotEndWith("\t");
    assertThat(plain.tabPacked().split("\t", -1)).hasSize(10);
    assertThat(AuditEvent.fromTabs(plain.tabPacked())).isEqualTo(plain);
    AuditEvent tabbed = plain.withNote("a\tb");
    assertThat(tabbed.tabPacked()).as("a tab cannot be packed in tabs").isNull();
    assertThat(AuditEvent.unpacked(tabbed.packed())).isEqualTo(tabbed);
  }
}
