package dev.jeton.provision;

/**
 * A token that cannot be created as given: {@code code} names the rule ({@code invalid_request},
 * {@code pin_policy}), the message says what is wrong in words an operator can act on.
 */
public final class InvalidToken extends Exception {

  private final String code;

  public InvalidToken(String code, String detail) {
    super(detail, null, false, false);
    this.code = code;
  }

  public InvalidToken(String detail) {
    this("invalid_request", detail);
  }

  public String code() {
    return code;
  }
}
