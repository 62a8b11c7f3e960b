package dev.netctl.bgp.rib;

import java.util.Arrays;

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
  // Each pair's hash, kept from when it was made: removing a pair from the index rehashed it and
  // every pair its removal moved, and a source's identity hash is a native call under the C1-only
  // speaker; a churn of a thousand sets frees and makes a thousand pairs.
  private int[] hashes = new int[64];
  private int[] free = new int[64];
  private int freeCount;
  private int next;
  // The pairs' index: open addressing with linear probing, a slot holding its pair's reference + 1
  // (0 for empty), at most half full. Pairs are found by identity of source and attributes (both
  // shared objects: sessions pass one Peer, attribute sets are interned). No key object, map node
  // or boxed reference per pair: a churn of a thousand sets makes and frees a thousand pairs.
  private int[] index = new int[128];
  private int pairCount;
  // The last pair taken: consecutive prefixes of one UPDATE share it.
  private int last = -1;

  /** A reference to the pair, counted once more. */
  int pair(Object source, AttributeSet attrs) {
    int ref = last;
    if (ref < 0 || sources[ref] != source || attributes[ref] != attrs || counts[ref] == 0) {
      int mask = index.length - 1;
      int h = hash(source, attrs);
      int slot = h & mask;
      while (true) {
        int held = index[slot] - 1;
        if (held < 0) {
          ref = allocate(source, attrs);
          hashes[ref] = h;
          index[slot] = ref + 1;
          if (++pairCount * 2 > index.length) {
            grow();
          }
          break;
        }
        if (sources[held] == source && attributes[held] == attrs) {
          ref = held;
          break;
        }
        slot = (slot + 1) & mask;
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
      unindex(ref);
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

  /** Number of pairs indexed (for tests). */
  int pairs() {
    return pairCount;
  }

  // Attribute sets hash their content (a field read); sources by identity, as they are compared.
  private static int hash(Object source, AttributeSet attrs) {
    int h = System.identityHashCode(source) * 31 + attrs.hashCode();
    h *= 0x9E3779B9;
    return h ^ (h >>> 16);
  }

  // Removes the pair's slot, moving later slots of its run back so that probing never meets a gap
  // before their own (deletion without tombstones, Knuth 6.4 algorithm R).
  private void unindex(int ref) {
    int mask = index.length - 1;
    int slot = hashes[ref] & mask;
    while (index[slot] != ref + 1) {
      slot = (slot + 1) & mask;
    }
    int gap = slot;
    for (int i = (gap + 1) & mask; index[i] != 0; i = (i + 1) & mask) {
      int held = index[i] - 1;
      int home = hashes[held] & mask;
      // The entry at i may fill the gap if its home is not cyclically in (gap, i].
      if (((i - home) & mask) >= ((i - gap) & mask)) {
        index[gap] = index[i];
        gap = i;
      }
    }
    index[gap] = 0;
    pairCount--;
  }

  private void grow() {
    int[] old = index;
    int[] bigger = new int[old.length * 2];
    int mask = bigger.length - 1;
    for (int held : old) {
      if (held != 0) {
        int slot = hashes[held - 1] & mask;
        while (bigger[slot] != 0) {
          slot = (slot + 1) & mask;
        }
        bigger[slot] = held;
      }
    }
    index = bigger;
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
        hashes = Arrays.copyOf(hashes, n);
      }
    }
    sources[ref] = source;
    attributes[ref] = attrs;
    return ref;
  }
}
