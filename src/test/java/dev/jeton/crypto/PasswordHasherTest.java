package dev.jeton.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;
import org.junit.jupiter.api.Test;

class PasswordHasherTest {

  private final PasswordHasher hasher = new PasswordHasher(64, 1, 1);

  @Test
  void hashThenVerifySucceeds() {
    String encoded = hasher.hash("correct horse battery staple");
    assertThat(hasher.verify("correct horse battery staple", encoded)).isTrue();
  }

  @Test
  void hashIsPhcStringWithParametersSaltAndHash() {
    String encoded = hasher.hash("pw");
    assertThat(encoded)
        .matches("\\$argon2id\\$v=19\\$m=64,t=1,p=1\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}");
  }

  @Test
  void saltIsRandomPerHash() {
    assertThat(hasher.hash("pw")).isNotEqualTo(hasher.hash("pw"));
  }

  @Test
  void wrongPasswordFails() {
    String encoded = hasher.hash("secret");
    assertThat(hasher.verify("Secret", encoded)).isFalse();
    assertThat(hasher.verify("", encoded)).isFalse();
  }

  @Test
  void malformedEncodedStringFailsWithoutThrowing() {
    String good = hasher.hash("pw");
    String[] bad = {
      null,
      "",
      "plain",
      good.replace("argon2id", "argon2i"),
      good.replace("v=19", "v=16"),
      good.replace("m=64,t=1,p=1", "m=64,t=1"),
      good.replace("m=64", "m=-64"),
      good.replace("m=64", "m=x"),
      good.replace("m=64", "m=99999999999"),
      good.replace("t=1", "t=0"),
      good.replace("m=64,t=1", "t=1,m=64"),
      good.substring(0, good.lastIndexOf('$')),
      good + "$extra",
      good.substring(0, good.lastIndexOf('$') + 1) + "***",
      good.substring(0, good.lastIndexOf('$') + 1) + "AAAA",
    };
    for (String encoded : bad) {
      assertThat(hasher.verify("pw", encoded)).as("%s", encoded).isFalse();
    }
  }

  @Test
  void hashMadeWithOtherParametersStillVerifies() {
    String old = new PasswordHasher(8192, 1, 1).hash("pw");
    assertThat(old).contains("$m=8192,t=1,p=1$");
    assertThat(hasher.verify("pw", old)).isTrue();
    assertThat(hasher.verify("pw2", old)).isFalse();
  }

  @Test
  void verifiesHashComputedIndependentlyWithBouncyCastle() {
    byte[] salt = "somesaltsomesalt".getBytes(StandardCharsets.US_ASCII);
    Argon2BytesGenerator generator = new Argon2BytesGenerator();
    generator.init(
        new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
            .withVersion(Argon2Parameters.ARGON2_VERSION_13)
            .withMemoryAsKB(32)
            .withIterations(3)
            .withParallelism(2)
            .withSalt(salt)
            .build());
    byte[] out = new byte[24];
    generator.generateBytes("pässword".getBytes(StandardCharsets.UTF_8), out);
    Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
    String encoded =
        "$argon2id$v=19$m=32,t=3,p=2$" + b64.encodeToString(salt) + "$" + b64.encodeToString(out);

    assertThat(hasher.verify("pässword", encoded)).isTrue();
    assertThat(hasher.verify("password", encoded)).isFalse();
  }

  @Test
  void defaultsAreOwaspParametersAndWork() {
    PasswordHasher defaults = PasswordHasher.defaults();
    String encoded = defaults.hash("pw");
    assertThat(encoded).startsWith("$argon2id$v=19$m=19456,t=2,p=1$");
    assertThat(defaults.verify("pw", encoded)).isTrue();
    defaults.dummyVerify("pw");
  }

  @Test
  void dummyVerifyRunsWithoutThrowing() {
    hasher.dummyVerify("anything");
    assertThatThrownBy(() -> hasher.dummyVerify(null)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void invalidParametersAreRejected() {
    assertThatThrownBy(() -> new PasswordHasher(7, 1, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new PasswordHasher(15, 1, 2))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new PasswordHasher(64, 0, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new PasswordHasher(64, 1, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> hasher.hash(null)).isInstanceOf(IllegalArgumentException.class);
  }
}
