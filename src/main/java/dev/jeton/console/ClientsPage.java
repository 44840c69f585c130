package dev.jeton.console;

import static dev.jeton.web.HtmlReplies.esc;

import dev.jeton.bus.Addresses;
import dev.jeton.crypto.Secrets;
import dev.jeton.track.ClientRecord;
import dev.jeton.track.Store;
import dev.jeton.web.HtmlReplies;
import dev.jeton.web.Texts;
import dev.jeton.web.Validation;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * {@code /console/clients} (admins): creates a client of the public API, or gives an existing one a
 * new secret, by name, as {@code PUT /v1/admin/clients/{name}} does. The store finds a client only
 * by its secret's hash and has no list of them, so the page offers no list and says why. The secret
 * is shown once, on the answer to the form; the store keeps its hash. Audited like the console's
 * other actions, with the operator's reason. Stateless.
 */
final class ClientsPage {

  private static final List<String> LEVELS = List.of("any", "otp");

  private final Vertx vertx;
  private final Store store;
  private final HtmlReplies replies;
  private final ConsoleRoutes routes;

  ClientsPage(Vertx vertx, Store store, HtmlReplies replies, ConsoleRoutes routes) {
    this.vertx = vertx;
    this.store = store;
    this.replies = replies;
    this.routes = routes;
  }

  void page(RoutingContext ctx, Texts t, ConsolePages.Who who) {
    replies.page(ctx, 200, form(t, who, null, null));
  }

  void put(RoutingContext ctx, Texts t, ConsolePages.Who who) {
    MultiMap form = ctx.request().formAttributes();
    String given = HtmlReplies.single(form, "name");
    String name = given == null ? null : given.strip();
    String trust = HtmlReplies.single(form, "trustClientIp");
    String level = HtmlReplies.single(form, "defaultLevel");
    String reason = ConsoleRoutes.reason(form);
    String error =
        name == null || !Validation.NAME.matcher(name).matches()
            ? t.get("error.clientname")
            : !("true".equals(trust) || "false".equals(trust)) || !LEVELS.contains(level)
                ? t.get("error.clientoptions")
                : reason == null ? t.get("error.reason") : null;
    if (error != null) {
      replies.page(ctx, 400, form(t, who, name, error));
      return;
    }
    String secret = Secrets.newSecret();
    ClientRecord c = new ClientRecord(name, Secrets.hash(secret), "true".equals(trust), level);
    store
        .putClient(c)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                routes.unavailable(ctx, t, who);
                return;
              }
              vertx.eventBus().publish(Addresses.CLIENTS_CHANGED, name);
              routes.audit(ctx, who, "client_put:" + name, null, null, reason);
              replies.page(ctx, 200, secret(t, who, c, secret));
            });
  }

  private static String form(Texts t, ConsolePages.Who who, String name, String error) {
    StringBuilder b = new StringBuilder();
    b.append("<p id=\"no-list\">").append(esc(t.get("clients.nolist"))).append("</p>\n");
    b.append("<section class=\"card\" aria-labelledby=\"client-heading\">\n")
        .append("<h2 id=\"client-heading\">")
        .append(esc(t.get("clients.form")))
        .append("</h2>\n");
    ConsolePages.message(b, "error", error);
    b.append("<form id=\"client-form\" method=\"post\" action=\"/console/clients\">\n");
    ConsolePages.hidden(b, "csrf", who.csrf());
    b.append("<label for=\"name\">")
        .append(esc(t.get("clients.name")))
        .append("</label>\n")
        .append(
            "<input id=\"name\" name=\"name\" type=\"text\" required maxlength=\"64\""
                + " pattern=\"[A-Za-z0-9._\\-]{1,64}\" autocomplete=\"off\" spellcheck=\"false\""
                + " aria-describedby=\"name-hint\"")
        .append(name == null ? "" : " value=\"" + esc(name) + "\"")
        .append(">\n<p id=\"name-hint\" class=\"hint\">")
        .append(esc(t.get("clients.name.hint")))
        .append("</p>\n<label for=\"trustClientIp\">")
        .append(esc(t.get("clients.trust")))
        .append("</label>\n<select id=\"trustClientIp\" name=\"trustClientIp\" required>\n")
        .append("<option value=\"false\">")
        .append(esc(t.get("clients.trust.no")))
        .append("</option>\n<option value=\"true\">")
        .append(esc(t.get("clients.trust.yes")))
        .append("</option>\n</select>\n<label for=\"defaultLevel\">")
        .append(esc(t.get("clients.level")))
        .append("</label>\n<select id=\"defaultLevel\" name=\"defaultLevel\" required>\n");
    for (String level : LEVELS) {
      b.append("<option value=\"")
          .append(level)
          .append("\">")
          .append(esc(t.get("clients.level." + level)))
          .append("</option>\n");
    }
    b.append("</select>\n");
    ConsolePages.reason(b, t, false);
    ConsolePages.submit(b, t.get("clients.submit"));
    b.append("</form>\n</section>\n");
    return ConsolePages.page(t, "clients", t.get("clients.heading"), who, b, true);
  }

  /** The new secret, shown this once, with what was set. */
  private static String secret(Texts t, ConsolePages.Who who, ClientRecord c, String secret) {
    StringBuilder b = new StringBuilder();
    b.append("<p id=\"warning\" class=\"error\" role=\"alert\">")
        .append(esc(t.get("clients.done.warning")))
        .append("</p>\n<section class=\"card\" aria-labelledby=\"secret-heading\">\n")
        .append("<h2 id=\"secret-heading\">")
        .append(esc(t.get("clients.done.secret")))
        .append("</h2>\n<p><code id=\"secret\">")
        .append(esc(secret))
        .append("</code></p>\n<p id=\"settings\">")
        .append(
            esc(
                t.get(
                    "clients.done.settings",
                    t.get(c.trustClientIp() ? "clients.trust.yes" : "clients.trust.no"),
                    c.defaultLevel())))
        .append("</p>\n</section>\n<p><a id=\"back\" href=\"/console/clients\">")
        .append(esc(t.get("clients.back")))
        .append("</a></p>\n");
    return ConsolePages.page(
        t, "client-secret", t.get("clients.done.heading", c.name()), who, b, true);
  }
}
