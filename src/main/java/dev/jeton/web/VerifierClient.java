package dev.jeton.web;

import dev.jeton.bus.Addresses;
import dev.jeton.bus.LoginOutcome;
import dev.jeton.bus.LoginRequest;
import dev.jeton.bus.LoopLocal;
import dev.jeton.bus.Requests;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How an intake asks for a decision: one username check, one timeout and one request path for the
 * JSON intake and the portal alike, so that neither can drift from the other. The request goes to
 * verification on the caller's own event loop ({@link LoopLocal}) and never leaves this node.
 */
public final class VerifierClient {

  private static final Logger LOG = LoggerFactory.getLogger(VerifierClient.class);

  private final Vertx vertx;
  private final DeliveryOptions options;

  /**
   * @param storeTimeoutMillis the store's timeout: verification may wait on the store up to three
   *     times (user, then commit, then a challenge), then on a password hash, so its own timeout
   *     sits above them
   */
  public VerifierClient(Vertx vertx, long storeTimeoutMillis) {
    this.vertx = vertx;
    this.options =
        new DeliveryOptions().setSendTimeout(storeTimeoutMillis * 3L + 2_000L).setLocalOnly(true);
  }

  /**
   * Whether Jeton could know this username at all; an intake answers a refused one without asking.
   */
  public static boolean acceptableUsername(String username) {
    return Validation.username(username);
  }

  /** The decision, or a failure (logged here, once) that the intake answers as "unavailable". */
  public Future<LoginOutcome> verify(LoginRequest request) {
    return Requests.<LoginOutcome>request(
            vertx, LoopLocal.route(vertx, Addresses.VERIFY_LOGIN), request, options)
        .map(Message::body)
        .onFailure(
            e ->
                LOG.atWarn()
                    .setMessage("verify_failed")
                    .addKeyValue("failure", failureType(e))
                    .addKeyValue("request_id", request.requestId())
                    .log());
  }

  private static String failureType(Throwable e) {
    return e instanceof ReplyException re ? re.failureType().name() : e.getClass().getSimpleName();
  }
}
