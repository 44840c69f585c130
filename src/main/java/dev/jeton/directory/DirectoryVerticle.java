package dev.jeton.directory;

import dev.jeton.bus.DirectoryBus;
import dev.jeton.bus.DirectoryBus.DirectoryUser;
import dev.jeton.bus.DirectoryBus.Found;
import dev.jeton.bus.DirectoryBus.PasswordCheck;
import dev.jeton.bus.DirectoryBus.PasswordResult;
import dev.jeton.bus.DirectoryBus.Search;
import dev.jeton.bus.DirectoryBus.Users;
import dev.jeton.bus.DirectoryBus.Verdict;
import dev.jeton.config.LdapSettings;
import dev.jeton.metrics.DirectoryMeters;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * The directory: serves {@link DirectoryBus}'s addresses (local consumers) with an {@link
 * LdapDirectory}, whose blocking LDAP calls run on a bounded worker pool ({@code jeton-directory},
 * {@code JETON_LDAP_POOL_SIZE} threads), never on the event loop. Deploy one instance per node.
 *
 * <p>{@link DirectoryBus#CHECK_PASSWORD} always replies: {@link Verdict#UNAVAILABLE} when the
 * directory is down, or when no answer came within {@link #deadlineMillis()} (the LDAP timeouts
 * bound each call; the deadline also bounds the wait in the worker pool's queue). {@link
 * DirectoryBus#FIND_USER} and {@link DirectoryBus#SEARCH_USERS} fail the reply with code {@link
 * DirectoryBus#UNAVAILABLE_CODE} then.
 *
 * <p>The directory is <em>degraded</em> when its last request was unavailable or its last health
 * check (a read of the root DSE every 5 s) failed; {@link DirectoryBus#HEALTH} answers that flag,
 * for {@code /health/ready}. The flag lives on this verticle's event loop.
 */
public final class DirectoryVerticle extends VerticleBase {

  static final long HEALTH_CHECK_MILLIS = 5_000;
  private static final int MAX_SEARCH_LIMIT = 1_000;

  private final LdapSettings settings;
  private final DirectoryMeters meters;
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private WorkerExecutor workers;
  private LdapDirectory directory;
  private boolean degraded;
  private boolean checking;
  private long timer = -1;

  public DirectoryVerticle(LdapSettings settings, DirectoryMeters meters) {
    this.settings = settings;
    this.meters = meters;
  }

  @Override
  public Future<?> start() {
    workers = vertx.createSharedWorkerExecutor("jeton-directory", settings.poolSize());
    return workers
        .executeBlocking(() -> new LdapDirectory(settings), false)
        .compose(
            d -> {
              directory = d;
              consumers.add(
                  vertx
                      .eventBus()
                      .<PasswordCheck>localConsumer(
                          DirectoryBus.CHECK_PASSWORD, this::checkPassword));
              consumers.add(
                  vertx.eventBus().<String>localConsumer(DirectoryBus.FIND_USER, this::findUser));
              consumers.add(
                  vertx
                      .eventBus()
                      .<Search>localConsumer(DirectoryBus.SEARCH_USERS, this::searchUsers));
              consumers.add(
                  vertx
                      .eventBus()
                      .<Object>localConsumer(DirectoryBus.HEALTH, msg -> msg.reply(degraded)));
              timer = vertx.setPeriodic(HEALTH_CHECK_MILLIS, id -> check());
              check();
              return Future.all(consumers.stream().map(MessageConsumer::completion).toList());
            });
  }

  /**
   * How long a request may wait for the worker pool and its LDAP calls: a search and a bind, each
   * within the timeout, plus a failover's connect.
   */
  long deadlineMillis() {
    return 3L * settings.timeoutMillis() + 500;
  }

  private void checkPassword(Message<PasswordCheck> msg) {
    PasswordCheck check = msg.body();
    if (check == null) {
      msg.reply(new PasswordResult(Verdict.WRONG, null));
      return;
    }
    this.<PasswordResult>blocking(
            () -> {
              long start = System.nanoTime();
              PasswordResult r = directory.checkPassword(check.username(), check.password());
              meters.record("check_password", outcome(r.verdict()), System.nanoTime() - start);
              return r;
            })
        .onComplete(
            ar -> {
              PasswordResult r =
                  ar.succeeded() ? ar.result() : new PasswordResult(Verdict.UNAVAILABLE, null);
              note(r.verdict() != Verdict.UNAVAILABLE);
              msg.reply(r);
            });
  }

  private static String outcome(Verdict v) {
    return switch (v) {
      case OK -> "ok";
      case WRONG -> "wrong";
      case UNAVAILABLE -> "unavailable";
    };
  }

  private void findUser(Message<String> msg) {
    String username = msg.body();
    this.<Found>blocking(
            () -> {
              long start = System.nanoTime();
              try {
                DirectoryUser u = directory.findUser(username);
                meters.record(
                    "find_user", u == null ? "not_found" : "ok", System.nanoTime() - start);
                return new Found(u);
              } catch (DirectoryUnavailableException e) {
                meters.record("find_user", "unavailable", System.nanoTime() - start);
                throw e;
              }
            })
        .onComplete(ar -> answer(msg, ar.succeeded() ? ar.result() : null));
  }

  private void searchUsers(Message<Search> msg) {
    Search q = msg.body();
    if (q == null) {
      msg.reply(new Users(List.of()));
      return;
    }
    int limit = Math.max(0, Math.min(q.limit(), MAX_SEARCH_LIMIT));
    this.<Users>blocking(
            () -> {
              long start = System.nanoTime();
              try {
                Users u = new Users(List.copyOf(directory.searchUsers(q.prefix(), limit)));
                meters.record("search_users", "ok", System.nanoTime() - start);
                return u;
              } catch (DirectoryUnavailableException e) {
                meters.record("search_users", "unavailable", System.nanoTime() - start);
                throw e;
              }
            })
        .onComplete(ar -> answer(msg, ar.succeeded() ? ar.result() : null));
  }

  /** Replies {@code answer}, or fails the reply with 503 when it is null (unavailable). */
  private void answer(Message<?> msg, Object answer) {
    note(answer != null);
    if (answer == null) {
      msg.fail(DirectoryBus.UNAVAILABLE_CODE, "directory unavailable");
    } else {
      msg.reply(answer);
    }
  }

  private void note(boolean available) {
    degraded = !available;
  }

  /** The periodic health check; one at a time. */
  private void check() {
    if (checking) {
      return;
    }
    checking = true;
    blocking(directory::healthy)
        .onComplete(
            ar -> {
              checking = false;
              degraded = !(ar.succeeded() && ar.result());
            });
  }

  /** Runs {@code work} on the worker pool; fails when it has not finished by the deadline. */
  private <T> Future<T> blocking(Callable<T> work) {
    Promise<T> answer = Promise.promise();
    long deadline =
        vertx.setTimer(
            deadlineMillis(),
            id -> answer.tryFail(new DirectoryUnavailableException("directory too slow", null)));
    workers
        .executeBlocking(work, false)
        .onComplete(
            ar -> {
              vertx.cancelTimer(deadline);
              if (ar.succeeded()) {
                answer.tryComplete(ar.result());
              } else {
                answer.tryFail(ar.cause());
              }
            });
    return answer.future();
  }

  @Override
  public Future<?> stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    List<Future<Void>> done = new ArrayList<>();
    consumers.forEach(c -> done.add(c.unregister()));
    return Future.join(done)
        .eventually(
            () ->
                workers.executeBlocking(
                    () -> {
                      if (directory != null) {
                        directory.close();
                      }
                      return null;
                    },
                    false))
        .eventually(() -> workers.close());
  }
}
