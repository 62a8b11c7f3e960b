package dev.netctl.bgp.rib;

import dev.netctl.bgp.codec.PathAttribute;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.net.InetAddress;
import java.util.List;
import java.util.Objects;
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

  // The set's own hash, computed once: a record's generated hashCode would hash every attribute
  // again on each lookup (one per UPDATE received), through method handles that C1 does not
  // inline.
  private record Key(
      List<PathAttribute> attributes, InetAddress nextHop, InetAddress linkLocal, int hash) {
    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k
          && k.hash == hash
          && k.attributes.equals(attributes)
          && Objects.equals(k.nextHop, nextHop)
          && Objects.equals(k.linkLocal, linkLocal);
    }
  }

  private static final class Ref extends WeakReference<AttributeSet> {
    final Key key;

    Ref(AttributeSet set, Key key, ReferenceQueue<AttributeSet> queue) {
      super(set, queue);
      this.key = key;
    }
  }

  private final ConcurrentHashMap<Key, Ref> table = new ConcurrentHashMap<>();
  private final ReferenceQueue<AttributeSet> queue = new ReferenceQueue<>();

  AttributeSet intern(AttributeSet candidate) {
    expunge();
    Key key =
        new Key(
            candidate.attributes(),
            candidate.nextHop(),
            candidate.linkLocalNextHop(),
            candidate.hashCode());
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
