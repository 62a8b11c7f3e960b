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

  private final ConcurrentHashMap<AttributeSet.Content, Ref> table = new ConcurrentHashMap<>();
  private final ReferenceQueue<AttributeSet> queue = new ReferenceQueue<>();

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
