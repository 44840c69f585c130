package dev.jeton.bus;

import java.util.List;

/**
 * The directory's addresses and messages (records travel through the local codec).
 *
 * <p>The directory (an LDAP server, see {@code docs/directory.md}) is reached only over these
 * addresses; its consumers are local and run the blocking LDAP calls on a bounded worker pool.
 * {@link #FIND_USER} and {@link #SEARCH_USERS} fail the reply with a {@code ReplyException} of
 * failure code {@link #UNAVAILABLE_CODE} (503) when the directory is unavailable; {@link
 * #CHECK_PASSWORD} always replies, with {@link Verdict#UNAVAILABLE} when the directory is down or
 * slow.
 */
public final class DirectoryBus {

  /** A {@link PasswordCheck}, answered by a {@link PasswordResult} (always). */
  public static final String CHECK_PASSWORD = "jeton.directory.check-password";

  /** A {@code String} username, answered by a {@link Found}, or failed with 503. */
  public static final String FIND_USER = "jeton.directory.find-user";

  /** A {@link Search}, answered by {@link Users}, or failed with 503. */
  public static final String SEARCH_USERS = "jeton.directory.search-users";

  /**
   * Any message (ignored), answered by a {@code Boolean}: true when the directory is degraded (its
   * last operation failed as unavailable, or its last periodic health check failed).
   */
  public static final String HEALTH = "jeton.directory.health";

  /** The failure code of a reply failed because the directory is unavailable. */
  public static final int UNAVAILABLE_CODE = 503;

  /** A password to check for a username; {@link #toString()} never prints the password. */
  public record PasswordCheck(String username, String password) {
    @Override
    public String toString() {
      return "PasswordCheck[username=" + username + ", password=<hidden>]";
    }
  }

  /**
   * What the directory said of a password. {@link #WRONG} also for a username the directory does
   * not have, an empty password, or a username that matches several entries.
   */
  public enum Verdict {
    OK,
    WRONG,
    UNAVAILABLE
  }

  /** The verdict, and the user's display name with {@link Verdict#OK} only (may be null). */
  public record PasswordResult(Verdict verdict, String displayName) {}

  /** A user of the directory: its username and display name (may be null). */
  public record DirectoryUser(String username, String displayName) {}

  /** The user found, or null when the directory does not have it. */
  public record Found(DirectoryUser user) {}

  /** Users whose username or display name starts with {@code prefix}, at most {@code limit}. */
  public record Search(String prefix, int limit) {}

  /** The users a {@link Search} found. */
  public record Users(List<DirectoryUser> users) {}

  /** Every message type, for {@code LocalCodec.registerAll}. */
  public static List<Class<?>> messageTypes() {
    return List.of(
        PasswordCheck.class,
        PasswordResult.class,
        DirectoryUser.class,
        Found.class,
        Search.class,
        Users.class);
  }

  private DirectoryBus() {}
}
