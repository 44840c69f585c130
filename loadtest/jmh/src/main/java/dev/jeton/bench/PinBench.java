package dev.jeton.bench;

import dev.jeton.crypto.MasterKey;
import dev.jeton.otp.Hotp;
import dev.jeton.otp.OtpAlgorithm;
import dev.jeton.otp.Totp;
import dev.jeton.crypto.Keys;
import dev.jeton.policy.PinPolicy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The other per-token crypto of a login: the keyed PIN hash check, the AES-GCM decryption of the seed, and the whole
 * of {@code Verifier.matchToken} for a right PIN + code (decrypt, PIN check, TOTP search over the resync window),
 * rebuilt from the public classes without Vert.x or a store.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 1, timeUnit = TimeUnit.SECONDS)
@Fork(1)
public class PinBench {

    // Jeton's defaults (Config): 4-digit PINs, TOTP window ±1, resync window ±10.
    static final int PIN_MIN_LENGTH = 4;
    static final int PIN_MAX_LENGTH = 4;
    static final int TOTP_WINDOW = OtpBench.NORMAL_WINDOW;
    static final int RESYNC_WINDOW = OtpBench.RESYNC_WINDOW;
    static final int EMERGENCY_DIGITS = 8; // Verifier.EMERGENCY_DIGITS
    static final long NO_STEP = Long.MIN_VALUE;

    // What a TokenRecord holds for a SHA1 / 6 digits / 30 s TOTP token with a PIN.
    static final String SERIAL = "JT00012345";
    static final String ALGORITHM = "SHA1";
    static final int DIGITS = 6;
    static final int PERIOD = 30;
    static final long DRIFT = 0;
    static final String PIN = "4821";
    static final String WRONG_PIN = "4812";

    Clock clock;
    Keys keys;
    String pinHash;
    byte[] seedBlob;
    String seedBase64;
    long lastStep;
    String passcode;

    @Setup(Level.Trial)
    public void setUp() {
        clock = Clock.fixed(OtpBench.NOW, ZoneOffset.UTC);
        // A fixed master key (32 bytes 0x00..0x1f), so the derived keys are the same every run.
        byte[] mk = new byte[32];
        for (int i = 0; i < mk.length; i++) {
            mk[i] = (byte) i;
        }
        keys = Keys.from(MasterKey.fromBase64(Base64.getEncoder().encodeToString(mk)));
        OtpBench.check(new PinPolicy(PIN_MIN_LENGTH, PIN_MAX_LENGTH, true).refusal(PIN) == null, "PIN policy");
        pinHash = keys.pins().hash(SERIAL, PIN);
        byte[] seed = OtpBench.rfc6238Seed(OtpAlgorithm.SHA1); // 20 bytes
        seedBlob = keys.seeds().encrypt(seed, SERIAL);
        seedBase64 = Base64.getEncoder().encodeToString(seedBlob);

        Totp totp = new Totp(new Hotp(OtpAlgorithm.SHA1, DIGITS), Duration.ofSeconds(PERIOD), clock);
        long step = totp.currentStep();
        lastStep = step - 5;
        passcode = PIN + totp.generate(seed, step);

        OtpBench.check(pinRight(), "right PIN");
        OtpBench.check(!pinWrong(), "wrong PIN");
        OtpBench.check(seedDecrypt().length == 20, "seed decryption");
        OtpBench.check(loginMatchTokenRight() == step, "matchToken of a right passcode");
    }

    /** {@code keys.pins().matches(t.pinHash(), t.serial(), pin)}, as in Verifier. */
    @Benchmark
    public boolean pinRight() {
        return keys.pins().matches(pinHash, SERIAL, PIN);
    }

    @Benchmark
    public boolean pinWrong() {
        return keys.pins().matches(pinHash, SERIAL, WRONG_PIN);
    }

    /** AES-256-GCM decryption of a 20-byte seed bound to its serial. */
    @Benchmark
    public byte[] seedDecrypt() {
        return keys.seeds().decrypt(seedBlob, SERIAL);
    }

    /**
     * {@code Verifier.matchToken} for a token with a PIN and a right PIN + code, step by step: base64 + decrypt the
     * seed, check the PIN, search the code in the normal window (and only if it is not there, the resync window).
     *
     * @return the matched step (or a negative marker), so nothing is dead code
     */
    @Benchmark
    @Warmup(iterations = 10, time = 1, timeUnit = TimeUnit.SECONDS) // the largest method: give C2 time to settle
    public long loginMatchTokenRight() {
        long now = clock.millis();
        String value = passcode;
        if (!PinPolicy.digits(value)) {
            return -2;
        }
        byte[] seed = keys.seeds().decrypt(Base64.getDecoder().decode(seedBase64), SERIAL);
        for (int pinLength = PIN_MIN_LENGTH; pinLength <= PIN_MAX_LENGTH; pinLength++) {
            boolean codeShaped = value.length() == pinLength + DIGITS;
            boolean emergencyShaped = value.length() == pinLength + EMERGENCY_DIGITS;
            if (!codeShaped && !emergencyShaped) {
                continue;
            }
            boolean pinOk = keys.pins().matches(pinHash, SERIAL, value.substring(0, pinLength));
            String rest = value.substring(pinLength);
            if (codeShaped) {
                // As Verifier does: the normal window first, the resync window only for a code not found there.
                Totp totp = totp();
                long center = totp.stepAt(Instant.ofEpochMilli(now)) + DRIFT;
                long step = totp.find(seed, rest, center, TOTP_WINDOW);
                boolean inWindow = step != NO_STEP;
                if (!inWindow) {
                    step = totp.find(seed, rest, center, RESYNC_WINDOW);
                }
                if (pinOk && step != NO_STEP) {
                    // REPLAY / CODE / RESYNC in Verifier; here: the step for CODE, a marker otherwise
                    return step <= lastStep ? -3 : inWindow ? step : -4;
                }
            }
        }
        return -1;
    }

    /** Verifier builds its Totp per call from the token record. */
    private Totp totp() {
        return new Totp(new Hotp(OtpAlgorithm.parse(ALGORITHM), DIGITS), Duration.ofSeconds(PERIOD), clock);
    }

}
