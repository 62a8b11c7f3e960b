package dev.netctl.bgp.codec;

import io.netty.buffer.ByteBuf;

/**
 * Attributes recently decoded, by the octets they were decoded from: an attribute received again
 * (the same NEXT_HOP in every UPDATE of a peer, the AS_PATH and COMMUNITIES of a route announced
 * again) is the object decoded before, not a new one. Each new one was garbage the moment the RIB's
 * interner found an equal value, and was live in every UPDATE queued for the RIB when a young
 * collection came (issue 14 session 17); given the same object, the interner compares by identity.
 *
 * <p>Only for values that decode the same way whatever the session (bar the AS number size, part of
 * the key) and that parsed without error: a value in here was well-formed, so the same octets are
 * (RFC 7606 checks before the cache is asked are those of the flags, which it does not skip).
 *
 * <p>A direct-mapped cache, not a table: a value replaces whatever held its slot. Event loops read
 * and write it without a lock; an entry is immutable (final fields, its values records of final
 * fields), so a racing reader sees a complete entry or the slot's previous one.
 */
final class RecentAttributes {
  // Slots, a power of two: the AS paths and communities of a thousand attribute sets, with room for
  // most to keep their slot until the sets are announced again. 16 KiB of slots; an entry holds a
  // value of at most MAX_LENGTH octets.
  private static final int SLOTS = 4096;

  /** The longest value kept, in octets: an AS_PATH of a dozen 4-octet numbers. */
  static final int MAX_LENGTH = 52;

  private record Entry(int kind, int hash, int length, int[] words, PathAttribute attribute) {}

  private static final Entry[] ENTRIES = new Entry[SLOTS];

  private RecentAttributes() {}

  /** Whether values of this type are kept: those common to many UPDATEs and small. */
  static boolean kept(int type) {
    // AS_PATH, NEXT_HOP, MULTI_EXIT_DISC, LOCAL_PREF, COMMUNITIES.
    return type >= 2 && type <= 5 || type == 8;
  }

  /**
   * The key of a type's value for a session: the type and, for AS_PATH, the AS number size it is
   * read with.
   */
  static int kind(int type, CodecContext ctx) {
    return type == 2 && !ctx.fourOctetAs() ? type | 0x100 : type;
  }

  /** The hash of the readable octets of {@code v} (the value) for {@code kind}. */
  static int hash(int kind, ByteBuf v) {
    int end = v.writerIndex();
    int h = kind * 31 + (end - v.readerIndex());
    for (int at = v.readerIndex(); at < end; at += 4) {
      h = h * 31 + word(v, at, end);
    }
    return h * 0x9E3779B9;
  }

  /** The attribute decoded from the same octets as the readable ones of {@code v}, or null. */
  static PathAttribute find(int kind, int hash, ByteBuf v) {
    Entry e = ENTRIES[slot(hash)];
    if (e == null || e.hash != hash || e.kind != kind || e.length != v.readableBytes()) {
      return null;
    }
    int[] words = e.words;
    int end = v.writerIndex();
    for (int i = 0, at = v.readerIndex(); i < words.length; i++, at += 4) {
      if (words[i] != word(v, at, end)) {
        return null;
      }
    }
    return e.attribute;
  }

  /** Keeps {@code a}, decoded from the octets of {@code v} between {@code from} and its end. */
  static void keep(int kind, int hash, ByteBuf v, int from, PathAttribute a) {
    int end = v.writerIndex();
    int[] words = new int[(end - from + 3) / 4];
    for (int i = 0, at = from; i < words.length; i++, at += 4) {
      words[i] = word(v, at, end);
    }
    ENTRIES[slot(hash)] = new Entry(kind, hash, end - from, words, a);
  }

  private static int slot(int hash) {
    return (hash ^ (hash >>> 16)) & (SLOTS - 1);
  }

  // The four octets from at, big-endian, those past end as zeros.
  private static int word(ByteBuf v, int at, int end) {
    if (end - at >= 4) {
      return v.getInt(at);
    }
    int w = 0;
    for (int i = 0; i < 4; i++) {
      w = w << 8 | (at + i < end ? v.getUnsignedByte(at + i) : 0);
    }
    return w;
  }
}
