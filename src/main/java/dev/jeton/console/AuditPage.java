package dev.jeton.console;

import static dev.jeton.web.HtmlReplies.esc;

import dev.jeton.audit.AuditEvent;
import dev.jeton.audit.AuditVerticle;
import dev.jeton.bus.Addresses;
import dev.jeton.web.HtmlReplies;
import dev.jeton.web.Texts;
import dev.jeton.web.Validation;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.ext.web.RoutingContext;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code /console/audit} (admins): the audit trail, filtered by user, operator, decision and a
 * range of UTC days, in plain words; and {@code /console/audit.csv}, the same events as a CSV
 * attachment. Both ask the audit log over the bus, as {@code GET /v1/admin/audit} does: the query
 * knows only the user, so the other filters apply here to the latest {@value #MAX} events, and the
 * page says so. Stateless; on the management listener's event loop.
 */
final class AuditPage {

  /** The most events one query reads, as the admin API's bound. */
  static final int MAX = 1000;

  private static final int OPERATOR_MAX = 80;
  private static final List<String> DECISION_ORDER =
      List.of(
          "ACCEPT", "REJECT", "CHALLENGE", "RATE_LIMITED", "BAD_REQUEST", "UNAVAILABLE", "ADMIN");
  private static final Set<String> DECISIONS = Set.copyOf(DECISION_ORDER);

  /** The filters of one request, validated; null fields filter nothing. */
  record Filter(String user, String operator, String decision, LocalDate from, LocalDate to) {

    boolean matches(AuditEvent e) {
      if (user != null && !user.equals(e.username())) {
        return false;
      }
      if (operator != null
          && !(operator.equals(e.client())
              || (ConsoleRoutes.CLIENT + ":" + operator).equals(e.client()))) {
        return false;
      }
      if (decision != null && !decision.equals(e.decision())) {
        return false;
      }
      if (from == null && to == null) {
        return true;
      }
      if (e.at() == null) {
        return false;
      }
      Instant at;
      try {
        at = Instant.parse(e.at());
      } catch (DateTimeParseException ex) {
        return false;
      }
      return (from == null || !at.isBefore(from.atStartOfDay().toInstant(ZoneOffset.UTC)))
          && (to == null || at.isBefore(to.plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC)));
    }

    /** The filters as a query string (without {@code ?}), for the CSV link. */
    String query() {
      StringBuilder q = new StringBuilder();
      param(q, "user", user);
      param(q, "operator", operator);
      param(q, "decision", decision);
      param(q, "from", from == null ? null : from.toString());
      param(q, "to", to == null ? null : to.toString());
      return q.toString();
    }

    private static void param(StringBuilder q, String name, String value) {
      if (value != null) {
        if (!q.isEmpty()) {
          q.append('&');
        }
        q.append(name).append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8));
      }
    }
  }

  private final Vertx vertx;
  private final HtmlReplies replies;
  private final DeliveryOptions options;
  private final ConsoleRoutes routes;

  AuditPage(Vertx vertx, HtmlReplies replies, DeliveryOptions options, ConsoleRoutes routes) {
    this.vertx = vertx;
    this.replies = replies;
    this.options = options;
    this.routes = routes;
  }

  void page(RoutingContext ctx, Texts t, ConsolePages.Who who) {
    String[] given = given(ctx.queryParams());
    Filter f = filter(given);
    if (f == null) {
      replies.page(ctx, 400, html(t, who, given, null, null, t.get("audit.error")));
      return;
    }
    events(f)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                replies.page(ctx, 503, html(t, who, given, f, null, t.get("audit.unavailable")));
              } else {
                replies.page(ctx, 200, html(t, who, given, f, ar.result(), null));
              }
            });
  }

  void csv(RoutingContext ctx, Texts t, ConsolePages.Who who) {
    String[] given = given(ctx.queryParams());
    Filter f = filter(given);
    if (f == null) {
      replies.page(ctx, 400, html(t, who, given, null, null, t.get("audit.error")));
      return;
    }
    events(f)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                routes.unavailable(ctx, t, who);
                return;
              }
              StringBuilder b = new StringBuilder();
              row(
                  b,
                  "at",
                  "username",
                  "decision",
                  "reason",
                  "method",
                  "client",
                  "client_ip",
                  "token_serial",
                  "note",
                  "request_id");
              for (AuditEvent e : ar.result()) {
                row(
                    b,
                    e.at(),
                    e.username(),
                    e.decision(),
                    e.reason(),
                    e.method(),
                    e.client(),
                    e.clientIp(),
                    e.tokenSerial(),
                    e.note(),
                    e.requestId());
              }
              replies
                  .secure(ctx.response())
                  .setStatusCode(200)
                  .putHeader("Content-Type", "text/csv; charset=utf-8")
                  .putHeader("Content-Disposition", "attachment; filename=\"jeton-audit.csv\"")
                  .end(Buffer.buffer(b.toString()));
            });
  }

  /** The latest {@link #MAX} events (of the user, when filtered by one) that pass the filter. */
  private Future<List<AuditEvent>> events(Filter f) {
    return vertx
        .eventBus()
        .<AuditVerticle.Events>request(
            Addresses.AUDIT_QUERY, new AuditVerticle.Query(f.user(), MAX), options)
        .map(
            m -> {
              List<AuditEvent> out = new ArrayList<>();
              for (AuditEvent e : m.body().events()) {
                if (f.matches(e)) {
                  out.add(e);
                }
              }
              return out;
            });
  }

  /** user, operator, decision, from, to as sent: stripped, empty as null. */
  private static String[] given(MultiMap q) {
    String[] names = {"user", "operator", "decision", "from", "to"};
    String[] out = new String[names.length];
    for (int i = 0; i < names.length; i++) {
      String v = HtmlReplies.single(q, names[i]);
      v = v == null ? null : v.strip();
      out[i] = v == null || v.isEmpty() ? null : v;
    }
    return out;
  }

  /** The filter, or null when a value does not fit. */
  static Filter filter(String[] g) {
    String user = g[0];
    String operator = g[1];
    String decision = g[2];
    if (user != null && !Validation.username(user)) {
      return null;
    }
    if (operator != null
        && (operator.length() > OPERATOR_MAX
            || operator.chars().anyMatch(Character::isISOControl))) {
      return null;
    }
    if (decision != null && !DECISIONS.contains(decision)) {
      return null;
    }
    LocalDate from;
    LocalDate to;
    try {
      from = g[3] == null ? null : LocalDate.parse(g[3]);
      to = g[4] == null ? null : LocalDate.parse(g[4]);
    } catch (DateTimeParseException e) {
      return null;
    }
    if (from != null && to != null && to.isBefore(from)) {
      return null;
    }
    return new Filter(user, operator, decision, from, to);
  }

  // ---- CSV ----

  /** One CSV record (RFC 4180: every cell quoted, CRLF), each cell guarded against injection. */
  static void row(StringBuilder b, String... cells) {
    for (int i = 0; i < cells.length; i++) {
      if (i > 0) {
        b.append(',');
      }
      b.append('"').append(cell(cells[i]).replace("\"", "\"\"")).append('"');
    }
    b.append("\r\n");
  }

  /**
   * A cell that a spreadsheet will not take for a formula: one starting with {@code = + - @}, a tab
   * or a carriage return is prefixed with a single quote. Null is empty.
   */
  static String cell(String v) {
    if (v == null || v.isEmpty()) {
      return "";
    }
    char c = v.charAt(0);
    return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r' ? "'" + v : v;
  }

  // ---- HTML ----

  /**
   * @param given the filters as sent, to show them again
   * @param f the valid filter, or null
   * @param events the events found, or null when there are none to show
   * @param error what went wrong, or null
   */
  private static String html(
      Texts t,
      ConsolePages.Who who,
      String[] given,
      Filter f,
      List<AuditEvent> events,
      String error) {
    StringBuilder b = new StringBuilder();
    ConsolePages.message(b, "error", error);
    b.append("<section class=\"card\" aria-labelledby=\"filters-heading\">\n")
        .append("<h2 id=\"filters-heading\">")
        .append(esc(t.get("audit.filters")))
        .append("</h2>\n<form id=\"audit-form\" method=\"get\" action=\"/console/audit\">\n");
    input(b, t, "user", "text", given[0], " maxlength=\"64\" spellcheck=\"false\"", null);
    input(b, t, "operator", "text", given[1], " maxlength=\"80\" spellcheck=\"false\"", "hint");
    b.append("<label for=\"decision\">")
        .append(esc(t.get("audit.decision")))
        .append("</label>\n<select id=\"decision\" name=\"decision\">\n<option value=\"\">")
        .append(esc(t.get("audit.decision.any")))
        .append("</option>\n");
    for (String d : DECISION_ORDER) {
      b.append("<option value=\"")
          .append(d)
          .append('"')
          .append(d.equals(given[2]) ? " selected" : "")
          .append('>')
          .append(esc(t.getOr("event." + d, d)))
          .append("</option>\n");
    }
    b.append("</select>\n");
    input(b, t, "from", "date", given[3], "", null);
    input(b, t, "to", "date", given[4], "", null);
    ConsolePages.submit(b, t.get("audit.submit"));
    b.append("</form>\n</section>\n");
    b.append("<p id=\"bound\" class=\"hint\">")
        .append(esc(t.get("audit.bound", MAX)))
        .append("</p>\n");
    if (f != null && events != null) {
      b.append("<p><a id=\"csv\" href=\"/console/audit.csv")
          .append(f.query().isEmpty() ? "" : "?" + esc(f.query()))
          .append("\">")
          .append(esc(t.get("audit.csv")))
          .append("</a></p>\n");
      if (events.isEmpty()) {
        b.append("<p id=\"no-event\">").append(esc(t.get("audit.none"))).append("</p>\n");
      } else {
        b.append("<p id=\"count\">")
            .append(esc(t.get("audit.count", events.size())))
            .append("</p>\n<table id=\"events\">\n<thead><tr>")
            .append(ConsolePages.th(t, "col.when"))
            .append(ConsolePages.th(t, "col.user"))
            .append(ConsolePages.th(t, "col.what"))
            .append(ConsolePages.th(t, "col.from"))
            .append("</tr></thead>\n<tbody>\n");
        for (AuditEvent e : events) {
          b.append("<tr><td>").append(esc(ConsolePages.when(e.at()))).append("</td><td>");
          if (e.username() != null && Validation.username(e.username())) {
            b.append("<a href=\"/console/users/")
                .append(esc(e.username()))
                .append("\">")
                .append(esc(e.username()))
                .append("</a>");
          }
          b.append("</td><td>")
              .append(esc(ConsolePages.inWords(t, e)))
              .append("</td><td>")
              .append(esc(e.clientIp()))
              .append("</td></tr>\n");
        }
        b.append("</tbody>\n</table>\n");
      }
    }
    return ConsolePages.page(t, "audit", t.get("audit.heading"), who, b, false);
  }

  private static void input(
      StringBuilder b,
      Texts t,
      String name,
      String type,
      String value,
      String attributes,
      String hint) {
    b.append("<label for=\"")
        .append(name)
        .append("\">")
        .append(esc(t.get("audit." + name)))
        .append("</label>\n<input id=\"")
        .append(name)
        .append("\" name=\"")
        .append(name)
        .append("\" type=\"")
        .append(type)
        .append("\" autocomplete=\"off\"")
        .append(attributes)
        .append(hint == null ? "" : " aria-describedby=\"" + name + "-hint\"")
        .append(value == null ? "" : " value=\"" + esc(value) + "\"")
        .append(">\n");
    if (hint != null) {
      b.append("<p id=\"")
          .append(name)
          .append("-hint\" class=\"hint\">")
          .append(esc(t.get("audit." + name + ".hint")))
          .append("</p>\n");
    }
  }
}
