package dev.jeton.console;

import dev.jeton.config.Config;
import dev.jeton.crypto.Sealer;
import dev.jeton.web.Csrf;
import java.time.Clock;

/**
 * What the console shares across requests: its sessions and CSRF keys (derived from the master key,
 * each for its own purpose, none shared with the portal), the PIN bounds shown on the NEW_PIN page,
 * whether the listener serves TLS, and the clock. Immutable and thread-safe.
 */
public record Console(
    ConsoleSessions sessions,
    Csrf csrf,
    int pinMinLength,
    int pinMaxLength,
    boolean tls,
    Clock clock) {

  public static Console from(Config config, Clock clock) {
    return new Console(
        new ConsoleSessions(
            new Sealer(config.masterKey(), "jeton/console-session/v1"),
            clock,
            config.console().idle(),
            config.console().lifetime()),
        new Csrf(config.masterKey().derive("jeton/console-csrf/v1")),
        config.pinMinLength(),
        config.pinMaxLength(),
        config.tlsCertFile() != null,
        clock);
  }
}
