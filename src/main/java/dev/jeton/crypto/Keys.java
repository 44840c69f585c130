package dev.jeton.crypto;

/** The keys derived from the master key, each for one purpose. Thread-safe. */
public record Keys(
    SeedCipher seeds,
    KeyedHash pins,
    KeyedHash emergencyCodes,
    KeyedHash fingerprints,
    KeyedHash logRefs) {

  public static Keys from(MasterKey master) {
    return new Keys(
        new SeedCipher(master),
        new KeyedHash(master, "jeton/pin/v1"),
        new KeyedHash(master, "jeton/emergency/v1"),
        new KeyedHash(master, "jeton/fingerprint/v1"),
        new KeyedHash(master, "jeton/log-ref/v1"));
  }
}
