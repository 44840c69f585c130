package dev.jeton.admin;

import dev.jeton.web.Replies;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way the admin API answers what it asked the store (or verification, or the audit log,
 * over the bus): a success is answered by the endpoint's own code; an absent resource by 404 with
 * the resource's message; a failure by 503, logged as {@code admin_store_failure}. The endpoint's
 * answer is made inside the future's chain, so that anything failing while it is made is answered
 * 503 as well: a request is never left without an answer.
 */
final class StoreAnswers {

  private static final Logger LOG = LoggerFactory.getLogger("jeton.admin");

  private StoreAnswers() {}

  /**
   * Answers with {@code answer} what was found; absent (null, or {@code false} from a write that
   * found nothing to change) is 404 with {@code missing} as its detail.
   */
  static <T> void found(RoutingContext ctx, Future<T> future, String missing, Consumer<T> answer) {
    done(
        ctx,
        future,
        v -> {
          if (v == null || Boolean.FALSE.equals(v)) {
            Replies.error(ctx, 404, "not_found", missing);
          } else {
            answer.accept(v);
          }
        });
  }

  /**
   * Answers with {@code answer} whatever the future holds (an endpoint with no 404, or one of its
   * own).
   */
  static <T> void done(RoutingContext ctx, Future<T> future, Consumer<T> answer) {
    future
        .<Void>map(
            v -> {
              answer.accept(v);
              return null;
            })
        .onFailure(e -> unavailable(ctx, e));
  }

  private static void unavailable(RoutingContext ctx, Throwable e) {
    LOG.atWarn().setMessage("admin_store_failure").addKeyValue("detail", e.getMessage()).log();
    Replies.error(ctx, 503, "unavailable", null);
  }
}
