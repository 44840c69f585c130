package dev.jeton.pskc;

import java.util.Objects;

/**
 * A key of the document that was not imported.
 *
 * @param serial the device serial number, else the key's {@code Id}, else {@code "KeyPackage #n"}
 *     (1-based position)
 * @param reason short, human-readable, never contains key material (for example {@code "ValueMAC
 *     does not match"})
 */
public record PskcSkip(String serial, String reason) {

  public PskcSkip {
    Objects.requireNonNull(serial, "serial");
    Objects.requireNonNull(reason, "reason");
  }
}
