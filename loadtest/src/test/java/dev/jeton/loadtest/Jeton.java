package dev.jeton.loadtest;

import static io.gatling.javaapi.http.HttpDsl.http;

import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** What the simulations share about talking to Jeton: the protocol, names, addresses and bodies. */
final class Jeton {
  private Jeton() {}

  /**
   * The public listener as a portal sees it: JSON, its client secret as bearer (read lazily, because the client is
   * created in before(), after the constructor built this), pooled connections shared by all virtual users as a
   * portal's would be, no warm-up request.
   */
  static HttpProtocolBuilder protocol(Settings s, Supplier<String> clientSecret) {
    return http.baseUrl(s.publicUrl)
        .disableWarmUp()
        .shareConnections()
        .acceptHeader("application/json")
        .contentTypeHeader("application/json")
        .header("Authorization", session -> "Bearer " + clientSecret.get())
        .userAgentHeader("jeton-loadtest");
  }

  static String username(String prefix, int index) {
    return prefix + String.format("%07d", index);
  }

  static List<String> usernames(String prefix, int count) {
    List<String> names = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      names.add(username(prefix, i));
    }
    return names;
  }

  /** A distinct end-user address for index i (sent in the body as clientIp; no traffic goes there). */
  static String userIp(int index) {
    int n = index + 1;
    return "10." + ((n >> 16) & 255) + "." + ((n >> 8) & 255) + "." + (n & 255);
  }

  /** A JSON object from alternating names and values (values null are left out). */
  static String json(String... namesAndValues) {
    StringBuilder b = new StringBuilder(128).append('{');
    for (int i = 0; i < namesAndValues.length; i += 2) {
      if (namesAndValues[i + 1] == null) {
        continue;
      }
      if (b.length() > 1) {
        b.append(',');
      }
      quote(b, namesAndValues[i]).append(':');
      quote(b, namesAndValues[i + 1]);
    }
    return b.append('}').toString();
  }

  private static StringBuilder quote(StringBuilder b, String s) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('"');
  }
}
