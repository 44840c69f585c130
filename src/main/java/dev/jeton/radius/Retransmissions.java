package dev.jeton.radius;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The requests of the last {@value #KEEP_MILLIS} ms by source address and port, identifier and
 * Request Authenticator (RFC 5080 §2.2.2): a NAS that did not hear an answer sends the same
 * datagram again, and it must get the same answer, not a second evaluation — a passcode evaluated
 * twice would be refused the second time as a replay, and the user would see a refusal of the right
 * code. While the first is being decided, copies are dropped (the answer goes out once, when it is
 * ready); once answered, a copy gets the same bytes again.
 *
 * <p>Bounded: at most {@code capacity} entries, the oldest going first. Used on the intake's event
 * loop only.
 */
final class Retransmissions {

  static final long KEEP_MILLIS = 30_000;

  /** An answered request's datagram, or null while it is being decided. */
  private static final class Entry {
    final long at;
    byte[] answer;

    Entry(long at) {
      this.at = at;
    }
  }

  private final int capacity;
  private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>();

  Retransmissions(int capacity) {
    this.capacity = capacity;
  }

  /** What a datagram is to the cache. */
  enum Seen {
    NEW,
    IN_PROGRESS,
    ANSWERED
  }

  /**
   * Looks the request up, and when it is new, records it as being decided.
   *
   * @param now milliseconds on any monotonic clock
   */
  Seen begin(String key, long now) {
    expire(now);
    Entry e = entries.get(key);
    if (e != null) {
      return e.answer == null ? Seen.IN_PROGRESS : Seen.ANSWERED;
    }
    if (entries.size() >= capacity) {
      Iterator<Map.Entry<String, Entry>> oldest = entries.entrySet().iterator();
      oldest.next();
      oldest.remove();
    }
    entries.put(key, new Entry(now));
    return Seen.NEW;
  }

  /** The answer kept for a request {@link Seen#ANSWERED}, or null. */
  byte[] answer(String key) {
    Entry e = entries.get(key);
    return e == null ? null : e.answer;
  }

  /** Keeps the answer to repeat it to a copy of the request. */
  void answered(String key, byte[] answer) {
    Entry e = entries.get(key);
    if (e != null) {
      e.answer = answer;
    }
  }

  /**
   * Forgets a request that got no answer (the store was unavailable): the NAS's next copy is
   * decided afresh.
   */
  void forget(String key) {
    entries.remove(key);
  }

  int size() {
    return entries.size();
  }

  private void expire(long now) {
    Iterator<Entry> it = entries.values().iterator();
    while (it.hasNext()) {
      if (now - it.next().at < KEEP_MILLIS) {
        return;
      }
      it.remove();
    }
  }

  /** The key of one request. */
  static String key(String sourceIp, int sourcePort, int identifier, byte[] authenticator) {
    StringBuilder b = new StringBuilder(sourceIp.length() + 48);
    b.append(sourceIp).append('|').append(sourcePort).append('|').append(identifier).append('|');
    for (byte x : authenticator) {
      b.append(Character.forDigit((x >> 4) & 0xf, 16)).append(Character.forDigit(x & 0xf, 16));
    }
    return b.toString();
  }
}
