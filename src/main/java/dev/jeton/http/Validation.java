package dev.jeton.http;

import java.util.regex.Pattern;

/** Bounds on identifiers that both listeners accept. */
public final class Validation {

  public static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9._@-]{1,64}");
  public static final Pattern SERIAL = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  public static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

  private Validation() {}

  /** An IP literal, checked without any name lookup. */
  public static boolean ipLiteral(String s) {
    return s != null && (IPV4.matcher(s).matches() || (s.contains(":") && IPV6.matcher(s).matches()));
  }
}
