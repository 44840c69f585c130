package dev.jeton.otp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HotpTest {

  private static final byte[] RFC_SECRET =
      "12345678901234567890".getBytes(StandardCharsets.US_ASCII);

  private final Hotp hotp = new Hotp(OtpAlgorithm.SHA1, 6);

  @Test
  void rfc4226AppendixDVectors() {
    String[] expected = {
      "755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871",
      "520489"
    };
    for (int counter = 0; counter < expected.length; counter++) {
      assertThat(hotp.generate(RFC_SECRET, counter))
          .as("counter %d", counter)
          .isEqualTo(expected[counter]);
    }
  }

  @Test
  void codesAreZeroPaddedToDigits() {
    Hotp eight = new Hotp(OtpAlgorithm.SHA1, 8);
    for (int counter = 0; counter < 200; counter++) {
      assertThat(eight.generate(RFC_SECRET, counter)).hasSize(8).containsOnlyDigits();
      assertThat(hotp.generate(RFC_SECRET, counter)).hasSize(6).containsOnlyDigits();
    }
  }

  @Test
  void findReturnsMatchingCounter() {
    assertThat(hotp.find(RFC_SECRET, "359152", 0, 5)).isEqualTo(2);
    assertThat(hotp.find(RFC_SECRET, "755224", 0, 0)).isEqualTo(0);
  }

  @Test
  void findLookaheadIsInclusiveAndBounded() {
    assertThat(hotp.find(RFC_SECRET, "338314", 1, 3)).isEqualTo(4);
    assertThat(hotp.find(RFC_SECRET, "254676", 1, 3)).isEqualTo(-1);
  }

  @Test
  void findIgnoresCountersBeforeFromCounter() {
    assertThat(hotp.find(RFC_SECRET, "755224", 1, 8)).isEqualTo(-1);
  }

  @Test
  void findReturnsLowestCounterWhenTwoCountersShareACode() {
    String code = "911617";
    assertThat(hotp.generate(RFC_SECRET, 910_737)).isEqualTo(code);
    assertThat(hotp.generate(RFC_SECRET, 910_738)).isEqualTo(code);

    assertThat(hotp.find(RFC_SECRET, code, 910_730, 10)).isEqualTo(910_737);
    assertThat(hotp.find(RFC_SECRET, code, 910_738, 10)).isEqualTo(910_738);
  }

  @Test
  void malformedCodesAreNotFound() {
    assertThat(hotp.find(RFC_SECRET, "55224", 0, 10)).isEqualTo(-1);
    assertThat(hotp.find(RFC_SECRET, "7552240", 0, 10)).isEqualTo(-1);
    assertThat(hotp.find(RFC_SECRET, "75522a", 0, 10)).isEqualTo(-1);
    assertThat(hotp.find(RFC_SECRET, " 755224", 0, 10)).isEqualTo(-1);
    assertThat(hotp.find(RFC_SECRET, "７５５２２４", 0, 10)).isEqualTo(-1);
    assertThat(hotp.find(RFC_SECRET, "", 0, 10)).isEqualTo(-1);
    assertThat(hotp.find(RFC_SECRET, null, 0, 10)).isEqualTo(-1);
  }

  @Test
  void findNearLongMaxValueDoesNotOverflow() {
    long start = Long.MAX_VALUE - 1;
    String code = hotp.generate(RFC_SECRET, Long.MAX_VALUE);
    assertThat(hotp.find(RFC_SECRET, code, start, 100)).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void invalidArgumentsAreRejected() {
    assertThatThrownBy(() -> new Hotp(OtpAlgorithm.SHA1, 5))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Hotp(OtpAlgorithm.SHA1, 9))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Hotp(null, 6)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> hotp.generate(null, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> hotp.generate(new byte[0], 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> hotp.generate(RFC_SECRET, -1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> hotp.find(RFC_SECRET, "755224", -1, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> hotp.find(RFC_SECRET, "755224", 0, -1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void accessorsReturnConstructorArguments() {
    Hotp h = new Hotp(OtpAlgorithm.SHA512, 7);
    assertThat(h.algorithm()).isEqualTo(OtpAlgorithm.SHA512);
    assertThat(h.digits()).isEqualTo(7);
  }

  @Test
  void generateIsSafeUnderConcurrentUse() throws InterruptedException {
    String[] expected = {
      "755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871",
      "520489"
    };
    Thread[] threads = new Thread[8];
    boolean[] failed = new boolean[1];
    for (int t = 0; t < threads.length; t++) {
      threads[t] =
          new Thread(
              () -> {
                for (int i = 0; i < 2_000; i++) {
                  int counter = i % expected.length;
                  if (!hotp.generate(RFC_SECRET, counter).equals(expected[counter])) {
                    synchronized (failed) {
                      failed[0] = true;
                    }
                  }
                }
              });
      threads[t].start();
    }
    for (Thread thread : threads) {
      thread.join();
    }
    assertThat(failed[0]).isFalse();
  }
}
