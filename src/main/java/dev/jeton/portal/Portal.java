package dev.jeton.portal;

import dev.jeton.config.Config;
import dev.jeton.config.PortalSettings;
import dev.jeton.web.Csrf;
import java.time.Clock;
import java.time.Duration;

/**
 * What every portal instance shares: the operator's settings, the session and CSRF keys (derived
 * from the master key, each for its own purpose), the PIN bounds and, on the embedded store only,
 * the demo key. Immutable and thread-safe.
 *
 * @param demo the demo user's key, or null (Jeton makes one only on the embedded store)
 * @param tls whether the public listener serves HTTPS, so that cookies are marked {@code Secure}
 */
public record Portal(
    PortalSettings settings,
    SessionCookie sessions,
    Csrf csrf,
    int pinMinLength,
    int pinMaxLength,
    DemoKey demo,
    boolean tls,
    Clock clock) {

  public static Portal from(Config config, Clock clock, DemoKey demo) {
    PortalSettings s = config.portal();
    return new Portal(
        s,
        new SessionCookie(
            config.masterKey().derive("jeton/portal-session/v1"),
            clock,
            Duration.ofSeconds(s.sessionSeconds())),
        new Csrf(config.masterKey().derive("jeton/portal-csrf/v1")),
        config.pinMinLength(),
        config.pinMaxLength(),
        demo,
        config.tlsCertFile() != null,
        clock);
  }
}
