package dev.jeton.http;

import dev.jeton.verify.Verifier;

/**
 * Breaks a rule on purpose, for {@code ArchitectureTest}: an intake that holds the verifier instead
 * of asking the bus.
 */
final class IntakeCallingTheVerifier {

  Verifier verifier;
}
