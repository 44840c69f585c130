package dev.jeton.admin;

import dev.jeton.provision.BulkLines;
import dev.jeton.web.ListenerVerticle;
import dev.jeton.web.Replies;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
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

  private final BulkLines lines;
  private final AdminAudit audit;

  BulkLoader(BulkLines lines, AdminAudit audit) {
    this.lines = lines;
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
    private final BulkLines.Counts counts = new BulkLines.Counts();
    private Buffer line = Buffer.buffer();
    private List<BulkLines.Raw> pending = new ArrayList<>();
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
        audit.record(ctx, "bulk_load_interrupted:applied=" + counts.created());
        ListenerVerticle.refuseUnread(
            ctx,
            413,
            "too_large",
            "a bulk load holds at most "
                + MAX_BODY
                + " bytes; "
                + counts.created()
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
        pending.add(
            new BulkLines.Raw(number, null, "the line is longer than " + MAX_LINE + " bytes"));
      } else if (line.length() > 0) {
        String text = line.toString(StandardCharsets.UTF_8).trim();
        if (!text.isEmpty()) {
          pending.add(new BulkLines.Raw(number, text, null));
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
        audit.record(ctx, "bulk_load_interrupted:applied=" + counts.created());
      }
    }

    private JsonArray failedByLine() {
      JsonArray failed = new JsonArray();
      counts
          .failedByLine()
          .forEach(f -> failed.add(new JsonObject().put("line", f.line()).put("error", f.error())));
      return failed;
    }

    /** After a chunk: the next one, the answer, or more of the body. */
    private void next() {
      if (over) {
        return;
      }
      if (ended && pending.isEmpty()) {
        over = true;
        audit.record(
            ctx,
            "bulk_load:applied=" + counts.created() + ",failed=" + counts.failedByLine().size());
        Replies.json(
            ctx,
            200,
            new JsonObject().put("created", counts.created()).put("failed", failedByLine()));
      } else if (ended || pending.size() >= CHUNK) {
        flush();
      } else {
        request.resume();
      }
    }

    private void flush() {
      writing = true;
      List<BulkLines.Raw> chunk = pending;
      pending = new ArrayList<>();
      lines
          .apply(chunk, counts)
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
                audit.record(ctx, "bulk_load_interrupted:applied=" + counts.created());
                ListenerVerticle.refuseUnread(
                    ctx,
                    503,
                    "unavailable",
                    "the store failed after "
                        + counts.created()
                        + " lines were applied; lines are idempotent for users, and a token already created is reported as "
                        + "such");
              });
    }
  }
}
