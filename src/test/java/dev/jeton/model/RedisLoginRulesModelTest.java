package dev.jeton.model;

import dev.jeton.testsupport.RedisServer;
import dev.jeton.track.RedisStore;
import dev.jeton.track.Store;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The login rules against the model, on a real redis-server (one per JVM). Sequences share the
 * store; each has its own usernames, serials and client address, so none sees another's keys and
 * nothing needs flushing.
 */
class RedisLoginRulesModelTest extends LoginRulesModelContract {

  private static RedisStore store;

  @BeforeAll
  static void startStore() throws Exception {
    store = new RedisStore(vertx, RedisServer.shared().url(), 2000);
    store.loadScripts().await(10, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stopStore() throws Exception {
    if (store != null) {
      store.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Override
  protected Store storeForSequence() {
    return store;
  }
}
