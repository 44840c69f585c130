package dev.jeton.crypto;

/**
 * The keys derived from the master key, each for one purpose. Thread-safe.
 *
 * @param radiusSecrets seals the shared secrets of RADIUS clients (label {@value
 *     #RADIUS_SECRET_LABEL}), each with the client's name as context: the intake must read them
 *     back, so they are encrypted, not hashed
 * @param radiusStates seals the RADIUS intake's challenge States (label {@value
 *     #RADIUS_STATE_LABEL}), which carry a first PIN to the round that confirms it
 */
public record Keys(
    SeedCipher seeds,
    KeyedHash pins,
    KeyedHash emergencyCodes,
    KeyedHash fingerprints,
    KeyedHash logRefs,
    Sealer radiusSecrets,
    Sealer radiusStates) {

  /** The purpose the RADIUS shared secrets' key is derived for. */
  public static final String RADIUS_SECRET_LABEL = "jeton/radius-secret/v1";

  /** The purpose the RADIUS challenge States' key is derived for. */
  public static final String RADIUS_STATE_LABEL = "jeton/radius-state/v1";

  public static Keys from(MasterKey master) {
    return new Keys(
        new SeedCipher(master),
        new KeyedHash(master, "jeton/pin/v1"),
        new KeyedHash(master, "jeton/emergency/v1"),
        new KeyedHash(master, "jeton/fingerprint/v1"),
        new KeyedHash(master, "jeton/log-ref/v1"),
        new Sealer(master, RADIUS_SECRET_LABEL),
        new Sealer(master, RADIUS_STATE_LABEL));
  }
}
