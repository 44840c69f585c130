package dev.jeton.crypto;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Argon2id password hashing (RFC 9106) in the PHC string format {@code
 * $argon2id$v=19$m=<KiB>,t=<iterations>,p=<lanes>$<salt>$<hash>}, salt and hash in base64 without
 * padding.
 *
 * <p><strong>Every method except the constructors is deliberately slow, blocking CPU and memory
 * work (tens of milliseconds and {@code memoryKiB} of heap per call with the defaults). Callers
 * MUST run them off the event loop, e.g. on a worker pool.</strong>
 *
 * <p>Immutable and thread-safe.
 */
public final class PasswordHasher {

  private static final int SALT_BYTES = 16;
  private static final int HASH_BYTES = 32;
  private static final int MIN_ENCODED_BYTES = 8;
  private static final int MAX_ENCODED_BYTES = 64;
  private static final int MAX_MEMORY_KIB = 1 << 20;
  private static final int MAX_ITERATIONS = 100;
  private static final int MAX_PARALLELISM = 64;
  private static final String PREFIX = "$argon2id$v=19$";
  private static final Base64.Encoder ENCODER = Base64.getEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getDecoder();
  private static final SecureRandom RANDOM = new SecureRandom();

  private final int memoryKiB;
  private final int iterations;
  private final int parallelism;
  private final byte[] dummySalt;
  private final byte[] dummyHash;

  /**
   * @param memoryKiB memory cost in KiB, from 8 × {@code parallelism} to 1048576 (1 GiB)
   * @param iterations time cost, from 1 to 100
   * @param parallelism lanes, from 1 to 64
   * @throws IllegalArgumentException if a parameter is out of range
   */
  public PasswordHasher(int memoryKiB, int iterations, int parallelism) {
    if (!validParameters(memoryKiB, iterations, parallelism)) {
      throw new IllegalArgumentException(
          "invalid Argon2 parameters: need 1 <= parallelism <= 64, 8*parallelism <= memoryKiB <= 1048576, "
              + "1 <= iterations <= 100");
    }
    this.memoryKiB = memoryKiB;
    this.iterations = iterations;
    this.parallelism = parallelism;
    this.dummySalt = randomBytes(SALT_BYTES);
    this.dummyHash = randomBytes(HASH_BYTES);
  }

  /**
   * @return a hasher with the OWASP recommended minimum: 19456 KiB (19 MiB), 2 iterations,
   *     parallelism 1
   */
  public static PasswordHasher defaults() {
    return new PasswordHasher(19456, 2, 1);
  }

  /**
   * Hashes with a fresh 16-byte random salt and this hasher's parameters. Blocking; see the class
   * comment.
   *
   * @param password the password, not null
   * @return the PHC string, 32-byte hash
   * @throws IllegalArgumentException if {@code password} is null
   */
  public String hash(String password) {
    requirePassword(password);
    byte[] salt = randomBytes(SALT_BYTES);
    byte[] out = argon2(password, salt, memoryKiB, iterations, parallelism, HASH_BYTES);
    return PREFIX
        + "m="
        + memoryKiB
        + ",t="
        + iterations
        + ",p="
        + parallelism
        + "$"
        + ENCODER.encodeToString(salt)
        + "$"
        + ENCODER.encodeToString(out);
  }

  /**
   * Checks a password against a PHC string, using the parameters, salt and hash length stored in
   * that string rather than this hasher's, so hashes made with older settings keep verifying.
   * Blocking; see the class comment.
   *
   * @param password the password, not null
   * @param encoded a string produced by {@link #hash}; may be null or malformed
   * @return true if the password matches; false if it does not or {@code encoded} is malformed or
   *     has out-of-range parameters
   * @throws IllegalArgumentException if {@code password} is null
   */
  public boolean verify(String password, String encoded) {
    requirePassword(password);
    Parsed parsed = parse(encoded);
    if (parsed == null) {
      return false;
    }
    byte[] actual =
        argon2(
            password,
            parsed.salt,
            parsed.memoryKiB,
            parsed.iterations,
            parsed.parallelism,
            parsed.hash.length);
    return MessageDigest.isEqual(actual, parsed.hash);
  }

  /**
   * Does the work of a {@link #verify} against a hash with this hasher's parameters and discards
   * the result, so a login for an unknown user costs as much as one for a known user. Blocking; see
   * the class comment.
   *
   * @param password the password, not null
   * @throws IllegalArgumentException if {@code password} is null
   */
  public void dummyVerify(String password) {
    requirePassword(password);
    byte[] actual = argon2(password, dummySalt, memoryKiB, iterations, parallelism, HASH_BYTES);
    MessageDigest.isEqual(actual, dummyHash);
  }

  private static byte[] argon2(
      String password, byte[] salt, int memoryKiB, int iterations, int parallelism, int length) {
    Argon2Parameters params =
        new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
            .withVersion(Argon2Parameters.ARGON2_VERSION_13)
            .withMemoryAsKB(memoryKiB)
            .withIterations(iterations)
            .withParallelism(parallelism)
            .withSalt(salt)
            .build();
    Argon2BytesGenerator generator = new Argon2BytesGenerator();
    generator.init(params);
    byte[] pw = password.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[length];
    try {
      generator.generateBytes(pw, out);
    } finally {
      Arrays.fill(pw, (byte) 0);
      params.clear();
    }
    return out;
  }

  private static Parsed parse(String encoded) {
    if (encoded == null || !encoded.startsWith(PREFIX)) {
      return null;
    }
    String[] fields = encoded.substring(PREFIX.length()).split("\\$", -1);
    if (fields.length != 3) {
      return null;
    }
    String[] params = fields[0].split(",", -1);
    if (params.length != 3) {
      return null;
    }
    int m = parameter(params[0], "m=");
    int t = parameter(params[1], "t=");
    int p = parameter(params[2], "p=");
    if (!validParameters(m, t, p)) {
      return null;
    }
    byte[] salt = decode(fields[1]);
    byte[] hash = decode(fields[2]);
    if (salt == null || hash == null) {
      return null;
    }
    return new Parsed(m, t, p, salt, hash);
  }

  private static int parameter(String field, String name) {
    if (!field.startsWith(name)) {
      return -1;
    }
    String digits = field.substring(name.length());
    if (digits.isEmpty() || digits.length() > 9) {
      return -1;
    }
    for (int i = 0; i < digits.length(); i++) {
      char c = digits.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
    }
    return Integer.parseInt(digits);
  }

  private static byte[] decode(String field) {
    if (field.indexOf('=') >= 0) {
      return null;
    }
    byte[] bytes;
    try {
      bytes = DECODER.decode(field);
    } catch (IllegalArgumentException e) {
      return null;
    }
    return bytes.length >= MIN_ENCODED_BYTES && bytes.length <= MAX_ENCODED_BYTES ? bytes : null;
  }

  private static boolean validParameters(int memoryKiB, int iterations, int parallelism) {
    return parallelism >= 1
        && parallelism <= MAX_PARALLELISM
        && iterations >= 1
        && iterations <= MAX_ITERATIONS
        && memoryKiB >= 8 * parallelism
        && memoryKiB <= MAX_MEMORY_KIB;
  }

  private static void requirePassword(String password) {
    if (password == null) {
      throw new IllegalArgumentException("password must not be null");
    }
  }

  private static byte[] randomBytes(int n) {
    byte[] bytes = new byte[n];
    RANDOM.nextBytes(bytes);
    return bytes;
  }

  private static final class Parsed {
    final int memoryKiB;
    final int iterations;
    final int parallelism;
    final byte[] salt;
    final byte[] hash;

    Parsed(int memoryKiB, int iterations, int parallelism, byte[] salt, byte[] hash) {
      this.memoryKiB = memoryKiB;
      this.iterations = iterations;
      this.parallelism = parallelism;
      this.salt = salt;
      this.hash = hash;
    }
  }
}
