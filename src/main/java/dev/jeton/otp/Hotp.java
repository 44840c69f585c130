package dev.jeton.otp;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.EnumMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-based one-time passwords as defined by RFC 4226, with the hash choice of RFC 6238.
 *
 * <p>Instances are immutable and thread-safe: each call works on its own clone of a shared,
 * uninitialised {@link Mac} prototype.
 */
public final class Hotp {

  private static final int[] POWERS_OF_TEN = {
    1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000
  };
  private static final Map<OtpAlgorithm, Mac> PROTOTYPES = createPrototypes();

  private final OtpAlgorithm algorithm;
  private final int digits;

  /**
   * @param algorithm HMAC hash function, not null
   * @param digits code length, 6, 7 or 8
   * @throws IllegalArgumentException if an argument is invalid
   */
  public Hotp(OtpAlgorithm algorithm, int digits) {
    if (algorithm == null) {
      throw new IllegalArgumentException("algorithm must not be null");
    }
    if (digits < 6 || digits > 8) {
      throw new IllegalArgumentException("digits must be 6, 7 or 8");
    }
    this.algorithm = algorithm;
    this.digits = digits;
  }

  /**
   * @return the HMAC hash function
   */
  public OtpAlgorithm algorithm() {
    return algorithm;
  }

  /**
   * @return the number of decimal digits in a code
   */
  public int digits() {
    return digits;
  }

  /**
   * Computes the code for one counter value.
   *
   * @param key shared secret, not null or empty; not modified or retained
   * @param counter moving factor, at least 0
   * @return the code as a decimal string of exactly {@link #digits()} characters, left-padded with
   *     zeros
   * @throws IllegalArgumentException if the key is null or empty or the counter is negative
   */
  public String generate(byte[] key, long counter) {
    if (counter < 0) {
      throw new IllegalArgumentException("counter must not be negative");
    }
    return format(truncate(newMac(key), counter));
  }

  /**
   * Looks for {@code code} among the counters {@code fromCounter .. fromCounter + lookahead}
   * (inclusive). All candidates are computed and compared in constant time, whichever one matches.
   *
   * @param key shared secret, not null or empty; not modified or retained
   * @param code code entered by the user; may be null or malformed
   * @param fromCounter first counter to try, at least 0
   * @param lookahead how many further counters to try, at least 0
   * @return the lowest matching counter, or -1 if none matches or {@code code} is not {@link
   *     #digits()} ASCII digits
   * @throws IllegalArgumentException if the key is null or empty, or a counter argument is negative
   */
  public long find(byte[] key, String code, long fromCounter, int lookahead) {
    if (fromCounter < 0) {
      throw new IllegalArgumentException("fromCounter must not be negative");
    }
    if (lookahead < 0) {
      throw new IllegalArgumentException("lookahead must not be negative");
    }
    long last = fromCounter > Long.MAX_VALUE - lookahead ? Long.MAX_VALUE : fromCounter + lookahead;
    long count = last - fromCounter + 1;
    long index = firstMatch(key, code, count, i -> fromCounter + i);
    return index < 0 ? -1 : fromCounter + index;
  }

  /**
   * Computes the codes for {@code count} candidates, in order, and compares each to {@code code}.
   *
   * @param counterAt maps a candidate index to its counter; a negative result means "skip this
   *     index"
   * @return the index of the first matching candidate, or -1
   */
  long firstMatch(byte[] key, String code, long count, CounterSequence counterAt) {
    Mac mac = newMac(key);
    byte[] wanted = wellFormed(code) ? code.getBytes(StandardCharsets.US_ASCII) : null;
    long found = -1;
    for (long i = 0; i < count; i++) {
      long counter = counterAt.counter(i);
      if (counter < 0) {
        continue;
      }
      byte[] candidate = format(truncate(mac, counter)).getBytes(StandardCharsets.US_ASCII);
      boolean match = wanted != null && MessageDigest.isEqual(candidate, wanted);
      if (match && found < 0) {
        found = i;
      }
    }
    return found;
  }

  /** Maps a candidate index to a counter value. */
  @FunctionalInterface
  interface CounterSequence {
    long counter(long index);
  }

  private boolean wellFormed(String code) {
    if (code == null || code.length() != digits) {
      return false;
    }
    for (int i = 0; i < code.length(); i++) {
      char c = code.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  private int truncate(Mac mac, long counter) {
    byte[] message = new byte[8];
    long value = counter;
    for (int i = 7; i >= 0; i--) {
      message[i] = (byte) value;
      value >>>= 8;
    }
    byte[] hs = mac.doFinal(message);
    int offset = hs[hs.length - 1] & 0x0f;
    int binary =
        ((hs[offset] & 0x7f) << 24)
            | ((hs[offset + 1] & 0xff) << 16)
            | ((hs[offset + 2] & 0xff) << 8)
            | (hs[offset + 3] & 0xff);
    return binary % POWERS_OF_TEN[digits];
  }

  private String format(int value) {
    StringBuilder sb = new StringBuilder(digits);
    String s = Integer.toString(value);
    for (int i = s.length(); i < digits; i++) {
      sb.append('0');
    }
    return sb.append(s).toString();
  }

  private Mac newMac(byte[] key) {
    if (key == null || key.length == 0) {
      throw new IllegalArgumentException("key must not be null or empty");
    }
    Mac mac = cloneOrCreate(algorithm);
    try {
      mac.init(new SecretKeySpec(key, algorithm.jcaName()));
    } catch (InvalidKeyException e) {
      throw new IllegalStateException("cannot initialise " + algorithm.jcaName(), e);
    }
    return mac;
  }

  private static Mac cloneOrCreate(OtpAlgorithm algorithm) {
    try {
      return (Mac) PROTOTYPES.get(algorithm).clone();
    } catch (CloneNotSupportedException e) {
      return createMac(algorithm);
    }
  }

  private static Map<OtpAlgorithm, Mac> createPrototypes() {
    Map<OtpAlgorithm, Mac> map = new EnumMap<>(OtpAlgorithm.class);
    for (OtpAlgorithm a : OtpAlgorithm.values()) {
      Mac mac = createMac(a);
      // Settles the JCA's delayed provider selection now, so concurrent clone() calls only read the
      // prototype.
      mac.getProvider();
      map.put(a, mac);
    }
    return map;
  }

  private static Mac createMac(OtpAlgorithm algorithm) {
    try {
      return Mac.getInstance(algorithm.jcaName());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(algorithm.jcaName() + " is not available", e);
    }
  }
}
