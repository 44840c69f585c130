package dev.jeton.track;

import dev.jeton.bus.Addresses;
import dev.jeton.bus.LoopLocal;
import dev.jeton.bus.Requests;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import java.util.List;

/**
 * The {@link Store} as seen from verification and admin: each call is a request to the {@link
 * TrackingVerticle} over the local event bus. Any failure (store down, timeout, no tracking
 * verticle) fails the future with {@link StoreUnavailableException}, so callers fail closed.
 */
public final class BusStore implements Store {

  static final String LOAD_LOGIN = "load";
  static final String COMMIT = "commit";
  static final String FAIL = "fail";
  static final String SET_PIN = "set-pin";
  static final String PUT_USER = "put-user";
  static final String GET_USER = "get-user";
  static final String DELETE_USER = "delete-user";
  static final String CREATE_TOKEN = "create-token";
  static final String GET_TOKEN = "get-token";
  static final String ASSIGN = "assign";
  static final String UNASSIGN = "unassign";
  static final String SET_ENABLED = "set-enabled";
  static final String CLEAR_PINS = "clear-pins";
  static final String UNLOCK = "unlock";
  static final String EMERGENCY = "emergency-codes";
  static final String PUT_CLIENT = "put-client";
  static final String FIND_CLIENT = "find-client";
  static final String CLIENTS = "clients";
  static final String PUT_RADIUS_CLIENT = "put-radius-client";
  static final String RADIUS_CLIENTS = "radius-clients";
  static final String DELETE_RADIUS_CLIENT = "delete-radius-client";
  static final String PUT_OPERATOR = "put-operator";
  static final String FIND_OPERATOR = "find-operator";
  static final String DELETE_OPERATOR = "delete-operator";
  static final String BULK = "bulk";
  static final String SESSION_MARK = "session-mark";
  static final String END_SESSIONS = "end-sessions";
  static final String SEARCH_USERS = "search-users";
  static final String PUT_CONSOLE_OPERATOR = "put-console-operator";
  static final String CONSOLE_ROLE = "console-role";
  static final String DELETE_CONSOLE_OPERATOR = "delete-console-operator";
  static final String CONSOLE_OPERATORS = "console-operators";
  static final String PING = "ping";

  /** The question of {@link #searchUsers}, as it travels. */
  record SearchUsers(String prefix, int limit) {}

  /**
   * A list as it travels back: the bus's local codec is chosen by the body's class, which a record
   * has and a {@code List} has not.
   */
  record Listed<T>(List<T> items) {
    Listed {
      items = List.copyOf(items);
    }
  }

  private final Vertx vertx;
  private final DeliveryOptions options;

  /**
   * @param timeoutMillis bus send timeout: a little above the store's own, below the HTTP timeout
   */
  public BusStore(Vertx vertx, long timeoutMillis) {
    this.vertx = vertx;
    this.options = new DeliveryOptions().setSendTimeout(timeoutMillis).setLocalOnly(true);
  }

  @Override
  public Future<LoginState> loadLogin(LoadLogin q) {
    return call(LOAD_LOGIN, q);
  }

  @Override
  public Future<CommitResult> commit(Commit c) {
    return call(COMMIT, c);
  }

  @Override
  public Future<FailResult> fail(Fail f) {
    return call(FAIL, f);
  }

  @Override
  public Future<Boolean> setPin(SetPin s) {
    return call(SET_PIN, s);
  }

  @Override
  public Future<Boolean> putUser(PutUser p) {
    return call(PUT_USER, p);
  }

  @Override
  public Future<UserView> getUser(String username) {
    return call(GET_USER, username);
  }

  @Override
  public Future<Boolean> deleteUser(String username) {
    return call(DELETE_USER, username);
  }

  @Override
  public Future<Boolean> createToken(TokenRecord t) {
    return call(CREATE_TOKEN, t);
  }

  @Override
  public Future<List<UserMatch>> searchUsers(String prefix, int limit) {
    return this.<Listed<UserMatch>>call(SEARCH_USERS, new SearchUsers(prefix, limit))
        .map(Listed::items);
  }

  @Override
  public Future<Boolean> putConsoleOperator(String username, String role) {
    return call(PUT_CONSOLE_OPERATOR, new ConsoleOperator(username, role));
  }

  @Override
  public Future<String> consoleRole(String username) {
    return call(CONSOLE_ROLE, username);
  }

  @Override
  public Future<Boolean> deleteConsoleOperator(String username) {
    return call(DELETE_CONSOLE_OPERATOR, username);
  }

  @Override
  public Future<List<ConsoleOperator>> consoleOperators() {
    return this.<Listed<ConsoleOperator>>call(CONSOLE_OPERATORS, "").map(Listed::items);
  }

  @Override
  public Future<TokenRecord> getToken(String serial) {
    return call(GET_TOKEN, serial);
  }

  @Override
  public Future<AssignResult> assign(Assign a) {
    return call(ASSIGN, a);
  }

  @Override
  public Future<Boolean> unassign(Assign a) {
    return call(UNASSIGN, a);
  }

  @Override
  public Future<Boolean> setEnabled(SetEnabled s) {
    return call(SET_ENABLED, s);
  }

  @Override
  public Future<Boolean> clearPins(String username) {
    return call(CLEAR_PINS, username);
  }

  @Override
  public Future<Void> unlock(String username) {
    return call(UNLOCK, username);
  }

  @Override
  public Future<Boolean> putEmergencyCodes(EmergencyCodes e) {
    return call(EMERGENCY, e);
  }

  @Override
  public Future<Void> putClient(ClientRecord c) {
    return call(PUT_CLIENT, c);
  }

  @Override
  public Future<List<ClientRecord>> clients() {
    return this.<Listed<ClientRecord>>call(CLIENTS, "").map(Listed::items);
  }

  @Override
  public Future<ClientRecord> findClient(String secretHash) {
    return call(FIND_CLIENT, secretHash);
  }

  @Override
  public Future<Void> putRadiusClient(RadiusClientRecord c) {
    return call(PUT_RADIUS_CLIENT, c);
  }

  @Override
  public Future<List<RadiusClientRecord>> radiusClients() {
    return this.<Listed<RadiusClientRecord>>call(RADIUS_CLIENTS, "").map(Listed::items);
  }

  @Override
  public Future<Boolean> deleteRadiusClient(String name) {
    return call(DELETE_RADIUS_CLIENT, name);
  }

  @Override
  public Future<Void> putOperator(OperatorRecord o) {
    return call(PUT_OPERATOR, o);
  }

  @Override
  public Future<OperatorRecord> findOperator(String secretHash) {
    return call(FIND_OPERATOR, secretHash);
  }

  @Override
  public Future<Boolean> deleteOperator(String name) {
    return call(DELETE_OPERATOR, name);
  }

  @Override
  public Future<BulkResult> bulk(Bulk b) {
    return call(BULK, b);
  }

  @Override
  public Future<String> sessionMark(String username) {
    return call(SESSION_MARK, username);
  }

  @Override
  public Future<Boolean> endSessions(EndSessions e) {
    return call(END_SESSIONS, e);
  }

  @Override
  public Future<Void> ping() {
    return call(PING, "");
  }

  /** The tracking verticle owns the store and closes it; nothing to do here. */
  @Override
  public Future<Void> close() {
    return Future.succeededFuture();
  }

  private <R> Future<R> call(String operation, Object body) {
    return Requests.<R>request(
            vertx, LoopLocal.route(vertx, Addresses.TRACK + operation), body, options)
        .map(Message::body)
        .recover(
            e ->
                Future.failedFuture(
                    new StoreUnavailableException("tracking: " + e.getMessage(), e)));
  }
}
