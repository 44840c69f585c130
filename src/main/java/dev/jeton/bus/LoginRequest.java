package dev.jeton.bus;

/**
 * One call of {@code POST /v1/authenticate}, already bounded and with the client authenticated by
 * the intake.
 *
 * @param clientIp the end user's address that counts for throttling (the intake decided whether to
 *     trust the body)
 * @param level "otp" or "any"
 * @param receivedNanos {@link System#nanoTime()} when the intake received the request
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
    long receivedNanos) {

  /** Never prints the secrets. */
  @Override
  public String toString() {
    return "LoginRequest[requestId=" + requestId + ", client=" + client + ", level=" + level + "]";
  }
}
