package dev.jeton.admin;

import dev.jeton.crypto.PasswordHasher;
import dev.jeton.http.Replies;
import dev.jeton.http.Validation;
import dev.jeton.track.Store;
import dev.jeton.track.Store.BulkLine;
import dev.jeton.track.TokenRecord;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * {@code POST /v1/admin/bulk}: NDJSON, one {@code {"username","displayName"?,"password"?,"token"?:{...}}} a line.
 * Lines are read, validated and their seeds encrypted on worker threads, a chunk at a time; passwords are hashed on
 * worker threads in parallel; each chunk is then written by one pipelined store call. A line that cannot be applied is
 * reported with its number and why; the others are applied.
 */
final class BulkLoader {

  static final int CHUNK = 1000;

  private final Vertx vertx;
  private final Store store;
  private final TokenInput tokens;
  private final PasswordHasher passwords;
  private final Clock clock;
  private final AdminVerticle admin;

  /** A parsed line: its number, and either what to write (with the password still to hash) or an error. */
  private record Parsed(int number, BulkLine line, String password, String error) {}

  BulkLoader(Vertx vertx, Store store, TokenInput tokens, PasswordHasher passwords, Clock clock, AdminVerticle admin) {
    this.vertx = vertx;
    this.store = store;
    this.tokens = tokens;
    this.passwords = passwords;
    this.clock = clock;
    this.admin = admin;
  }

  void load(RoutingContext ctx) {
    Buffer body = ctx.body().buffer();
    if (body == null || body.length() == 0) {
      Replies.error(ctx, 400, "invalid_request", "the body must hold one JSON object a line");
      return;
    }
    Counts counts = new Counts();
    vertx.executeBlocking(() -> body.toString(StandardCharsets.UTF_8).split("\n", -1), false)
        .compose(lines -> chunks(lines, 0, counts))
        .onSuccess(v -> {
          admin.audit(ctx, "bulk_load:applied=" + counts.created + ",failed=" + counts.failed.size(), null, null);
          Replies.json(ctx, 200, new JsonObject().put("created", counts.created).put("failed", counts.failedByLine()));
        })
        .onFailure(e -> {
          admin.audit(ctx, "bulk_load_interrupted:applied=" + counts.created, null, null);
          Replies.error(ctx, 503, "unavailable", "the store failed after " + counts.created
              + " lines were applied; lines are idempotent for users, and a token already created is reported as such");
        });
  }

  private static final class Counts {
    int created;
    final List<JsonObject> failed = new ArrayList<>();

    void fail(int line, String error) {
      failed.add(new JsonObject().put("line", line).put("error", error));
    }

    /** In line order, whether a line failed its parsing or its write. */
    JsonArray failedByLine() {
      failed.sort(Comparator.comparingInt(o -> o.getInteger("line")));
      return new JsonArray(new ArrayList<>(failed));
    }
  }

  private Future<Void> chunks(String[] lines, int from, Counts counts) {
    if (from >= lines.length) {
      return Future.succeededFuture();
    }
    int to = Math.min(lines.length, from + CHUNK);
    return vertx.executeBlocking(() -> parse(lines, from, to), false)
        .compose(this::hashPasswords)
        .compose(parsed -> write(parsed, counts))
        .compose(v -> chunks(lines, to, counts));
  }

  private List<Parsed> parse(String[] lines, int from, int to) {
    List<Parsed> out = new ArrayList<>(to - from);
    for (int i = from; i < to; i++) {
      String text = lines[i].trim();
      if (!text.isEmpty()) {
        out.add(parseLine(i + 1, text));
      }
    }
    return out;
  }

  private Parsed parseLine(int number, String text) {
    try {
      JsonObject o;
      try {
        o = new JsonObject(text);
      } catch (DecodeException | ClassCastException e) {
        throw new BadRequest("not a JSON object");
      }
      String username = TokenInput.string(o, "username", 64);
      if (username == null || !Validation.USERNAME.matcher(username).matches()) {
        throw new BadRequest("username must be 1 to 64 of A-Z a-z 0-9 . _ @ -");
      }
      String displayName = TokenInput.string(o, "displayName", 256);
      String password = TokenInput.string(o, "password", 256);
      Object token = o.getValue("token");
      TokenRecord t = null;
      if (token instanceof JsonObject tokenJson) {
        t = tokens.fromJson(tokenJson);
      } else if (token != null) {
        throw new BadRequest("token must be an object");
      }
      return new Parsed(number, new BulkLine(username, displayName, null, t), password, null);
    } catch (BadRequest e) {
      return new Parsed(number, null, null, e.getMessage());
    }
  }

  private Future<List<Parsed>> hashPasswords(List<Parsed> parsed) {
    List<Future<Parsed>> all = new ArrayList<>(parsed.size());
    for (Parsed p : parsed) {
      if (p.password() == null) {
        all.add(Future.succeededFuture(p));
      } else {
        all.add(vertx.executeBlocking(() -> {
          BulkLine l = p.line();
          return new Parsed(p.number(), new BulkLine(l.username(), l.displayName(), passwords.hash(p.password()),
              l.token()), null, null);
        }, false));
      }
    }
    return Future.all(all).map(done -> {
      List<Parsed> out = new ArrayList<>(all.size());
      all.forEach(f -> out.add(f.result()));
      return out;
    });
  }

  private Future<Void> write(List<Parsed> parsed, Counts counts) {
    List<BulkLine> lines = new ArrayList<>();
    List<Integer> numbers = new ArrayList<>();
    for (Parsed p : parsed) {
      if (p.error() != null) {
        counts.fail(p.number(), p.error());
      } else {
        lines.add(p.line());
        numbers.add(p.number());
      }
    }
    if (lines.isEmpty()) {
      return Future.succeededFuture();
    }
    return store.bulk(new Store.Bulk(lines, clock.millis())).map(result -> {
      for (int i = 0; i < lines.size(); i++) {
        String error = result.errors().get(i);
        if (error == null) {
          counts.created++;
        } else {
          counts.fail(numbers.get(i), error);
        }
      }
      return null;
    });
  }
}
