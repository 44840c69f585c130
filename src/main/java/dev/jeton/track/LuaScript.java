package dev.jeton.track;

import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A Lua script from {@code src/main/resources/lua}, with the SHA-1 Redis knows it by. Immutable.
 */
record LuaScript(String name, String source, String sha) {

  static LuaScript load(String name) {
    try (InputStream in = LuaScript.class.getResourceAsStream("/lua/" + name + ".lua")) {
      if (in == null) {
        throw new IllegalStateException("missing script lua/" + name + ".lua");
      }
      String source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      byte[] sha1 =
          MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8));
      return new LuaScript(name, source, HexFormat.of().formatHex(sha1));
    } catch (IOException | NoSuchAlgorithmException e) {
      throw new IllegalStateException("cannot load script " + name, e);
    }
  }

  /**
   * A run of this script: by SHA ({@code EVALSHA}), or {@code whole} ({@code EVAL}, which also
   * caches it again).
   */
  Request request(boolean whole, List<String> keys, List<String> args) {
    Request r =
        whole ? Request.cmd(Command.EVAL).arg(source) : Request.cmd(Command.EVALSHA).arg(sha);
    r.arg(keys.size());
    keys.forEach(r::arg);
    args.forEach(r::arg);
    return r;
  }
}
