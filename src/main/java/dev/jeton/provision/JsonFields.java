package dev.jeton.provision;

import dev.jeton.policy.PasswordPolicy;
import io.vertx.core.json.JsonObject;

/**
 * The optional fields of a JSON object as an operator sends them (an API body, a bulk line): typed
 * and bounded, with a refusal that names the field. Stateless.
 */
public final class JsonFields {

  private JsonFields() {}

  /** An optional string field: null when absent. */
  public static String string(JsonObject body, String field, int maxLength) throws InvalidInput {
    Object v = body.getValue(field);
    if (v == null) {
      return null;
    }
    if (!(v instanceof String) || ((String) v).length() > maxLength) {
      throw new InvalidInput(field + " must be a string of at most " + maxLength + " characters");
    }
    return (String) v;
  }

  /** An optional integer field: {@code def} when absent. */
  public static int integer(JsonObject body, String field, int min, int max, int def)
      throws InvalidInput {
    Object v = body.getValue(field);
    if (v == null) {
      return def;
    }
    if (!(v instanceof Integer) || (Integer) v < min || (Integer) v > max) {
      throw new InvalidInput(field + " must be an integer from " + min + " to " + max);
    }
    return (Integer) v;
  }

  /** The optional {@code password} field, held to the password policy: null when absent. */
  public static String password(JsonObject body) throws InvalidInput {
    String password = string(body, "password", 256);
    String refusal = password == null ? null : PasswordPolicy.refusal(password);
    if (refusal != null) {
      throw new InvalidInput(refusal);
    }
    return password;
  }
}
