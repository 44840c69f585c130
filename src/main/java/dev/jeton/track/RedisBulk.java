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

  RedisBulk(RedisKeys keys, RedisCalls calls) {
    this.keys = keys;
    this.calls = calls;
  }

  /**
   * First every token is created (already owned by its user, never overwriting), then every user is
   * written with its token attached; a token whose user turned out full is removed again in a
   * third, rare, round trip.
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
                        for (int k = 0; k < applied.size(); k++) {
                          int i = applied.get(k);
                          if ("TOO_MANY".equals(written.get(k).toString())) {
                            errors[i] =
                                "the user holds " + UserRecord.MAX_TOKENS + " tokens already";
                            undo.add(
                                Request.cmd(Command.DEL)
                                    .arg(keys.token(lines.get(i).token().serial())));
                          }
                        }
                        return undo.isEmpty()
                            ? Future.succeededFuture(applied)
                            : calls.sendEach(undo).map(applied);
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
