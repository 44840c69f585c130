package dev.jeton.track;

import static dev.jeton.track.RedisRecords.cfg;
import static dev.jeton.track.RedisRecords.generation;
import static dev.jeton.track.RedisRecords.nz;

import dev.jeton.track.Store.Bulk;
import dev.jeton.track.Store.BulkLine;
import dev.jeton.track.Store.BulkResult;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A bulk load into Redis: users with at most one new token each, the whole batch in two pipelined
 * round trips rather than a few per line. Each line is applied or refused on its own, as {@link
 * Store#bulk} says.
 */
final class RedisBulk {

  private final RedisKeys keys;
  private final RedisCalls calls;
  private final RedisUserIndex userIndex;

  RedisBulk(RedisKeys keys, RedisCalls calls, RedisUserIndex userIndex) {
    this.keys = keys;
    this.calls = calls;
    this.userIndex = userIndex;
  }

  /**
   * First every token is created (already owned by its user, never overwriting), then every user is
   * written with its token attached; then, in one pipeline beside the removal of any token whose
   * user turned out full, the search index learns every user written (one {@code ZADD} for the
   * whole batch, and one {@code ZREM} for the display names replaced, if any).
   */
  Future<BulkResult> load(Bulk b) {
    List<BulkLine> lines = b.lines();
    String[] errors = new String[lines.size()];
    List<Integer> withToken = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).token() != null) {
        withToken.add(i);
      }
    }
    Future<List<Response>> tokens =
        withToken.isEmpty()
            ? Future.succeededFuture(List.of())
            : calls.evalEach(
                RedisScripts.CREATE_TOKEN,
                withToken.stream()
                    .map(i -> List.of(keys.token(lines.get(i).token().serial())))
                    .toList(),
                // Born assigned: the pool keeps only the owner, the user's hash the token.
                withToken.stream().map(i -> List.of("owner", lines.get(i).username())).toList());
    return tokens
        .compose(
            created -> {
              for (int k = 0; k < withToken.size(); k++) {
                if (created.get(k).toInteger() != 1) {
                  errors[withToken.get(k)] =
                      "a token with serial "
                          + lines.get(withToken.get(k)).token().serial()
                          + " exists";
                }
              }
              List<Integer> applied = new ArrayList<>();
              for (int i = 0; i < lines.size(); i++) {
                if (errors[i] == null) {
                  applied.add(i);
                }
              }
              if (applied.isEmpty()) {
                return Future.succeededFuture(applied);
              }
              return calls
                  .evalEach(
                      RedisScripts.BULK_USER,
                      applied.stream()
                          .map(i -> List.of(keys.user(lines.get(i).username())))
                          .toList(),
                      applied.stream().map(i -> userArgs(lines.get(i), b.now())).toList())
                  .compose(
                      written -> {
                        List<Request> undo = new ArrayList<>();
                        List<RedisUserIndex.Change> named = new ArrayList<>();
                        for (int k = 0; k < applied.size(); k++) {
                          int i = applied.get(k);
                          BulkLine line = lines.get(i);
                          String old = written.get(k).get(1).toString();
                          if ("TOO_MANY".equals(written.get(k).get(0).toString())) {
                            errors[i] =
                                "the user holds " + UserRecord.MAX_TOKENS + " tokens already";
                            undo.add(
                                Request.cmd(Command.DEL).arg(keys.token(line.token().serial())));
                          } else {
                            String now =
                                nz(line.displayName()).isEmpty() ? old : line.displayName();
                            named.add(new RedisUserIndex.Change(line.username(), old, now));
                          }
                        }
                        Future<Void> indexed = userIndex.updateAll(named);
                        Future<?> undone =
                            undo.isEmpty() ? Future.succeededFuture() : calls.sendEach(undo);
                        return Future.all(indexed, undone).map(applied);
                      });
            })
        .map(x -> new BulkResult(Arrays.asList(errors)));
  }

  /** The ARGV of {@code bulkuser.lua} for one line. */
  private static List<String> userArgs(BulkLine l, long now) {
    TokenRecord t = l.token();
    return List.of(
        nz(l.displayName()),
        nz(l.passwordHash()),
        Long.toString(now),
        generation(),
        Integer.toString(UserRecord.MAX_TOKENS),
        t == null ? "" : t.serial(),
        t == null ? "" : cfg(t),
        t == null || t.enabled() ? "1" : "0",
        t == null ? "" : nz(t.pinHash()),
        t == null ? "-1" : Long.toString(t.lastStep()),
        t == null ? "" : t.seed());
  }
}
