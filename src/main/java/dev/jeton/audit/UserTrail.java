package dev.jeton.audit;

/**
 * A user's own audit trail in Redis ({@code NS:{u:NAME}:a}, in the user's hash slot): a list,
 * newest pushed first, of the user's newest {@value #KEEP} events, each as {@link
 * AuditEvent#packed()} packs it, expiring with the trail's age cap (and read only up to it). Two
 * writers push onto it: the commit that consumes a code (an ACCEPT's event, in the same atomic
 * step: {@code lua/commit.lua}) and the audit sink (every other event about a known user). Entries
 * pushed by earlier builds are ids of entries of the single stream of those builds ({@code
 * 1733390000000-0}). Pure, thread-safe.
 */
public final class UserTrail {

  /** Events kept per user: enough for the helpdesk's view of one user. */
  public static final int KEEP = 100;

  private UserTrail() {}

  /** An entry of earlier builds: the id of an entry of their single stream. */
  static boolean isStreamId(String entry) {
    int dash = entry.indexOf('-');
    if (dash < 1 || dash == entry.length() - 1) {
      return false;
    }
    for (int i = 0; i < entry.length(); i++) {
      char c = entry.charAt(i);
      if (i != dash && (c < '0' || c > '9')) {
        return false;
      }
    }
    return true;
  }
}
