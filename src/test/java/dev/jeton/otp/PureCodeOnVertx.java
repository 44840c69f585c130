package dev.jeton.otp;

import io.vertx.core.Vertx;

/** Breaks a rule on purpose, for {@code ArchitectureTest}: OTP code that needs Vert.x. */
final class PureCodeOnVertx {

  Vertx vertx;
}
