package dev.jeton.console;

import static dev.jeton.web.HtmlReplies.esc;

import dev.jeton.audit.AuditEvent;
import dev.jeton.track.FailState;
import dev.jeton.track.Store;
import dev.jeton.track.TokenRecord;
import dev.jeton.track.UserRecord;
import dev.jeton.web.Texts;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * The console's HTML, one method a page. Every value that comes from a request, the store or the
 * audit trail is HTML-escaped here; pages carry no inline script and no inline style (the
 * Content-Security-Policy forbids both: the one script, of the bulk load's job page, is a file of
 * the console's own), every input has its label, and each {@code <body>} names its page in {@code
 * data-page}, for tests and for the stylesheet. Stateless.
 */
final class ConsolePages {

  /** The console's words, from {@code console/messages_<lang>.properties}. */
  static final Texts.Catalog TEXTS = Texts.catalog("/console");

  static final String BASE = "/console";

  private static final DateTimeFormatter WHEN =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

  private ConsolePages() {}

  /** Who is signed in, as the pages show them, and the CSRF token of their session's forms. */
  record Who(String username, String role, String csrf) {
    boolean admin() {
      return ConsoleRoutes.ADMIN.equals(role);
    }
  }

  /** The fields that carry a sign-in from one step to the next. */
  record Carry(String csrf, String username, String state) {}

  // ---- signing in ----

  static String login(Texts t, Carry c, String error, String info) {
    StringBuilder b = new StringBuilder();
    b.append("<p id=\"intro\">").append(esc(t.get("login.intro"))).append("</p>\n");
    message(b, "error", error);
    message(b, "info", info);
    b.append("<form id=\"login-form\" method=\"post\" action=\"/console/login\">\n");
    hidden(b, "csrf", c.csrf());
    b.append("<label for=\"username\">").append(esc(t.get("login.username"))).append("</label>\n");
    b.append(
            "<input id=\"username\" name=\"username\" type=\"text\" required maxlength=\"64\""
                + " autocomplete=\"username\" autocapitalize=\"none\" spellcheck=\"false\"")
        .append(c.username() == null ? " autofocus" : " value=\"" + esc(c.username()) + "\"")
        .append(">\n");
    b.append("<label for=\"password\">").append(esc(t.get("login.password"))).append("</label>\n");
    b.append(
            "<input id=\"password\" name=\"password\" type=\"password\" required maxlength=\"256\""
                + " inputmode=\"numeric\" autocomplete=\"one-time-code\""
                + " aria-describedby=\"password-hint\"")
        .append(c.username() == null ? "" : " autofocus")
        .append(">\n");
    b.append("<p id=\"password-hint\" class=\"hint\">")
        .append(esc(t.get("login.password.hint")))
        .append("</p>\n");
    submit(b, t.get("submit"));
    b.append("</form>\n");
    return page(t, "login", t.get("login.heading"), null, b, true);
  }

  static String newPin(Texts t, int min, int max, Carry c, String error) {
    StringBuilder b = new StringBuilder();
    message(b, "error", error);
    b.append("<form id=\"pin-form\" method=\"post\" action=\"/console/login\">\n");
    carry(b, c);
    String size =
        " minlength=\""
            + min
            + "\" maxlength=\""
            + max
            + "\" pattern=\"[0-9]{"
            + min
            + ","
            + max
            + "}\"";
    b.append("<label for=\"newPin\">")
        .append(esc(t.get("newpin.new", t.pinDigits(min, max))))
        .append("</label>\n")
        .append(
            "<input id=\"newPin\" name=\"newPin\" type=\"password\" inputmode=\"numeric\""
                + " autocomplete=\"new-password\" required autofocus")
        .append(size)
        .append(">\n")
        .append("<label for=\"confirmPin\">")
        .append(esc(t.get("newpin.confirm")))
        .append("</label>\n")
        .append(
            "<input id=\"confirmPin\" name=\"confirmPin\" type=\"password\" inputmode=\"numeric\""
                + " autocomplete=\"new-password\" required")
        .append(size)
        .append(">\n");
    submit(b, t.get("submit"));
    b.append("</form>\n");
    return page(t, "new-pin", t.get("newpin.heading"), null, b, true);
  }

  static String nextPasscode(Texts t, Carry c, String error) {
    StringBuilder b = new StringBuilder();
    message(b, "error", error);
    b.append("<form id=\"next-form\" method=\"post\" action=\"/console/login\">\n");
    carry(b, c);
    b.append("<p id=\"next-text\">").append(esc(t.get("next.text"))).append("</p>\n");
    b.append("<label for=\"password\">").append(esc(t.get("next.label"))).append("</label>\n");
    b.append(
        "<input id=\"password\" name=\"password\" type=\"password\" inputmode=\"numeric\""
            + " autocomplete=\"one-time-code\" required maxlength=\"256\" autofocus"
            + " aria-describedby=\"next-text\">\n");
    submit(b, t.get("submit"));
    b.append("</form>\n");
    return page(t, "next-passcode", t.get("next.heading"), null, b, true);
  }

  // ---- what every page may say ----

  /**
   * A page that only says something (locked, forbidden, not found, unavailable), with a way on.
   *
   * @param text the message, already in words
   */
  static String notice(Texts t, Who who, String name, String heading, String text) {
    StringBuilder b = new StringBuilder();
    b.append("<p id=\"notice\" role=\"alert\">").append(esc(text)).append("</p>\n");
    b.append("<p><a id=\"back\" href=\"")
        .append(who == null ? "/console/login" : "/console/")
        .append("\">")
        .append(esc(who == null ? t.get("login.heading") : t.get("back.search")))
        .append("</a></p>\n");
    return page(t, name, heading, who, b, who == null);
  }

  // ---- finding people ----

  /**
   * @param query what was searched, or null for none yet
   * @param found the users found (null when nothing was searched)
   * @param limit how many a search shows at most
   * @param freeSerial a key by that serial exists but is assigned to no one, or null
   */
  static String search(
      Texts t, Who who, String query, List<Store.UserMatch> found, int limit, String freeSerial) {
    return search(t, who, query, found, limit, freeSerial, null);
  }

  /** The search page, after {@code done} ({@code done.*}) when not null. */
  static String search(
      Texts t,
      Who who,
      String query,
      List<Store.UserMatch> found,
      int limit,
      String freeSerial,
      String done) {
    StringBuilder b = new StringBuilder();
    if (done != null) {
      b.append("<p id=\"done\" class=\"done\" role=\"status\">")
          .append(esc(t.get("done." + done)))
          .append("</p>\n");
    }
    b.append("<form id=\"search-form\" method=\"get\" action=\"/console/\" role=\"search\">\n")
        .append("<label for=\"q\">")
        .append(esc(t.get("search.label")))
        .append("</label>\n")
        .append(
            "<input id=\"q\" name=\"q\" type=\"search\" required maxlength=\"64\""
                + " autocomplete=\"off\" spellcheck=\"false\" aria-describedby=\"q-hint\"")
        .append(query == null ? " autofocus" : " value=\"" + esc(query) + "\"")
        .append(">\n<p id=\"q-hint\" class=\"hint\">")
        .append(esc(t.get("search.hint")))
        .append("</p>\n");
    submit(b, t.get("search.submit"));
    b.append("</form>\n");
    if (found != null) {
      b.append("<section aria-labelledby=\"results-heading\">\n<h2 id=\"results-heading\">")
          .append(esc(t.get("search.results", query)))
          .append("</h2>\n");
      if (freeSerial != null) {
        message(b, "info", t.get("search.free", freeSerial));
      }
      if (found.isEmpty()) {
        b.append("<p id=\"no-result\">").append(esc(t.get("search.none", query))).append("</p>\n");
      } else {
        b.append("<table id=\"results\">\n<thead><tr>")
            .append(th(t, "col.username"))
            .append(th(t, "col.displayname"))
            .append("</tr></thead>\n<tbody>\n");
        for (Store.UserMatch m : found) {
          b.append("<tr><td><a href=\"/console/users/")
              .append(esc(m.username()))
              .append("\">")
              .append(esc(m.username()))
              .append("</a></td><td>")
              .append(esc(m.displayName()))
              .append("</td></tr>\n");
        }
        b.append("</tbody>\n</table>\n");
        if (found.size() >= limit) {
          b.append("<p class=\"hint\">").append(esc(t.get("search.more", limit))).append("</p>\n");
        }
      }
      b.append("</section>\n");
    }
    return page(t, "search", t.get("search.heading"), who, b, false);
  }

  // ---- one user ----

  /**
   * @param events the user's latest audit events, newest first, or null when they cannot be read
   * @param done the key of what was just done ({@code done.*}), or null
   */
  static String user(
      Texts t, Who who, Store.UserView v, long now, List<AuditEvent> events, String done) {
    UserRecord u = v.user();
    FailState f = v.fail();
    String user = u.username();
    StringBuilder b = new StringBuilder();
    if (done != null) {
      b.append("<p id=\"done\" class=\"done\" role=\"status\">")
          .append(esc(t.get("done." + done)))
          .append("</p>\n");
    }
    if (u.displayName() != null) {
      b.append("<p id=\"display-name\">")
          .append(esc(t.get("user.displayname", u.displayName())))
          .append("</p>\n");
    }
    b.append("<section class=\"card\" aria-labelledby=\"status-heading\">\n")
        .append("<h2 id=\"status-heading\">")
        .append(esc(t.get("user.status")))
        .append("</h2>\n<ul id=\"status\">\n");
    if (f.lockedAt(now)) {
      b.append("<li id=\"lock\" class=\"locked\">")
          .append(esc(t.get("user.locked", when(f.lockedUntil()))))
          .append("</li>\n");
    } else {
      b.append("<li id=\"lock\">").append(esc(t.get("user.unlocked"))).append("</li>\n");
    }
    b.append("<li id=\"failures\">")
        .append(esc(t.get("user.failures", f.failures())))
        .append("</li>\n<li id=\"codes-left\">")
        .append(esc(t.get("user.codes", u.emergencyCodesLeft(now))))
        .append("</li>\n</ul>\n</section>\n");

    b.append("<section class=\"card\" aria-labelledby=\"tokens-heading\">\n")
        .append("<h2 id=\"tokens-heading\">")
        .append(esc(t.get("user.tokens")))
        .append("</h2>\n");
    if (u.tokens().isEmpty()) {
      b.append("<p>").append(esc(t.get("user.notokens"))).append("</p>\n");
    } else {
      b.append("<table id=\"tokens\">\n<thead><tr>")
          .append(th(t, "col.serial"))
          .append(th(t, "col.type"))
          .append(th(t, "col.pin"))
          .append(th(t, "col.enabled"))
          .append(th(t, "col.drift"))
          .append(th(t, "col.lastused"))
          .append(th(t, "col.actions"))
          .append("</tr></thead>\n<tbody>\n");
      for (TokenRecord k : u.tokens()) {
        String action = k.enabled() ? "disable" : "enable";
        b.append("<tr><td>")
            .append(esc(k.serial()))
            .append("</td><td>")
            .append(esc(t.getOr("token." + k.type(), k.type())))
            .append("</td><td>")
            .append(esc(t.get(k.pinSet() ? "yes" : "no")))
            .append("</td><td>")
            .append(esc(t.get(k.enabled() ? "yes" : "no")))
            .append("</td><td>")
            .append(k.drift())
            .append("</td><td>")
            .append(esc(k.lastUsedAt() == 0 ? t.get("never") : when(k.lastUsedAt())))
            .append("</td><td><a id=\"")
            .append(action)
            .append('-')
            .append(esc(k.serial()))
            .append("\" href=\"")
            .append(actionPath(user, action, k.serial()))
            .append("\">")
            .append(esc(t.get("action." + action, k.serial())))
            .append("</a>");
        if (who.admin()) {
          b.append(" <a id=\"unassign-")
              .append(esc(k.serial()))
              .append("\" href=\"")
              .append(actionPath(user, "unassign", k.serial()))
              .append("\">")
              .append(esc(t.get("action.unassign", k.serial())))
              .append("</a>");
        }
        b.append("</td></tr>\n");
      }
      b.append("</tbody>\n</table>\n");
    }
    b.append("</section>\n");

    b.append("<section class=\"card\" aria-labelledby=\"actions-heading\">\n")
        .append("<h2 id=\"actions-heading\">")
        .append(esc(t.get("user.actions")))
        .append("</h2>\n<ul class=\"actions\">\n");
    List<String> actions =
        who.admin()
            ? List.of("unlock", "clear-pin", "emergency-codes", "assign", "delete")
            : List.of("unlock", "clear-pin", "emergency-codes");
    for (String action : actions) {
      b.append("<li><a id=\"action-")
          .append(action)
          .append("\" href=\"")
          .append(actionPath(user, action, null))
          .append("\">")
          .append(esc(t.get("action." + action)))
          .append("</a></li>\n");
    }
    b.append("</ul>\n</section>\n");

    b.append("<section class=\"card\" aria-labelledby=\"history-heading\">\n")
        .append("<h2 id=\"history-heading\">")
        .append(esc(t.get("user.history")))
        .append("</h2>\n");
    if (events == null) {
      b.append("<p id=\"history-unavailable\">")
          .append(esc(t.get("user.history.unavailable")))
          .append("</p>\n");
    } else if (events.isEmpty()) {
      b.append("<p>").append(esc(t.get("user.history.none"))).append("</p>\n");
    } else {
      b.append("<table id=\"history\">\n<thead><tr>")
          .append(th(t, "col.when"))
          .append(th(t, "col.what"))
          .append(th(t, "col.from"))
          .append("</tr></thead>\n<tbody>\n");
      for (AuditEvent e : events) {
        b.append("<tr><td>")
            .append(esc(when(e.at())))
            .append("</td><td>")
            .append(esc(inWords(t, e)))
            .append("</td><td>")
            .append(esc(e.clientIp()))
            .append("</td></tr>\n");
      }
      b.append("</tbody>\n</table>\n");
    }
    b.append("</section>\n");
    return page(t, "user", t.get("user.heading", user), who, b, false);
  }

  /** An audit event as a sentence: what happened, why, how, by whom, with the operator's reason. */
  static String inWords(Texts t, AuditEvent e) {
    StringBuilder s = new StringBuilder(t.getOr("event." + e.decision(), e.decision()));
    String why = e.reason();
    if ("ACCEPT".equals(e.decision())) {
      why = e.method();
    }
    if (why != null && !"ok".equals(why)) {
      // An action may carry its detail after a colon ("console_operator_put:admin").
      int colon = why.indexOf(':');
      String key = colon < 0 ? why : why.substring(0, colon);
      s.append(" : ").append(t.getOr("why." + key, key));
      if (colon >= 0) {
        s.append(" (").append(why.substring(colon + 1)).append(')');
      }
    }
    if (e.client() != null) {
      s.append(" (")
          .append(t.get("ADMIN".equals(e.decision()) ? "event.by" : "event.via", e.client()))
          .append(')');
    }
    if (e.tokenSerial() != null) {
      s.append(" [").append(e.tokenSerial()).append(']');
    }
    if (e.note() != null) {
      s.append(" — ").append(t.get("event.note", e.note()));
    }
    return s.toString();
  }

  // ---- actions ----

  /**
   * The form of one action on a user: what it will do, the reason asked, and for emergency codes
   * how many and for how long.
   *
   * @param serial the key acted on, or null for an action on the user
   */
  /** The actions whose form carries {@value #CONFIRM_FIELD}: without it, a POST does nothing. */
  static final java.util.Set<String> CONFIRMED = java.util.Set.of("unassign", "delete");

  static final String CONFIRM_FIELD = "confirmed";

  static String confirm(
      Texts t, Who who, String action, String username, String serial, String error) {
    StringBuilder b = new StringBuilder();
    message(b, "error", error);
    b.append("<p id=\"confirm-text\">")
        .append(esc(t.get("confirm." + action, username, serial)))
        .append("</p>\n<form id=\"action-form\" method=\"post\" action=\"")
        .append(actionPath(username, action, serial))
        .append("\">\n");
    hidden(b, "csrf", who.csrf());
    if (CONFIRMED.contains(action)) {
      hidden(b, CONFIRM_FIELD, "yes");
    }
    if ("assign".equals(action)) {
      b.append("<label for=\"serial\">")
          .append(esc(t.get("assign.serial")))
          .append("</label>\n")
          .append(
              "<input id=\"serial\" name=\"serial\" type=\"text\" required maxlength=\"64\""
                  + " autocomplete=\"off\" spellcheck=\"false\">\n");
    }
    reason(b, t, true);
    if ("emergency-codes".equals(action)) {
      b.append("<label for=\"count\">")
          .append(esc(t.get("codes.count")))
          .append("</label>\n")
          .append(
              "<input id=\"count\" name=\"count\" type=\"number\" min=\"1\" max=\"10\" value=\"5\""
                  + " required>\n")
          .append("<label for=\"days\">")
          .append(esc(t.get("codes.days")))
          .append("</label>\n")
          .append(
              "<input id=\"days\" name=\"days\" type=\"number\" min=\"1\" max=\"30\" value=\"1\""
                  + " required>\n");
    }
    boolean destructive = "disable".equals(action) || CONFIRMED.contains(action);
    b.append("<button id=\"submit\" type=\"submit\"")
        .append(destructive ? " class=\"danger\"" : "")
        .append('>')
        .append(
            esc(
                destructive
                    ? t.get("confirm." + action + ".button", username, serial)
                    : t.get("action." + action, serial)))
        .append("</button>\n</form>\n<p><a id=\"cancel\" href=\"/console/users/")
        .append(esc(username))
        .append("\">")
        .append(esc(t.get("cancel")))
        .append("</a></p>\n");
    return page(t, "confirm-" + action, t.get("action." + action, serial), who, b, true);
  }

  /** The emergency codes, shown this once; printing shows the list alone. */
  static String codes(Texts t, Who who, String username, List<String> codes, long expiresAt) {
    StringBuilder b = new StringBuilder();
    b.append("<p id=\"codes-intro\" class=\"noprint\">")
        .append(esc(t.get("codes.intro")))
        .append("</p>\n<section class=\"card\" aria-labelledby=\"codes-heading\">\n")
        .append("<h2 id=\"codes-heading\">")
        .append(esc(username))
        .append("</h2>\n<ol id=\"codes\" class=\"codes\">\n");
    for (String c : codes) {
      b.append("<li>").append(esc(c)).append("</li>\n");
    }
    b.append("</ol>\n<p id=\"codes-expire\">")
        .append(esc(t.get("codes.expires", when(expiresAt))))
        .append("</p>\n</section>\n<p class=\"hint noprint\">")
        .append(esc(t.get("codes.print")))
        .append("</p>\n<p class=\"noprint\"><a id=\"back\" href=\"/console/users/")
        .append(esc(username))
        .append("\">")
        .append(esc(t.get("back.user", username)))
        .append("</a></p>\n");
    return page(t, "emergency-codes", t.get("codes.heading", username), who, b, true);
  }

  // ---- operators (admins only) ----

  static String operators(
      Texts t, Who who, List<Store.ConsoleOperator> operators, String error, String done) {
    StringBuilder b = new StringBuilder();
    if (done != null) {
      b.append("<p id=\"done\" class=\"done\" role=\"status\">")
          .append(esc(t.get("done." + done)))
          .append("</p>\n");
    }
    if (operators.isEmpty()) {
      b.append("<p>").append(esc(t.get("operators.none"))).append("</p>\n");
    } else {
      b.append("<table id=\"operators\">\n<thead><tr>")
          .append(th(t, "col.username"))
          .append(th(t, "col.role"))
          .append(th(t, "col.actions"))
          .append("</tr></thead>\n<tbody>\n");
      for (Store.ConsoleOperator o : operators) {
        b.append("<tr><td><a href=\"/console/users/")
            .append(esc(o.username()))
            .append("\">")
            .append(esc(o.username()))
            .append("</a></td><td>")
            .append(esc(t.getOr("role." + o.role(), o.role())))
            .append("</td><td><a id=\"remove-")
            .append(esc(o.username()))
            .append("\" href=\"/console/operators/")
            .append(esc(o.username()))
            .append("/remove\">")
            .append(esc(t.get("operators.remove", o.username())))
            .append("</a></td></tr>\n");
      }
      b.append("</tbody>\n</table>\n");
    }
    b.append("<section class=\"card\" aria-labelledby=\"add-heading\">\n<h2 id=\"add-heading\">")
        .append(esc(t.get("operators.add")))
        .append("</h2>\n");
    message(b, "error", error);
    b.append("<form id=\"add-form\" method=\"post\" action=\"/console/operators\">\n");
    hidden(b, "csrf", who.csrf());
    b.append("<label for=\"operator\">")
        .append(esc(t.get("operators.username")))
        .append("</label>\n")
        .append(
            "<input id=\"operator\" name=\"username\" type=\"text\" required maxlength=\"64\""
                + " autocomplete=\"off\" spellcheck=\"false\">\n")
        .append("<label for=\"role\">")
        .append(esc(t.get("operators.role")))
        .append("</label>\n<select id=\"role\" name=\"role\" required>\n");
    for (String role : List.of(ConsoleRoutes.HELPDESK, ConsoleRoutes.ADMIN)) {
      b.append("<option value=\"")
          .append(role)
          .append("\">")
          .append(esc(t.get("role." + role)))
          .append("</option>\n");
    }
    b.append("</select>\n");
    reason(b, t, false);
    submit(b, t.get("operators.add"));
    b.append("</form>\n</section>\n");
    return page(t, "operators", t.get("operators.heading"), who, b, false);
  }

  static String removeOperator(Texts t, Who who, String username, String error) {
    StringBuilder b = new StringBuilder();
    message(b, "error", error);
    b.append("<p id=\"confirm-text\">")
        .append(esc(t.get("operators.confirm.remove", username)))
        .append("</p>\n<form id=\"action-form\" method=\"post\" action=\"/console/operators/")
        .append(esc(username))
        .append("/remove\">\n");
    hidden(b, "csrf", who.csrf());
    reason(b, t, true);
    b.append("<button id=\"submit\" type=\"submit\" class=\"danger\">")
        .append(esc(t.get("operators.confirm.button")))
        .append("</button>\n</form>\n<p><a id=\"cancel\" href=\"/console/operators\">")
        .append(esc(t.get("cancel")))
        .append("</a></p>\n");
    return page(t, "remove-operator", t.get("operators.remove", username), who, b, true);
  }

  // ---- pieces ----

  static String actionPath(String username, String action, String serial) {
    return serial == null
        ? "/console/users/" + esc(username) + "/" + action
        : "/console/users/" + esc(username) + "/tokens/" + esc(serial) + "/" + action;
  }

  static String page(
      Texts t, String name, String heading, Who who, StringBuilder main, boolean narrow) {
    StringBuilder b = new StringBuilder(main.length() + 1024);
    b.append("<!DOCTYPE html>\n<html lang=\"")
        .append(t.language())
        .append("\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .append("<title>")
        .append(esc(heading))
        .append(" – ")
        .append(esc(t.get("title")))
        .append("</title>\n<link rel=\"stylesheet\" href=\"/console/static/console.css\">\n")
        .append("</head>\n<body data-page=\"")
        .append(name)
        .append("\">\n<header class=\"banner\">\n<p class=\"brand\">")
        .append(esc(t.get("title")))
        .append("</p>\n");
    if (who != null) {
      b.append("<nav aria-label=\"")
          .append(esc(t.get("nav.label")))
          .append("\"><ul>\n<li><a id=\"nav-search\" href=\"/console/\">")
          .append(esc(t.get("nav.search")))
          .append("</a></li>\n");
      if (who.admin()) {
        b.append("<li><a id=\"nav-operators\" href=\"/console/operators\">")
            .append(esc(t.get("nav.operators")))
            .append("</a></li>\n<li><a id=\"nav-audit\" href=\"/console/audit\">")
            .append(esc(t.get("nav.audit")))
            .append("</a></li>\n<li><a id=\"nav-clients\" href=\"/console/clients\">")
            .append(esc(t.get("nav.clients")))
            .append("</a></li>\n");
        b.append("<li><a id=\"nav-import\" href=\"/console/import\">")
            .append(esc(t.get("nav.import")))
            .append("</a></li>\n");
        b.append("<li><a id=\"nav-bulk\" href=\"/console/bulk\">")
            .append(esc(t.get("nav.bulk")))
            .append("</a></li>\n");
      }
      b.append("</ul></nav>\n<p class=\"who\" id=\"who\">")
          .append(
              esc(t.get("nav.signedin", who.username(), t.getOr("role." + who.role(), who.role()))))
          .append("</p>\n<form id=\"logout-form\" method=\"post\" action=\"/console/logout\">\n");
      hidden(b, "csrf", who.csrf());
      b.append("<button id=\"logout\" type=\"submit\">")
          .append(esc(t.get("logout")))
          .append("</button>\n</form>\n");
    }
    b.append("</header>\n<main")
        .append(narrow ? " class=\"narrow\"" : "")
        .append(">\n<h1>")
        .append(esc(heading))
        .append("</h1>\n")
        .append(main)
        .append("</main>\n</body>\n</html>\n");
    return b.toString();
  }

  static void message(StringBuilder b, String kind, String text) {
    if (text != null) {
      b.append("<p id=\"")
          .append(kind)
          .append("\" class=\"")
          .append(kind)
          .append("\" role=\"")
          .append("error".equals(kind) ? "alert" : "status")
          .append("\">")
          .append(esc(text))
          .append("</p>\n");
    }
  }

  static void reason(StringBuilder b, Texts t, boolean focus) {
    b.append("<label for=\"reason\">")
        .append(esc(t.get("reason.label")))
        .append("</label>\n")
        .append(
            "<input id=\"reason\" name=\"reason\" type=\"text\" required maxlength=\"200\""
                + " autocomplete=\"off\" aria-describedby=\"reason-hint\"")
        .append(focus ? " autofocus>\n" : ">\n")
        .append("<p id=\"reason-hint\" class=\"hint\">")
        .append(esc(t.get("reason.hint")))
        .append("</p>\n");
  }

  static void hidden(StringBuilder b, String name, String value) {
    b.append("<input type=\"hidden\" name=\"")
        .append(name)
        .append("\" value=\"")
        .append(esc(value))
        .append("\">\n");
  }

  private static void carry(StringBuilder b, Carry c) {
    hidden(b, "csrf", c.csrf());
    hidden(b, "username", c.username());
    hidden(b, "state", c.state());
  }

  static void submit(StringBuilder b, String label) {
    b.append("<button id=\"submit\" type=\"submit\">").append(esc(label)).append("</button>\n");
  }

  static String th(Texts t, String key) {
    return "<th scope=\"col\">" + esc(t.get(key)) + "</th>";
  }

  private static String when(long epochMillis) {
    return WHEN.format(Instant.ofEpochMilli(epochMillis));
  }

  static String when(String iso) {
    try {
      return WHEN.format(Instant.parse(iso));
    } catch (RuntimeException e) {
      return iso;
    }
  }
}
