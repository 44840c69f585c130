package dev.jeton.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SeedCipherTest {

  private static final byte[] SEED = "12345678901234567890".getBytes(StandardCharsets.US_ASCII);

  private final MasterKey masterKey = MasterKey.random();
  private final SeedCipher cipher = new SeedCipher(masterKey);

  @Test
  void roundTripRestoresTheSeed() {
    byte[] blob = cipher.encrypt(SEED, "YK-0001");
    assertThat(blob).hasSize(12 + SEED.length + 16);
    assertThat(cipher.decrypt(blob, "YK-0001")).isEqualTo(SEED);
    assertThat(new SeedCipher(masterKey).decrypt(blob, "YK-0001")).isEqualTo(SEED);
  }

  @Test
  void everyTamperedByteIsDetected() {
    byte[] blob = cipher.encrypt(SEED, "YK-0001");
    for (int i = 0; i < blob.length; i++) {
      byte[] tampered = Arrays.copyOf(blob, blob.length);
      tampered[i] ^= 0x01;
      assertUndecryptable(() -> cipher.decrypt(tampered, "YK-0001"));
    }
  }

  @Test
  void truncatedBlobIsRejected() {
    byte[] blob = cipher.encrypt(SEED, "YK-0001");
    assertUndecryptable(() -> cipher.decrypt(Arrays.copyOf(blob, blob.length - 1), "YK-0001"));
    assertUndecryptable(() -> cipher.decrypt(new byte[27], "YK-0001"));
    assertUndecryptable(() -> cipher.decrypt(new byte[0], "YK-0001"));
  }

  @Test
  void wrongSerialFails() {
    byte[] blob = cipher.encrypt(SEED, "YK-0001");
    assertUndecryptable(() -> cipher.decrypt(blob, "YK-0002"));
  }

  @Test
  void wrongMasterKeyFails() {
    byte[] blob = cipher.encrypt(SEED, "YK-0001");
    assertUndecryptable(() -> new SeedCipher(MasterKey.random()).decrypt(blob, "YK-0001"));
  }

  @Test
  void encryptingTwiceGivesDifferentBlobs() {
    byte[] first = cipher.encrypt(SEED, "YK-0001");
    byte[] second = cipher.encrypt(SEED, "YK-0001");
    assertThat(first).isNotEqualTo(second);
    assertThat(Arrays.copyOf(first, 12)).isNotEqualTo(Arrays.copyOf(second, 12));
  }

  @Test
  void nullArgumentsAreRejected() {
    assertThatThrownBy(() -> new SeedCipher(null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> cipher.encrypt(null, "s"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> cipher.encrypt(SEED, null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> cipher.decrypt(null, "s"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static void assertUndecryptable(
      org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
    assertThatThrownBy(call)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("seed cannot be decrypted");
  }
}
