package dev.jeton.bus;

/**
 * One call of {@code POST /v1/authenticate}, already bounded and with the client authenticated by
 * the intake.
 *
 * @param clientIp the end user's address that counts for throttling (the intake decided whether to
 *     trust the body)
 * @param level "otp" or "any"
 * @param receivedNanos {@link System#nanoTime()} when the intake received the request
 * @param note what the intake adds to the decision's audit event, in the event's {@code note}
 *     (RADIUS: the end user's Calling-Station-Id, from a NAS trusted for it); null for none
 */
public record LoginRequest(
    String requestId,
    String username,
    String password,
    String state,
    String newPin,
    String confirmPin,
    String clientIp,
    String client,
    String level,
    long receivedNanos,
    String note) {

  /** A request without a note. */
  public LoginRequest(
      String requestId,
      String username,
      String password,
      String state,
      String newPin,
      String confirmPin,
      String clientIp,
      String client,
      String level,
      long receivedNanos) {
    this(
        requestId,
        username,
        password,
        state,
        newPin,
        confirmPin,
        clientIp,
        client,
        level,
        receivedNanos,
        null);
  }

  /** Never prints the secrets. */
  @Override
  public String toString() {
    return "LoginRequest[requestId=" + requestId + ", client=" + client + ", level=" + level + "]";
  }
}
