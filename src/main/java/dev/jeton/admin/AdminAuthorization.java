package dev.jeton.admin;

import dev.jeton.config.Config;
import dev.jeton.crypto.Secrets;
import dev.jeton.track.Store;
import dev.jeton.web.ListenerVerticle;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.SecurityPolicyHandler;

/**
 * Who calls the admin API, and whether they may: the bearer token is the bootstrap admin token, or
 * an operator's secret (looked up over the bus by its hash) whose role is {@value #ADMIN} or
 * {@value #HELPDESK}. A route names the least role it needs: {@code admin} may do everything,
 * {@code helpdesk} what is marked helpdesk. The caller is known, and allowed, before a byte of the
 * body is read.
 */
final class AdminAuthorization {

  static final String ADMIN = "admin";
  static final String HELPDESK = "helpdesk";
  private static final String OPERATOR = "jeton.operator";

  private final Store store;

  /** The bootstrap token's hash, made once (null without a bootstrap token). */
  private final String bootstrapHash;

  AdminAuthorization(Config config, Store store) {
    this.store = store;
    this.bootstrapHash = config.adminToken() == null ? null : Secrets.hash(config.adminToken());
  }

  /** The first handler of a route that needs at least the role {@code least}. */
  Handler<RoutingContext> atLeast(String least) {
    return new Gate(least);
  }

  /** The operator this request was admitted for ({@code bootstrap} for the bootstrap token). */
  static String operator(RoutingContext ctx) {
    return ctx.get(OPERATOR);
  }

  /**
   * Authenticates the bearer token and checks its role ({@code admin}, or {@code helpdesk} too when
   * {@code least} is helpdesk) before anything reads the body: the request is paused while the
   * operator is looked up over the bus (a body arriving meanwhile waits in the connection, then in
   * TCP, instead of being dropped), and the next handler (the body handler, or the bulk load)
   * resumes it. A caller who is refused never has the body read ({@link
   * ListenerVerticle#refuseUnread}).
   *
   * <p>A {@link SecurityPolicyHandler} by kind: Vert.x Web orders a route's handlers by kind and
   * runs the body handler before any authentication handler; a security policy (like CORS, which
   * also answers before the body) is the kind that it lets run first.
   */
  private final class Gate implements SecurityPolicyHandler {
    private final String least;

    Gate(String least) {
      this.least = least;
    }

    @Override
    public void handle(RoutingContext ctx) {
      String h = ctx.request().getHeader("Authorization");
      String secret =
          h != null && h.regionMatches(true, 0, "Bearer ", 0, 7) ? h.substring(7).trim() : null;
      if (secret == null || secret.isEmpty() || secret.length() > 512) {
        ListenerVerticle.refuseUnread(
            ctx, 401, "unauthorized", "an admin bearer token is required");
        return;
      }
      if (bootstrapHash != null && Secrets.matches(secret, bootstrapHash)) {
        admit(ctx, "bootstrap", ADMIN, least);
        return;
      }
      // Without a pause, the body's first bytes (or its end) would go to no handler while the
      // operator is looked up.
      ctx.request().pause();
      store
          .findOperator(Secrets.hash(secret))
          .onComplete(
              ar -> {
                if (ar.failed()) {
                  ListenerVerticle.refuseUnread(ctx, 503, "unavailable", null);
                } else if (ar.result() == null) {
                  ListenerVerticle.refuseUnread(
                      ctx, 401, "unauthorized", "unknown or revoked token");
                } else {
                  admit(ctx, ar.result().name(), ar.result().role(), least);
                }
              });
    }
  }

  /**
   * Lets the request go on for {@code admin}, and for {@code helpdesk} too when {@code least} is
   * helpdesk.
   */
  private static void admit(RoutingContext ctx, String operator, String role, String least) {
    if (ADMIN.equals(role) || (HELPDESK.equals(least) && HELPDESK.equals(role))) {
      HttpServerRequest request = ctx.request();
      if (request.getHeader(HttpHeaders.CONTENT_LENGTH) == null
          && !request.headers().contains(HttpHeaders.TRANSFER_ENCODING)) {
        // No body to read: the body handler passes it by, so nothing else would resume it and let
        // it end.
        request.resume();
      }
      ctx.put(OPERATOR, operator).next();
    } else {
      ListenerVerticle.refuseUnread(ctx, 403, "forbidden", "role " + role + " may not do this");
    }
  }
}
