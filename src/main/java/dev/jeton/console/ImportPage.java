package dev.jeton.console;

import static dev.jeton.web.HtmlReplies.esc;

import dev.jeton.provision.PskcImporter;
import dev.jeton.pskc.PskcException;
import dev.jeton.pskc.PskcProtection;
import dev.jeton.web.Csrf;
import dev.jeton.web.HtmlReplies;
import dev.jeton.web.Texts;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * {@code /console/import} (admins): a PSKC file from the keys' vendor, plain or protected by a
 * pre-shared AES key (hex) or a password, imported as the admin API's {@code
 * /v1/admin/tokens/import} does ({@link PskcImporter}), with a report of the serials imported and
 * the keys skipped with their reasons. Audited as the API's import, with the operator's reason.
 *
 * <p>The upload is read into memory by {@link Uploads}, never to a temporary file, since a PSKC
 * file may carry its seeds in the clear and a seed must never be written to disk unencrypted. The
 * bytes are overwritten once the import is over. Larger files go through the admin API. One
 * instance on the console's event loop.
 */
final class ImportPage {

  /** The field of the file. */
  static final String FIELD = "pskc";

  private final ConsoleRoutes routes;
  private final PskcImporter importer;
  private final HtmlReplies replies;

  ImportPage(ConsoleRoutes routes, PskcImporter importer, HtmlReplies replies) {
    this.routes = routes;
    this.importer = importer;
    this.replies = replies;
  }

  void form(RoutingContext ctx, Texts t, ConsolePages.Who who) {
    replies.page(ctx, 200, formPage(t, who, null));
  }

  /** The upload, once the gate let it through: an admin, with this session's CSRF token. */
  void imports(RoutingContext ctx, Texts t, ConsolePages.Who who) {
    MultiMap form = ctx.request().formAttributes();
    Buffer file = Uploads.file(ctx);
    String reason = ConsoleRoutes.reason(form);
    String key = blankless(HtmlReplies.single(form, "key"));
    // A password is taken as typed: spaces at its ends may be part of it.
    String password = HtmlReplies.single(form, "password");
    if (password != null && password.isEmpty()) {
      password = null;
    }
    byte[] preShared = null;
    String error = null;
    if (file == null || file.length() == 0) {
      error = t.get("import.error.file");
    } else if (reason == null) {
      error = t.get("error.reason");
    } else if (key != null && password != null) {
      error = t.get("import.error.both");
    } else if (key != null) {
      try {
        preShared = HexFormat.of().parseHex(key.replace(" ", ""));
      } catch (IllegalArgumentException e) {
        error = t.get("import.error.key");
      }
    } else if (HtmlReplies.tooLong(password, 256)) {
      error = t.get("import.error.password");
    }
    if (error != null) {
      replies.page(ctx, 400, formPage(t, who, error));
      return;
    }
    PskcProtection protection =
        preShared != null
            ? PskcProtection.ofKey(preShared)
            : password != null ? PskcProtection.ofPassword(password.toCharArray()) : null;
    if (protection == null) {
      protection = PskcProtection.none();
    }
    byte[] document = file.getBytes();
    PskcImporter.Report report = new PskcImporter.Report();
    importer
        .importDocument(document, protection, report)
        .onComplete(
            ar -> {
              Arrays.fill(document, (byte) 0);
              file.setBytes(0, document);
              if (ar.succeeded()) {
                routes.audit(
                    ctx,
                    who,
                    "pskc_import:imported="
                        + report.imported().size()
                        + ",skipped="
                        + report.skipped().size(),
                    null,
                    null,
                    reason);
                replies.page(ctx, 200, reportPage(t, who, report, null));
              } else if (ar.cause() instanceof PskcException) {
                replies.page(
                    ctx,
                    400,
                    formPage(t, who, t.get("import.error.refused", ar.cause().getMessage())));
              } else if (report.imported().isEmpty()) {
                routes.unavailable(ctx, t, who);
              } else {
                routes.audit(
                    ctx,
                    who,
                    "pskc_import:imported=" + report.imported().size() + ",store_failed",
                    null,
                    null,
                    reason);
                replies.page(
                    ctx,
                    503,
                    reportPage(
                        t, who, report, t.get("import.error.partial", report.imported().size())));
              }
            });
  }

  private static String formPage(Texts t, ConsolePages.Who who, String error) {
    StringBuilder b = new StringBuilder();
    b.append("<p>").append(esc(t.get("import.intro"))).append("</p>\n");
    ConsolePages.message(b, "error", error);
    b.append(
        "<form id=\"import-form\" method=\"post\" action=\"/console/import\""
            + " enctype=\"multipart/form-data\">\n");
    ConsolePages.hidden(b, Csrf.FIELD, who.csrf());
    b.append("<label for=\"pskc\">")
        .append(esc(t.get("import.file")))
        .append("</label>\n")
        .append(
            "<input id=\"pskc\" name=\"pskc\" type=\"file\" required"
                + " accept=\".xml,.pskc,application/pskc+xml,application/xml,text/xml\">\n")
        .append("<label for=\"key\">")
        .append(esc(t.get("import.key")))
        .append("</label>\n")
        .append(
            "<input id=\"key\" name=\"key\" type=\"text\" autocomplete=\"off\" spellcheck=\"false\""
                + " maxlength=\"200\" aria-describedby=\"key-hint\">\n")
        .append("<p id=\"key-hint\" class=\"hint\">")
        .append(esc(t.get("import.key.hint")))
        .append("</p>\n")
        .append("<label for=\"password\">")
        .append(esc(t.get("import.password")))
        .append("</label>\n")
        .append(
            "<input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"off\""
                + " maxlength=\"256\" aria-describedby=\"password-hint\">\n")
        .append("<p id=\"password-hint\" class=\"hint\">")
        .append(esc(t.get("import.password.hint")))
        .append("</p>\n");
    ConsolePages.reason(b, t, false);
    ConsolePages.submit(b, t.get("import.submit"));
    b.append("</form>\n");
    return ConsolePages.page(t, "import", t.get("import.heading"), who, b, true);
  }

  private static String reportPage(
      Texts t, ConsolePages.Who who, PskcImporter.Report report, String error) {
    StringBuilder b = new StringBuilder();
    ConsolePages.message(b, "error", error);
    b.append("<p id=\"summary\" role=\"status\">")
        .append(esc(t.get("import.summary", report.imported().size(), report.skipped().size())))
        .append("</p>\n<h2 id=\"imported-heading\">")
        .append(esc(t.get("import.imported")))
        .append("</h2>\n");
    if (report.imported().isEmpty()) {
      b.append("<p>").append(esc(t.get("import.none"))).append("</p>\n");
    } else {
      b.append("<ul id=\"imported\" aria-labelledby=\"imported-heading\">\n");
      for (String serial : report.imported()) {
        b.append("<li>").append(esc(serial)).append("</li>\n");
      }
      b.append("</ul>\n");
    }
    b.append("<h2 id=\"skipped-heading\">").append(esc(t.get("import.skipped"))).append("</h2>\n");
    if (report.skipped().isEmpty()) {
      b.append("<p>").append(esc(t.get("import.none"))).append("</p>\n");
    } else {
      b.append("<table id=\"skipped\" aria-labelledby=\"skipped-heading\">\n<thead><tr>")
          .append(ConsolePages.th(t, "import.serial"))
          .append(ConsolePages.th(t, "import.reason"))
          .append("</tr></thead>\n<tbody>\n");
      for (PskcImporter.Skipped s : report.skipped()) {
        b.append("<tr><td>")
            .append(esc(s.serial() == null ? "—" : s.serial()))
            .append("</td><td>")
            .append(esc(s.reason()))
            .append("</td></tr>\n");
      }
      b.append("</tbody>\n</table>\n");
    }
    b.append("<p><a id=\"again\" href=\"/console/import\">")
        .append(esc(t.get("import.again")))
        .append("</a></p>\n");
    return ConsolePages.page(t, "import-report", t.get("import.report.heading"), who, b, false);
  }

  private static String blankless(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }
}
