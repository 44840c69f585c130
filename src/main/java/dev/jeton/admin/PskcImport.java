package dev.jeton.admin;

import dev.jeton.provision.PskcImporter;
import dev.jeton.pskc.PskcException;
import dev.jeton.pskc.PskcProtection;
import dev.jeton.web.Replies;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.HexFormat;

/**
 * {@code POST /v1/admin/tokens/import}: an RFC 6030 PSKC file from the keys' vendor, plain,
 * protected by a pre-shared AES key ({@code ?key=<hex>}) or by a password ({@code ?password=…},
 * PBKDF2). The file is parsed, its MACs checked and its secrets decrypted on a worker thread; the
 * keys are then created in the pool, a few hundred at a time ({@link PskcImporter}, shared with the
 * console's import page). An existing serial is skipped, never overwritten.
 *
 * <p>The document is held in memory, bounded by {@link #BODY_LIMIT}, and only once the caller has
 * been authenticated as an admin ({@link AdminAuthorization} checks the token before a byte is
 * read). Not streamed to a temporary file: a PSKC file may carry its seeds in the clear, and a seed
 * must never be written to disk unencrypted (a temp file outlives a crash, and lands in backups).
 * Not piped into the parser as it arrives either: the StAX parser blocks on its input, so it would
 * hold a worker thread for as long as a slow upload lasts. A vendor's file is about 1 KiB a key, so
 * the bound admits some 60,000 keys in one file; larger batches are imported in several files.
 */
final class PskcImport {

  /**
   * The largest PSKC document accepted, in bytes (64 MiB); a larger one is answered 413 before it
   * is read.
   */
  static final long BODY_LIMIT = 64L * 1024 * 1024;

  private final PskcImporter importer;
  private final AdminAudit audit;

  PskcImport(PskcImporter importer, AdminAudit audit) {
    this.importer = importer;
    this.audit = audit;
  }

  void mount(AdminRouter routes) {
    routes.route(
        HttpMethod.POST,
        "/v1/admin/tokens/import",
        AdminAuthorization.ADMIN,
        BODY_LIMIT,
        this::handle);
  }

  private void handle(RoutingContext ctx) throws BadRequest {
    Buffer body = ctx.body().buffer();
    String key = ctx.queryParams().get("key");
    String password = ctx.queryParams().get("password");
    if (body == null || body.length() == 0) {
      throw new BadRequest("the body must be a PSKC document");
    }
    if (key != null && password != null) {
      throw new BadRequest("give key or password, not both");
    }
    PskcProtection protection;
    try {
      protection =
          key != null
              ? PskcProtection.ofKey(HexFormat.of().parseHex(key))
              : password != null
                  ? PskcProtection.ofPassword(password.toCharArray())
                  : PskcProtection.none();
    } catch (IllegalArgumentException e) {
      throw new BadRequest("key must be hexadecimal");
    }
    PskcImporter.Report report = new PskcImporter.Report();
    importer
        .importDocument(body.getBytes(), protection, report)
        .onSuccess(
            v -> {
              audit.record(
                  ctx,
                  "pskc_import:imported="
                      + report.imported().size()
                      + ",skipped="
                      + report.skipped().size());
              JsonArray skipped = new JsonArray();
              report
                  .skipped()
                  .forEach(
                      k ->
                          skipped.add(
                              new JsonObject()
                                  .put("serial", k.serial())
                                  .put("reason", k.reason())));
              Replies.json(
                  ctx,
                  200,
                  new JsonObject()
                      .put("imported", new JsonArray(new ArrayList<>(report.imported())))
                      .put("skipped", skipped));
            })
        .onFailure(
            e -> {
              if (e instanceof PskcException) {
                Replies.error(ctx, 400, "invalid_pskc", e.getMessage());
              } else {
                Replies.error(
                    ctx,
                    503,
                    "unavailable",
                    report.imported().size() + " keys were imported before the store failed");
              }
            });
  }
}
