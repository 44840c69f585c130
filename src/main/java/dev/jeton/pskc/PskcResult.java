package dev.jeton.pskc;

import java.util.List;

/**
 * The outcome of {@link PskcParser#parse}: the keys that can be imported, and the keys that were
 * skipped with a reason, each in document order.
 */
public record PskcResult(List<PskcKey> keys, List<PskcSkip> skipped) {

  public PskcResult {
    keys = List.copyOf(keys);
    skipped = List.copyOf(skipped);
  }
}
