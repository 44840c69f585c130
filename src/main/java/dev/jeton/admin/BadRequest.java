package dev.jeton.admin;

/**
 * A request the admin API refuses with 400: {@code error} is the JSON error code, the message its
 * detail.
 */
final class BadRequest extends Exception {

  private final String error;

  BadRequest(String error, String detail) {
    super(detail, null, false, false);
    this.error = error;
  }

  BadRequest(String detail) {
    this("invalid_request", detail);
  }

  String error() {
    return error;
  }
}
