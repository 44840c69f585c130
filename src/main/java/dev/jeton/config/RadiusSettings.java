package dev.jeton.config;

/**
 * Where the RADIUS intake listens, when {@code JETON_RADIUS_PORT} is set; without it there is no
 * RADIUS listener at all (the record is absent from {@link Config}). Immutable.
 *
 * @param host the address to bind ({@code JETON_RADIUS_HOST}, every interface by default: network
 *     gear sits on other hosts by nature, and only the addresses of its RADIUS clients are
 *     answered)
 * @param port the UDP port ({@code JETON_RADIUS_PORT}; 1812 by convention, 0 for any free one)
 * @param language the language of the Reply-Messages ({@code JETON_RADIUS_LANGUAGE}, {@code fr} or
 *     {@code en}; French by default, like the portal): RADIUS carries no language of the user's
 */
public record RadiusSettings(String host, int port, String language) {}
