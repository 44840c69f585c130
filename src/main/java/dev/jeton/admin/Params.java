package dev.jeton.admin;

import dev.jeton.provision.InvalidInput;
import dev.jeton.provision.JsonFields;
import dev.jeton.web.Validation;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.regex.Pattern;

/**
 * What the admin API reads from a request, validated: path parameters, the JSON body and its
 * fields. A value that does not fit is a {@link BadRequest} whose message says what would ({@link
 * AdminRouter} answers it 400). One place, so that a rule reads the same whether the value comes
 * from a path, a body, a bulk line or a PSKC key.
 */
final class Params {

  private Params() {}

  static String username(RoutingContext ctx) throws BadRequest {
    return username(ctx.pathParam("username"));
  }

  static String serial(RoutingContext ctx) throws BadRequest {
    return serial(ctx.pathParam("serial"));
  }

  static String name(RoutingContext ctx) throws BadRequest {
    return matching(
        ctx.pathParam("name"), Validation.NAME, "name must be 1 to 64 of A-Z a-z 0-9 . _ -");
  }

  /** A username, wherever it was read; null is refused. */
  static String username(String value) throws BadRequest {
    return matching(value, Validation.USERNAME, "username must be 1 to 64 of A-Z a-z 0-9 . _ @ -");
  }

  /** A token's serial, wherever it was read; null is refused. */
  static String serial(String value) throws BadRequest {
    return matching(value, Validation.SERIAL, "serial must be 1 to 64 of A-Z a-z 0-9 . _ -");
  }

  private static String matching(String value, Pattern pattern, String detail) throws BadRequest {
    if (value == null || !pattern.matcher(value).matches()) {
      throw new BadRequest(detail);
    }
    return value;
  }

  /**
   * The query parameter {@code limit}, an integer from 1 to {@code max}: {@code def} when absent.
   */
  static int limit(RoutingContext ctx, int def, int max) throws BadRequest {
    String given = ctx.queryParams().get("limit");
    int limit;
    try {
      limit = given == null ? def : Integer.parseInt(given);
    } catch (NumberFormatException e) {
      limit = -1;
    }
    if (limit < 1 || limit > max) {
      throw new BadRequest("limit must be an integer from 1 to " + max);
    }
    return limit;
  }

  /**
   * The query parameter {@code prefix} of a search: 1 to {@code max} characters, none a control
   * character (NUL separates a name from its user in the search index).
   */
  static String prefix(RoutingContext ctx, int max) throws BadRequest {
    String p = ctx.queryParams().get("prefix");
    if (p == null
        || p.isEmpty()
        || p.codePointCount(0, p.length()) > max
        || p.codePoints().anyMatch(Character::isISOControl)) {
      throw new BadRequest("prefix must be 1 to " + max + " characters, none a control character");
    }
    return p;
  }

  /** The JSON object body; an absent body is an empty object. */
  static JsonObject body(RoutingContext ctx) throws BadRequest {
    if (ctx.body() == null || ctx.body().length() == 0) {
      return new JsonObject();
    }
    try {
      JsonObject o = ctx.body().asJsonObject();
      return o == null ? new JsonObject() : o;
    } catch (DecodeException | ClassCastException e) {
      throw new BadRequest("the body must be a JSON object");
    }
  }

  /** An optional string field: null when absent. */
  static String string(JsonObject body, String field, int maxLength) throws BadRequest {
    try {
      return JsonFields.string(body, field, maxLength);
    } catch (InvalidInput e) {
      throw new BadRequest(e.getMessage());
    }
  }

  /** An optional integer field: {@code def} when absent. */
  static int integer(JsonObject body, String field, int min, int max, int def) throws BadRequest {
    try {
      return JsonFields.integer(body, field, min, max, def);
    } catch (InvalidInput e) {
      throw new BadRequest(e.getMessage());
    }
  }

  /** The optional {@code password} field, held to the password policy: null when absent. */
  static String password(JsonObject body) throws BadRequest {
    try {
      return JsonFields.password(body);
    } catch (InvalidInput e) {
      throw new BadRequest(e.getMessage());
    }
  }
}
