package dev.jeton.track;

import java.util.List;

/**
 * The Lua scripts of the Redis store, read from {@code src/main/resources/lua} once per JVM. Each
 * is one atomic step and says in its header what it refuses, what it sets, and its KEYS and ARGV.
 */
final class RedisScripts {

  static final LuaScript COMMIT = LuaScript.load("commit");
  static final LuaScript FAIL = LuaScript.load("fail");
  static final LuaScript SET_PIN = LuaScript.load("setpin");
  static final LuaScript PUT_USER = LuaScript.load("putuser");
  static final LuaScript CREATE_TOKEN = LuaScript.load("createtoken");
  static final LuaScript CLAIM = LuaScript.load("claim");
  static final LuaScript ATTACH = LuaScript.load("attach");
  static final LuaScript DETACH = LuaScript.load("detach");
  static final LuaScript RELEASE = LuaScript.load("release");
  static final LuaScript SET_ENABLED = LuaScript.load("setenabled");
  static final LuaScript HSET_IF_PRESENT = LuaScript.load("hsetifpresent");
  static final LuaScript CLEAR_PINS = LuaScript.load("clearpins");
  static final LuaScript EMERGENCY = LuaScript.load("emergency");
  static final LuaScript BULK_USER = LuaScript.load("bulkuser");
  static final LuaScript PUT_SECRET = LuaScript.load("putsecret");
  static final LuaScript DROP_SECRET = LuaScript.load("dropsecret");
  static final LuaScript END_SESSIONS = LuaScript.load("endsessions");
  static final LuaScript RADIUS_CLIENT = LuaScript.load("radiusclient");

  /** Every script, loaded into Redis at start ({@link RedisCalls#loadScripts}). */
  static final List<LuaScript> ALL =
      List.of(
          COMMIT,
          FAIL,
          SET_PIN,
          PUT_USER,
          CREATE_TOKEN,
          CLAIM,
          ATTACH,
          DETACH,
          RELEASE,
          SET_ENABLED,
          HSET_IF_PRESENT,
          CLEAR_PINS,
          EMERGENCY,
          BULK_USER,
          PUT_SECRET,
          DROP_SECRET,
          END_SESSIONS,
          RADIUS_CLIENT);

  private RedisScripts() {}
}
