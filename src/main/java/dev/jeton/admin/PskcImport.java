package dev.jeton.admin;

import dev.jeton.pskc.PskcException;
import dev.jeton.pskc.PskcKey;
import dev.jeton.pskc.PskcParser;
import dev.jeton.pskc.PskcProtection;
import dev.jeton.pskc.PskcResult;
import dev.jeton.track.Store;
import dev.jeton.track.TokenRecord;
import dev.jeton.web.Replies;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * {@code POST /v1/admin/tokens/import}: an RFC 6030 PSKC file from the keys' vendor, plain,
 * protected by a pre-shared AES key ({@code ?key=<hex>}) or by a password ({@code ?password=…},
 * PBKDF2). The file is parsed, its MACs checked and its secrets decrypted on a worker thread; the
 * keys are then created in the pool, a few hundred at a time. An existing serial is skipped, never
 * overwritten.
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

  private static final int CONCURRENT_WRITES = 256;

  private final Vertx vertx;
  private final Store store;
  private final TokenInput tokens;
  private final AdminAudit audit;

  PskcImport(Vertx vertx, Store store, TokenInput tokens, AdminAudit audit) {
    this.vertx = vertx;
    this.store = store;
    this.tokens = tokens;
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
    JsonArray imported = new JsonArray();
    JsonArray skipped = new JsonArray();
    vertx
        .executeBlocking(() -> parse(body, protection, skipped), false)
        .compose(records -> create(records, 0, imported, skipped))
        .onSuccess(
            v -> {
              audit.record(
                  ctx, "pskc_import:imported=" + imported.size() + ",skipped=" + skipped.size());
              Replies.json(
                  ctx, 200, new JsonObject().put("imported", imported).put("skipped", skipped));
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
                    imported.size() + " keys were imported before the store failed");
              }
            });
  }

  /**
   * Parses and turns every key into a token record; what cannot be imported is added to {@code
   * skipped}.
   */
  private List<TokenRecord> parse(Buffer body, PskcProtection protection, JsonArray skipped) {
    PskcResult result = PskcParser.parse(new ByteArrayInputStream(body.getBytes()), protection);
    result.skipped().forEach(s -> skipped.add(skip(s.serial(), s.reason())));
    List<TokenRecord> records = new ArrayList<>(result.keys().size());
    for (PskcKey k : result.keys()) {
      if (k.time() != 0) {
        skipped.add(skip(k.serial(), "a TOTP origin (Time) other than 0 is not supported"));
      } else if (k.counter() > Integer.MAX_VALUE) {
        skipped.add(skip(k.serial(), "the counter is too large"));
      } else {
        try {
          records.add(
              tokens.from(
                  k.serial(),
                  k.type(),
                  k.algorithm(),
                  k.digits(),
                  k.period(),
                  k.counter(),
                  k.timeDrift(),
                  k.secret(),
                  null));
        } catch (BadRequest e) {
          skipped.add(skip(k.serial(), e.getMessage()));
        }
      }
    }
    return records;
  }

  private Future<Void> create(
      List<TokenRecord> records, int from, JsonArray imported, JsonArray skipped) {
    if (from >= records.size()) {
      return Future.succeededFuture();
    }
    int to = Math.min(records.size(), from + CONCURRENT_WRITES);
    List<Future<Boolean>> writes = new ArrayList<>();
    for (TokenRecord t : records.subList(from, to)) {
      writes.add(store.createToken(t));
    }
    return Future.all(writes)
        .compose(
            done -> {
              for (int i = 0; i < writes.size(); i++) {
                String serial = records.get(from + i).serial();
                if (writes.get(i).result()) {
                  imported.add(serial);
                } else {
                  skipped.add(skip(serial, "a token with this serial exists"));
                }
              }
              return create(records, to, imported, skipped);
            });
  }

  private static JsonObject skip(String serial, String reason) {
    return new JsonObject().put("serial", serial).put("reason", reason);
  }
}
