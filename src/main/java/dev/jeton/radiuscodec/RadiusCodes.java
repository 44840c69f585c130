package dev.jeton.radiuscodec;

/**
 * RADIUS packet codes (RFC 2865 §3, RFC 2866 §3, RFC 5997 §3). A parsed packet may carry any code
 * 0..255; these are the ones Jeton speaks or recognises.
 */
public final class RadiusCodes {

  public static final int ACCESS_REQUEST = 1;
  public static final int ACCESS_ACCEPT = 2;
  public static final int ACCESS_REJECT = 3;
  public static final int ACCOUNTING_REQUEST = 4;
  public static final int ACCOUNTING_RESPONSE = 5;
  public static final int ACCESS_CHALLENGE = 11;
  public static final int STATUS_SERVER = 12;

  private RadiusCodes() {}
}
