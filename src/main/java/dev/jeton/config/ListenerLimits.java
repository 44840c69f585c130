package dev.jeton.config;

/**
 * How long each listener waits for its clients, and how many it serves at once. Immutable. Without
 * these, a connection that sends half a request, or trickles its header a byte at a time, holds its
 * socket forever, and enough of them exhaust the process's file descriptors.
 *
 * @param idleTimeoutSeconds a connection on which nothing is read or written for this long is
 *     closed ({@code JETON_HTTP_IDLE_TIMEOUT_SECONDS}); it is also how long a kept-alive connection
 *     may take to deliver its next complete request after an answer
 * @param readTimeoutSeconds a new connection must deliver a complete request (head and body) within
 *     this long of opening, else it is closed ({@code JETON_HTTP_READ_TIMEOUT_SECONDS}); this
 *     catches a client that trickles bytes, which an idle timeout alone never does
 * @param maxConnections connections open at once on each listener ({@code
 *     JETON_HTTP_MAX_CONNECTIONS}); one more is closed as soon as it is accepted
 */
public record ListenerLimits(int idleTimeoutSeconds, int readTimeoutSeconds, int maxConnections) {

  public ListenerLimits {
    if (idleTimeoutSeconds < 1 || readTimeoutSeconds < 1 || maxConnections < 1) {
      throw new IllegalArgumentException("listener limits must be positive");
    }
  }
}
