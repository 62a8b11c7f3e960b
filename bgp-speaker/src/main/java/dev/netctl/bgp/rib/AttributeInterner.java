package dev.netctl.bgp.rib;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
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

  private static final class Ref extends WeakReference<AttributeSet> {
    final AttributeSet.Content key;

    Ref(AttributeSet set, AttributeSet.Content key, ReferenceQueue<AttributeSet> queue) {
      super(set, queue);
      this.key = key;
    }
  }

  // Slots of the recently seen attribute and next-hop objects (see canonical): a power of two, a
  // few times the attribute values of a thousand sets, so that most survive until the next churn
  // of those sets; 16 KiB of slots, and what they hold is bounded by their number.
  private static final int RECENT = 4096;

  private final ConcurrentHashMap<AttributeSet.Content, Ref> table = new ConcurrentHashMap<>();
  private final ReferenceQueue<AttributeSet> queue = new ReferenceQueue<>();
  // A direct-mapped cache, not a table: a value replaces whatever held its slot. Shard threads
  // read and write it without a lock; the values are immutable (final fields), so a racing reader
  // sees a complete object or the slot's previous one, and a lost write only costs a duplicate.
  private final Object[] recent = new Object[RECENT];

  /** The interned set with this content, or null. */
  AttributeSet find(AttributeSet.Content key) {
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
    AttributeSet.Content key = candidate.content();
    while (true) {
      Ref ref = table.get(key);
      AttributeSet existing = ref == null ? null : ref.get();
      if (existing != null) {
        return existing;
      }
      Ref fresh = new Ref(candidate, key, queue);
      if (ref == null ? table.putIfAbsent(key, fresh) == null : table.replace(key, ref, fresh)) {
        return candidate;
      }
    }
  }

  /** Number of live entries (collected sets may linger until the next intern call). */
  int size() {
    expunge();
    return table.size();
  }

  private void expunge() {
    for (Object r; (r = queue.poll()) != null; ) {
      Ref ref = (Ref) r;
      table.remove(ref.key, ref);
    }
  }
}
