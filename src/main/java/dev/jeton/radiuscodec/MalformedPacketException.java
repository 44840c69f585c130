package dev.jeton.radiuscodec;

/**
 * A datagram or attribute that breaks the RADIUS framing rules (RFC 2865 §3, §5). RFC 2865 asks
 * that such packets be silently discarded; the {@link #reason()} is a short fixed token for a
 * counter label or a log line, and never contains bytes of the packet.
 *
 * <p>No stack trace is captured: these come from hostile input, possibly at line rate.
 */
public final class MalformedPacketException extends Exception {

  private static final long serialVersionUID = 1L;

  /** Fewer than 20 bytes, the fixed header. */
  public static final String SHORT = "short";

  /** Length field below 20, above 4096, or beyond the bytes received. */
  public static final String LENGTH = "length";

  /** An attribute whose Length field is 0 or 1. */
  public static final String ATTRIBUTE_LENGTH = "attribute_length";

  /** An attribute (or its two header bytes) running past the packet's Length. */
  public static final String ATTRIBUTE_OVERFLOW = "attribute_overflow";

  /** A datagram of more than 4096 bytes. */
  public static final String TOO_LONG = "too_long";

  /** A hidden User-Password that is not 16..128 bytes in steps of 16 (RFC 2865 §5.2). */
  public static final String PASSWORD_LENGTH = "password_length";

  private final String reason;

  public MalformedPacketException(String reason) {
    super(reason, null, false, false);
    this.reason = reason;
  }

  /**
   * @return a short machine token, one of the constants of this class
   */
  public String reason() {
    return reason;
  }
}
