package dev.jeton.portal;

import dev.jeton.config.PortalSettings;
import dev.jeton.web.HtmlReplies;
import dev.jeton.web.Texts;

/**
 * The portal's HTML, one method a screen of the user guide. Every value that comes from a request,
 * the store or the operator is HTML-escaped here; pages carry no inline script or style (the
 * Content-Security-Policy forbids them), and no secret is ever put in a URL: the challenge {@code
 * state} and the return URL travel in hidden form fields. Each {@code <body>} names its page in
 * {@code data-page}, for tests and for the stylesheet. Stateless.
 */
final class Pages {

  static final String FORM_ACTION = "/portal/login";

  /** The portal's words, from {@code portal/messages_<lang>.properties}. */
  static final Texts.Catalog TEXTS = Texts.catalog("/portal");

  private Pages() {}

  /** The form fields that carry a login from one screen to the next. */
  record Carry(String csrf, String returnUrl, String username, String state) {}

  static String login(Texts t, PortalSettings s, Carry c, String error) {
    StringBuilder b = new StringBuilder();
    b.append("<p id=\"warning\" class=\"warning\"><strong>")
        .append(esc(t.get("warning.lead")))
        .append("</strong> ")
        .append(esc(s.warning() != null ? s.warning() : t.get("warning")))
        .append("</p>\n");
    card(b, t.get("login.heading"), "");
    error(b, error);
    b.append("<form id=\"login-form\" method=\"post\" action=\"")
        .append(FORM_ACTION)
        .append("\">\n");
    hidden(b, c, false);
    b.append("<label for=\"username\">")
        .append(esc(t.get("login.username")))
        .append("</label>\n")
        .append(
            "<input id=\"username\" name=\"username\" type=\"text\" required maxlength=\"64\" autocomplete=\"username\""
                + " autocapitalize=\"none\" spellcheck=\"false\" aria-describedby=\"username-hint\"")
        .append(c.username() == null ? " autofocus" : " value=\"" + esc(c.username()) + "\"")
        .append(">\n")
        .append("<p id=\"username-hint\" class=\"hint\">")
        .append(esc(t.get("login.username.hint")))
        .append("</p>\n");
    b.append("<label for=\"password\">")
        .append(esc(t.get("login.password")))
        .append("</label>\n")
        .append(
            "<input id=\"password\" name=\"password\" type=\"password\" required maxlength=\"256\""
                + " autocomplete=\"current-password\" aria-describedby=\"password-hint\"")
        .append(c.username() == null ? "" : " autofocus")
        .append(">\n")
        .append("<p id=\"password-hint\" class=\"hint\">")
        .append(esc(t.get("login.password.hint")))
        .append("</p>\n");
    submit(b, t);
    b.append("</form>\n</section>\n");
    b.append(
            "<section id=\"help\" class=\"help\" aria-labelledby=\"help-heading\">\n<h2 id=\"help-heading\">")
        .append(esc(t.get("help.heading")))
        .append("</h2>\n<p>")
        .append(esc(t.get("help.text")))
        .append("</p>\n");
    if (s.helpUrl() != null) {
      b.append("<p><a href=\"")
          .append(esc(s.helpUrl()))
          .append("\" rel=\"noopener noreferrer\">")
          .append(esc(t.get("help.link")))
          .append("</a></p>\n");
    }
    if (s.helpContact() != null) {
      b.append("<p>").append(esc(t.get("help.contact", s.helpContact()))).append("</p>\n");
    }
    b.append("</section>\n");
    return page(t, "login", b);
  }

  static String newPin(Texts t, int pinMin, int pinMax, Carry c, String error) {
    StringBuilder b = new StringBuilder();
    card(b, t.get("otp.heading"), "");
    error(b, error);
    b.append("<form id=\"pin-form\" method=\"post\" action=\"").append(FORM_ACTION).append("\">\n");
    hidden(b, c, true);
    String size =
        " minlength=\""
            + pinMin
            + "\" maxlength=\""
            + pinMax
            + "\" pattern=\"[0-9]{"
            + pinMin
            + ","
            + pinMax
            + "}\"";
    b.append("<label for=\"newPin\">")
        .append(esc(t.get("newpin.new", t.pinDigits(pinMin, pinMax))))
        .append("</label>\n")
        .append(
            "<input id=\"newPin\" name=\"newPin\" type=\"password\" inputmode=\"numeric\" autocomplete=\"new-password\""
                + " required autofocus aria-describedby=\"pin-hint\"")
        .append(size)
        .append(">\n")
        .append("<label for=\"confirmPin\">")
        .append(esc(t.get("newpin.confirm")))
        .append("</label>\n")
        .append(
            "<input id=\"confirmPin\" name=\"confirmPin\" type=\"password\" inputmode=\"numeric\""
                + " autocomplete=\"new-password\" required")
        .append(size)
        .append(">\n")
        .append("<p id=\"pin-hint\" class=\"hint\">")
        .append(esc(t.get("newpin.hint")))
        .append("</p>\n");
    submit(b, t);
    b.append("</form>\n</section>\n");
    return page(t, "new-pin", b);
  }

  static String nextPasscode(Texts t, Carry c, String error) {
    StringBuilder b = new StringBuilder();
    card(b, t.get("otp.heading"), "");
    error(b, error);
    b.append("<form id=\"next-form\" method=\"post\" action=\"")
        .append(FORM_ACTION)
        .append("\">\n");
    hidden(b, c, true);
    b.append("<p id=\"next-text\">")
        .append(esc(t.get("next.text")))
        .append("<br>")
        .append(esc(t.get("next.hint")))
        .append("</p>\n")
        .append("<label for=\"password\">")
        .append(esc(t.get("next.label")))
        .append("</label>\n")
        .append(
            "<input id=\"password\" name=\"password\" type=\"password\" inputmode=\"numeric\""
                + " autocomplete=\"one-time-code\" required maxlength=\"256\" autofocus aria-describedby=\"next-text\">\n");
    submit(b, t);
    b.append("</form>\n</section>\n");
    return page(t, "next-passcode", b);
  }

  static String signedIn(Texts t, String username, String csrf) {
    StringBuilder b = new StringBuilder();
    card(b, t.get("signedin.heading"), "")
        .append("<p id=\"signed-in-text\">")
        .append(esc(t.get("signedin.text", username)))
        .append("</p>\n")
        .append("<form id=\"logout-form\" method=\"post\" action=\"/portal/logout\">\n")
        .append("<input type=\"hidden\" name=\"csrf\" value=\"")
        .append(esc(csrf))
        .append("\">\n")
        .append("<button id=\"logout\" type=\"submit\">")
        .append(esc(t.get("logout")))
        .append("</button>\n")
        .append("</form>\n</section>\n");
    return page(t, "signed-in", b);
  }

  /** A page that only says something (locked, too many attempts, unavailable), with a way back. */
  static String notice(Texts t, String pageName, String key) {
    StringBuilder b = new StringBuilder();
    card(b, t.get(key + ".heading"), "")
        .append("<p id=\"notice\" role=\"alert\">")
        .append(esc(t.get(key + ".text")))
        .append("</p>\n<p><a id=\"back\" href=\"/portal\">")
        .append(esc(t.get("back")))
        .append("</a></p>\n</section>\n");
    return page(t, pageName, b);
  }

  static String demoKey(Texts t, String username, String code, long secondsLeft, long period) {
    StringBuilder b = new StringBuilder();
    card(b, t.get("demo.heading"), "key")
        .append("<p>")
        .append(esc(t.get("demo.text", username)))
        .append("</p>\n<div class=\"device\">\n<p class=\"label\" id=\"code-label\">")
        .append(esc(t.get("demo.code")))
        .append(
            "</p>\n<p id=\"demo-code\" class=\"code\" aria-labelledby=\"code-label\" aria-live=\"polite\">")
        .append(esc(code))
        .append("</p>\n");
    b.append("<div id=\"gauge\" class=\"gauge\" role=\"meter\" aria-label=\"")
        .append(esc(t.get("demo.gauge")))
        .append("\" aria-valuemin=\"0\" aria-valuemax=\"")
        .append(period)
        .append("\" aria-valuenow=\"")
        .append(secondsLeft)
        .append("\" data-period=\"")
        .append(period)
        .append("\">");
    int full = DemoKey.barsLeft(secondsLeft, period);
    for (int i = 0; i < DemoKey.BARS; i++) {
      b.append(i < full ? "<span class=\"bar\"></span>" : "<span class=\"bar empty\"></span>");
    }
    b.append("</div>\n</div>\n<p>")
        .append(esc(t.get("demo.howto", username)))
        .append("</p>\n<p><a id=\"open-portal\" href=\"/portal\">")
        .append(esc(t.get("demo.open")))
        .append("</a></p>\n</section>\n")
        .append("<script src=\"/portal/static/demo-key.js\"></script>\n");
    return page(t, "demo-key", b);
  }

  private static String page(Texts t, String name, StringBuilder main) {
    return "<!DOCTYPE html>\n<html lang=\""
        + t.language()
        + "\">\n<head>\n<meta charset=\"utf-8\">\n"
        + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        + "<title>"
        + esc(t.get("title"))
        + "</title>\n"
        + "<link rel=\"stylesheet\" href=\"/portal/static/portal.css\">\n</head>\n"
        + "<body data-page=\""
        + name
        + "\">\n<header class=\"banner\"><p class=\"brand\">Jeton</p></header>\n"
        + "<main>\n<h1>"
        + esc(t.get("title"))
        + "</h1>\n"
        + main
        + "</main>\n</body>\n</html>\n";
  }

  /** Opens a card section whose heading names it; the caller closes the {@code </section>}. */
  private static StringBuilder card(StringBuilder b, String heading, String extraClass) {
    return b.append("<section class=\"card")
        .append(extraClass.isEmpty() ? "" : " " + extraClass)
        .append("\" aria-labelledby=\"form-heading\">\n<h2 id=\"form-heading\">")
        .append(esc(heading))
        .append("</h2>\n");
  }

  private static void error(StringBuilder b, String error) {
    if (error != null) {
      b.append("<p id=\"error\" class=\"error\" role=\"alert\">")
          .append(esc(error))
          .append("</p>\n");
    }
  }

  private static void hidden(StringBuilder b, Carry c, boolean challenge) {
    b.append("<input type=\"hidden\" name=\"csrf\" value=\"").append(esc(c.csrf())).append("\">\n");
    if (c.returnUrl() != null) {
      b.append("<input type=\"hidden\" name=\"return\" value=\"")
          .append(esc(c.returnUrl()))
          .append("\">\n");
    }
    if (challenge) {
      b.append("<input type=\"hidden\" name=\"username\" value=\"")
          .append(esc(c.username()))
          .append("\">\n")
          .append("<input type=\"hidden\" name=\"state\" value=\"")
          .append(esc(c.state()))
          .append("\">\n");
    }
  }

  private static void submit(StringBuilder b, Texts t) {
    b.append("<button id=\"submit\" type=\"submit\">")
        .append(esc(t.get("submit")))
        .append("</button>\n");
  }

  /** HTML-escapes text for element content and double-quoted attributes. */
  static String esc(String s) {
    return HtmlReplies.esc(s);
  }
}
