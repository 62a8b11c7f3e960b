package dev.netctl.bgp.rib;

import dev.netctl.bgp.codec.PathAttribute;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Hash-consing table for {@link AttributeSet}: one canonical object per distinct content.
 *
 * <p>Weak rather than reference-counted: routes simply hold the set, and the garbage collector
 * tells us (through a reference queue) when the last one is gone, so withdrawing a route needs no
 * bookkeeping. The table is a {@link ConcurrentHashMap}, so RIB shards intern in parallel without a
 * global lock.
 */
final class AttributeInterner {
  /** The process-wide table; sets from different RIBs are the same values, so they may share. */
  static final AttributeInterner GLOBAL = new AttributeInterner();

  /**
   * The table's entry for a set, its key and its value at once: the set's attributes and next hops
   * (the set's own array and objects, not a copy), so that a set costs no key object of its own,
   * and a weak reference to the set. Equal to a lookup's {@link AttributeContent} and to an entry
   * of the same content.
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

    @Override
    public boolean equals(Object o) {
      if (o == this) {
        return true;
      }
      if (o instanceof AttributeContent c) {
        return c.matches(this);
      }
      return o instanceof Ref r
          && r.hash == hash
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

    @Override
    public int hashCode() {
      return hash;
    }
  }

  // Slots of the recently seen attribute and next-hop objects (see canonical): a power of two, a
  // few times the attribute values of a thousand sets, so that most survive until the next churn
  // of those sets; 16 KiB of slots, and what they hold is bounded by their number.
  private static final int RECENT = 4096;

  // Each entry's key and value are the same Ref (see Ref); lookups pass an AttributeContent.
  private final ConcurrentHashMap<Object, Ref> table = new ConcurrentHashMap<>();
  private final ReferenceQueue<AttributeSet> queue = new ReferenceQueue<>();
  // A direct-mapped cache, not a table: a value replaces whatever held its slot. Shard threads
  // read and write it without a lock; the values are immutable (final fields), so a racing reader
  // sees a complete object or the slot's previous one, and a lost write only costs a duplicate.
  private final Object[] recent = new Object[RECENT];

  /** The interned set with this content, or null. */
  AttributeSet find(AttributeContent key) {
    expunge();
    Ref ref = table.get(key);
    return ref == null ? null : ref.get();
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
    while (true) {
      Ref held = table.putIfAbsent(fresh, fresh);
      if (held == null) {
        return candidate;
      }
      AttributeSet existing = held.get();
      if (existing != null) {
        return existing;
      }
      // A collected set whose entry is not expunged yet: it gives way.
      remove(held);
    }
  }

  /** Number of live entries (collected sets may linger until the next intern call). */
  int size() {
    expunge();
    return table.size();
  }

  private void expunge() {
    for (Object r; (r = queue.poll()) != null; ) {
      remove((Ref) r);
    }
  }

  // Removes the entry if it is this very Ref: an entry of equal content may have replaced it, and
  // CHM.remove(key, value) would compare the values by equals, which here is content.
  private void remove(Ref ref) {
    table.computeIfPresent(ref, (k, v) -> v == ref ? null : v);
  }
}
