package dev.jeton.config;

/**
 * A configuration value that cannot be used; the message names the variable and never echoes a
 * secret.
 */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }
}
