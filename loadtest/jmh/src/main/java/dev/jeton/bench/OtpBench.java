package dev.jeton.bench;

import dev.jeton.otp.Hotp;
import dev.jeton.otp.OtpAlgorithm;
import dev.jeton.otp.Totp;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The TOTP search of a login ({@link Totp#find}) and a single HOTP code ({@link Hotp#generate}).
 *
 * <p>{@code find} computes and compares every candidate of the window whatever matches (constant time), so a right
 * code at the centre, a right code at +1 and a wrong code over the same window should cost the same: 2w+1 HMACs.
 * The login path of {@code Verifier.matchToken} searches the resynchronisation window (±10 by default, 21 HMACs)
 * and only then decides whether the step is in the normal window (±1).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 1, timeUnit = TimeUnit.SECONDS)
@Fork(1)
public class OtpBench {

    /** Jeton's defaults: JETON_TOTP_WINDOW=1, JETON_RESYNC_WINDOW=10. */
    static final int NORMAL_WINDOW = 1;
    static final int RESYNC_WINDOW = 10;

    /** 2023-11-14T22:13:20Z: a fixed instant, so every code is deterministic. */
    static final Instant NOW = Instant.ofEpochSecond(1_700_000_000L);

    /** TOTP state for one algorithm, 6 digits, 30 s, with the seeds of RFC 6238 appendix B. */
    abstract static class TotpState {
        byte[] key;
        Totp totp;
        long center;
        String rightCenter;
        String rightPlusOne;
        String wrong;

        void init(OtpAlgorithm algorithm) {
            key = rfc6238Seed(algorithm);
            Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
            totp = new Totp(new Hotp(algorithm, 6), Duration.ofSeconds(30), clock);
            center = totp.currentStep();
            rightCenter = totp.generate(key, center);
            rightPlusOne = totp.generate(key, center + 1);
            // A well-formed code that matches no step of the resynchronisation window.
            Set<String> inResync = new HashSet<>();
            for (long s = center - RESYNC_WINDOW; s <= center + RESYNC_WINDOW; s++) {
                inResync.add(totp.generate(key, s));
            }
            int n = 0;
            while (inResync.contains(String.format("%06d", n))) {
                n++;
            }
            wrong = String.format("%06d", n);

            check(totp.find(key, rightCenter, center, NORMAL_WINDOW) == center, "right code at centre");
            check(totp.find(key, rightPlusOne, center, NORMAL_WINDOW) == center + 1, "right code at +1");
            check(totp.find(key, wrong, center, NORMAL_WINDOW) == Long.MIN_VALUE, "wrong code, normal window");
            check(totp.find(key, wrong, center, RESYNC_WINDOW) == Long.MIN_VALUE, "wrong code, resync window");
        }
    }

    /** SHA1 / 6 digits / 30 s: the common hardware token. */
    @State(Scope.Thread)
    public static class Sha1 extends TotpState {
        Hotp hotp;

        @Setup(Level.Trial)
        public void setUp() {
            init(OtpAlgorithm.SHA1);
            hotp = totp.hotp();
        }
    }

    /** The same, for each hash function. */
    @State(Scope.Thread)
    public static class ByAlgorithm extends TotpState {
        @Param({"SHA1", "SHA256", "SHA512"})
        public String algorithm;

        @Setup(Level.Trial)
        public void setUp() {
            init(OtpAlgorithm.parse(algorithm));
        }
    }

    @Benchmark
    public long findRightCenterWindow1(Sha1 s) {
        return s.totp.find(s.key, s.rightCenter, s.center, NORMAL_WINDOW);
    }

    @Benchmark
    public long findRightPlusOneWindow1(Sha1 s) {
        return s.totp.find(s.key, s.rightPlusOne, s.center, NORMAL_WINDOW);
    }

    @Benchmark
    public long findWrongWindow1(ByAlgorithm s) {
        return s.totp.find(s.key, s.wrong, s.center, NORMAL_WINDOW);
    }

    @Benchmark
    public long findWrongWindow10(Sha1 s) {
        return s.totp.find(s.key, s.wrong, s.center, RESYNC_WINDOW);
    }

    @Benchmark
    public String hotpGenerate(Sha1 s) {
        return s.hotp.generate(s.key, s.center);
    }

    /** RFC 6238 appendix B: "1234567890" repeated to 20, 32 or 64 bytes. */
    static byte[] rfc6238Seed(OtpAlgorithm algorithm) {
        int length = switch (algorithm) {
            case SHA1 -> 20;
            case SHA256 -> 32;
            case SHA512 -> 64;
        };
        byte[] digits = "1234567890".getBytes(StandardCharsets.US_ASCII);
        byte[] seed = new byte[length];
        for (int i = 0; i < length; i++) {
            seed[i] = digits[i % digits.length];
        }
        return seed;
    }

    static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException("benchmark set-up is wrong: " + what);
        }
    }
}
