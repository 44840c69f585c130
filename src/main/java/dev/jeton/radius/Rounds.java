package dev.jeton.radius;

import dev.jeton.crypto.Sealer;

/**
 * The {@code State} attribute of the intake's Access-Challenges. RADIUS has one field per round, so
 * the API's one NEW_PIN answer ({@code newPin} + {@code confirmPin}) takes two rounds here, and the
 * PIN of the first must travel to the second: it goes inside the State, sealed (AES-GCM under a key
 * derived from the master key) with the username and the NAS as context, so that the NAS and the
 * network see no PIN, any node of the cluster can take the next round, and a State works for no
 * other user or NAS. The API's own challenge state travels inside too; its expiry and its binding
 * to the user stay verification's business. Immutable, thread-safe.
 */
final class Rounds {

  /** What the next Access-Request of the user answers. */
  enum Step {
    /** The new PIN, the first time. */
    NEW_PIN,
    /** The same PIN again. */
    CONFIRM_PIN,
    /** PIN + the next code (NEXT_PASSCODE, and the last step of a first login). */
    NEXT_PASSCODE
  }

  /** A round as the State carries it; {@code pin} only at {@link Step#CONFIRM_PIN}. */
  record Round(Step step, String state, String pin) {
    /** Never prints the PIN. */
    @Override
    public String toString() {
      return "Round[" + step + "]";
    }
  }

  private final Sealer sealer;

  Rounds(Sealer sealer) {
    this.sealer = sealer;
  }

  /** The State attribute's value for this round (ASCII, under 253 bytes for any API state). */
  String seal(Round r, String username, String nas) {
    String text = r.step().ordinal() + "|" + r.state() + "|" + (r.pin() == null ? "" : r.pin());
    return sealer.seal(text, context(username, nas));
  }

  /** The round a State names, or null when it was not made by a node of this cluster for them. */
  Round open(String value, String username, String nas) {
    String text = sealer.open(value, context(username, nas));
    if (text == null) {
      return null;
    }
    int first = text.indexOf('|');
    // The PIN (digits) comes after the last bar, whatever the API's state holds.
    int second = text.lastIndexOf('|');
    if (first != 1 || second <= first) {
      return null;
    }
    int step = text.charAt(0) - '0';
    if (step < 0 || step >= Step.values().length) {
      return null;
    }
    String pin = text.substring(second + 1);
    return new Round(
        Step.values()[step], text.substring(first + 1, second), pin.isEmpty() ? null : pin);
  }

  private static String context(String username, String nas) {
    return "radius-state|" + nas + "|" + username;
  }
}
