package dev.jeton.admin;

import dev.jeton.audit.AuditEvent;
import dev.jeton.bus.Addresses;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every admin action is audited: who (the operator {@link AdminAuthorization} admitted), from
 * where, did what, to which user or token. Logged, and sent to the audit log as a decision {@code
 * ADMIN}.
 */
final class AdminAudit {

  private static final Logger LOG = LoggerFactory.getLogger("jeton.admin");
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);

  private final Vertx vertx;
  private final Clock clock;

  AdminAudit(Vertx vertx, Clock clock) {
    this.vertx = vertx;
    this.clock = clock;
  }

  /** An action on no user and no token (a client, an operator, a bulk load, an import). */
  void record(RoutingContext ctx, String action) {
    record(ctx, action, null, null);
  }

  void record(RoutingContext ctx, String action, String username, String serial) {
    record(ctx, action, username, serial, null);
  }

  /**
   * @param note why, when the action was not the operator's own choice (a user created from the
   *     directory), or null
   */
  void record(RoutingContext ctx, String action, String username, String serial, String note) {
    String operator = AdminAuthorization.operator(ctx);
    String ip =
        ctx.request().remoteAddress() == null ? null : ctx.request().remoteAddress().hostAddress();
    LOG.atInfo()
        .setMessage("admin")
        .addKeyValue("action", action)
        .addKeyValue("user", username)
        .addKeyValue("serial", serial)
        .addKeyValue("operator", operator)
        .addKeyValue("ip", ip)
        .addKeyValue("note", note)
        .log();
    AuditEvent event =
        AuditEvent.of(clock.millis(), null, username, ip, operator, "ADMIN", action, null, serial);
    vertx
        .eventBus()
        .send(Addresses.AUDIT_DECISION, note == null ? event : event.withNote(note), LOCAL);
  }
}
