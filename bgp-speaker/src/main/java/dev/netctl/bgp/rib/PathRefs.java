package dev.netctl.bgp.rib;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The Loc-RIB's entries behind the int references of its {@link PackedPrefixTable}: a compact
 * entry's (source, attributes) pair, interned and reference-counted so a million prefixes over a
 * thousand attribute sets share a thousand pairs, or a {@link Destination} of its own. A freed
 * reference is reused. Owned by one shard thread.
 */
final class PathRefs {
  // Source of a pair (a Peer, or the AdjRibIn of a shared entry), or a Destination.
  private Object[] sources = new Object[64];
  private AttributeSet[] attributes = new AttributeSet[64];
  private int[] counts = new int[64];
  private int[] free = new int[64];
  private int freeCount;
  private int next;
  // Pairs by identity of source and attributes (both are shared objects: sessions pass one Peer,
  // attribute sets are interned).
  private final Map<Pair, Integer> pairs = new HashMap<>();
  // The last pair taken: consecutive prefixes of one UPDATE share it.
  private int last = -1;

  private record Pair(Object source, AttributeSet attributes) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Pair p && p.source == source && p.attributes == attributes;
    }

    @Override
    public int hashCode() {
      return 31 * System.identityHashCode(source) + System.identityHashCode(attributes);
    }
  }

  /** A reference to the pair, counted once more. */
  int pair(Object source, AttributeSet attrs) {
    int ref = last;
    if (ref < 0 || sources[ref] != source || attributes[ref] != attrs || counts[ref] == 0) {
      Integer known = pairs.get(new Pair(source, attrs));
      if (known == null) {
        ref = allocate(source, attrs);
        pairs.put(new Pair(source, attrs), ref);
      } else {
        ref = known;
      }
      last = ref;
    }
    counts[ref]++;
    return ref;
  }

  /** A reference of its own to {@code d}. */
  int single(Destination d) {
    int ref = allocate(d, null);
    counts[ref] = 1;
    return ref;
  }

  /** Drops one use of {@code ref}; the last frees it. */
  void release(int ref) {
    if (--counts[ref] > 0) {
      return;
    }
    if (!(sources[ref] instanceof Destination)) {
      pairs.remove(new Pair(sources[ref], attributes[ref]));
    }
    sources[ref] = null;
    attributes[ref] = null;
    if (freeCount == free.length) {
      free = Arrays.copyOf(free, freeCount * 2);
    }
    free[freeCount++] = ref;
  }

  /** The source of a pair, or the Destination. */
  Object source(int ref) {
    return sources[ref];
  }

  /** The attributes of a pair (null for a Destination). */
  AttributeSet attributes(int ref) {
    return attributes[ref];
  }

  private int allocate(Object source, AttributeSet attrs) {
    int ref;
    if (freeCount > 0) {
      ref = free[--freeCount];
    } else {
      if (next > PackedPrefixTable.MAX_REF) {
        throw new IllegalStateException(
            "a Loc-RIB shard holds more than " + (PackedPrefixTable.MAX_REF + 1) + " path sets");
      }
      ref = next++;
      if (ref == sources.length) {
        int n = ref * 2;
        sources = Arrays.copyOf(sources, n);
        attributes = Arrays.copyOf(attributes, n);
        counts = Arrays.copyOf(counts, n);
      }
    }
    sources[ref] = source;
    attributes[ref] = attrs;
    return ref;
  }
}
