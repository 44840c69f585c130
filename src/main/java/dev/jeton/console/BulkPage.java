package dev.jeton.console;

import static dev.jeton.web.HtmlReplies.esc;

import dev.jeton.crypto.Secrets;
import dev.jeton.provision.BulkLines;
import dev.jeton.web.Csrf;
import dev.jeton.web.HtmlReplies;
import dev.jeton.web.Texts;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /console/bulk} (admins): an NDJSON file, one {@code {"username","displayName"?,
 * "password"?,"token"?:{...}}} a line, applied as the admin API's {@code /v1/admin/bulk} applies it
 * ({@link BulkLines}), a chunk of {@value #CHUNK} lines at a time. Audited as the API's bulk load,
 * with the operator's reason, once, when the load ends.
 *
 * <p>The upload starts a <em>job</em> and is answered at once with a 303 to the job's page, {@code
 * /console/bulk/jobs/{id}} ({@code id}: 128 random bits, base64url). That page shows the lines
 * processed out of the file's, and the failures so far; a script of the console's own ({@code
 * /console/static/bulk.js}) follows {@code …/state} (JSON) every second and reloads the page when
 * the job ends, and without script a link refreshes it. Once the job has ended, the page is the
 * result: the number of lines applied and each failed line with its number and why (503 with what
 * was applied when the store stopped answering midway; the unavailable page when it applied
 * nothing).
 *
 * <p>A job belongs to the session that started it: any other session, of the same operator or
 * another, gets the not-found page for it. An operator runs at most {@value #RUNNING} jobs at once;
 * an ended job is forgotten {@link #KEEP} after it ended.
 *
 * <p>A job lives on the node that runs it: with several nodes behind a load balancer, the console
 * must be sticky (the same operator to the same node), or the operator sees "not found" for their
 * own job.
 *
 * <p>The file is read into memory by {@link Uploads} (at most 5 MiB: it may carry passwords and
 * seeds in the clear, which are never written to disk) and overwritten as soon as it is cut into
 * lines; the lines of a chunk are let go once handed to {@link BulkLines}. A job keeps only counts
 * and the failed lines' numbers and reasons. Larger loads go through the admin API, which streams.
 *
 * <p>One instance on the console's event loop: the jobs are read and changed there only, and the
 * timers that forget them run there.
 */
final class BulkPage {

  /** The field of the file. */
  static final String FIELD = "ndjson";

  /** The path of a job's page, followed by its id. */
  static final String JOBS = "/console/bulk/jobs/";

  private static final int CHUNK = 1000;
  private static final int MAX_LINE = 64 * 1024;

  /** Jobs running at once, per operator. */
  static final int RUNNING = 2;

  /** How long an ended job is kept for its page. */
  static final Duration KEEP = Duration.ofMinutes(15);

  /**
   * Ended jobs kept per operator, newest first: each may hold a failed line for every line of its
   * file, so that loads in a row must not pile up for {@link #KEEP}.
   */
  private static final int ENDED_KEPT = 5;

  private enum State {
    RUNNING,
    DONE,
    /** The store stopped answering after some lines were applied. */
    INTERRUPTED,
    /** The store stopped answering before any line was applied. */
    UNAVAILABLE
  }

  /** A load, started by a session; read and changed on the event loop only. */
  private static final class Job {
    final String id;
    final ConsolePages.Who starter;
    final int total;
    final BulkLines.Counts counts = new BulkLines.Counts();
    State state = State.RUNNING;

    Job(String id, ConsolePages.Who starter, int total) {
      this.id = id;
      this.starter = starter;
      this.total = total;
    }

    int processed() {
      return counts.created() + counts.failedCount();
    }

    /**
     * The session is known by its CSRF token, which is bound to the session's random id; the
     * username too, for a role given to another user since.
     */
    boolean startedBy(ConsolePages.Who who) {
      return starter.username().equals(who.username())
          && MessageDigest.isEqual(
              starter.csrf().getBytes(StandardCharsets.UTF_8),
              who.csrf().getBytes(StandardCharsets.UTF_8));
    }
  }

  private final Vertx vertx;
  private final ConsoleRoutes routes;
  private final BulkLines lines;
  private final HtmlReplies replies;
  private final Map<String, Job> jobs = new LinkedHashMap<>();

  BulkPage(Vertx vertx, ConsoleRoutes routes, BulkLines lines, HtmlReplies replies) {
    this.vertx = vertx;
    this.routes = routes;
    this.lines = lines;
    this.replies = replies;
  }

  void form(RoutingContext ctx, Texts t, ConsolePages.Who who) {
    replies.page(ctx, 200, formPage(t, who, null));
  }

  /**
   * The upload, once the gate let it through (an admin, with this session's CSRF token): starts a
   * job and answers 303 to its page.
   */
  void loads(RoutingContext ctx, Texts t, ConsolePages.Who who) {
    MultiMap form = ctx.request().formAttributes();
    Buffer file = Uploads.file(ctx);
    String reason = ConsoleRoutes.reason(form);
    int status = 400;
    String error =
        file == null || file.length() == 0
            ? t.get("bulk.error.file")
            : reason == null ? t.get("error.reason") : null;
    if (error == null && running(who.username()) >= RUNNING) {
      status = 429;
      error = t.get("bulk.error.busy", RUNNING);
    }
    byte[] bytes = file == null ? new byte[0] : file.getBytes();
    List<BulkLines.Raw> all = error == null ? cut(bytes) : null;
    Arrays.fill(bytes, (byte) 0);
    if (file != null) {
      file.setBytes(0, bytes);
    }
    if (error != null) {
      replies.page(ctx, status, formPage(t, who, error));
      return;
    }
    Job job = new Job(Secrets.randomId(), who, all.size());
    jobs.put(job.id, job);
    String ip = routes.address(ctx);
    apply(all, 0, job.counts).onComplete(ar -> ended(job, ip, reason, ar));
    replies.redirect(ctx, JOBS + job.id);
  }

  /** A job's page: its progress while it runs, its result once it has ended. */
  void job(RoutingContext ctx, Texts t, ConsolePages.Who who) {
    Job job = find(ctx, t, who);
    if (job == null) {
      return;
    }
    switch (job.state) {
      case RUNNING -> replies.page(ctx, 200, progressPage(t, who, job));
      case DONE -> replies.page(ctx, 200, resultPage(t, who, job.counts, null));
      case INTERRUPTED ->
          replies.page(
              ctx,
              503,
              resultPage(t, who, job.counts, t.get("bulk.error.partial", job.counts.created())));
      case UNAVAILABLE -> routes.unavailable(ctx, t, who);
    }
  }

  /**
   * A job's progress as JSON, for the job page's script: {@code total}, {@code processed}, {@code
   * applied} and {@code failed} lines, whether it has {@code ended}, and the same in words ({@code
   * text}).
   */
  void state(RoutingContext ctx, Texts t, ConsolePages.Who who) {
    Job job = find(ctx, t, who);
    if (job == null) {
      return;
    }
    JsonObject body =
        new JsonObject()
            .put("total", job.total)
            .put("processed", job.processed())
            .put("applied", job.counts.created())
            .put("failed", job.counts.failedCount())
            .put("ended", job.state != State.RUNNING)
            .put("text", progressText(t, job));
    replies
        .secure(ctx.response())
        .putHeader("Content-Type", "application/json")
        .end(body.toBuffer());
  }

  /** The job of the path's id when this session started it; otherwise answered here, 404. */
  private Job find(RoutingContext ctx, Texts t, ConsolePages.Who who) {
    Job job = jobs.get(ctx.pathParam("id"));
    if (job == null || !job.startedBy(who)) {
      routes.notFound(ctx, t, who, t.get("notfound.bulkjob"));
      return null;
    }
    return job;
  }

  private int running(String username) {
    int n = 0;
    for (Job j : jobs.values()) {
      if (j.state == State.RUNNING && j.starter.username().equals(username)) {
        n++;
      }
    }
    return n;
  }

  /** Audits the load as the page did when it answered at the end, and forgets it later. */
  private void ended(Job job, String ip, String reason, AsyncResult<Void> ar) {
    BulkLines.Counts counts = job.counts;
    if (ar.succeeded()) {
      job.state = State.DONE;
      routes.audit(
          ip,
          job.starter,
          "bulk_load:applied=" + counts.created() + ",failed=" + counts.failedCount(),
          null,
          null,
          reason);
    } else if (counts.created() == 0) {
      job.state = State.UNAVAILABLE;
    } else {
      job.state = State.INTERRUPTED;
      routes.audit(
          ip, job.starter, "bulk_load_interrupted:applied=" + counts.created(), null, null, reason);
    }
    vertx.setTimer(KEEP.toMillis(), id -> jobs.remove(job.id));
    forgetOldEnded(job.starter.username());
  }

  private void forgetOldEnded(String username) {
    int ended = 0;
    for (Job j : jobs.values()) {
      if (j.state != State.RUNNING && j.starter.username().equals(username)) {
        ended++;
      }
    }
    Iterator<Job> it = jobs.values().iterator();
    while (ended > ENDED_KEPT && it.hasNext()) {
      Job j = it.next();
      if (j.state != State.RUNNING && j.starter.username().equals(username)) {
        it.remove();
        ended--;
      }
    }
  }

  /**
   * Applies the lines from {@code from} on, a chunk at a time; each chunk's lines let go once sent.
   */
  private Future<Void> apply(List<BulkLines.Raw> all, int from, BulkLines.Counts counts) {
    if (from >= all.size()) {
      return Future.succeededFuture();
    }
    int to = Math.min(all.size(), from + CHUNK);
    List<BulkLines.Raw> chunk = new ArrayList<>(all.subList(from, to));
    for (int i = from; i < to; i++) {
      all.set(i, null);
    }
    return lines.apply(chunk, counts).compose(v -> apply(all, to, counts));
  }

  /** The lines, numbered from 1 as a text editor shows them; blank ones are left out. */
  private static List<BulkLines.Raw> cut(byte[] bytes) {
    List<BulkLines.Raw> out = new ArrayList<>();
    int number = 0;
    int from = 0;
    for (int i = 0; i <= bytes.length; i++) {
      if (i == bytes.length || bytes[i] == '\n') {
        number++;
        if (i - from > MAX_LINE) {
          out.add(
              new BulkLines.Raw(number, null, "the line is longer than " + MAX_LINE + " bytes"));
        } else {
          String text = new String(bytes, from, i - from, StandardCharsets.UTF_8).trim();
          if (!text.isEmpty()) {
            out.add(new BulkLines.Raw(number, text, null));
          }
        }
        from = i + 1;
      }
    }
    return out;
  }

  private static String formPage(Texts t, ConsolePages.Who who, String error) {
    StringBuilder b = new StringBuilder();
    b.append("<p>").append(esc(t.get("bulk.intro"))).append("</p>\n");
    ConsolePages.message(b, "error", error);
    b.append(
        "<form id=\"bulk-form\" method=\"post\" action=\"/console/bulk\""
            + " enctype=\"multipart/form-data\">\n");
    ConsolePages.hidden(b, Csrf.FIELD, who.csrf());
    b.append("<label for=\"ndjson\">")
        .append(esc(t.get("bulk.file")))
        .append("</label>\n")
        .append(
            "<input id=\"ndjson\" name=\"ndjson\" type=\"file\" required"
                + " accept=\".ndjson,.jsonl,.json,application/x-ndjson,text/plain\">\n");
    ConsolePages.reason(b, t, false);
    ConsolePages.submit(b, t.get("bulk.submit"));
    b.append("</form>\n");
    return ConsolePages.page(t, "bulk", t.get("bulk.heading"), who, b, true);
  }

  private static String progressText(Texts t, Job job) {
    return t.get(
        "bulk.progress",
        job.processed(),
        job.total,
        job.counts.created(),
        job.counts.failedCount());
  }

  /**
   * The page of a running job. No {@code <meta http-equiv="refresh">}: a page that reloads itself
   * takes the reader's place away (WCAG 2.2.1); the script updates it in place instead.
   */
  private static String progressPage(Texts t, ConsolePages.Who who, Job job) {
    String path = JOBS + job.id;
    StringBuilder b = new StringBuilder();
    b.append("<p id=\"progress-text\" role=\"status\">")
        .append(esc(progressText(t, job)))
        .append("</p>\n<label for=\"progress\">")
        .append(esc(t.get("bulk.progress.label")))
        .append("</label>\n<progress id=\"progress\" max=\"")
        .append(Math.max(1, job.total))
        .append("\" value=\"")
        .append(job.processed())
        .append("\" data-state=\"")
        .append(esc(path + "/state"))
        .append("\">")
        .append(job.processed())
        .append(" / ")
        .append(job.total)
        .append("</progress>\n<p class=\"hint\" id=\"job-hint\">")
        .append(esc(t.get("bulk.job.hint")))
        .append("</p>\n<p><a id=\"refresh\" href=\"")
        .append(esc(path))
        .append("\">")
        .append(esc(t.get("bulk.refresh")))
        .append("</a></p>\n<script src=\"/console/static/bulk.js\" defer></script>\n");
    return ConsolePages.page(t, "bulk-job", t.get("bulk.job.heading"), who, b, true);
  }

  private static String resultPage(
      Texts t, ConsolePages.Who who, BulkLines.Counts counts, String error) {
    StringBuilder b = new StringBuilder();
    ConsolePages.message(b, "error", error);
    List<BulkLines.Failed> failed = counts.failedByLine();
    b.append("<p id=\"summary\" role=\"status\">")
        .append(esc(t.get("bulk.summary", counts.created(), failed.size())))
        .append("</p>\n<h2 id=\"failed-heading\">")
        .append(esc(t.get("bulk.failed")))
        .append("</h2>\n");
    if (failed.isEmpty()) {
      b.append("<p>").append(esc(t.get("import.none"))).append("</p>\n");
    } else {
      b.append("<table id=\"failed\" aria-labelledby=\"failed-heading\">\n<thead><tr>")
          .append(ConsolePages.th(t, "bulk.line"))
          .append(ConsolePages.th(t, "import.reason"))
          .append("</tr></thead>\n<tbody>\n");
      for (BulkLines.Failed f : failed) {
        b.append("<tr><td>")
            .append(f.line())
            .append("</td><td>")
            .append(esc(f.error()))
            .append("</td></tr>\n");
      }
      b.append("</tbody>\n</table>\n");
    }
    b.append("<p><a id=\"again\" href=\"/console/bulk\">")
        .append(esc(t.get("bulk.again")))
        .append("</a></p>\n");
    return ConsolePages.page(t, "bulk-result", t.get("bulk.result.heading"), who, b, false);
  }
}
