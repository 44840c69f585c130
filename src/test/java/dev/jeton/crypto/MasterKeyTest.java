package dev.jeton.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class MasterKeyTest {

  private static final byte[] KEY_BYTES = new byte[32];

  static {
    for (int i = 0; i < KEY_BYTES.length; i++) {
      KEY_BYTES[i] = (byte) i;
    }
  }

  @Test
  void deriveIsHkdfSha256WithJetonSaltAndLabelAsInfo() throws Exception {
    MasterKey key = MasterKey.fromBase64(Base64.getEncoder().encodeToString(KEY_BYTES));
    byte[] prk = hmac("jeton".getBytes(StandardCharsets.US_ASCII), KEY_BYTES);
    byte[] info = "jeton/seed/v1".getBytes(StandardCharsets.US_ASCII);
    byte[] message = new byte[info.length + 1];
    System.arraycopy(info, 0, message, 0, info.length);
    message[info.length] = 1;

    assertThat(key.derive("jeton/seed/v1")).hasSize(32).isEqualTo(hmac(prk, message));
  }

  @Test
  void deriveIsDeterministicAndLabelSeparated() {
    MasterKey key = MasterKey.fromBase64(Base64.getEncoder().encodeToString(KEY_BYTES));
    assertThat(key.derive("a")).isEqualTo(key.derive("a"));
    assertThat(key.derive("a")).isNotEqualTo(key.derive("b"));
    assertThat(MasterKey.random().derive("a")).isNotEqualTo(key.derive("a"));
  }

  @Test
  void fromBase64AcceptsStandardAndUrlSafeEncodings() {
    byte[] bytes = new byte[32];
    java.util.Arrays.fill(bytes, (byte) 0xfb);
    MasterKey standard = MasterKey.fromBase64(Base64.getEncoder().encodeToString(bytes));
    MasterKey url =
        MasterKey.fromBase64(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes) + "\n");
    assertThat(standard.derive("x")).isEqualTo(url.derive("x"));
  }

  @Test
  void fromBase64RejectsWrongLengthWithoutEchoingTheValue() {
    String shortKey = Base64.getEncoder().encodeToString(new byte[31]);
    String longKey = Base64.getEncoder().encodeToString(new byte[33]);
    String garbage = "not*base64*secretvalue";
    for (String s : new String[] {shortKey, longKey, garbage, ""}) {
      assertThatThrownBy(() -> MasterKey.fromBase64(s))
          .isInstanceOf(IllegalArgumentException.class)
          .satisfies(
              e -> {
                if (!s.isEmpty()) {
                  assertThat(e.getMessage()).doesNotContain(s);
                }
                assertThat(e.getCause()).isNull();
              });
    }
    assertThatThrownBy(() -> MasterKey.fromBase64(null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void toStringDoesNotRevealTheKey() {
    String b64 = Base64.getEncoder().encodeToString(KEY_BYTES);
    MasterKey key = MasterKey.fromBase64(b64);
    assertThat(key.toString())
        .doesNotContain(b64)
        .doesNotContain(HexFormat.of().formatHex(KEY_BYTES));
  }

  @Test
  void emptyLabelIsRejected() {
    MasterKey key = MasterKey.random();
    assertThatThrownBy(() -> key.derive("")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> key.derive(null)).isInstanceOf(IllegalArgumentException.class);
  }

  private static byte[] hmac(byte[] key, byte[] message) throws Exception {
    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
    mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
    return mac.doFinal(message);
  }
}
