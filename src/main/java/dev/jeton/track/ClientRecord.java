package dev.jeton.track;

/** A portal allowed to call the authentication API. Only the secret's hash is kept. */
public record ClientRecord(
    String name, String secretHash, boolean trustClientIp, String defaultLevel) {}
