package dev.jeton.otp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class OtpAlgorithmTest {

  @Test
  void parseAcceptsNamesWithAndWithoutDashInAnyCase() {
    assertThat(OtpAlgorithm.parse("SHA1")).isEqualTo(OtpAlgorithm.SHA1);
    assertThat(OtpAlgorithm.parse("sha-1")).isEqualTo(OtpAlgorithm.SHA1);
    assertThat(OtpAlgorithm.parse("Sha256")).isEqualTo(OtpAlgorithm.SHA256);
    assertThat(OtpAlgorithm.parse("SHA-256")).isEqualTo(OtpAlgorithm.SHA256);
    assertThat(OtpAlgorithm.parse("sha512")).isEqualTo(OtpAlgorithm.SHA512);
    assertThat(OtpAlgorithm.parse("SHA-512")).isEqualTo(OtpAlgorithm.SHA512);
  }

  @Test
  void parseRejectsUnknownNames() {
    for (String s : new String[] {"MD5", "SHA-384", "SHA 1", " SHA1", "", "HmacSHA1"}) {
      assertThatThrownBy(() -> OtpAlgorithm.parse(s)).isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> OtpAlgorithm.parse(null)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void jcaNamesAreHmacAlgorithms() {
    assertThat(OtpAlgorithm.SHA1.jcaName()).isEqualTo("HmacSHA1");
    assertThat(OtpAlgorithm.SHA256.jcaName()).isEqualTo("HmacSHA256");
    assertThat(OtpAlgorithm.SHA512.jcaName()).isEqualTo("HmacSHA512");
  }
}
