package dev.netctl.bgp.rib;

import dev.netctl.bgp.codec.PathAttribute;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.net.InetAddress;

/**
 * Hash-consing table for {@link AttributeSet}: one canonical object per distinct content.
 *
 * <p>Weak rather than reference-counted: routes simply hold the set, and the garbage collector
 * tells us (through a reference queue) when the last one is gone, so withdrawing a route needs no
 * bookkeeping. The table is striped: RIB shards intern in parallel, each stripe an open-addressing
 * array under its own lock, so there is no global lock, and an entry costs one array slot where a
 * {@code ConcurrentHashMap} cost a node, a size counter update and now and then a resize that moved
 * every node (a fifth of a new set's cost on the shard, issue 14 session 17).
 */
final class AttributeInterner {
  /** The process-wide table; sets from different RIBs are the same values, so they may share. */
  static final AttributeInterner GLOBAL = new AttributeInterner();

  /**
   * The table's entry for a set: the set's attributes and next hops (the set's own array and
   * objects, not a copy), so that a set costs no key object of its own, and a weak reference to the
   * set.
   */
  static final class Ref extends WeakReference<AttributeSet> {
    final PathAttribute[] attributes;
    final InetAddress nextHop;
    final InetAddress linkLocal;
    final int hash;

    Ref(AttributeSet set, ReferenceQueue<AttributeSet> queue) {
      super(set, queue);
      this.attributes = set.array();
      this.nextHop = set.nextHop();
      this.linkLocal = set.linkLocalNextHop();
      this.hash = set.hashCode();
    }

    /** Whether the two entries hold the same content. */
    boolean sameContent(Ref r) {
      return r.hash == hash
          && AttributeContent.same(
              attributes,
              attributes.length,
              nextHop,
              linkLocal,
              r.attributes,
              r.attributes.length,
              r.nextHop,
              r.linkLocal);
    }
  }

  /**
   * One part of the table, the entries whose hash selects it: an open-addressing array probed
   * linearly, at most three quarters full, guarded by the stripe itself. An entry whose set was
   * collected stays until the reference queue hands it to {@link #remove}, or until an equal
   * candidate takes its slot.
   */
  private static final class Stripe {
    private Ref[] slots = new Ref[16];
    private int size;

    synchronized AttributeSet find(
        PathAttribute[] attributes,
        int size,
        InetAddress nextHop,
        InetAddress linkLocal,
        int hash) {
      Ref[] s = slots;
      int mask = s.length - 1;
      for (int i = index(hash) & mask; s[i] != null; i = (i + 1) & mask) {
        Ref r = s[i];
        if (r.hash == hash
            && AttributeContent.same(
                attributes,
                size,
                nextHop,
                linkLocal,
                r.attributes,
                r.attributes.length,
                r.nextHop,
                r.linkLocal)) {
          return r.get();
        }
      }
      return null;
    }

    synchronized AttributeSet intern(Ref fresh, AttributeSet candidate) {
      Ref[] s = slots;
      int mask = s.length - 1;
      int i = index(fresh.hash) & mask;
      for (; s[i] != null; i = (i + 1) & mask) {
        if (fresh.sameContent(s[i])) {
          AttributeSet existing = s[i].get();
          if (existing != null) {
            return existing;
          }
          // A collected set whose entry is not expunged yet: it gives way (remove, when the queue
          // hands its entry over, finds it gone).
          s[i] = fresh;
          return candidate;
        }
      }
      s[i] = fresh;
      if (++size * 4 > s.length * 3) {
        grow();
      }
      return candidate;
    }

    // Removes the entry if it is this very Ref: an entry of equal content may have replaced it.
    synchronized void remove(Ref ref) {
      Ref[] s = slots;
      int mask = s.length - 1;
      int i = index(ref.hash) & mask;
      while (s[i] != ref) {
        if (s[i] == null) {
          return;
        }
        i = (i + 1) & mask;
      }
      size--;
      // Backward-shift deletion: entries after the hole that probed past it move into it, so no
      // entry's probe sequence runs into a null before reaching it.
      for (int j = (i + 1) & mask; s[j] != null; j = (j + 1) & mask) {
        int home = index(s[j].hash) & mask;
        // Whether home lies cyclically outside (i, j]: then the entry at j may move to i.
        if (i <= j ? (home <= i || home > j) : (home <= i && home > j)) {
          s[i] = s[j];
          i = j;
        }
      }
      s[i] = null;
    }

    synchronized int size() {
      return size;
    }

    private void grow() {
      Ref[] old = slots;
      Ref[] s = new Ref[old.length * 2];
      int mask = s.length - 1;
      for (Ref r : old) {
        if (r != null) {
          int i = index(r.hash) & mask;
          while (s[i] != null) {
            i = (i + 1) & mask;
          }
          s[i] = r;
        }
      }
      slots = s;
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
  private final ReferenceQueue<AttributeSet> queue = new ReferenceQueue<>();
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
   * hash ({@link AttributeContent#hash}) is {@code hash}, or null: no key object per lookup, one
   * per UPDATE received.
   */
  AttributeSet find(
      PathAttribute[] attributes, int size, InetAddress nextHop, InetAddress linkLocal, int hash) {
    expunge();
    return stripe(hash).find(attributes, size, nextHop, linkLocal, hash);
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

  AttributeSet intern(AttributeSet candidate) {
    expunge();
    Ref fresh = new Ref(candidate, queue);
    return stripe(fresh.hash).intern(fresh, candidate);
  }

  /** Number of entries (collected sets may linger until the next intern call). */
  int size() {
    expunge();
    int n = 0;
    for (Stripe s : stripes) {
      n += s.size();
    }
    return n;
  }

  private void expunge() {
    for (Object r; (r = queue.poll()) != null; ) {
      Ref ref = (Ref) r;
      stripe(ref.hash).remove(ref);
    }
  }
}
