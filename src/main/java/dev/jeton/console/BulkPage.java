package dev.jeton.console;

import static dev.jeton.web.HtmlReplies.esc;

import dev.jeton.provision.BulkLines;
import dev.jeton.web.Csrf;
import dev.jeton.web.HtmlReplies;
import dev.jeton.web.Texts;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code /console/bulk} (admins): an NDJSON file, one {@code {"username","displayName"?,
 * "password"?,"token"?:{...}}} a line, applied as the admin API's {@code /v1/admin/bulk} applies it
 * ({@link BulkLines}), a chunk of {@value #CHUNK} lines at a time; the result page gives the number
 * of lines applied and each failed line with its number and why. Audited as the API's bulk load,
 * with the operator's reason.
 *
 * <p>The file is read into memory by {@link Uploads} (at most 5 MiB: it may carry passwords and
 * seeds in the clear, which are never written to disk) and overwritten once applied. Larger loads
 * go through the admin API, which streams. One instance on the console's event loop.
 */
final class BulkPage {

  /** The field of the file. */
  static final String FIELD = "ndjson";

  private static final int CHUNK = 1000;
  private static final int MAX_LINE = 64 * 1024;

  private final ConsoleRoutes routes;
  private final BulkLines lines;
  private final HtmlReplies replies;

  BulkPage(ConsoleRoutes routes, BulkLines lines, HtmlReplies replies) {
    this.routes = routes;
    this.lines = lines;
    this.replies = replies;
  }

  void form(RoutingContext ctx, Texts t, ConsolePages.Who who) {
    replies.page(ctx, 200, formPage(t, who, null));
  }

  /** The upload, once the gate let it through: an admin, with this session's CSRF token. */
  void loads(RoutingContext ctx, Texts t, ConsolePages.Who who) {
    MultiMap form = ctx.request().formAttributes();
    Buffer file = Uploads.file(ctx);
    String reason = ConsoleRoutes.reason(form);
    String error =
        file == null || file.length() == 0
            ? t.get("bulk.error.file")
            : reason == null ? t.get("error.reason") : null;
    if (error != null) {
      replies.page(ctx, 400, formPage(t, who, error));
      return;
    }
    byte[] bytes = file.getBytes();
    List<BulkLines.Raw> all = cut(bytes);
    Arrays.fill(bytes, (byte) 0);
    file.setBytes(0, bytes);
    BulkLines.Counts counts = new BulkLines.Counts();
    apply(all, 0, counts)
        .onComplete(
            ar -> {
              if (ar.succeeded()) {
                routes.audit(
                    ctx,
                    who,
                    "bulk_load:applied="
                        + counts.created()
                        + ",failed="
                        + counts.failedByLine().size(),
                    null,
                    null,
                    reason);
                replies.page(ctx, 200, resultPage(t, who, counts, null));
              } else if (counts.created() == 0) {
                routes.unavailable(ctx, t, who);
              } else {
                routes.audit(
                    ctx,
                    who,
                    "bulk_load_interrupted:applied=" + counts.created(),
                    null,
                    null,
                    reason);
                replies.page(
                    ctx,
                    503,
                    resultPage(t, who, counts, t.get("bulk.error.partial", counts.created())));
              }
            });
  }

  private Future<Void> apply(List<BulkLines.Raw> all, int from, BulkLines.Counts counts) {
    if (from >= all.size()) {
      return Future.succeededFuture();
    }
    int to = Math.min(all.size(), from + CHUNK);
    return lines
        .apply(new ArrayList<>(all.subList(from, to)), counts)
        .compose(v -> apply(all, to, counts));
  }

  /** The lines, numbered from 1 as a text editor shows them; blank ones are left out. */
  private static List<BulkLines.Raw> cut(byte[] bytes) {
    List<BulkLines.Raw> out = new ArrayList<>();
    int number = 0;
    int from = 0;
    for (int i = 0; i <= bytes.length; i++) {
      if (i == bytes.length || bytes[i] == '\n') {
        number++;
        if (i - from > MAX_LINE) {
          out.add(
              new BulkLines.Raw(number, null, "the line is longer than " + MAX_LINE + " bytes"));
        } else {
          String text = new String(bytes, from, i - from, StandardCharsets.UTF_8).trim();
          if (!text.isEmpty()) {
            out.add(new BulkLines.Raw(number, text, null));
          }
        }
        from = i + 1;
      }
    }
    return out;
  }

  private static String formPage(Texts t, ConsolePages.Who who, String error) {
    StringBuilder b = new StringBuilder();
    b.append("<p>").append(esc(t.get("bulk.intro"))).append("</p>\n");
    ConsolePages.message(b, "error", error);
    b.append(
        "<form id=\"bulk-form\" method=\"post\" action=\"/console/bulk\""
            + " enctype=\"multipart/form-data\">\n");
    ConsolePages.hidden(b, Csrf.FIELD, who.csrf());
    b.append("<label for=\"ndjson\">")
        .append(esc(t.get("bulk.file")))
        .append("</label>\n")
        .append(
            "<input id=\"ndjson\" name=\"ndjson\" type=\"file\" required"
                + " accept=\".ndjson,.jsonl,.json,application/x-ndjson,text/plain\">\n");
    ConsolePages.reason(b, t, false);
    ConsolePages.submit(b, t.get("bulk.submit"));
    b.append("</form>\n");
    return ConsolePages.page(t, "bulk", t.get("bulk.heading"), who, b, true);
  }

  private static String resultPage(
      Texts t, ConsolePages.Who who, BulkLines.Counts counts, String error) {
    StringBuilder b = new StringBuilder();
    ConsolePages.message(b, "error", error);
    List<BulkLines.Failed> failed = counts.failedByLine();
    b.append("<p id=\"summary\" role=\"status\">")
        .append(esc(t.get("bulk.summary", counts.created(), failed.size())))
        .append("</p>\n<h2 id=\"failed-heading\">")
        .append(esc(t.get("bulk.failed")))
        .append("</h2>\n");
    if (failed.isEmpty()) {
      b.append("<p>").append(esc(t.get("import.none"))).append("</p>\n");
    } else {
      b.append("<table id=\"failed\" aria-labelledby=\"failed-heading\">\n<thead><tr>")
          .append(ConsolePages.th(t, "bulk.line"))
          .append(ConsolePages.th(t, "import.reason"))
          .append("</tr></thead>\n<tbody>\n");
      for (BulkLines.Failed f : failed) {
        b.append("<tr><td>")
            .append(f.line())
            .append("</td><td>")
            .append(esc(f.error()))
            .append("</td></tr>\n");
      }
      b.append("</tbody>\n</table>\n");
    }
    b.append("<p><a id=\"again\" href=\"/console/bulk\">")
        .append(esc(t.get("bulk.again")))
        .append("</a></p>\n");
    return ConsolePages.page(t, "bulk-result", t.get("bulk.result.heading"), who, b, false);
  }
}
