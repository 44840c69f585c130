package dev.jeton.loadtest;

import java.net.URI;
import java.util.Locale;

/**
 * Run settings read from system properties (pass them to Maven as {@code -Dname=value}: the Gatling plugin forwards
 * them to the forked JVM). The ones shared by every simulation are here; each simulation reads its own beside them.
 */
final class Settings {

  /** Public listener: {@code POST /v1/authenticate}. */
  final String publicUrl = str("jeton.publicUrl", "http://127.0.0.1:8080");
  /** Management listener: the admin API used to provision. */
  final String adminUrl = str("jeton.adminUrl", "http://127.0.0.1:8081");
  /** Bearer token with role admin (falls back to the JETON_ADMIN_TOKEN environment variable). */
  final String adminToken = adminToken();
  /** Key from which every user's TOTP seed is derived: HMAC-SHA256(key, username), first 20 bytes. */
  final String loadTestKey = str("jeton.loadTestKey", "jeton-load-test-key");
  /** The PIN provisioned (or chosen at NEW_PIN). */
  final String pin = str("jeton.pin", "2580");
  /** The PIN the virtual users type: set it to something else to watch the assertions go red. */
  final String loginPin = str("jeton.loginPin", pin);
  /** Tells this run's usernames, serials and client apart from earlier runs against the same Jeton. */
  final String runId = str("jeton.runId", Long.toString(System.currentTimeMillis(), 36));

  Settings() {
    if (!Boolean.parseBoolean(str("jeton.allowNonLoopback", "false"))) {
      requireLoopback("jeton.publicUrl", publicUrl);
      requireLoopback("jeton.adminUrl", adminUrl);
    }
    if (!runId.matches("[A-Za-z0-9]{1,16}")) {
      throw new IllegalArgumentException("jeton.runId must be 1 to 16 letters or digits");
    }
  }

  static String str(String name, String def) {
    String v = System.getProperty(name);
    return v == null || v.isBlank() ? def : v.trim();
  }

  static int integer(String name, int def) {
    try {
      return Integer.parseInt(str(name, Integer.toString(def)));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be an integer", e);
    }
  }

  static double dbl(String name, double def) {
    try {
      return Double.parseDouble(str(name, Double.toString(def)));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a number", e);
    }
  }

  static int positive(String name, int def) {
    int v = integer(name, def);
    if (v <= 0) {
      throw new IllegalArgumentException(name + " must be positive");
    }
    return v;
  }

  private static String adminToken() {
    String v = str("jeton.adminToken", System.getenv("JETON_ADMIN_TOKEN"));
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException("set -Djeton.adminToken=<admin token> (or JETON_ADMIN_TOKEN)");
    }
    return v;
  }

  /**
   * Load traffic stays on this machine unless jeton.allowNonLoopback=true says otherwise: the host must be
   * {@code localhost}, a 127.x.y.z literal or {@code [::1]} (checked without any name lookup).
   */
  private static void requireLoopback(String name, String url) {
    String host = URI.create(url).getHost();
    if (host == null) {
      throw new IllegalArgumentException(name + " has no host: " + url);
    }
    String h = host.toLowerCase(Locale.ROOT);
    boolean loopback = h.equals("localhost") || h.equals("[::1]") || h.equals("::1")
        || h.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
    if (!loopback) {
      throw new IllegalArgumentException(name + " must be a loopback address (or set jeton.allowNonLoopback=true): "
          + url);
    }
  }

}
