package dev.jeton.track;

/**
 * A person or tool allowed on the admin API, with role "admin" or "helpdesk". Only the secret's
 * hash is kept.
 */
public record OperatorRecord(String name, String secretHash, String role) {}
