package dev.jeton.web;

import dev.jeton.bus.DirectoryBus;
import dev.jeton.bus.DirectoryBus.DirectoryUser;
import dev.jeton.bus.Requests;
import dev.jeton.config.LdapSettings;
import dev.jeton.track.Store;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the admin API and the console ask the district's directory about users ({@link
 * DirectoryBus#FIND_USER}, {@link DirectoryBus#SEARCH_USERS}): a username the directory has is a
 * known user, even before Jeton's store has it. Jeton never writes to the directory.
 *
 * <p>Without a directory ({@code JETON_LDAP_URL} unset) nothing is asked: {@link #findUser} finds
 * no one and {@link #search} finds nothing, at once. With one, every request stays on this node and
 * waits at most {@code JETON_LDAP_TIMEOUT_MILLIS × 3 + 1 s} (the directory's own timeouts bound its
 * LDAP calls; this bounds a directory verticle that does not answer at all). Any failure (503 from
 * the directory, a timeout, no directory verticle) means the directory is unavailable; it is logged
 * here, once, as {@code directory_unavailable}.
 *
 * <p>Immutable; used on the caller's event loop.
 */
public final class DirectoryClient {

  private static final Logger LOG = LoggerFactory.getLogger(DirectoryClient.class);

  /**
   * The audit note (or the start of it) of a user created in Jeton's store because the directory
   * has it.
   */
  public static final String CREATED_NOTE = "from the directory";

  /** What a search could ask of the directory. */
  public enum Reach {
    /** No directory is configured: only Jeton's store was searched. */
    NONE,
    /** The directory answered. */
    ANSWERED,
    /** The directory is configured but did not answer: only Jeton's store was searched. */
    UNAVAILABLE
  }

  /**
   * A user found by {@link #searchAlongside}.
   *
   * @param displayName the directory's when it has one for this user, else Jeton's; may be null
   * @param inJeton Jeton's store has the user (false: only the directory has it)
   */
  public record Match(String username, String displayName, boolean inJeton) {}

  /** The users found, sorted and bounded, and whether the directory was searched. */
  public record Matches(List<Match> users, Reach directory) {
    public Matches {
      users = List.copyOf(users);
    }
  }

  private final Vertx vertx;
  private final DeliveryOptions options;

  /**
   * @param settings the directory, or null when none is configured
   */
  public DirectoryClient(Vertx vertx, LdapSettings settings) {
    this.vertx = vertx;
    this.options =
        settings == null
            ? null
            : new DeliveryOptions()
                .setLocalOnly(true)
                .setSendTimeout(settings.timeoutMillis() * 3L + 1_000L);
  }

  /** A directory is configured. */
  public boolean configured() {
    return options != null;
  }

  /**
   * The directory's user by this username, or null when it has none (or none is configured); a
   * failed future when the directory is unavailable.
   */
  public Future<DirectoryUser> findUser(String username) {
    if (options == null) {
      return Future.succeededFuture(null);
    }
    return Requests.<DirectoryBus.Found>request(vertx, DirectoryBus.FIND_USER, username, options)
        .map(m -> m.body().user())
        .onFailure(e -> unavailable("find_user", e));
  }

  /**
   * The directory's users whose username or display name starts with {@code prefix}, at most {@code
   * limit}; empty when none is configured; a failed future when the directory is unavailable.
   */
  public Future<List<DirectoryUser>> search(String prefix, int limit) {
    if (options == null) {
      return Future.succeededFuture(List.of());
    }
    return Requests.<DirectoryBus.Users>request(
            vertx, DirectoryBus.SEARCH_USERS, new DirectoryBus.Search(prefix, limit), options)
        .map(m -> m.body().users())
        .onFailure(e -> unavailable("search_users", e));
  }

  /**
   * Jeton's own matches ({@code own}, from {@link Store#searchUsers}) and the directory's, merged:
   * each username once, in the store's order (see {@link #merge}), at most {@code limit}. Fails
   * only when {@code own} does: a directory that cannot answer leaves Jeton's own matches, with
   * {@link Reach#UNAVAILABLE}.
   */
  public Future<Matches> searchAlongside(
      Future<List<Store.UserMatch>> own, String prefix, int limit) {
    if (options == null) {
      return own.map(found -> new Matches(ownOnly(found), Reach.NONE));
    }
    Future<List<DirectoryUser>> settled =
        search(prefix, limit).otherwise((List<DirectoryUser>) null);
    return Future.all(own, settled)
        .map(
            all ->
                settled.result() == null
                    ? new Matches(ownOnly(own.result()), Reach.UNAVAILABLE)
                    : new Matches(
                        merge(own.result(), settled.result(), prefix, limit), Reach.ANSWERED));
  }

  /** Jeton's own matches, in the store's own order. */
  private static List<Match> ownOnly(List<Store.UserMatch> own) {
    return own.stream().map(m -> new Match(m.username(), m.displayName(), true)).toList();
  }

  /**
   * Assigns the token, creating first in Jeton's store a user that only the directory has (its
   * display name from the directory, no password; {@code created} is told of it). A user is created
   * only for a token that exists and is free, so that a refused assignment leaves nothing behind.
   * The store's answer otherwise: {@link Store.AssignResult#NO_USER} when neither has the user.
   * Fails when the store or the directory cannot answer.
   */
  public Future<Store.AssignResult> assign(
      Store store, Store.Assign a, long now, Consumer<DirectoryUser> created) {
    return store
        .assign(a)
        .compose(
            r ->
                r != Store.AssignResult.NO_USER || options == null
                    ? Future.succeededFuture(r)
                    : store
                        .getToken(a.serial())
                        .compose(
                            t ->
                                t == null
                                    ? Future.succeededFuture(Store.AssignResult.NO_TOKEN)
                                    : t.owner() != null
                                        ? Future.succeededFuture(Store.AssignResult.OWNED_BY_OTHER)
                                        : createThenAssign(store, a, now, created)));
  }

  private Future<Store.AssignResult> createThenAssign(
      Store store, Store.Assign a, long now, Consumer<DirectoryUser> created) {
    return findUser(a.username())
        .compose(
            u ->
                u == null
                    ? Future.succeededFuture(Store.AssignResult.NO_USER)
                    : store
                        .putUser(new Store.PutUser(a.username(), u.displayName(), null, now))
                        .compose(
                            isNew -> {
                              if (isNew) {
                                created.accept(u);
                              }
                              return store.assign(a);
                            }));
  }

  /**
   * {@code own} and {@code theirs} as one list: each username once, with the directory's display
   * name when it has one; sorted as {@link Store#searchUsers} sorts (the lower-cased identifier or
   * display name that matches {@code prefix}, the first of the two when both do, in code point
   * order; then the username); the first {@code limit}.
   */
  public static List<Match> merge(
      List<Store.UserMatch> own, List<DirectoryUser> theirs, String prefix, int limit) {
    Map<String, Match> byName = new LinkedHashMap<>();
    for (Store.UserMatch m : own) {
      byName.put(m.username(), new Match(m.username(), m.displayName(), true));
    }
    for (DirectoryUser u : theirs) {
      Match mine = byName.get(u.username());
      if (mine == null) {
        byName.put(u.username(), new Match(u.username(), u.displayName(), false));
      } else if (u.displayName() != null) {
        byName.put(u.username(), new Match(u.username(), u.displayName(), true));
      }
    }
    String p = prefix.toLowerCase(Locale.ROOT);
    List<Match> all = new ArrayList<>(byName.values());
    all.sort(
        Comparator.comparing((Match m) -> sortKey(m, p), DirectoryClient::byCodePoint)
            .thenComparing(Match::username, DirectoryClient::byCodePoint));
    return all.size() > limit ? List.copyOf(all.subList(0, limit)) : all;
  }

  private static String sortKey(Match m, String prefix) {
    String id = m.username().toLowerCase(Locale.ROOT);
    String name = m.displayName() == null ? null : m.displayName().toLowerCase(Locale.ROOT);
    boolean idMatches = id.startsWith(prefix);
    boolean nameMatches = name != null && name.startsWith(prefix);
    if (idMatches && nameMatches) {
      return byCodePoint(id, name) <= 0 ? id : name;
    }
    return nameMatches ? name : id;
  }

  /** Code point order (UTF-8 byte order), not {@link String#compareTo}'s UTF-16 order. */
  static int byCodePoint(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Boolean.compare(i < a.length(), j < b.length());
  }

  private static void unavailable(String operation, Throwable e) {
    LOG.atWarn()
        .setMessage("directory_unavailable")
        .addKeyValue("operation", operation)
        .addKeyValue(
            "failure",
            e instanceof ReplyException re
                ? re.failureType().name() + ":" + re.failureCode()
                : e.getClass().getSimpleName())
        .log();
  }
}
