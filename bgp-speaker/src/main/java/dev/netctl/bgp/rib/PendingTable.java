package dev.netctl.bgp.rib;

import java.util.Arrays;

/**
 * One update-group stripe's undrained IPv4 changes (see {@link UpdateGroup}): per packed key
 * ({@link PrefixTable#pack}) a value and a companion reference, kept densely in the order the keys
 * were added, found through an open-addressing index of positions (linear probing).
 *
 * <p>Why dense: a shard fills the table while the event loop drains the one swapped out before it
 * on the other core, and the two tables alternate. In a table of slots (key, value and companion
 * arrays indexed by slot, 2,048 slots kept from a withdrawal burst) a read's worth of changes (160
 * a stripe) touched three scattered cache lines each, which the drain had last written on the other
 * core: the probe was the shard's largest single item in a churn of new sets (issue 14 session 19).
 * Here a change touches one line of the index, which only the shard ever writes (a clear starts a
 * new generation of it), and appends to lines the next changes share; the drain reads the entries
 * in order and drops their references, nothing else.
 *
 * <p>Nothing is removed one by one: the table only ever empties whole ({@link #clearForReuse}), on
 * the thread that drained it. Not thread-safe: its stripe's monitor guards it.
 */
final class PendingTable {
  private static final int MIN_CAPACITY = 16;
  // An oversized index this large or smaller survives clearForReuse (see there): 2,048 slots are 8
  // KiB; a churn's withdrawal burst (1,250 keys a stripe) fits.
  static final int RETAINED_CAPACITY = 2048;
  // Consecutive oversized clears after which such a table is replaced by a smaller one anyway.
  static final int SHRINK_AFTER = 32;

  // Of the entry whose key probes to this slot: generation << shift | position + 1. A slot of an
  // earlier generation is free: clearForReuse empties the index by starting a new one, so the
  // thread that drains never writes the index (it reads the dense arrays alone), and the shard
  // finds its lines in its own cache.
  private int[] index;
  // Bits of an index entry below its generation: enough for position + 1 < 2 * index length.
  private int shift;
  // The current generation, from 1 up to maxGeneration (then the index is zeroed, and it is 1).
  private int generation = 1;
  private long[] keys;
  private Object[] values;
  private Object[] companions;
  private int count;
  // Clears in a row that found the index more than eight times larger than what it held.
  private int oversizedClears;

  PendingTable() {
    this(0);
  }

  // A table whose index holds about expected entries before it grows.
  private PendingTable(int expected) {
    int capacity = MIN_CAPACITY;
    while (capacity * 3 < expected * 4 && capacity < 1 << 30) {
      capacity <<= 1;
    }
    index = new int[capacity];
    shift = Integer.numberOfTrailingZeros(capacity) + 1;
    int dense = capacity / 4 * 3;
    keys = new long[dense];
    values = new Object[dense];
    companions = new Object[dense];
  }

  /** Entries held. */
  int size() {
    return count;
  }

  /** Index slots: how many entries the table takes, over 3/4, before it grows. */
  int capacity() {
    return index.length;
  }

  /**
   * The position of {@code key}, whose {@link PrefixTable#mix} is {@code hash} (the caller has it:
   * it picked the stripe), or -1. Positions run from 0 to {@link #size} - 1.
   */
  int position(long key, int hash) {
    int[] ix = index;
    int mask = ix.length - 1;
    int current = generation << shift;
    int low = (1 << shift) - 1;
    int e;
    for (int i = hash & mask; ((e = ix[i]) & ~low) == current; i = (i + 1) & mask) {
      if (keys[(e & low) - 1] == key) {
        return (e & low) - 1;
      }
    }
    return -1;
  }

  /**
   * The position of {@code key}, added (value and companion null, to be set with {@link #setAt})
   * when absent, in one probe: returns the position when the key was there, {@code -1 - position}
   * when it was added. Positions never move: the key added n-th stays at n. {@code hash} as for
   * {@link #position}.
   */
  int positionOrAdd(long key, int hash) {
    // Grow first, so the probe below finds the free slot the entry takes.
    if ((count + 1) * 4 > index.length * 3) {
      grow();
    }
    int[] ix = index;
    int mask = ix.length - 1;
    int current = generation << shift;
    int low = (1 << shift) - 1;
    int i = hash & mask;
    int e;
    while (((e = ix[i]) & ~low) == current) {
      if (keys[(e & low) - 1] == key) {
        return (e & low) - 1;
      }
      i = (i + 1) & mask;
    }
    int at = count;
    if (at == keys.length) {
      int dense = Math.max(MIN_CAPACITY, at * 2);
      keys = Arrays.copyOf(keys, dense);
      values = Arrays.copyOf(values, dense);
      companions = Arrays.copyOf(companions, dense);
    }
    keys[at] = key;
    ix[i] = current | (at + 1);
    count = at + 1;
    return -1 - at;
  }

  /** The key at a position. */
  long keyAt(int position) {
    return keys[position];
  }

  /** The value at a position. */
  Object valueAt(int position) {
    return values[position];
  }

  /** The companion at a position. */
  Object companionAt(int position) {
    return companions[position];
  }

  /** Replaces the value and companion at a position. */
  void setAt(int position, Object value, Object companion) {
    values[position] = value;
    companions[position] = companion;
  }

  /** Makes the next clear start the last generation before a wrap (tests). */
  void lastGeneration() {
    generation = (Integer.MAX_VALUE >>> shift) - 1;
  }

  // Doubles the index and places every entry again, in generation 1; the dense arrays stay.
  private void grow() {
    int[] ix = new int[index.length * 2];
    int mask = ix.length - 1;
    shift = Integer.numberOfTrailingZeros(ix.length) + 1;
    generation = 1;
    int current = 1 << shift;
    for (int at = 0; at < count; at++) {
      int i = PrefixTable.mix(keys[at]) & mask;
      while (ix[i] != 0) {
        i = (i + 1) & mask;
      }
      ix[i] = current | (at + 1);
    }
    index = ix;
  }

  /**
   * Empties the table and returns it for reuse, or returns a new table sized for what it held when
   * it is too large to keep. A churn alternates a burst (ten thousand withdrawals) with drains of a
   * read's worth: an index replaced as soon as one drain held an eighth of it grew again through
   * every size, for every stripe, in every churn. So an oversized index is kept while it is at most
   * {@link #RETAINED_CAPACITY} slots, until {@link #SHRINK_AFTER} clears in a row found it
   * oversized; a larger one (a table load's burst) goes at once. References are dropped, so the
   * table keeps no attribute set from the collector.
   */
  PendingTable clearForReuse() {
    int held = count;
    if (index.length > MIN_CAPACITY && held * 8 < index.length) {
      if (index.length > RETAINED_CAPACITY || ++oversizedClears >= SHRINK_AFTER) {
        return new PendingTable(held);
      }
    } else {
      oversizedClears = 0;
    }
    // A new generation frees every slot of the index without a write to it, but at the last one
    // (2^19 clears of a 2,048-slot index) the index is zeroed and generations start again.
    if (generation == Integer.MAX_VALUE >>> shift) {
      Arrays.fill(index, 0);
      generation = 1;
    } else {
      generation++;
    }
    Arrays.fill(values, 0, held, null);
    Arrays.fill(companions, 0, held, null);
    count = 0;
    return this;
  }
}
