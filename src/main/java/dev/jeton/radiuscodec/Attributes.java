package dev.jeton.radiuscodec;

/** RADIUS attribute types (RFC 2865 §5, RFC 2869 §5.14) that Jeton reads or writes. */
public final class Attributes {

  public static final int USER_NAME = 1;
  public static final int USER_PASSWORD = 2;
  public static final int NAS_IP_ADDRESS = 4;
  public static final int REPLY_MESSAGE = 18;
  public static final int STATE = 24;
  public static final int CALLING_STATION_ID = 31;
  public static final int NAS_IDENTIFIER = 32;
  public static final int PROXY_STATE = 33;
  public static final int MESSAGE_AUTHENTICATOR = 80;

  private Attributes() {}
}
