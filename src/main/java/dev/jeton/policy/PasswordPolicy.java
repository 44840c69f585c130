package dev.jeton.policy;

/**
 * What a password may be. A value made of digits only is always taken for a passcode (PIN + code,
 * or a code alone): which check a value gets depends on its shape alone, so that every username
 * costs the same work for the same input (see {@link Verifier}). A password of digits only could
 * therefore never log in, and is refused when it is set.
 */
public final class PasswordPolicy {

  private PasswordPolicy() {}

  /**
   * Why the password is refused, in words for the operator (never echoing it), or null when it is
   * acceptable.
   */
  public static String refusal(String password) {
    if (password == null || password.isEmpty()) {
      return "password must not be empty";
    }
    if (PinPolicy.digits(password)) {
      return "password must not be digits only: such a value is always read as a passcode";
    }
    return null;
  }
}
