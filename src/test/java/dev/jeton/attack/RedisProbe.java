package dev.jeton.attack;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The "Redis reader" of the threat model: a plain RESP2 client on one connection per command, to
 * look at what the jar left in Redis (keys, their TTLs and sizes). Read-only by intent: it is given
 * no writing command here.
 */
final class RedisProbe {

  private final int port;

  RedisProbe(int port) {
    this.port = port;
  }

  /** Sends one command; returns a String, Long, List (arrays) or null; a Redis error is thrown. */
  Object command(String... args) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
      s.setSoTimeout(5_000);
      OutputStream out = s.getOutputStream();
      StringBuilder b = new StringBuilder("*").append(args.length).append("\r\n");
      for (String a : args) {
        b.append('$')
            .append(a.getBytes(StandardCharsets.UTF_8).length)
            .append("\r\n")
            .append(a)
            .append("\r\n");
      }
      out.write(b.toString().getBytes(StandardCharsets.UTF_8));
      out.flush();
      return read(new BufferedInputStream(s.getInputStream()));
    } catch (IOException e) {
      throw new UncheckedIOException("Redis command " + args[0] + " failed", e);
    }
  }

  long dbsize() {
    return (Long) command("DBSIZE");
  }

  /** Every key (SCAN, bounded). */
  List<String> keys(String pattern) {
    List<String> keys = new ArrayList<>();
    String cursor = "0";
    for (int i = 0; i < 10_000; i++) {
      List<?> r = (List<?>) command("SCAN", cursor, "MATCH", pattern, "COUNT", "1000");
      cursor = (String) r.get(0);
      for (Object k : (List<?>) r.get(1)) {
        keys.add((String) k);
      }
      if (cursor.equals("0")) {
        return keys;
      }
    }
    throw new IllegalStateException("SCAN did not finish");
  }

  /** Seconds to live of a key: -1 = no expiry, -2 = absent. */
  long ttl(String key) {
    return (Long) command("TTL", key);
  }

  /**
   * What is written, key by key: its type and size (entries of a stream, hash, list, set or sorted
   * set; length of a string). Two snapshots that differ say that something was written (or expired)
   * in between.
   */
  Map<String, String> snapshot() {
    Map<String, String> m = new TreeMap<>();
    for (String key : keys("*")) {
      String type = (String) command("TYPE", key);
      Object size =
          switch (type) {
            case "stream" -> command("XLEN", key);
            case "hash" -> command("HLEN", key);
            case "list" -> command("LLEN", key);
            case "set" -> command("SCARD", key);
            case "zset" -> command("ZCARD", key);
            case "string" -> command("STRLEN", key);
            default -> "?";
          };
      if (!type.equals("none")) {
        m.put(key, type + ":" + size);
      }
    }
    return m;
  }

  private static Object read(InputStream in) throws IOException {
    int type = in.read();
    String line = line(in);
    switch (type) {
      case '+':
        return line;
      case '-':
        throw new IllegalStateException("Redis error: " + line);
      case ':':
        return Long.parseLong(line);
      case '$':
        {
          int n = Integer.parseInt(line);
          if (n < 0) {
            return null;
          }
          byte[] data = in.readNBytes(n);
          line(in);
          return new String(data, StandardCharsets.UTF_8);
        }
      case '*':
        {
          int n = Integer.parseInt(line);
          if (n < 0) {
            return null;
          }
          List<Object> list = new ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            list.add(read(in));
          }
          return list;
        }
      default:
        throw new IOException("unexpected RESP type " + type);
    }
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder b = new StringBuilder();
    int c;
    while ((c = in.read()) != -1 && c != '\n') {
      if (c != '\r') {
        b.append((char) c);
      }
    }
    return b.toString();
  }
}
