package dev.jeton.admin;

import dev.jeton.crypto.PasswordHasher;
import dev.jeton.track.Store;
import dev.jeton.track.Store.BulkLine;
import dev.jeton.track.TokenRecord;
import dev.jeton.web.ListenerVerticle;
import dev.jeton.web.Replies;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
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
 * {@code POST /v1/admin/bulk}: NDJSON, one {@code
 * {"username","displayName"?,"password"?,"token"?:{...}}} a line.
 *
 * <p>The body is read as it arrives, never held whole: lines are cut on {@code \n} and gathered
 * into chunks of {@value #CHUNK}; while a chunk is validated and its seeds encrypted (on worker
 * threads), its passwords hashed (on worker threads, in parallel) and it is written by one
 * pipelined store call, the request is paused, so the client can only send as fast as the store
 * takes the lines. Memory holds one chunk, the line being cut (at most {@value #MAX_LINE} bytes: a
 * longer one is reported as failed and skipped to its end) and the list of failed lines. The body
 * is bounded ({@link #MAX_BODY}) because that list grows with it. A line that cannot be applied is
 * reported with its number and why; the others are applied. The caller has been authenticated
 * before the first byte is read.
 *
 * <p>Thread-safety: one {@link Load} a request, confined to the admin verticle's event loop.
 */
final class BulkLoader {

  static final int CHUNK = 1000;

  /**
   * The longest line read, in bytes: a line holds a username, a display name, a password and a
   * token.
   */
  static final int MAX_LINE = 64 * 1024;

  /** The largest body read, in bytes (256 MiB: over 1,000,000 lines of users with tokens). */
  static final long MAX_BODY = 256L * 1024 * 1024;

  private final Vertx vertx;
  private final Store store;
  private final TokenInput tokens;
  private final PasswordHasher passwords;
  private final Clock clock;
  private final AdminAudit audit;

  /** A line read: its number and text, or why it was not kept. */
  private record Raw(int number, String text, String error) {}

  /**
   * A parsed line: its number, and either what to write (with the password still to hash) or an
   * error.
   */
  private record Parsed(int number, BulkLine line, String password, String error) {}

  BulkLoader(
      Vertx vertx,
      Store store,
      TokenInput tokens,
      PasswordHasher passwords,
      Clock clock,
      AdminAudit audit) {
    this.vertx = vertx;
    this.store = store;
    this.tokens = tokens;
    this.passwords = passwords;
    this.clock = clock;
    this.audit = audit;
  }

  void mount(AdminRouter routes) {
    routes.streamed(HttpMethod.POST, "/v1/admin/bulk", AdminAuthorization.ADMIN, this::load);
  }

  private void load(RoutingContext ctx) {
    String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
    long declared;
    try {
      declared = length == null ? -1 : Long.parseLong(length.trim());
    } catch (NumberFormatException e) {
      declared = -1;
    }
    if (declared > MAX_BODY) {
      ListenerVerticle.refuseUnread(
          ctx, 413, "too_large", "a bulk load holds at most " + MAX_BODY + " bytes");
      return;
    }
    new Load(ctx).start();
  }

  /** One bulk load in progress: cuts lines as bytes arrive, and writes them a chunk at a time. */
  private final class Load {
    private final RoutingContext ctx;
    private final HttpServerRequest request;
    private final Counts counts = new Counts();
    private Buffer line = Buffer.buffer();
    private List<Raw> pending = new ArrayList<>();
    private boolean overlong;
    private int number;
    private long bytes;
    private boolean writing;
    private boolean ended;
    private boolean over;

    Load(RoutingContext ctx) {
      this.ctx = ctx;
      this.request = ctx.request();
    }

    void start() {
      request.handler(this::data).endHandler(v -> end()).exceptionHandler(this::broken);
      request.resume();
    }

    private void data(Buffer chunk) {
      if (over) {
        return;
      }
      bytes += chunk.length();
      if (bytes > MAX_BODY) {
        over = true;
        request.pause();
        audit.record(ctx, "bulk_load_interrupted:applied=" + counts.created);
        ListenerVerticle.refuseUnread(
            ctx,
            413,
            "too_large",
            "a bulk load holds at most "
                + MAX_BODY
                + " bytes; "
                + counts.created
                + " lines were applied before the limit");
        return;
      }
      byte[] b = chunk.getBytes();
      int from = 0;
      for (int i = 0; i < b.length; i++) {
        if (b[i] == '\n') {
          append(b, from, i);
          cut();
          from = i + 1;
        }
      }
      append(b, from, b.length);
      if (pending.size() >= CHUNK && !writing) {
        request.pause();
        flush();
      }
    }

    private void append(byte[] b, int from, int to) {
      if (overlong || to == from) {
        return;
      }
      if (line.length() + (to - from) > MAX_LINE) {
        overlong = true;
        line = Buffer.buffer(); // keep nothing of it
        return;
      }
      line.appendBytes(b, from, to - from);
    }

    /**
     * Ends the current line (numbered from 1, empty ones included, as a text editor shows them).
     */
    private void cut() {
      number++;
      if (overlong) {
        pending.add(new Raw(number, null, "the line is longer than " + MAX_LINE + " bytes"));
      } else if (line.length() > 0) {
        String text = line.toString(StandardCharsets.UTF_8).trim();
        if (!text.isEmpty()) {
          pending.add(new Raw(number, text, null));
        }
      }
      overlong = false;
      line = Buffer.buffer();
    }

    private void end() {
      if (over) {
        return;
      }
      ended = true;
      if (line.length() > 0 || overlong) {
        cut();
      }
      if (bytes == 0) {
        over = true;
        Replies.error(ctx, 400, "invalid_request", "the body must hold one JSON object a line");
      } else if (!writing) {
        next();
      }
    }

    /** The client went away, or the connection broke: nothing more can be read nor answered. */
    private void broken(Throwable e) {
      if (!over) {
        over = true;
        audit.record(ctx, "bulk_load_interrupted:applied=" + counts.created);
      }
    }

    /** After a chunk: the next one, the answer, or more of the body. */
    private void next() {
      if (over) {
        return;
      }
      if (ended && pending.isEmpty()) {
        over = true;
        audit.record(
            ctx, "bulk_load:applied=" + counts.created + ",failed=" + counts.failed.size());
        Replies.json(
            ctx,
            200,
            new JsonObject().put("created", counts.created).put("failed", counts.failedByLine()));
      } else if (ended || pending.size() >= CHUNK) {
        flush();
      } else {
        request.resume();
      }
    }

    private void flush() {
      writing = true;
      List<Raw> chunk = pending;
      pending = new ArrayList<>();
      vertx
          .executeBlocking(() -> parse(chunk), false)
          .compose(BulkLoader.this::hashPasswords)
          .compose(parsed -> write(parsed, counts))
          .onSuccess(
              v -> {
                writing = false;
                next();
              })
          .onFailure(
              e -> {
                writing = false;
                if (over) {
                  return;
                }
                over = true;
                audit.record(ctx, "bulk_load_interrupted:applied=" + counts.created);
                ListenerVerticle.refuseUnread(
                    ctx,
                    503,
                    "unavailable",
                    "the store failed after "
                        + counts.created
                        + " lines were applied; lines are idempotent for users, and a token already created is reported as "
                        + "such");
              });
    }
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

  private List<Parsed> parse(List<Raw> lines) {
    List<Parsed> out = new ArrayList<>(lines.size());
    for (Raw raw : lines) {
      out.add(
          raw.error() != null
              ? new Parsed(raw.number(), null, null, raw.error())
              : parseLine(raw.number(), raw.text()));
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
      String username = Params.username(Params.string(o, "username", 64));
      String displayName = Params.string(o, "displayName", 256);
      String password = Params.password(o);
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
        all.add(
            vertx.executeBlocking(
                () -> {
                  BulkLine l = p.line();
                  return new Parsed(
                      p.number(),
                      new BulkLine(
                          l.username(), l.displayName(), passwords.hash(p.password()), l.token()),
                      null,
                      null);
                },
                false));
      }
    }
    return Future.all(all)
        .map(
            done -> {
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
    return store
        .bulk(new Store.Bulk(lines, clock.millis()))
        .map(
            result -> {
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
