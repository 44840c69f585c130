package dev.jeton.track;

import java.util.List;
import java.util.Map;

/**
 * A user as the store keeps it.
 *
 * @param passwordHash Argon2id PHC string, or null when the user has no password
 * @param tokens the tokens assigned to the user, at most {@link #MAX_TOKENS}, in assignment order
 * @param emergencyCodes keyed hashes of unused emergency codes, each with its expiry in epoch
 *     milliseconds
 */
public record UserRecord(
    String username,
    String displayName,
    String passwordHash,
    List<TokenRecord> tokens,
    Map<String, Long> emergencyCodes,
    long createdAt) {

  public static final int MAX_TOKENS = 3;

  public UserRecord {
    tokens = List.copyOf(tokens);
    emergencyCodes = Map.copyOf(emergencyCodes);
  }

  public TokenRecord token(String serial) {
    for (TokenRecord t : tokens) {
      if (t.serial().equals(serial)) {
        return t;
      }
    }
    return null;
  }

  public int emergencyCodesLeft(long now) {
    return (int) emergencyCodes.values().stream().filter(exp -> exp > now).count();
  }
}
