package dev.jeton.console;

import dev.jeton.web.HtmlReplies;
import dev.jeton.web.Texts;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

/**
 * Reads a console form sent as {@code multipart/form-data} before the session's gate, which needs
 * the form's CSRF token: its fields, and the file of one field into memory, at most {@value #LIMIT}
 * bytes (a larger body is answered 413 and not kept). Never to a temporary file: an uploaded PSKC
 * or NDJSON file may carry seeds and passwords in the clear, and those must never be written to
 * disk. Only a request whose session cookie opens is read; any other is passed on unread, and the
 * gate sends it to the sign-in page.
 */
final class Uploads {

  /** The largest file read, in bytes (5 MiB). */
  static final int LIMIT = 5 * 1024 * 1024;

  /** Room for the form's other fields and the multipart framing, over {@link #LIMIT}. */
  private static final long SLACK = 64L * 1024;

  private static final String FILE = "jeton.console.upload";

  private Uploads() {}

  /** The handler that reads the file of field {@code field}. */
  static Handler<RoutingContext> reader(Console console, HtmlReplies replies, String field) {
    return ctx -> read(ctx, console, replies, field);
  }

  /** The file read, possibly empty; null when none was read. */
  static Buffer file(RoutingContext ctx) {
    return ctx.get(FILE);
  }

  private static void read(RoutingContext ctx, Console console, HtmlReplies replies, String field) {
    HttpServerRequest req = ctx.request();
    Cookie cookie = req.getCookie(ConsoleSessions.COOKIE);
    if (cookie == null || console.sessions().open(cookie.getValue()).isEmpty()) {
      ctx.next();
      return;
    }
    String length = req.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length != null && declared(length) > LIMIT + SLACK) {
      tooLarge(ctx, replies);
      return;
    }
    Buffer file = Buffer.buffer();
    long[] read = {0};
    boolean[] over = {false};
    req.setExpectMultipart(true);
    req.uploadHandler(
        upload ->
            upload.handler(
                chunk -> {
                  read[0] += chunk.length();
                  if (read[0] > LIMIT) {
                    if (!over[0]) {
                      over[0] = true;
                      tooLarge(ctx, replies);
                    }
                  } else if (field.equals(upload.name())) {
                    file.appendBuffer(chunk);
                  }
                }));
    req.exceptionHandler(e -> ctx.fail(400, e));
    req.endHandler(
        v -> {
          if (!over[0] && !ctx.response().ended()) {
            ctx.put(FILE, file);
            ctx.next();
          }
        });
    req.resume();
  }

  private static void tooLarge(RoutingContext ctx, HtmlReplies replies) {
    Texts t = ConsoleRoutes.texts(ctx);
    ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
    replies.page(
        ctx,
        413,
        ConsolePages.notice(
            t,
            null,
            "too-large",
            t.get("import.toolarge.heading"),
            t.get("import.toolarge.text", LIMIT / (1024 * 1024))));
  }

  private static long declared(String length) {
    try {
      return Long.parseLong(length.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
