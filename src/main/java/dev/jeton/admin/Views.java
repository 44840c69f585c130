package dev.jeton.admin;

import dev.jeton.audit.AuditEvent;
import dev.jeton.bus.DirectoryBus;
import dev.jeton.bus.EmergencyCodes;
import dev.jeton.track.FailState;
import dev.jeton.track.Store;
import dev.jeton.track.TokenRecord;
import dev.jeton.track.UserRecord;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;

/**
 * The JSON the admin API shows of what it read (API.md §3): a user, a token, issued emergency
 * codes, an audit event. In one place so that every endpoint that shows a record shows it the same
 * way; never a seed, a hash or a PIN.
 */
final class Views {

  private final Clock clock;

  Views(Clock clock) {
    this.clock = clock;
  }

  /** A user as of now: locked or not, its tokens, its emergency codes left. */
  JsonObject user(Store.UserView v) {
    UserRecord u = v.user();
    FailState f = v.fail();
    long now = clock.millis();
    JsonArray tokens = new JsonArray();
    u.tokens()
        .forEach(
            t ->
                tokens.add(
                    new JsonObject()
                        .put("serial", t.serial())
                        .put("type", t.type())
                        .put("pinSet", t.pinSet())
                        .put("enabled", t.enabled())
                        .put("drift", t.drift())
                        .put("lastUsedAt", lastUsed(t.lastUsedAt()))));
    return new JsonObject()
        .put("username", u.username())
        .put("displayName", u.displayName())
        .put("hasPassword", u.passwordHash() != null)
        .put("locked", f.lockedAt(now))
        .put(
            "lockedUntil",
            f.lockedAt(now) ? Instant.ofEpochMilli(f.lockedUntil()).toString() : null)
        .put("failures", f.failures())
        .put("tokens", tokens)
        .put("emergencyCodesLeft", u.emergencyCodesLeft(now));
  }

  /**
   * A user only the directory has, in the shape of {@link #user}: no password, not locked, no
   * token, no emergency code; {@code source} {@code directory}.
   */
  static JsonObject directoryUser(DirectoryBus.DirectoryUser d) {
    return new JsonObject()
        .put("username", d.username())
        .put("displayName", d.displayName())
        .put("hasPassword", false)
        .put("locked", false)
        .put("lockedUntil", null)
        .put("failures", 0)
        .put("tokens", new JsonArray())
        .put("emergencyCodesLeft", 0)
        .put("source", "directory")
        .put("directory", true);
  }

  /**
   * A user of Jeton's store ({@link #user}) as the directory sees it, when one is configured: the
   * directory's display name when it has one; {@code source} {@code jeton}; {@code directory} true
   * or false (the directory has the user or not), or {@code "unavailable"} when it could not be
   * asked ({@code known} null).
   */
  static JsonObject withDirectory(
      JsonObject user, DirectoryBus.DirectoryUser known, boolean answered) {
    user.put("source", "jeton");
    if (!answered) {
      return user.put("directory", "unavailable");
    }
    if (known != null && known.displayName() != null) {
      user.put("displayName", known.displayName());
    }
    return user.put("directory", known != null);
  }

  static JsonObject token(TokenRecord t) {
    JsonObject o =
        new JsonObject()
            .put("serial", t.serial())
            .put("type", t.type())
            .put("algorithm", t.algorithm())
            .put("digits", t.digits());
    if (t.totp()) {
      o.put("period", t.period());
    }
    return o.put("enabled", t.enabled())
        .put("pinSet", t.pinSet())
        .put("owner", t.owner())
        .put("drift", t.drift())
        .put("lastUsedAt", lastUsed(t.lastUsedAt()));
  }

  /** The codes in clear: shown this once to the operator. */
  static JsonObject codes(EmergencyCodes.Issued issued) {
    return new JsonObject()
        .put("codes", new JsonArray(issued.codes()))
        .put("expiresAt", Instant.ofEpochMilli(issued.expiresAtMillis()).toString());
  }

  static JsonObject event(AuditEvent e) {
    return new JsonObject()
        .put("at", e.at())
        .put("username", e.username())
        .put("clientIp", e.clientIp())
        .put("client", e.client())
        .put("decision", e.decision())
        .put("reason", e.reason())
        .put("method", e.method())
        .put("tokenSerial", e.tokenSerial())
        .put("requestId", e.requestId())
        .put("note", e.note());
  }

  /** A token never used (0) has no last use. */
  private static String lastUsed(long millis) {
    return millis == 0 ? null : Instant.ofEpochMilli(millis).toString();
  }
}
