package dev.netctl.bgp.rib;

import dev.netctl.bgp.codec.PathAttribute;
import java.lang.ref.WeakReference;
import java.net.InetAddress;

/**
 * Hash-consing table for {@link AttributeSet}: one canonical object per distinct content.
 *
 * <p>Weak rather than reference-counted: routes simply hold the set, and the garbage collector
 * clears the table's reference when the last one is gone, so withdrawing a route needs no
 * bookkeeping. The table is striped: RIB shards intern in parallel, each stripe an open-addressing
 * array under its own lock, so there is no global lock, and an entry costs one array slot where a
 * {@code ConcurrentHashMap} cost a node, a size counter update and now and then a resize that moved
 * every node (a fifth of a new set's cost on the shard, issue 14 session 17).
 */
final class AttributeInterner {
  /** The process-wide table; sets from different RIBs are the same values, so they may share. */
  static final AttributeInterner GLOBAL = new AttributeInterner();

  /**
   * One part of the table, the entries whose hash selects it: an open-addressing array of weak
   * references probed linearly, with their sets' hashes in an array beside it (0 for an empty
   * slot), guarded by the stripe itself. A probe reads that array alone and follows a reference
   * only on a match: the entries of a busy table are scattered over the heap (many in the old
   * generation), and a probe that read each one's hash from it missed the cache at every step.
   *
   * <p>The entry of a collected set stays as a tombstone (the probe goes on past it) until an equal
   * set takes its slot or the array is rebuilt, which drops them all: no reference queue, whose
   * lock every collected set took twice (once handed over, once polled) and whose removals each
   * probed the array again (an eighth of a new set's cost on the shard, issue 14 session 18).
   */
  private static final class Stripe {
    private WeakReference<AttributeSet>[] slots = newSlots(16);
    // The hash of the set in the same slot, as key() makes it: never 0, which marks a free slot.
    private int[] hashes = new int[16];
    // Slots taken, by live entries and tombstones: what bounds the probes.
    private int used;

    /** The interned set of this content, or null. */
    synchronized AttributeSet find(
        PathAttribute[] attributes,
        int size,
        InetAddress nextHop,
        InetAddress linkLocal,
        int hash) {
      int key = key(hash);
      WeakReference<AttributeSet>[] s = slots;
      int[] h = hashes;
      int mask = h.length - 1;
      for (int i = index(key) & mask; h[i] != 0; i = (i + 1) & mask) {
        if (h[i] == key) {
          AttributeSet set = s[i].get();
          if (set != null && set.sameContent(attributes, size, nextHop, linkLocal)) {
            return set;
          }
        }
      }
      return null;
    }

    /**
     * The interned set of this content; when there is none, {@code candidate} (of this content and
     * hash) or, when that is null, a set {@link AttributeSet#created} of it, interned. One probe
     * under one lock for a new set, where a find and then an insertion took the lock and probed
     * twice.
     */
    synchronized AttributeSet intern(
        AttributeInterner interner,
        PathAttribute[] attributes,
        int size,
        InetAddress nextHop,
        InetAddress linkLocal,
        int hash,
        AttributeSet candidate,
        AttributeSet from) {
      int key = key(hash);
      WeakReference<AttributeSet>[] s = slots;
      int[] h = hashes;
      int mask = h.length - 1;
      int free = -1;
      int i = index(key) & mask;
      for (; h[i] != 0; i = (i + 1) & mask) {
        if (h[i] == key) {
          AttributeSet set = s[i].get();
          if (set == null) {
            // A collected set's tombstone: the new set may take it, if no live one is further on.
            if (free < 0) {
              free = i;
            }
          } else if (set.sameContent(attributes, size, nextHop, linkLocal)) {
            return set;
          }
        }
      }
      AttributeSet fresh =
          candidate != null
              ? candidate
              : AttributeSet.created(interner, attributes, size, nextHop, linkLocal, hash, from);
      if (free >= 0) {
        s[free] = new WeakReference<>(fresh);
        return fresh;
      }
      s[i] = new WeakReference<>(fresh);
      h[i] = key;
      if (++used * 4 > s.length * 3) {
        rebuild();
      }
      return fresh;
    }

    /** Entries whose sets are not collected. */
    synchronized int size() {
      int n = 0;
      for (WeakReference<AttributeSet> r : slots) {
        if (r != null && r.get() != null) {
          n++;
        }
      }
      return n;
    }

    // The live entries into an array where they take at most three eighths: doubled when the
    // tombstones were few, the same size when they were many (a churn's sets are replaced by as
    // many
    // new ones). Never smaller: a table that held many sets is likely to again.
    private void rebuild() {
      WeakReference<AttributeSet>[] old = slots;
      int[] oldHashes = hashes;
      int live = 0;
      for (int i = 0; i < old.length; i++) {
        if (old[i] != null && old[i].get() != null) {
          live++;
        } else {
          oldHashes[i] = 0;
        }
      }
      int length = old.length;
      while (live * 8 > length * 3) {
        length *= 2;
      }
      WeakReference<AttributeSet>[] s = newSlots(length);
      int[] h = new int[length];
      int mask = length - 1;
      for (int k = 0; k < old.length; k++) {
        if (oldHashes[k] != 0) {
          int i = index(oldHashes[k]) & mask;
          while (h[i] != 0) {
            i = (i + 1) & mask;
          }
          s[i] = old[k];
          h[i] = oldHashes[k];
        }
      }
      slots = s;
      hashes = h;
      used = live;
    }

    // A set's hash as the stripe keeps it: 0 marks a free slot, so a hash of 0 is kept as 1 (the
    // two are told apart by content, as any two sets of one hash are).
    private static int key(int hash) {
      return hash != 0 ? hash : 1;
    }

    @SuppressWarnings("unchecked")
    private static WeakReference<AttributeSet>[] newSlots(int length) {
      return (WeakReference<AttributeSet>[]) new WeakReference<?>[length];
    }
  }

  // Stripes, a power of two: more than the RIB has shards, so that two rarely meet on one.
  private static final int STRIPES = 16;

  // The slot a hash starts from, its bits spread (content hashes of similar sets differ little);
  // the stripe takes the top bits, the slot the low ones.
  private static int index(int hash) {
    int h = hash * 0x9E3779B9;
    return h ^ (h >>> 16);
  }

  // Slots of the recently seen attribute and next-hop objects (see canonical): a power of two, a
  // few times the attribute values of a thousand sets, so that most survive until the next churn
  // of those sets; 16 KiB of slots, and what they hold is bounded by their number.
  private static final int RECENT = 4096;

  private final Stripe[] stripes = new Stripe[STRIPES];
  // A direct-mapped cache, not a table: a value replaces whatever held its slot. Shard threads
  // read and write it without a lock; the values are immutable (final fields), so a racing reader
  // sees a complete object or the slot's previous one, and a lost write only costs a duplicate.
  private final Object[] recent = new Object[RECENT];

  AttributeInterner() {
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new Stripe();
    }
  }

  private Stripe stripe(int hash) {
    return stripes[(hash * 0x9E3779B9) >>> (32 - Integer.numberOfTrailingZeros(STRIPES))];
  }

  /**
   * The interned set of the first {@code size} of {@code attributes} and these next hops, whose
   * hash ({@link AttributeContent#hash}) is {@code hash}, or null: no key object per lookup.
   */
  AttributeSet find(
      PathAttribute[] attributes, int size, InetAddress nextHop, InetAddress linkLocal, int hash) {
    return stripe(hash).find(attributes, size, nextHop, linkLocal, hash);
  }

  /**
   * The interned set of this content (as for {@link #find}), made by {@link AttributeSet#created}
   * and interned when there is none: {@code from} is passed on to it.
   */
  AttributeSet intern(
      PathAttribute[] attributes,
      int size,
      InetAddress nextHop,
      InetAddress linkLocal,
      int hash,
      AttributeSet from) {
    return stripe(hash).intern(this, attributes, size, nextHop, linkLocal, hash, null, from);
  }

  /** The interned set equal to {@code candidate}, which becomes it when there is none. */
  AttributeSet intern(AttributeSet candidate) {
    PathAttribute[] own = candidate.array();
    int hash = candidate.hashCode();
    return stripe(hash)
        .intern(
            this,
            own,
            own.length,
            candidate.nextHop(),
            candidate.linkLocalNextHop(),
            hash,
            candidate,
            null);
  }

  /**
   * An object equal to {@code value} that a recent new set holds, or {@code value} itself (then
   * remembered for the sets after it): equal attributes of different sets become one object. For
   * immutable values only; null gives null.
   */
  @SuppressWarnings("unchecked")
  <T> T canonical(T value) {
    if (value == null) {
      return null;
    }
    int h = value.hashCode() * 0x9E3779B9;
    int slot = (h ^ (h >>> 16)) & (RECENT - 1);
    Object seen = recent[slot];
    if (seen == value) {
      return value;
    }
    if (seen != null && seen.getClass() == value.getClass() && seen.equals(value)) {
      return (T) seen;
    }
    recent[slot] = value;
    return value;
  }

  /** Number of entries whose sets are not collected. */
  int size() {
    int n = 0;
    for (Stripe s : stripes) {
      n += s.size();
    }
    return n;
  }
}
