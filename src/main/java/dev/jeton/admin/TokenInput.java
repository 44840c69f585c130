package dev.jeton.admin;

import dev.jeton.provision.InvalidInput;
import dev.jeton.provision.TokenRecords;
import dev.jeton.track.TokenRecord;
import io.vertx.core.json.JsonObject;

/**
 * Turns a token as the admin API receives it ({@code POST /v1/admin/tokens}, a bulk line, a PSKC
 * key) into a {@link TokenRecord}: validated, its seed encrypted under the master key, its optional
 * initial PIN policy-checked and hashed ({@link TokenRecords}), its refusals as the API's 400.
 * Thread-safe.
 */
final class TokenInput {

  private final TokenRecords records;

  TokenInput(TokenRecords records) {
    this.records = records;
  }

  TokenRecord fromJson(JsonObject body) throws BadRequest {
    try {
      return records.fromJson(body);
    } catch (InvalidInput e) {
      throw new BadRequest(e.code(), e.getMessage());
    }
  }
}
