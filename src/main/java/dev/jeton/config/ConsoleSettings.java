package dev.jeton.config;

import java.time.Duration;

/**
 * What an operator sets for the helpdesk console served on the management listener. Immutable.
 *
 * @param idleMinutes a console session unused this long ends ({@code JETON_CONSOLE_IDLE_MINUTES})
 * @param maxHours and any session ends this long after its sign-in, used or not ({@code
 *     JETON_CONSOLE_MAX_HOURS})
 */
public record ConsoleSettings(int idleMinutes, int maxHours) {

  public Duration idle() {
    return Duration.ofMinutes(idleMinutes);
  }

  public Duration lifetime() {
    return Duration.ofHours(maxHours);
  }
}
