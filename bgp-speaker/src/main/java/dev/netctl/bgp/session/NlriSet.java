package dev.netctl.bgp.session;

import dev.netctl.bgp.codec.Nlri;
import dev.netctl.bgp.codec.Prefix;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

/**
 * The set of NLRI a peer currently announces, kept for the max-prefix count (RFC 4486). The usual
 * entry, an IPv4 prefix without a path id, is packed into one {@code long} ({@code address << 8 |
 * length}) in an open-addressing table, so a million routes cost about 16 MB instead of the ≈ 80
 * bytes per route of a {@code HashSet<Nlri>}; everything else (IPv6, ADD-PATH ids) uses a plain
 * set. Owned by one session, on its event loop.
 */
final class NlriSet {
  private static final long EMPTY = -1L;
  private static final int MIN_CAPACITY = 16;

  private long[] keys = empty(MIN_CAPACITY);
  private int v4Size;
  private final Set<Nlri> other = new HashSet<>();

  /** Adds every entry. */
  void addAll(Collection<Nlri> nlri) {
    for (Nlri n : nlri) {
      add(n);
    }
  }

  /** Adds one entry; returns whether it was new. */
  boolean add(Nlri n) {
    if (!packable(n)) {
      return other.add(n);
    }
    long key = pack(n.prefix());
    int mask = keys.length - 1;
    int i = mix(key) & mask;
    while (keys[i] != EMPTY) {
      if (keys[i] == key) {
        return false;
      }
      i = (i + 1) & mask;
    }
    keys[i] = key;
    // Grow at 3/4 load: past that, linear-probe chains lengthen quickly.
    if (++v4Size * 4 > keys.length * 3) {
      rehash(keys.length * 2);
    }
    return true;
  }

  /** Removes one entry; returns whether it was present. */
  boolean remove(Nlri n) {
    if (!packable(n)) {
      return other.remove(n);
    }
    long key = pack(n.prefix());
    int mask = keys.length - 1;
    int i = mix(key) & mask;
    while (keys[i] != EMPTY) {
      if (keys[i] == key) {
        deleteSlot(i);
        v4Size--;
        return true;
      }
      i = (i + 1) & mask;
    }
    return false;
  }

  /** Whether the entry is present. */
  boolean contains(Nlri n) {
    if (!packable(n)) {
      return other.contains(n);
    }
    long key = pack(n.prefix());
    int mask = keys.length - 1;
    for (int i = mix(key) & mask; keys[i] != EMPTY; i = (i + 1) & mask) {
      if (keys[i] == key) {
        return true;
      }
    }
    return false;
  }

  /** Number of entries. */
  int size() {
    return v4Size + other.size();
  }

  /** Removes everything and gives the memory back. */
  void clear() {
    keys = empty(MIN_CAPACITY);
    v4Size = 0;
    other.clear();
  }

  private static boolean packable(Nlri n) {
    return n.pathId() == 0 && !n.prefix().ipv6();
  }

  private static long pack(Prefix p) {
    return p.low() << 8 | p.length();
  }

  // Backward-shift deletion keeps every probe chain unbroken without tombstones.
  private void deleteSlot(int slot) {
    int mask = keys.length - 1;
    int hole = slot;
    for (int i = (slot + 1) & mask; keys[i] != EMPTY; i = (i + 1) & mask) {
      int home = mix(keys[i]) & mask;
      if (((i - home) & mask) >= ((i - hole) & mask)) {
        keys[hole] = keys[i];
        hole = i;
      }
    }
    keys[hole] = EMPTY;
  }

  private void rehash(int capacity) {
    long[] old = keys;
    keys = empty(capacity);
    int mask = capacity - 1;
    for (long k : old) {
      if (k != EMPTY) {
        int i = mix(k) & mask;
        while (keys[i] != EMPTY) {
          i = (i + 1) & mask;
        }
        keys[i] = k;
      }
    }
  }

  private static long[] empty(int capacity) {
    long[] k = new long[capacity];
    Arrays.fill(k, EMPTY);
    return k;
  }

  // MurmurHash3's 64-bit finalizer: the keys differ mostly in their middle bits.
  private static int mix(long key) {
    long h = key;
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return (int) h;
  }
}
