package dev.jeton.otp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TotpTest {

  private static final byte[] SEED_SHA1 = ascii("12345678901234567890");
  private static final byte[] SEED_SHA256 = ascii("12345678901234567890123456789012");
  private static final byte[] SEED_SHA512 =
      ascii("1234567890123456789012345678901234567890123456789012345678901234");
  private static final Duration THIRTY_SECONDS = Duration.ofSeconds(30);

  @ParameterizedTest(name = "T={0} {2}")
  @CsvSource({
    "59, 94287082, SHA1",
    "59, 46119246, SHA256",
    "59, 90693936, SHA512",
    "1111111109, 07081804, SHA1",
    "1111111109, 68084774, SHA256",
    "1111111109, 25091201, SHA512",
    "1111111111, 14050471, SHA1",
    "1111111111, 67062674, SHA256",
    "1111111111, 99943326, SHA512",
    "1234567890, 89005924, SHA1",
    "1234567890, 91819424, SHA256",
    "1234567890, 93441116, SHA512",
    "2000000000, 69279037, SHA1",
    "2000000000, 90698825, SHA256",
    "2000000000, 38618901, SHA512",
    "20000000000, 65353130, SHA1",
    "20000000000, 77737706, SHA256",
    "20000000000, 47863826, SHA512",
  })
  void rfc6238AppendixBVectors(long seconds, String expected, OtpAlgorithm algorithm) {
    Instant t = Instant.ofEpochSecond(seconds);
    Totp totp = new Totp(new Hotp(algorithm, 8), THIRTY_SECONDS, Clock.fixed(t, ZoneOffset.UTC));
    byte[] seed = seedFor(algorithm);

    assertThat(totp.generateAt(seed, t)).isEqualTo(expected);
    assertThat(totp.generate(seed, totp.currentStep())).isEqualTo(expected);
    assertThat(totp.find(seed, expected, totp.currentStep(), 0)).isEqualTo(seconds / 30);
  }

  @Test
  void stepAtFloorsSecondsByPeriod() {
    Totp totp = totp(Instant.EPOCH, 6);
    assertThat(totp.stepAt(Instant.ofEpochSecond(0))).isEqualTo(0);
    assertThat(totp.stepAt(Instant.ofEpochSecond(29, 999_999_999))).isEqualTo(0);
    assertThat(totp.stepAt(Instant.ofEpochSecond(30))).isEqualTo(1);
    assertThat(totp.stepAt(Instant.ofEpochSecond(-1))).isEqualTo(-1);
  }

  @Test
  void currentStepComesFromTheClock() {
    Totp totp = totp(Instant.ofEpochSecond(1_111_111_111), 6);
    assertThat(totp.currentStep()).isEqualTo(37_037_037);
  }

  @Test
  void findAcceptsCodesUpToWindowStepsAwayAndNoFurther() {
    Totp totp = totp(Instant.ofEpochSecond(1_234_567_890), 8);
    long center = totp.currentStep();
    int window = 2;

    assertThat(totp.find(SEED_SHA1, totp.generate(SEED_SHA1, center + window), center, window))
        .isEqualTo(center + window);
    assertThat(totp.find(SEED_SHA1, totp.generate(SEED_SHA1, center - window), center, window))
        .isEqualTo(center - window);
    assertThat(totp.find(SEED_SHA1, totp.generate(SEED_SHA1, center + window + 1), center, window))
        .isEqualTo(Long.MIN_VALUE);
    assertThat(totp.find(SEED_SHA1, totp.generate(SEED_SHA1, center - window - 1), center, window))
        .isEqualTo(Long.MIN_VALUE);
  }

  @Test
  void findWithZeroWindowOnlyAcceptsTheCenterStep() {
    Totp totp = totp(Instant.ofEpochSecond(1_234_567_890), 8);
    long center = totp.currentStep();
    assertThat(totp.find(SEED_SHA1, totp.generate(SEED_SHA1, center), center, 0)).isEqualTo(center);
    assertThat(totp.find(SEED_SHA1, totp.generate(SEED_SHA1, center + 1), center, 0))
        .isEqualTo(Long.MIN_VALUE);
  }

  @Test
  void findPrefersEarlierStepAtEqualDistance() {
    Totp totp = totp(Instant.EPOCH, 6);
    String code = "468457";
    assertThat(totp.generate(SEED_SHA1, 153_567)).isEqualTo(code);
    assertThat(totp.generate(SEED_SHA1, 153_569)).isEqualTo(code);

    assertThat(totp.find(SEED_SHA1, code, 153_568, 1)).isEqualTo(153_567);
  }

  @Test
  void findPrefersCloserStepOverEarlierStep() {
    Totp totp = totp(Instant.EPOCH, 6);
    String code = "746629";
    assertThat(totp.generate(SEED_SHA1, 103_424)).isEqualTo(code);
    assertThat(totp.generate(SEED_SHA1, 103_427)).isEqualTo(code);

    assertThat(totp.find(SEED_SHA1, code, 103_426, 2)).isEqualTo(103_427);
  }

  @Test
  void findSkipsNegativeSteps() {
    Totp totp = totp(Instant.EPOCH, 6);
    assertThat(totp.find(SEED_SHA1, totp.generate(SEED_SHA1, 0), 1, 3)).isEqualTo(0);
    assertThat(totp.find(SEED_SHA1, totp.generate(SEED_SHA1, 0), Long.MIN_VALUE, 3))
        .isEqualTo(Long.MIN_VALUE);
  }

  @Test
  void malformedCodesAreNotFound() {
    Totp totp = totp(Instant.ofEpochSecond(59), 8);
    long center = totp.currentStep();
    assertThat(totp.find(SEED_SHA1, "9428708", center, 1)).isEqualTo(Long.MIN_VALUE);
    assertThat(totp.find(SEED_SHA1, "942870820", center, 1)).isEqualTo(Long.MIN_VALUE);
    assertThat(totp.find(SEED_SHA1, "9428708x", center, 1)).isEqualTo(Long.MIN_VALUE);
    assertThat(totp.find(SEED_SHA1, null, center, 1)).isEqualTo(Long.MIN_VALUE);
  }

  @Test
  void invalidArgumentsAreRejected() {
    Hotp hotp = new Hotp(OtpAlgorithm.SHA1, 6);
    Clock clock = Clock.systemUTC();
    assertThatThrownBy(() -> new Totp(hotp, Duration.ZERO, clock))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Totp(hotp, Duration.ofSeconds(-30), clock))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Totp(hotp, Duration.ofSeconds(301), clock))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Totp(hotp, Duration.ofMillis(30_500), clock))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Totp(hotp, null, clock))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Totp(null, THIRTY_SECONDS, clock))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Totp(hotp, THIRTY_SECONDS, null))
        .isInstanceOf(IllegalArgumentException.class);

    Totp totp = new Totp(hotp, THIRTY_SECONDS, clock);
    assertThatThrownBy(() -> totp.find(SEED_SHA1, "123456", 10, -1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> totp.generate(SEED_SHA1, -1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void periodBoundsAreAccepted() {
    Hotp hotp = new Hotp(OtpAlgorithm.SHA1, 6);
    assertThat(new Totp(hotp, Duration.ofSeconds(1), Clock.systemUTC()).period())
        .isEqualTo(Duration.ofSeconds(1));
    Totp totp = new Totp(hotp, Duration.ofSeconds(300), Clock.systemUTC());
    assertThat(totp.period()).isEqualTo(Duration.ofSeconds(300));
    assertThat(totp.hotp()).isSameAs(hotp);
  }

  private static Totp totp(Instant now, int digits) {
    return new Totp(
        new Hotp(OtpAlgorithm.SHA1, digits), THIRTY_SECONDS, Clock.fixed(now, ZoneOffset.UTC));
  }

  private static byte[] seedFor(OtpAlgorithm algorithm) {
    switch (algorithm) {
      case SHA1:
        return SEED_SHA1;
      case SHA256:
        return SEED_SHA256;
      default:
        return SEED_SHA512;
    }
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
