package dev.jeton.track;

import dev.jeton.track.Store.UserMatch;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The users' search index on Redis ({@link Store#searchUsers}): one sorted set, {@link
 * RedisKeys#userIndex}, every score 0 so that Redis orders the members by their bytes, one member
 * {@code searchKey NUL username} for each user's identifier and one for its display name. A page is
 * one {@code ZRANGE … BYLEX … LIMIT}: O(log N + page) at any population.
 *
 * <p>The index has a hash tag of its own, so on Redis Cluster it cannot be written by the user's
 * script: the writes of users send its upkeep as plain commands once their script has answered.
 * What a failure or a race between two writers leaves behind is harmless to readers, since a member
 * is answered only when its user, read afresh, still has that identifier or display name; a member
 * missing (its write failed) comes back with the user's next write, which always adds both.
 */
final class RedisUserIndex {

  /**
   * Reads of the index for one page, at most: each fetches twice the matches still missing (a user
   * may have two members), so more are needed only when stale members were skipped.
   */
  static final int MAX_ROUNDS = 3;

  private static final byte[] UPPER_END = {(byte) 0xff};

  private final RedisKeys keys;
  private final RedisCalls calls;

  RedisUserIndex(RedisKeys keys, RedisCalls calls) {
    this.keys = keys;
    this.calls = calls;
  }

  /** The member of one user for one of its names. */
  static String member(String name, String username) {
    return Store.searchKey(name) + '\0' + username;
  }

  /**
   * What the index must hold for a user who had {@code oldName} and now has {@code newName} (either
   * null or empty when none): its old display name's member goes, both current members are added.
   * One pipeline in the index's slot, the removal first.
   */
  Future<Void> update(String username, String oldName, String newName) {
    return calls.pipeline(changes(List.of(new Change(username, oldName, newName)))).mapEmpty();
  }

  /** The same as {@link #update} for many users at once, in one pipeline (bulk loads). */
  Future<Void> updateAll(List<Change> changes) {
    return changes.isEmpty()
        ? Future.succeededFuture()
        : calls.pipeline(changes(changes)).mapEmpty();
  }

  /** The command that removes both members of a user who had {@code name} (deletion). */
  Request removal(String username, String name) {
    Request r = Request.cmd(Command.ZREM).arg(keys.userIndex()).arg(member(username, username));
    if (name != null && !name.isEmpty()) {
      r.arg(member(name, username));
    }
    return r;
  }

  /** One user's names, before and after a write. */
  record Change(String username, String oldName, String newName) {}

  private List<Request> changes(List<Change> changes) {
    // A user written twice in one batch: from the name it had before the first write to the name
    // the last one gave (the names between were never in the index).
    Map<String, Change> merged = new LinkedHashMap<>();
    for (Change c : changes) {
      merged.merge(
          c.username(),
          c,
          (first, last) -> new Change(c.username(), first.oldName(), last.newName()));
    }
    Request add = Request.cmd(Command.ZADD).arg(keys.userIndex());
    Request remove = Request.cmd(Command.ZREM).arg(keys.userIndex());
    boolean removes = false;
    for (Change c : merged.values()) {
      String own = member(c.username(), c.username());
      add.arg(0).arg(own);
      String now = null;
      if (c.newName() != null && !c.newName().isEmpty()) {
        now = member(c.newName(), c.username());
        add.arg(0).arg(now);
      }
      if (c.oldName() != null && !c.oldName().isEmpty()) {
        String was = member(c.oldName(), c.username());
        // The old name's member may be the one of the identifier, or of the new name: kept then.
        if (!was.equals(own) && !was.equals(now)) {
          remove.arg(was);
          removes = true;
        }
      }
    }
    return removes ? List.of(remove, add) : List.of(add);
  }

  /** {@link Store#searchUsers} on the index. */
  Future<List<UserMatch>> search(String prefix, int limit) {
    String key = Store.searchKey(prefix);
    Buffer from = Buffer.buffer("[").appendString(key);
    return round(new Page(key, limit), from, 0);
  }

  /** What one search has found so far. */
  private record Page(String key, int limit, List<UserMatch> found, Set<String> answered) {
    Page(String key, int limit) {
      this(key, limit, new ArrayList<>(), new HashSet<>());
    }

    boolean full() {
      return found.size() >= limit;
    }
  }

  /**
   * Reads the next members after {@code from}, then the users they name (each user key on its own:
   * they live in different slots), keeping the first member of each user that still holds.
   */
  private Future<List<UserMatch>> round(Page page, Buffer from, int rounds) {
    int want = 2 * (page.limit() - page.found().size());
    Buffer to = Buffer.buffer("(").appendString(page.key()).appendBytes(UPPER_END);
    Request range =
        Request.cmd(Command.ZRANGE)
            .arg(keys.userIndex())
            .arg(from)
            .arg(to)
            .arg("BYLEX")
            .arg("LIMIT")
            .arg(0)
            .arg(want);
    return calls
        .send(range)
        .compose(
            members -> {
              if (members.size() == 0) {
                return Future.succeededFuture(page.found());
              }
              Set<String> named = new LinkedHashSet<>();
              members.forEach(m -> named.add(username(m.toString())));
              named.removeAll(page.answered());
              List<String> users = new ArrayList<>(named);
              List<Request> reads = new ArrayList<>(users.size());
              users.forEach(
                  u ->
                      reads.add(Request.cmd(Command.HMGET).arg(keys.user(u)).arg("gen").arg("dn")));
              return calls
                  .sendEach(reads)
                  .compose(
                      read -> {
                        Map<String, Response> byUser = new HashMap<>();
                        for (int i = 0; i < users.size(); i++) {
                          byUser.put(users.get(i), read.get(i));
                        }
                        keep(page, members, byUser);
                        Response last = members.get(members.size() - 1);
                        if (page.full() || members.size() < want || rounds + 1 >= MAX_ROUNDS) {
                          return Future.succeededFuture(page.found());
                        }
                        return round(
                            page, Buffer.buffer("(").appendBuffer(last.toBuffer()), rounds + 1);
                      });
            });
  }

  /** Adds to the page, in index order, the members whose user still holds them. */
  private static void keep(Page page, Response members, Map<String, Response> users) {
    for (Response m : members) {
      if (page.full()) {
        return;
      }
      String member = m.toString();
      int nul = member.lastIndexOf('\0');
      String username = member.substring(nul + 1);
      Response user = users.get(username);
      if (user == null || user.get(0) == null || page.answered().contains(username)) {
        continue; // gone, or answered already
      }
      String name = user.get(1) == null ? null : user.get(1).toString();
      String matched = member.substring(0, nul);
      boolean current =
          matched.equals(Store.searchKey(username))
              || (name != null && matched.equals(Store.searchKey(name)));
      if (current && matched.startsWith(page.key())) {
        page.answered().add(username);
        page.found().add(new UserMatch(username, name));
      }
    }
  }

  private static String username(String member) {
    return member.substring(member.lastIndexOf('\0') + 1);
  }
}
