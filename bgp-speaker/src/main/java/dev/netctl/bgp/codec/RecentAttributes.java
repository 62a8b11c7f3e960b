package dev.netctl.bgp.codec;

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

  // The value is read where it lies, in the message's array (UpdateDecoder): a copy of it read
  // from the buffer first went through the buffer's index and reference-count checks, virtual
  // calls the C1-only speaker does not inline (issue 14 session 19).

  /** The hash of the {@code length} octets of {@code m} from {@code at} (a value). */
  static int hash(int kind, byte[] m, int at, int length) {
    int h = kind * 31 + length;
    int end = at + length;
    int i = at;
    for (; end - i >= 4; i += 4) {
      h = h * 31 + word(m, i);
    }
    if (i < end) {
      h = h * 31 + tail(m, i, end);
    }
    return h * 0x9E3779B9;
  }

  /**
   * The attribute decoded from the same octets as the value at {@code at} of {@code m}, or null.
   */
  static PathAttribute find(int kind, int hash, byte[] m, int at, int length) {
    Entry e = ENTRIES[slot(hash)];
    if (e == null || e.hash != hash || e.kind != kind || e.length != length) {
      return null;
    }
    int[] words = e.words;
    int full = length >>> 2;
    for (int i = 0; i < full; i++) {
      if (words[i] != word(m, at + (i << 2))) {
        return null;
      }
    }
    if (full < words.length && words[full] != tail(m, at + (full << 2), at + length)) {
      return null;
    }
    return e.attribute;
  }

  /** Keeps {@code a}, decoded from the value at {@code at} of {@code m}. */
  static void keep(int kind, int hash, byte[] m, int at, int length, PathAttribute a) {
    int[] words = new int[(length + 3) / 4];
    int full = length >>> 2;
    for (int i = 0; i < full; i++) {
      words[i] = word(m, at + (i << 2));
    }
    if (full < words.length) {
      words[full] = tail(m, at + (full << 2), at + length);
    }
    ENTRIES[slot(hash)] = new Entry(kind, hash, length, words, a);
  }

  private static int slot(int hash) {
    return (hash ^ (hash >>> 16)) & (SLOTS - 1);
  }

  // The four octets from at, big-endian.
  private static int word(byte[] b, int at) {
    return (b[at] & 0xff) << 24
        | (b[at + 1] & 0xff) << 16
        | (b[at + 2] & 0xff) << 8
        | b[at + 3] & 0xff;
  }

  // The one to three octets from at to end, big-endian, zeros after them: the value's last word,
  // read without the octets that follow the value in the message.
  private static int tail(byte[] b, int at, int end) {
    int w = (b[at] & 0xff) << 24;
    if (at + 1 < end) {
      w |= (b[at + 1] & 0xff) << 16;
      if (at + 2 < end) {
        w |= (b[at + 2] & 0xff) << 8;
      }
    }
    return w;
  }
}
