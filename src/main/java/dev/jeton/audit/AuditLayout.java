package dev.jeton.audit;

import java.util.ArrayList;
import java.util.List;

/**
 * Where the Redis audit trail keeps what, for one key namespace ({@code jeton} in the names below).
 * Immutable, thread-safe.
 *
 * <ul>
 *   <li>{@code jeton:audit:{aI-K}} for I = 0 to {@value #SHARDS}−1: the district-wide trail of
 *       decisions about usernames that exist and of admin actions, in {@value #SHARDS} streams
 *       ("shards"), each event in one of them. {@code aI-K} is the first tag (K = 0, 1, 2 …) whose
 *       hash slot lies in the I-th of {@value #SHARDS} equal slot ranges, so that on Redis Cluster
 *       the shards spread over the masters as the slots do, and no one master takes every login's
 *       write. The names follow from the CRC16 of the cluster specification ({@link KeySlots}):
 *       they never change from one build to the next.
 *   <li>{@code jeton:audit:{aI-K}:unknown}: decisions about usernames that do not exist, sharded
 *       the same way; shard I's two streams share a slot, so one batch writes both.
 *   <li>{@code jeton:audit:{aI-K}:no-index}: a key no one creates; the index commands of an unknown
 *       username's event go to it (in its shard's slot), and change nothing.
 *   <li>{@code jeton:{u:NAME}:a}: the user's own trail, in the user's slot (the store names it too:
 *       {@code track.RedisKeys#auditTrail}): the newest {@value UserTrail#KEEP} of the user's
 *       events, whole (see {@link UserTrail}).
 *   <li>{@code jeton:audit} and {@code jeton:audit:unknown}: the single streams of earlier builds,
 *       no longer written, read as one more shard each until age trims them empty; the user trails
 *       of earlier builds hold ids of entries of {@code jeton:audit}.
 * </ul>
 */
final class AuditLayout {

  /** Shards of each district-wide stream. */
  static final int SHARDS = 16;

  /** The hash tags of the shards, by shard number, the same in every namespace. */
  private static final String[] TAGS = tags();

  private final String namespace;
  private final List<String> known = new ArrayList<>(SHARDS);
  private final List<String> unknown = new ArrayList<>(SHARDS);
  private final List<String> noIndex = new ArrayList<>(SHARDS);

  AuditLayout(String namespace) {
    this.namespace = namespace;
    for (String tag : TAGS) {
      String shard = namespace + ":audit:{" + tag + "}";
      known.add(shard);
      unknown.add(shard + ":unknown");
      noIndex.add(shard + ":no-index");
    }
  }

  /** Shard {@code i} of the decisions about usernames that exist and admin actions. */
  String known(int i) {
    return known.get(i);
  }

  /** Shard {@code i} of the decisions about usernames that do not exist. */
  String unknown(int i) {
    return unknown.get(i);
  }

  /** The key, in shard {@code i}'s slot, that the index commands of an unknown username hit. */
  String noIndex(int i) {
    return noIndex.get(i);
  }

  /** The single known-user stream of earlier builds, read as one more shard. */
  String legacy() {
    return namespace + ":audit";
  }

  /** The single unknown-user stream of earlier builds, read as one more shard. */
  String legacyUnknown() {
    return namespace + ":audit:unknown";
  }

  /** The user's own trail: same hash tag as the user's keys in the store. */
  String trail(String username) {
    return namespace + ":{u:" + username + "}:a";
  }

  /** Every stream, shards and the streams of earlier builds: what the age trim goes through. */
  List<String> streams() {
    List<String> all = new ArrayList<>(2 * SHARDS + 2);
    all.addAll(known);
    all.addAll(unknown);
    all.add(legacy());
    all.add(legacyUnknown());
    return all;
  }

  /** The first tag {@code aI-K} of each slot range I, in order. */
  private static String[] tags() {
    String[] tags = new String[SHARDS];
    int range = KeySlots.SLOTS / SHARDS;
    for (int i = 0; i < SHARDS; i++) {
      for (int k = 0; tags[i] == null; k++) {
        String tag = "a" + i + "-" + k;
        if (KeySlots.slot(tag) / range == i) {
          tags[i] = tag;
        }
      }
    }
    return tags;
  }
}
