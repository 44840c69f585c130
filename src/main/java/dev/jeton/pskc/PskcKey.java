package dev.jeton.pskc;

import java.util.Arrays;
import java.util.Objects;

/**
 * One OTP key read from a PSKC document.
 *
 * <p>The secret is copied in and copied out; {@link #toString()} never prints it. {@code
 * equals}/{@code hashCode} compare the secret by content ({@code hashCode} leaves it out).
 *
 * @param serial device serial number ({@code DeviceInfo/SerialNo}), or the key's {@code Id} when
 *     there is none
 * @param type {@code "hotp"} or {@code "totp"}
 * @param algorithm HMAC hash: {@code "SHA1"}, {@code "SHA256"} or {@code "SHA512"}
 * @param digits 6 or 8
 * @param period TOTP step in seconds ({@code TimeInterval}); 30 when absent (and for HOTP keys)
 * @param counter HOTP moving factor ({@code Counter}); 0 when absent (and for TOTP keys)
 * @param time TOTP T0 in epoch seconds ({@code Time}); 0 when absent (and for HOTP keys)
 * @param timeDrift TOTP clock drift in steps ({@code TimeDrift}); 0 when absent (and for HOTP keys)
 * @param secret the HMAC key
 */
public record PskcKey(
    String serial,
    String type,
    String algorithm,
    int digits,
    int period,
    long counter,
    long time,
    int timeDrift,
    byte[] secret) {

  public PskcKey {
    Objects.requireNonNull(serial, "serial");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(algorithm, "algorithm");
    Objects.requireNonNull(secret, "secret");
    secret = secret.clone();
  }

  /** A copy of the secret; the caller should wipe it once stored. */
  @Override
  public byte[] secret() {
    return secret.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PskcKey k
        && serial.equals(k.serial)
        && type.equals(k.type)
        && algorithm.equals(k.algorithm)
        && digits == k.digits
        && period == k.period
        && counter == k.counter
        && time == k.time
        && timeDrift == k.timeDrift
        && Arrays.equals(secret, k.secret);
  }

  @Override
  public int hashCode() {
    // The secret is left out on purpose: equal keys still hash equally, and nothing about it leaks.
    return Objects.hash(serial, type, algorithm, digits, period, counter, time, timeDrift);
  }

  @Override
  public String toString() {
    return "PskcKey[serial="
        + serial
        + ", type="
        + type
        + ", algorithm="
        + algorithm
        + ", digits="
        + digits
        + ", period="
        + period
        + ", counter="
        + counter
        + ", time="
        + time
        + ", timeDrift="
        + timeDrift
        + ", secret=("
        + secret.length
        + " bytes, redacted)]";
  }
}
