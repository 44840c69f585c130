package dev.jeton.audit;

import java.nio.charset.StandardCharsets;

/**
 * The Redis Cluster hash slot of a key, as the cluster specification defines it: CRC16 (XMODEM:
 * polynomial 0x1021, initial value 0) of the key, or of its hash tag (what lies between the first
 * {@code {} and the first {@code }} after it, when that is not empty), modulo {@value #SLOTS}. The
 * audit trail uses it to choose the hash tags of its shards (spread over the slot ranges, hence
 * over the masters) and to split what it sends into batches of one slot each: on a cluster, every
 * command of a batch must go to the same slot. Pure, thread-safe.
 */
final class KeySlots {

  /** Slots of a Redis Cluster. */
  static final int SLOTS = 16_384;

  private KeySlots() {}

  /** The slot of {@code key} (its UTF-8 bytes, as the client sends it). */
  static int slot(String key) {
    int open = key.indexOf('{');
    if (open >= 0) {
      int close = key.indexOf('}', open + 1);
      if (close > open + 1) {
        key = key.substring(open + 1, close);
      }
    }
    return crc16(key.getBytes(StandardCharsets.UTF_8)) & (SLOTS - 1);
  }

  /** CRC16/XMODEM, bit by bit: keys are short and few, a table would buy nothing here. */
  static int crc16(byte[] bytes) {
    int crc = 0;
    for (byte b : bytes) {
      crc ^= (b & 0xff) << 8;
      for (int i = 0; i < 8; i++) {
        crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
      }
      crc &= 0xffff;
    }
    return crc;
  }
}
