package dev.jeton.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The hand-written checks on the login path against the regexes they replace, on chosen and on
 * random strings.
 */
class ValidationTest {

  /**
   * The regex the login path used for an IPv4 clientIp: the specification of {@link
   * Validation#ipv4}.
   */
  private static final Pattern IPV4 =
      Pattern.compile(
          "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");

  private static boolean ipv4ByRegex(String s) {
    return IPV4.matcher(s).matches();
  }

  private static final List<String> ADDRESSES =
      List.of(
          "0.0.0.0",
          "10.0.0.1",
          "192.168.1.255",
          "255.255.255.255",
          "256.1.1.1",
          "1.2.3",
          "1.2.3.4.5",
          "01.2.3.4",
          "1.02.3.4",
          "1.2.3.04",
          "1.2.3.00",
          "1..2.3",
          ".1.2.3",
          "1.2.3.",
          "1.2.3.4 ",
          " 1.2.3.4",
          "1.2.3.-4",
          "1.2.3.a",
          "1234.1.1.1",
          "199.200.249.250",
          "249.250.251.252",
          "260.0.0.0",
          "300.1.1.1",
          "25.5.5.5",
          "2.55.255.25",
          "",
          "1.2.3.4/24",
          "::1",
          "2001:db8::1",
          "::ffff:10.0.0.1");

  @Test
  void ipv4AgreesWithTheRegexOnChosenAddresses() {
    for (String s : ADDRESSES) {
      assertThat(Validation.ipv4(s)).as(s).isEqualTo(ipv4ByRegex(s));
    }
    assertThat(Validation.ipLiteral("10.1.2.3")).isTrue();
    assertThat(Validation.ipLiteral("2001:db8::1")).isTrue();
    assertThat(Validation.ipLiteral("10.1.2.256")).isFalse();
    assertThat(Validation.ipLiteral("example.org")).isFalse();
    assertThat(Validation.ipLiteral(null)).isFalse();
  }

  @Test
  void ipv4AgreesWithTheRegexOnRandomStrings() {
    Random random = new Random(42);
    String alphabet = "0123456789.0123456789.25a ";
    int accepted = 0;
    for (int n = 0; n < 200_000; n++) {
      StringBuilder b = new StringBuilder();
      if (random.nextBoolean()) {
        // Address-shaped: three to five numbers of up to four digits.
        int parts = 3 + random.nextInt(3);
        for (int p = 0; p < parts; p++) {
          String number = String.format("%03d", random.nextInt(300));
          b.append(p > 0 ? "." : "")
              .append(random.nextInt(4) == 0 ? number : Integer.toString(Integer.parseInt(number)));
          if (random.nextInt(20) == 0) {
            b.append(random.nextInt(10));
          }
        }
      } else {
        int length = 1 + random.nextInt(16);
        for (int i = 0; i < length; i++) {
          b.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
      }
      String s = b.toString();
      boolean expected = ipv4ByRegex(s);
      assertThat(Validation.ipv4(s)).as(s).isEqualTo(expected);
      accepted += expected ? 1 : 0;
    }
    assertThat(accepted).as("the random strings include addresses").isGreaterThan(5_000);
  }

  @Test
  void usernameAgreesWithItsRegex() {
    Random random = new Random(7);
    String alphabet = "aZ09._@-+ /:é\u0000";
    for (int n = 0; n < 100_000; n++) {
      StringBuilder b = new StringBuilder();
      int length = random.nextInt(70);
      for (int i = 0; i < length; i++) {
        b.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      String s = b.toString();
      assertThat(Validation.username(s)).as(s).isEqualTo(Validation.USERNAME.matcher(s).matches());
    }
    assertThat(Validation.username("a".repeat(64))).isTrue();
    assertThat(Validation.username("a".repeat(65))).isFalse();
    assertThat(Validation.username("")).isFalse();
    assertThat(Validation.username(null)).isFalse();
    assertThat(Validation.username("jo.smith@district-9_x")).isTrue();
  }
}
