package dev.jeton.admin;

import dev.jeton.config.Config;
import dev.jeton.console.Console;
import dev.jeton.console.ConsoleRoutes;
import dev.jeton.crypto.Keys;
import dev.jeton.crypto.PasswordHasher;
import dev.jeton.metrics.JetonMetrics;
import dev.jeton.policy.PinPolicy;
import dev.jeton.provision.BulkLines;
import dev.jeton.provision.PskcImporter;
import dev.jeton.provision.TokenRecords;
import dev.jeton.track.BusStore;
import dev.jeton.track.Store;
import dev.jeton.web.DirectoryClient;
import dev.jeton.web.Health;
import dev.jeton.web.ListenerVerticle;
import dev.jeton.web.Replies;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.micrometer.PrometheusScrapingHandler;
import java.time.Clock;

/**
 * The management listener: the admin API of API.md §3 that the login flows need, health, the
 * OpenAPI document, the metrics scrape, and the helpdesk console's pages under {@code /console}
 * ({@link ConsoleRoutes}). This class only builds the router and listens: each group of resources
 * mounts its own routes ({@link UserRoutes}, {@link TokenRoutes}, {@link ClientRoutes}, {@link
 * RadiusClientRoutes}, {@link OperatorRoutes}, {@link ConsoleOperatorRoutes}, {@link AuditRoutes},
 * {@link PskcImport}, {@link BulkLoader}) through {@link AdminRouter}, which puts every admin route
 * together the same way: the bearer token and its role checked ({@link AdminAuthorization}) before
 * any body is read, then the body, bounded (1 MiB, PSKC files {@link PskcImport#BODY_LIMIT}), or
 * streamed for bulk loads.
 */
public final class AdminVerticle extends ListenerVerticle {

  private final Clock clock;
  private final PasswordHasher passwords;
  private final JetonMetrics metrics;
  private final TokenRecords records;
  private final TokenInput tokens;
  private final Keys keys;

  public AdminVerticle(
      Config config, Clock clock, Keys keys, PasswordHasher passwords, JetonMetrics metrics) {
    super(config);
    this.metrics = metrics;
    this.clock = clock;
    this.keys = keys;
    this.passwords = passwords;
    this.records =
        new TokenRecords(
            keys,
            new PinPolicy(config.pinMinLength(), config.pinMaxLength(), config.pinForbidTrivial()));
    this.tokens = new TokenInput(records);
  }

  @Override
  public Future<?> start() {
    Store store = new BusStore(vertx, config.storeTimeoutMillis() + 200L);
    router = Router.router(vertx);
    Replies.installErrorHandlers(router);
    new Health(store).mount(router);
    router.get("/openapi.yaml").handler(this::openApi);
    // The helpdesk console's pages: an intake of its own, mounted here (one way, admin → console).
    new ConsoleRoutes(vertx, config, Console.from(config, clock), store)
        .importing(new PskcImporter(vertx, store, records))
        .bulkLoading(new BulkLines(vertx, store, records, passwords, clock))
        .mount(router);
    if (metrics.enabled()) {
      router
          .get("/metrics")
          .handler(PrometheusScrapingHandler.create(metrics.prometheusRegistry()));
    }
    AdminRouter routes =
        new AdminRouter(router, new AdminAuthorization(config, store), this::streamsItsBody);
    AdminAudit audit = new AdminAudit(vertx, clock);
    new UserRoutes(
            vertx,
            config,
            store,
            passwords,
            clock,
            audit,
            new Views(clock),
            new DirectoryClient(vertx, config.ldap()))
        .mount(routes);
    new TokenRoutes(store, tokens, audit).mount(routes);
    new ClientRoutes(vertx, store, audit).mount(routes);
    new RadiusClientRoutes(vertx, store, keys.radiusSecrets(), audit).mount(routes);
    new OperatorRoutes(store, audit).mount(routes);
    new ConsoleOperatorRoutes(store, audit).mount(routes);
    new AuditRoutes(vertx, config).mount(routes);
    new PskcImport(new PskcImporter(vertx, store, records), audit).mount(routes);
    new BulkLoader(new BulkLines(vertx, store, records, passwords, clock), audit).mount(routes);

    return listen(config.adminHost(), config.adminPort());
  }

  /** The OpenAPI 3.1 document of both listeners, read once from the jar. */
  private void openApi(RoutingContext ctx) {
    vertx
        .fileSystem()
        .readFile("openapi.yaml")
        .onSuccess(doc -> ctx.response().putHeader("Content-Type", "application/yaml").end(doc))
        .onFailure(e -> Replies.error(ctx, 500, "internal_error", null));
  }
}
