package dev.jeton.policy;

/**
 * The PIN rules of API.md §1: digits only, a length in bounds, and (by default) nothing trivial.
 * Immutable.
 */
public final class PinPolicy {

  private final int minLength;
  private final int maxLength;
  private final boolean forbidTrivial;

  public PinPolicy(int minLength, int maxLength, boolean forbidTrivial) {
    this.minLength = minLength;
    this.maxLength = maxLength;
    this.forbidTrivial = forbidTrivial;
  }

  public int minLength() {
    return minLength;
  }

  public int maxLength() {
    return maxLength;
  }

  /**
   * Why the PIN is refused, in words for the user (never echoing it), or null when it is
   * acceptable.
   */
  public String refusal(String pin) {
    if (pin == null || pin.length() < minLength || pin.length() > maxLength || !digits(pin)) {
      return minLength == maxLength
          ? "the PIN must be " + minLength + " digits"
          : "the PIN must be " + minLength + " to " + maxLength + " digits";
    }
    if (forbidTrivial && trivial(pin)) {
      return "the PIN must not be one repeated digit or a straight run such as 1234 or 9876";
    }
    return null;
  }

  /** True for a non-empty string of ASCII digits only. */
  public static boolean digits(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  private static boolean trivial(String pin) {
    int step = pin.charAt(1) - pin.charAt(0);
    if (step < -1 || step > 1) {
      return false;
    }
    for (int i = 2; i < pin.length(); i++) {
      if (pin.charAt(i) - pin.charAt(i - 1) != step) {
        return false;
      }
    }
    return true;
  }
}
