package dev.jeton.provision;

/**
 * A field, a line or a token that cannot be accepted as given: {@code code} names the rule ({@code
 * invalid_request}, {@code pin_policy}), the message says what is wrong in words an operator can
 * act on.
 */
public final class InvalidInput extends Exception {

  private final String code;

  public InvalidInput(String code, String detail) {
    super(detail, null, false, false);
    this.code = code;
  }

  public InvalidInput(String detail) {
    this("invalid_request", detail);
  }

  public String code() {
    return code;
  }
}
