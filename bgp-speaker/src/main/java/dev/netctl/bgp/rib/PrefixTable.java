package dev.netctl.bgp.rib;

import dev.netctl.bgp.codec.Ipv4NlriList;
import dev.netctl.bgp.codec.Prefix;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * A map from prefix to value, tuned for a million IPv4 entries: IPv4 prefixes are packed into one
 * long ({@code address << 8 | length}) in an open-addressing table (linear probing, backward-shift
 * deletion), so an entry costs a {@code long} and a reference instead of a {@link Prefix} object
 * plus a hash-map node (≈ 24 bytes against ≈ 80). IPv6, far rarer in a Calico fabric, uses a plain
 * {@link HashMap}.
 *
 * <p>An update group's pending changes, which need a second reference per entry and an order, have
 * a table of their own: {@link PendingTable}.
 *
 * <p>Not thread-safe: each RIB shard owns its tables.
 *
 * @param <V> value type
 */
final class PrefixTable<V> {
  private static final long EMPTY = -1L;
  private static final int MIN_CAPACITY = 16;

  private long[] keys = newKeys(MIN_CAPACITY);
  private Object[] values = new Object[MIN_CAPACITY];
  private int v4Size;
  private final Map<Prefix, V> v6 = new HashMap<>();

  PrefixTable() {}

  /** A table sized to hold about {@code expected} IPv4 entries before it grows. */
  PrefixTable(int expected) {
    int capacity = MIN_CAPACITY;
    while (capacity * 3 < expected * 4 && capacity < 1 << 30) {
      capacity <<= 1;
    }
    keys = newKeys(capacity);
    values = new Object[capacity];
  }

  /** The value for {@code prefix}, or null. */
  V get(Prefix prefix) {
    if (prefix.ipv6()) {
      return v6.get(prefix);
    }
    int slot = find(pack(prefix));
    return slot < 0 ? null : cast(values[slot]);
  }

  /** Stores {@code value} (not null) and returns the previous value, or null. */
  V put(Prefix prefix, V value) {
    if (value == null) {
      throw new IllegalArgumentException("prefix table value for " + prefix + " must not be null");
    }
    if (prefix.ipv6()) {
      return v6.put(prefix, value);
    }
    long key = pack(prefix);
    int mask = keys.length - 1;
    int i = mix(key) & mask;
    while (keys[i] != EMPTY) {
      if (keys[i] == key) {
        V old = cast(values[i]);
        values[i] = value;
        return old;
      }
      i = (i + 1) & mask;
    }
    keys[i] = key;
    values[i] = value;
    // Grow at 3/4 load: past that, linear-probe chains lengthen quickly.
    if (++v4Size * 4 > keys.length * 3) {
      resize(keys.length * 2);
    }
    return null;
  }

  /** The slot of an IPv4 key ({@link #pack}), or -1; valid until the table next changes. */
  int slot(long key) {
    return find(key);
  }

  /**
   * Inserts an absent IPv4 key with {@code value}; returns its slot, valid until the table next
   * changes.
   */
  int insert(long key, V value) {
    // Grow first, so the slot returned is the entry's final one.
    if ((v4Size + 1) * 4 > keys.length * 3) {
      resize(keys.length * 2);
    }
    v4Size++;
    return place(key, value);
  }

  /** The value in an occupied slot. */
  V valueAt(int slot) {
    return cast(values[slot]);
  }

  /** Replaces the value of an occupied slot. */
  void setAt(int slot, V value) {
    values[slot] = value;
  }

  /** Removes the entry in an occupied slot. */
  void removeAt(int slot) {
    deleteSlot(slot);
    v4Size--;
  }

  /** Visitor over IPv4 entries by key. */
  interface KeyVisitor<V> {
    /** Visits one entry. */
    void visit(long key, V value);
  }

  /** Visits every IPv4 entry with its key ({@link #pack}), building no prefix; not IPv6 ones. */
  void forEachIpv4(KeyVisitor<V> visitor) {
    for (int i = 0; i < keys.length; i++) {
      if (keys[i] != EMPTY) {
        visitor.visit(keys[i], cast(values[i]));
      }
    }
  }

  /** Removes the entry and returns its value, or null. */
  V remove(Prefix prefix) {
    if (prefix.ipv6()) {
      return v6.remove(prefix);
    }
    int slot = find(pack(prefix));
    if (slot < 0) {
      return null;
    }
    V old = cast(values[slot]);
    deleteSlot(slot);
    v4Size--;
    return old;
  }

  /** IPv4 slots (the key array's length): how much the table holds before it grows. */
  int capacity() {
    return keys.length;
  }

  /** Number of entries. */
  int size() {
    return v4Size + v6.size();
  }

  /** Calls {@code action} for every entry; the table must not be modified meanwhile. */
  void forEach(BiConsumer<Prefix, V> action) {
    visit(
        (prefix, value) -> {
          action.accept(prefix, value);
          return true;
        });
  }

  /** Calls {@code action} for every value, without building the prefixes. */
  void forEachValue(java.util.function.Consumer<V> action) {
    for (int i = 0; i < keys.length; i++) {
      if (keys[i] != EMPTY) {
        action.accept(cast(values[i]));
      }
    }
    v6.values().forEach(action);
  }

  /** Visitor that may stop the iteration. */
  interface Visitor<V> {
    /** Visits one entry; returns false to stop. */
    boolean visit(Prefix prefix, V value);
  }

  /** Visits entries until the visitor returns false; the table must not change meanwhile. */
  void visit(Visitor<V> visitor) {
    for (int i = 0; i < keys.length; i++) {
      if (keys[i] != EMPTY && !visitor.visit(unpack(keys[i]), cast(values[i]))) {
        return;
      }
    }
    for (Map.Entry<Prefix, V> e : v6.entrySet()) {
      if (!visitor.visit(e.getKey(), e.getValue())) {
        return;
      }
    }
  }

  /** The key of an IPv4 prefix: the codec's packed form ({@link Ipv4NlriList#pack}). */
  static long pack(Prefix p) {
    return Ipv4NlriList.pack(p);
  }

  static Prefix unpack(long key) {
    return Ipv4NlriList.unpack(key);
  }

  private int find(long key) {
    int mask = keys.length - 1;
    int i = mix(key) & mask;
    while (keys[i] != EMPTY) {
      if (keys[i] == key) {
        return i;
      }
      i = (i + 1) & mask;
    }
    return -1;
  }

  // Backward-shift deletion keeps every probe chain unbroken without tombstones.
  private void deleteSlot(int slot) {
    int mask = keys.length - 1;
    int hole = slot;
    int i = (slot + 1) & mask;
    while (keys[i] != EMPTY) {
      int home = mix(keys[i]) & mask;
      // Move entry i into the hole if its home is not cyclically within (hole, i].
      if (((i - home) & mask) >= ((i - hole) & mask)) {
        keys[hole] = keys[i];
        values[hole] = values[i];
        hole = i;
      }
      i = (i + 1) & mask;
    }
    keys[hole] = EMPTY;
    values[hole] = null;
  }

  private void resize(int capacity) {
    long[] oldKeys = keys;
    Object[] oldValues = values;
    keys = newKeys(capacity);
    values = new Object[capacity];
    for (int j = 0; j < oldKeys.length; j++) {
      if (oldKeys[j] != EMPTY) {
        place(oldKeys[j], oldValues[j]);
      }
    }
  }

  // Puts an absent key into its first free slot (no growth, no count); returns the slot.
  private int place(long key, Object value) {
    int mask = keys.length - 1;
    int i = mix(key) & mask;
    while (keys[i] != EMPTY) {
      i = (i + 1) & mask;
    }
    keys[i] = key;
    values[i] = value;
    return i;
  }

  private static long[] newKeys(int capacity) {
    long[] k = new long[capacity];
    Arrays.fill(k, EMPTY);
    return k;
  }

  // MurmurHash3's 64-bit finalizer: keys differ mostly in their middle bits (the address above
  // a fixed length byte), which a plain multiplicative hash leaves clustered in the low bits.
  static int mix(long key) {
    long h = key;
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return (int) h;
  }

  @SuppressWarnings("unchecked")
  private static <V> V cast(Object o) {
    return (V) o;
  }
}
