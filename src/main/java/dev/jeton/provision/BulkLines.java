package dev.jeton.provision;

import dev.jeton.crypto.PasswordHasher;
import dev.jeton.track.Store;
import dev.jeton.track.Store.BulkLine;
import dev.jeton.track.TokenRecord;
import dev.jeton.web.Validation;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Applies a chunk of NDJSON bulk lines, one {@code {"username","displayName"?,"password"?,
 * "token"?:{...}}} a line: each parsed and validated (on a worker thread), its password hashed (on
 * worker threads, in parallel), then the chunk written by one pipelined store call. A line that
 * cannot be applied is counted as failed with its number and why; the others are applied. Shared by
 * the admin API's streamed {@code /v1/admin/bulk} and the console's bulk page, which differ only in
 * how the lines arrive and how the result is shown.
 *
 * <p>Thread-safety: a {@link Counts} is filled by one load at a time, on its event loop.
 */
public final class BulkLines {

  /** A line read: its number (from 1), and its text, or why it was not kept. */
  public record Raw(int number, String text, String error) {}

  /** A line that could not be applied: its number and why. */
  public record Failed(int line, String error) {}

  /** What a load did so far: lines created (or updated) and lines failed. */
  public static final class Counts {
    private int created;
    private final List<Failed> failed = new ArrayList<>();

    public int created() {
      return created;
    }

    /** How many lines failed so far, without sorting them. */
    public int failedCount() {
      return failed.size();
    }

    /** The failed lines in line order, whether they failed their parsing or their write. */
    public List<Failed> failedByLine() {
      failed.sort(Comparator.comparingInt(Failed::line));
      return failed;
    }

    void fail(int line, String error) {
      failed.add(new Failed(line, error));
    }
  }

  /**
   * A parsed line: its number, and either what to write (with the password still to hash) or an
   * error.
   */
  private record Parsed(int number, BulkLine line, String password, String error) {}

  private final Vertx vertx;
  private final Store store;
  private final TokenRecords tokens;
  private final PasswordHasher passwords;
  private final Clock clock;

  public BulkLines(
      Vertx vertx, Store store, TokenRecords tokens, PasswordHasher passwords, Clock clock) {
    this.vertx = vertx;
    this.store = store;
    this.tokens = tokens;
    this.passwords = passwords;
    this.clock = clock;
  }

  /**
   * Applies {@code chunk}, adding to {@code counts}; fails only when the store does (the lines of
   * the chunk are then neither counted created nor failed).
   */
  public Future<Void> apply(List<Raw> chunk, Counts counts) {
    return vertx
        .executeBlocking(() -> parse(chunk), false)
        .compose(this::hashPasswords)
        .compose(parsed -> write(parsed, counts));
  }

  private List<Parsed> parse(List<Raw> lines) {
    List<Parsed> out = new ArrayList<>(lines.size());
    for (Raw raw : lines) {
      out.add(
          raw.error() != null
              ? new Parsed(raw.number(), null, null, raw.error())
              : parseLine(raw.number(), raw.text()));
    }
    return out;
  }

  private Parsed parseLine(int number, String text) {
    try {
      JsonObject o;
      try {
        o = new JsonObject(text);
      } catch (DecodeException | ClassCastException e) {
        throw new InvalidInput("not a JSON object");
      }
      String username = JsonFields.string(o, "username", 64);
      if (username == null || !Validation.username(username)) {
        throw new InvalidInput("username must be 1 to 64 of A-Z a-z 0-9 . _ @ -");
      }
      String displayName = JsonFields.string(o, "displayName", 256);
      String password = JsonFields.password(o);
      Object token = o.getValue("token");
      TokenRecord t = null;
      if (token instanceof JsonObject tokenJson) {
        t = tokens.fromJson(tokenJson);
      } else if (token != null) {
        throw new InvalidInput("token must be an object");
      }
      return new Parsed(number, new BulkLine(username, displayName, null, t), password, null);
    } catch (InvalidInput e) {
      return new Parsed(number, null, null, e.getMessage());
    }
  }

  private Future<List<Parsed>> hashPasswords(List<Parsed> parsed) {
    List<Future<Parsed>> all = new ArrayList<>(parsed.size());
    for (Parsed p : parsed) {
      if (p.password() == null) {
        all.add(Future.succeededFuture(p));
      } else {
        all.add(
            vertx.executeBlocking(
                () -> {
                  BulkLine l = p.line();
                  return new Parsed(
                      p.number(),
                      new BulkLine(
                          l.username(), l.displayName(), passwords.hash(p.password()), l.token()),
                      null,
                      null);
                },
                false));
      }
    }
    return Future.all(all)
        .map(
            done -> {
              List<Parsed> out = new ArrayList<>(all.size());
              all.forEach(f -> out.add(f.result()));
              return out;
            });
  }

  private Future<Void> write(List<Parsed> parsed, Counts counts) {
    List<BulkLine> lines = new ArrayList<>();
    List<Integer> numbers = new ArrayList<>();
    for (Parsed p : parsed) {
      if (p.error() != null) {
        counts.fail(p.number(), p.error());
      } else {
        lines.add(p.line());
        numbers.add(p.number());
      }
    }
    if (lines.isEmpty()) {
      return Future.succeededFuture();
    }
    return store
        .bulk(new Store.Bulk(lines, clock.millis()))
        .map(
            result -> {
              for (int i = 0; i < lines.size(); i++) {
                String error = result.errors().get(i);
                if (error == null) {
                  counts.created++;
                } else {
                  counts.fail(numbers.get(i), error);
                }
              }
              return null;
            });
  }
}
