package dev.jeton.verify;

import dev.jeton.bus.EmergencyCodes;
import dev.jeton.crypto.Keys;
import dev.jeton.crypto.Secrets;
import dev.jeton.track.Store;
import io.vertx.core.Future;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes a user's emergency codes: the same place that checks them knows their length and how they
 * are hashed, so an intake only asks for them (over the bus) and shows what it gets back.
 */
final class EmergencyCodeIssuer {

  private final Store store;
  private final Keys keys;
  private final Clock clock;

  EmergencyCodeIssuer(Store store, Keys keys, Clock clock) {
    this.store = store;
    this.keys = keys;
    this.clock = clock;
  }

  Future<EmergencyCodes.Issued> issue(EmergencyCodes.Request r) {
    List<String> codes = new ArrayList<>(r.count());
    List<String> hashes = new ArrayList<>(r.count());
    for (int i = 0; i < r.count(); i++) {
      String code = Secrets.randomDigits(Verifier.EMERGENCY_DIGITS);
      codes.add(code);
      hashes.add(keys.emergencyCodes().hash(r.username(), code));
    }
    long expiresAt = clock.millis() + r.validSeconds() * 1000L;
    return store
        .putEmergencyCodes(new Store.EmergencyCodes(r.username(), hashes, expiresAt))
        .map(
            found ->
                found
                    ? new EmergencyCodes.Issued(true, List.copyOf(codes), expiresAt)
                    : new EmergencyCodes.Issued(false, List.of(), 0));
  }
}
