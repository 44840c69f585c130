package dev.jeton.track;

/**
 * A RADIUS client (a NAS: a VPN concentrator, a Wi-Fi controller) allowed to send requests to the
 * RADIUS intake, recognised by the source address of its packets.
 *
 * <p>When the networks of several clients hold a packet's source address, the most specific one
 * (the longest prefix) is the client; between networks of the same prefix length, the first by
 * name.
 *
 * @param name 1 to 64 of {@code A-Za-z0-9._-}, unique
 * @param network the addresses it sends from, a CIDR block in normal form: an IPv4 or IPv6 literal
 *     with no host bits set, then {@code /} and the prefix length, e.g. {@code 10.1.0.0/16}, {@code
 *     192.0.2.7/32}, {@code ::1/128}, {@code fd00::/8}
 * @param requireMessageAuthenticator whether an Access-Request without a valid
 *     Message-Authenticator attribute is dropped
 * @param trustCallingStationId whether the client's Calling-Station-Id is taken as the end user's
 *     address (as {@code trustClientIp} is for the JSON API's clients)
 * @param sealedSecret the shared secret, sealed under the master key ({@code Keys#radiusSecrets},
 *     context: the name); never printed by {@link #toString}
 */
public record RadiusClientRecord(
    String name,
    String network,
    boolean requireMessageAuthenticator,
    boolean trustCallingStationId,
    String sealedSecret) {

  @Override
  public String toString() {
    return "RadiusClientRecord[name="
        + name
        + ", network="
        + network
        + ", requireMessageAuthenticator="
        + requireMessageAuthenticator
        + ", trustCallingStationId="
        + trustCallingStationId
        + ", sealedSecret="
        + (sealedSecret == null ? "null" : "(sealed)")
        + "]";
  }
}
