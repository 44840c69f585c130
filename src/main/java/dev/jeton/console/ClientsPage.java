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
 * {@code /console/clients} (admins): the clients of the public API, listed by name with their
 * settings, and a form that creates one, or gives an existing one a new secret, as {@code PUT
 * /v1/admin/clients/{name}} does ({@code ?name=} fills it in with that client's settings). The
 * secret is shown once, on the answer to the form; the store keeps its hash. Audited like the
 * console's other actions, with the operator's reason. Stateless.
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
    String wanted = ctx.request().getParam("name");
    store
        .clients()
        .onComplete(
            ar -> {
              if (ar.failed()) {
                routes.unavailable(ctx, t, who);
                return;
              }
              ClientRecord chosen =
                  ar.result().stream()
                      .filter(c -> c.name().equals(wanted))
                      .findFirst()
                      .orElse(null);
              replies.page(ctx, 200, form(t, who, ar.result(), chosen, null, null));
            });
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
      replies.page(ctx, 400, form(t, who, List.of(), null, name, error));
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

  /**
   * The list (left out when the form comes back with an error: the operator is busy with the form)
   * and the form, filled in with {@code chosen}'s settings or the name typed.
   */
  private static String form(
      Texts t,
      ConsolePages.Who who,
      List<ClientRecord> all,
      ClientRecord chosen,
      String typed,
      String error) {
    StringBuilder b = new StringBuilder();
    if (error == null) {
      list(b, t, all);
    }
    String name = chosen == null ? typed : chosen.name();
    boolean trusted = chosen != null && chosen.trustClientIp();
    String chosenLevel = chosen == null ? "any" : chosen.defaultLevel();
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
        .append("</option>\n<option value=\"true\"")
        .append(trusted ? " selected" : "")
        .append(">")
        .append(esc(t.get("clients.trust.yes")))
        .append("</option>\n</select>\n<label for=\"defaultLevel\">")
        .append(esc(t.get("clients.level")))
        .append("</label>\n<select id=\"defaultLevel\" name=\"defaultLevel\" required>\n");
    for (String level : LEVELS) {
      b.append("<option value=\"")
          .append(level)
          .append(level.equals(chosenLevel) ? "\" selected>" : "\">")
          .append(esc(t.get("clients.level." + level)))
          .append("</option>\n");
    }
    b.append("</select>\n");
    ConsolePages.reason(b, t, false);
    ConsolePages.submit(b, t.get("clients.submit"));
    b.append("</form>\n</section>\n");
    return ConsolePages.page(t, "clients", t.get("clients.heading"), who, b, true);
  }

  private static void list(StringBuilder b, Texts t, List<ClientRecord> all) {
    if (all.isEmpty()) {
      b.append("<p id=\"no-clients\">").append(esc(t.get("clients.none"))).append("</p>\n");
      return;
    }
    b.append("<table id=\"clients\">\n<thead><tr>")
        .append(ConsolePages.th(t, "clients.name"))
        .append(ConsolePages.th(t, "clients.trust.col"))
        .append(ConsolePages.th(t, "clients.level"))
        .append(ConsolePages.th(t, "col.actions"))
        .append("</tr></thead>\n<tbody>\n");
    for (ClientRecord c : all) {
      // Client names are letters, digits and . _ - (Validation.NAME): safe in a URL as they are.
      b.append("<tr><td>")
          .append(esc(c.name()))
          .append("</td><td>")
          .append(esc(t.get(c.trustClientIp() ? "clients.trust.yes" : "clients.trust.no")))
          .append("</td><td>")
          .append(esc(c.defaultLevel()))
          .append("</td><td><a id=\"renew-")
          .append(esc(c.name()))
          .append("\" href=\"/console/clients?name=")
          .append(esc(c.name()))
          .append("#client-heading\">")
          .append(esc(t.get("clients.renew", c.name())))
          .append("</a></td></tr>\n");
    }
    b.append("</tbody>\n</table>\n");
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
