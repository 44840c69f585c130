package dev.jeton.loadtest;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** The load test's own RFC 6238 TOTP (SHA1, 6 digits, 30 s) and the deterministic seeds it provisions. */
final class Totp {
  static final long PERIOD_MILLIS = 30_000;

  private Totp() {}

  /** Seed of a user: the first 20 bytes of HMAC-SHA256(loadTestKey, username), as loadtest/bench.sh does. */
  static byte[] seed(String loadTestKey, String username) {
    byte[] full = hmac("HmacSHA256", loadTestKey.getBytes(StandardCharsets.UTF_8),
        username.getBytes(StandardCharsets.UTF_8));
    return Arrays.copyOf(full, 20);
  }

  static long step(long epochMillis) {
    return Math.floorDiv(epochMillis, PERIOD_MILLIS);
  }

  static long currentStep() {
    return step(System.currentTimeMillis());
  }

  /** Milliseconds from now until the first instant of a step later than {@code step}. */
  static long millisUntilAfter(long step) {
    return Math.max(0, (step + 1) * PERIOD_MILLIS - System.currentTimeMillis());
  }

  /** The 6-digit code of {@code step}, zero-padded. */
  static String code(byte[] seed, long step) {
    byte[] h = hmac("HmacSHA1", seed, ByteBuffer.allocate(8).putLong(step).array());
    int offset = h[h.length - 1] & 0x0f;
    int binary = ((h[offset] & 0x7f) << 24) | ((h[offset + 1] & 0xff) << 16) | ((h[offset + 2] & 0xff) << 8)
        | (h[offset + 3] & 0xff);
    return String.format("%06d", binary % 1_000_000);
  }

  /** RFC 4648 base32, upper case, without padding (what POST /v1/admin/tokens takes as "secret"). */
  static String base32(byte[] bytes) {
    final String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    StringBuilder out = new StringBuilder((bytes.length * 8 + 4) / 5);
    int buffer = 0;
    int bits = 0;
    for (byte b : bytes) {
      buffer = (buffer << 8) | (b & 0xff);
      bits += 8;
      while (bits >= 5) {
        out.append(alphabet.charAt((buffer >> (bits - 5)) & 31));
        bits -= 5;
      }
    }
    if (bits > 0) {
      out.append(alphabet.charAt((buffer << (5 - bits)) & 31));
    }
    return out.toString();
  }

  private static byte[] hmac(String algorithm, byte[] key, byte[] data) {
    try {
      Mac mac = Mac.getInstance(algorithm);
      mac.init(new SecretKeySpec(key, algorithm));
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(algorithm + " unavailable", e);
    }
  }
}
