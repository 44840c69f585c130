package dev.jeton.web;

import java.util.regex.Pattern;

/** Bounds on identifiers that both listeners accept. */
public final class Validation {

  public static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9._@-]{1,64}");
  public static final Pattern SERIAL = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  public static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

  private Validation() {}

  /**
   * What {@link #USERNAME} matches, without a regex: this check runs on every login, and regex
   * matching showed in the login rush's profile ({@code docs/2026-12-05-performance-history.md}).
   */
  public static boolean username(String s) {
    if (s == null || s.isEmpty() || s.length() > 64) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(c >= 'a' && c <= 'z'
          || c >= 'A' && c <= 'Z'
          || c >= '0' && c <= '9'
          || c == '.'
          || c == '_'
          || c == '@'
          || c == '-')) {
        return false;
      }
    }
    return true;
  }

  /** An IP literal, checked without any name lookup. */
  public static boolean ipLiteral(String s) {
    return s != null && (ipv4(s) || (s.indexOf(':') >= 0 && IPV6.matcher(s).matches()));
  }

  /**
   * Four decimal numbers 0 to 255 without leading zeros, dot-separated, checked without a regex:
   * portals send the user's address with every login. (ValidationTest holds it to the regex it
   * replaced.)
   */
  static boolean ipv4(String s) {
    int parts = 0;
    int i = 0;
    int n = s.length();
    while (parts < 4) {
      int start = i;
      int value = 0;
      while (i < n && i - start < 4 && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
        value = value * 10 + (s.charAt(i) - '0');
        i++;
      }
      int digits = i - start;
      if (digits == 0 || digits > 3 || value > 255 || (digits > 1 && s.charAt(start) == '0')) {
        return false;
      }
      parts++;
      if (parts < 4) {
        if (i >= n || s.charAt(i) != '.') {
          return false;
        }
        i++;
      }
    }
    return i == n;
  }
}
