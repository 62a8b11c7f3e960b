package dev.netctl.bgp.rib;

import dev.netctl.bgp.codec.Prefix;
import java.util.Arrays;

/**
 * An IPv4 prefix → int map in one {@code long} per slot: the prefix (address and length, 38 bits)
 * above a 26-bit reference. The Loc-RIB keeps a million prefixes here at 8 bytes a slot, one cache
 * line per lookup, and no object references: young collections have nothing to scan in it, however
 * much of it a load dirties. Linear probing with backward-shift deletion, as {@link PrefixTable}.
 *
 * <p>Not thread-safe: each RIB shard owns its tables.
 */
final class PackedPrefixTable {
  static final int REF_BITS = 26;

  /** The largest reference a slot holds. */
  static final int MAX_REF = (1 << REF_BITS) - 1;

  // All ones: the key of "255.255.255.255/63", which no IPv4 prefix has.
  private static final long EMPTY = -1L;
  private static final int MIN_CAPACITY = 16;

  private long[] slots = newSlots(MIN_CAPACITY);
  private int size;
  // Counts deletions, which may shift entries back past a slot: a walk by slot that spans changes
  // is sound only while this and the capacity (growth rehashes) stay the same.
  private int layout;

  /** The key of an IPv4 prefix. */
  static long key(Prefix prefix) {
    return prefix.low() << 6 | prefix.length();
  }

  /** The prefix of a key. */
  static Prefix prefix(long key) {
    return Prefix.ipv4((int) (key >>> 6), (int) (key & 63));
  }

  /** The slot holding {@code key}, or -1; valid until the table next changes. */
  int find(long key) {
    int i = probe(key);
    return i < 0 ? -1 : i;
  }

  /**
   * As {@link #find}, but for an absent key {@code -1 - s}, where {@code s} is the empty slot that
   * ends its probe chain: {@link #insert(long, int, int)} takes it, so that a miss followed by an
   * insert (a prefix announced anew, ten thousand per churn) probes once.
   */
  int probe(long key) {
    int mask = slots.length - 1;
    int i = PrefixTable.mix(key) & mask;
    long s;
    while ((s = slots[i]) != EMPTY) {
      if (s >>> REF_BITS == key) {
        return i;
      }
      i = (i + 1) & mask;
    }
    return -1 - i;
  }

  /**
   * Inserts a key that {@link #probe} found absent, {@code probe} its answer, with no change to the
   * table in between; returns its slot as {@link #insert(long, int)}.
   */
  int insert(long key, int ref, int probe) {
    if ((size + 1) * 4 > slots.length * 3) {
      return insert(key, ref); // grows: the slot found is in the old array
    }
    int i = -1 - probe;
    slots[i] = key << REF_BITS | ref;
    size++;
    return i;
  }

  /** Inserts an absent key; returns its slot, valid until the table next changes. */
  int insert(long key, int ref) {
    // Grow first, so the slot returned is the entry's final one; at 3/4 load, as PrefixTable.
    if ((size + 1) * 4 > slots.length * 3) {
      resize(slots.length * 2);
    }
    int mask = slots.length - 1;
    int i = PrefixTable.mix(key) & mask;
    while (slots[i] != EMPTY) {
      i = (i + 1) & mask;
    }
    slots[i] = key << REF_BITS | ref;
    size++;
    return i;
  }

  /** The reference in an occupied slot. */
  int refAt(int slot) {
    return (int) (slots[slot] & MAX_REF);
  }

  /** The key in an occupied slot. */
  long keyAt(int slot) {
    return slots[slot] >>> REF_BITS;
  }

  /** Replaces the reference in an occupied slot. */
  void setRefAt(int slot, int ref) {
    slots[slot] = (slots[slot] & ~(long) MAX_REF) | ref;
  }

  /** Removes the entry in an occupied slot. */
  void removeAt(int slot) {
    // Backward-shift deletion keeps every probe chain unbroken without tombstones.
    int mask = slots.length - 1;
    int hole = slot;
    int i = (slot + 1) & mask;
    long s;
    while ((s = slots[i]) != EMPTY) {
      int home = PrefixTable.mix(s >>> REF_BITS) & mask;
      // Move entry i into the hole if its home is not cyclically within (hole, i].
      if (((i - home) & mask) >= ((i - hole) & mask)) {
        slots[hole] = s;
        hole = i;
      }
      i = (i + 1) & mask;
    }
    slots[hole] = EMPTY;
    size--;
    layout++;
  }

  /** Deletions so far, which may have moved entries (see {@link #visitFrom}). */
  int layout() {
    return layout;
  }

  /** Number of slots; growth rehashes every entry. */
  int capacity() {
    return slots.length;
  }

  /**
   * Visits occupied slots from {@code slot} on until the visitor returns false; returns the slot
   * after the last one visited, or -1 past the end. A walk in steps sees every entry present
   * throughout as long as {@link #layout} and {@link #capacity} do not change between the steps.
   */
  int visitFrom(int slot, SlotVisitor visitor) {
    for (int i = slot; i < slots.length; i++) {
      long s = slots[i];
      if (s != EMPTY && !visitor.visit(i, s >>> REF_BITS, (int) (s & MAX_REF))) {
        return i + 1;
      }
    }
    return -1;
  }

  /** Number of entries. */
  int size() {
    return size;
  }

  /** Visitor over occupied slots. */
  interface SlotVisitor {
    /** Visits one slot; it may {@link #setRefAt} that slot, nothing else; false stops. */
    boolean visit(int slot, long key, int ref);
  }

  /** Visits occupied slots until the visitor returns false. */
  void visit(SlotVisitor visitor) {
    for (int i = 0; i < slots.length; i++) {
      long s = slots[i];
      if (s != EMPTY && !visitor.visit(i, s >>> REF_BITS, (int) (s & MAX_REF))) {
        return;
      }
    }
  }

  private void resize(int capacity) {
    long[] old = slots;
    slots = newSlots(capacity);
    int mask = capacity - 1;
    for (long s : old) {
      if (s != EMPTY) {
        int i = PrefixTable.mix(s >>> REF_BITS) & mask;
        while (slots[i] != EMPTY) {
          i = (i + 1) & mask;
        }
        slots[i] = s;
      }
    }
  }

  private static long[] newSlots(int capacity) {
    long[] s = new long[capacity];
    Arrays.fill(s, EMPTY);
    return s;
  }
}
