package dev.jeton.provision;

import dev.jeton.pskc.PskcKey;
import dev.jeton.pskc.PskcParser;
import dev.jeton.pskc.PskcProtection;
import dev.jeton.pskc.PskcResult;
import dev.jeton.track.Store;
import dev.jeton.track.TokenRecord;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Imports an RFC 6030 PSKC document held in memory: parsed, its MACs checked and its secrets
 * decrypted on a worker thread, then its keys created in the store a few hundred at a time. An
 * existing serial is skipped, never overwritten. Shared by the admin API's import and the console's
 * import page, which differ only in how the file arrives and how the report is shown.
 *
 * <p>The returned future fails with a {@link dev.jeton.pskc.PskcException} when the document (or
 * its key or password) is refused as a whole, nothing imported; with anything else when the store
 * failed, in which case {@link Report#imported()} tells what was imported before. Thread-safety: a
 * {@link Report} is filled by one import at a time, first on a worker then on the caller's event
 * loop.
 */
public final class PskcImporter {

  private static final int CONCURRENT_WRITES = 256;

  /** A key not imported, and why, in words an operator can act on. */
  public record Skipped(String serial, String reason) {}

  /** What an import did: the serials created and the keys skipped, in order. */
  public static final class Report {
    private final List<String> imported = new ArrayList<>();
    private final List<Skipped> skipped = new ArrayList<>();

    public List<String> imported() {
      return imported;
    }

    public List<Skipped> skipped() {
      return skipped;
    }
  }

  private final Vertx vertx;
  private final Store store;
  private final TokenRecords tokens;

  public PskcImporter(Vertx vertx, Store store, TokenRecords tokens) {
    this.vertx = vertx;
    this.store = store;
    this.tokens = tokens;
  }

  /** Imports {@code document}; {@code report} receives what was done as it is done. */
  public Future<Report> importDocument(byte[] document, PskcProtection protection, Report report) {
    return vertx
        .executeBlocking(() -> parse(document, protection, report), false)
        .compose(records -> create(records, 0, report))
        .map(report);
  }

  private List<TokenRecord> parse(byte[] document, PskcProtection protection, Report report) {
    PskcResult result = PskcParser.parse(new ByteArrayInputStream(document), protection);
    result.skipped().forEach(s -> report.skipped.add(new Skipped(s.serial(), s.reason())));
    List<TokenRecord> records = new ArrayList<>(result.keys().size());
    for (PskcKey k : result.keys()) {
      if (k.time() != 0) {
        report.skipped.add(
            new Skipped(k.serial(), "a TOTP origin (Time) other than 0 is not supported"));
      } else if (k.counter() > Integer.MAX_VALUE) {
        report.skipped.add(new Skipped(k.serial(), "the counter is too large"));
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
        } catch (InvalidInput e) {
          report.skipped.add(new Skipped(k.serial(), e.getMessage()));
        }
      }
    }
    return records;
  }

  private Future<Void> create(List<TokenRecord> records, int from, Report report) {
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
                  report.imported.add(serial);
                } else {
                  report.skipped.add(new Skipped(serial, "a token with this serial exists"));
                }
              }
              return create(records, to, report);
            });
  }
}
