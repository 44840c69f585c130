package dev.jeton.config;

import java.util.Set;

/**
 * What an operator sets for the login portal served on the public listener. Immutable.
 *
 * @param returnHosts hosts (optionally {@code host:port}) that the portal may send a signed-in user
 *     back to ({@code JETON_PORTAL_RETURN_HOSTS}); empty = never redirect, show the "signed in"
 *     page
 * @param sessionSeconds lifetime of the session cookie set after a successful login
 * @param helpUrl the "Dépannage" link (lost credentials, assistance site), or null for none
 * @param helpContact who to contact (an address, a phone number, a team), or null for the generic
 *     sentence
 * @param warning the anti-phishing warning, replacing the built-in text in every language, or null
 * @param demo on the embedded store only: create the {@code demo} user and serve the demo key page
 */
public record PortalSettings(
    Set<String> returnHosts,
    int sessionSeconds,
    String helpUrl,
    String helpContact,
    String warning,
    boolean demo) {

  public PortalSettings {
    returnHosts = Set.copyOf(returnHosts);
  }
}
