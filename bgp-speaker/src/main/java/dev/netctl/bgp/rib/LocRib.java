package dev.netctl.bgp.rib;

import dev.netctl.bgp.codec.Ipv4NlriList;
import dev.netctl.bgp.codec.Prefix;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * One shard's Loc-RIB: per prefix the candidate paths after import policy, the selected best path
 * and the ECMP set ({@link Destination}).
 *
 * <p>Memory and time: in a fabric nearly every prefix has exactly one path (a node's block, a route
 * learned from one peer). Such a prefix is stored <em>compact</em>: its source and its attributes,
 * standing for path id 0, our ADD-PATH id 1, selected. A million routes then cost no object per
 * route (no {@link Destination} and {@link Route} to allocate, keep and copy through young
 * collections), and the shard updates them with one table probe ({@link #slot}, {@link
 * #insertCompact}, {@link #setCompact}, {@link #removeAt}). Everything else — several paths,
 * ADD-PATH ids, a single path that is not usable, IPv6 — is a {@link Destination}. Readers see a
 * {@link Destination} either way ({@link #get}, {@link #forEach}), built on demand for compact
 * entries.
 *
 * <p>Storage: IPv4 prefixes sit in a {@link PackedPrefixTable}, one {@code long} per slot holding
 * the prefix and a reference into {@link PathRefs}: the interned (source, attributes) pair of a
 * compact entry, or the entry's own Destination. IPv6 prefixes, far fewer in a Calico fabric, map
 * to Destinations in a hash map.
 *
 * <p>A compact entry may also stand for its source's Adj-RIB-In entry (a <em>shared</em> entry, see
 * {@link AdjRibIn}): its source is then that peer's {@link AdjRibIn} instead of the {@link Peer}.
 * The shard creates, changes and removes shared entries itself ({@link #insertShared}, {@link
 * #setCompact}, {@link #removeAt}); every other change to such a slot ({@link #put}, {@link
 * #remove}, {@link #unshare}) first puts the path back into the Adj-RIB-In. Owned by one shard
 * thread.
 */
final class LocRib {
  private final PackedPrefixTable table = new PackedPrefixTable();
  private final PathRefs refs = new PathRefs();
  private final Map<Prefix, Destination> v6 = new HashMap<>();

  /** The prefix of a key {@link #unshareAll} returns. */
  static Prefix prefixOf(long key) {
    return PackedPrefixTable.prefix(key);
  }

  /** The slot of an IPv4 prefix's entry, or -1 (absent, or IPv6). */
  int slot(Prefix prefix) {
    return prefix.ipv6() ? -1 : table.find(PackedPrefixTable.key(prefix));
  }

  /**
   * The slot of the entry of an IPv4 prefix packed as {@link Ipv4NlriList#pack} (host bits clear),
   * or -1: the shard's path for prefixes as decoded, without a {@link Prefix} each.
   */
  int slot(long packed) {
    return table.find(key(packed));
  }

  // The table's key (PackedPrefixTable.key) of a packed IPv4 prefix: the length has 6 bits there.
  private static long key(long packed) {
    return (packed >>> 8) << 6 | (packed & 63);
  }

  /**
   * As {@link #slot(long)}, but for an absent prefix a negative hint that {@link
   * #insertShared(long, AdjRibIn, AttributeSet, int)} takes (see {@link PackedPrefixTable#probe}).
   */
  int probe(long packed) {
    return table.probe(key(packed));
  }

  /**
   * The source of the compact entry in {@code slot}, or null when it holds a shared entry or a
   * Destination.
   */
  Peer compactSource(int slot) {
    return refs.source(table.refAt(slot)) instanceof Peer p ? p : null;
  }

  /** The Adj-RIB-In whose path the entry in {@code slot} shares, or null when not shared. */
  AdjRibIn sharedOwner(int slot) {
    return refs.source(table.refAt(slot)) instanceof AdjRibIn owner ? owner : null;
  }

  /** The attributes of the compact (or shared) entry in {@code slot}. */
  AttributeSet compactAttributes(int slot) {
    return refs.attributes(table.refAt(slot));
  }

  /** Adds an absent IPv4 prefix as a compact entry. */
  void insertCompact(Prefix prefix, Peer source, AttributeSet attributes) {
    table.insert(PackedPrefixTable.key(prefix), refs.pair(source, attributes));
  }

  /** Adds an absent IPv4 prefix as a shared entry of {@code owner}'s path. */
  void insertShared(Prefix prefix, AdjRibIn owner, AttributeSet attributes) {
    insertShared(Ipv4NlriList.pack(prefix), owner, attributes);
  }

  /**
   * Adds an absent IPv4 prefix, packed as {@link Ipv4NlriList#pack}, as a shared entry of {@code
   * owner}'s path.
   */
  void insertShared(long packed, AdjRibIn owner, AttributeSet attributes) {
    table.insert(key(packed), refs.pair(owner, attributes));
  }

  /**
   * As above, {@code probe} being {@link #probe}'s answer for {@code packed}, with no change to the
   * Loc-RIB in between: no second probe.
   */
  void insertShared(long packed, AdjRibIn owner, AttributeSet attributes, int probe) {
    table.insert(key(packed), refs.pair(owner, attributes), probe);
  }

  /**
   * Replaces the entry in {@code slot} by a compact one; {@code source} is a {@link Peer} or, for a
   * shared entry, its {@link AdjRibIn}.
   */
  void setCompact(int slot, Object source, AttributeSet attributes) {
    int old = table.refAt(slot);
    table.setRefAt(slot, refs.pair(source, attributes));
    refs.release(old);
  }

  /** Removes the entry in {@code slot}. */
  void removeAt(int slot) {
    refs.release(table.refAt(slot));
    table.removeAt(slot);
  }

  /** Turns the entry of {@code prefix}, when shared, into a plain compact one. */
  void unshare(Prefix prefix) {
    int slot = slot(prefix);
    if (slot >= 0) {
      unshareAt(slot, prefix);
    }
  }

  private void unshareAt(int slot, Prefix prefix) {
    int ref = table.refAt(slot);
    if (refs.source(ref) instanceof AdjRibIn owner) {
      AttributeSet attributes = refs.attributes(ref);
      owner.restore(prefix, attributes);
      setCompact(slot, owner.peer(), attributes);
    }
  }

  /**
   * Turns every entry sharing {@code owner}'s paths into a plain compact one, putting the paths
   * back into {@code owner} when {@code restore}, else only uncounting them (the table is being
   * dropped); returns their keys (see {@link #prefixOf}).
   */
  long[] unshareAll(AdjRibIn owner, boolean restore) {
    long[] keys = new long[owner.sharedCount()];
    int[] n = {0};
    if (keys.length > 0) {
      table.visit(
          (slot, key, ref) -> {
            if (refs.source(ref) == owner) {
              AttributeSet attributes = refs.attributes(ref);
              if (restore) {
                owner.restore(PackedPrefixTable.prefix(key), attributes);
              } else {
                owner.forgetShared();
              }
              setCompact(slot, owner.peer(), attributes);
              keys[n[0]++] = key;
            }
            return true;
          });
    }
    return keys;
  }

  /** Visits the paths shared with {@code owner}. */
  void forEachShared(AdjRibIn owner, AdjRibIn.Visitor visitor) {
    if (owner.sharedCount() > 0) {
      table.visit(
          (slot, key, ref) -> {
            if (refs.source(ref) == owner) {
              visitor.visit(PackedPrefixTable.prefix(key), 0, refs.attributes(ref));
            }
            return true;
          });
    }
  }

  /** The entry of {@code prefix} (a fresh copy for a compact one), or null. */
  Destination get(Prefix prefix) {
    if (prefix.ipv6()) {
      return v6.get(prefix);
    }
    int slot = slot(prefix);
    return slot < 0 ? null : destination(table.refAt(slot));
  }

  /** Stores {@code d} (with at least one path), compact when it qualifies. */
  void put(Prefix prefix, Destination d) {
    if (prefix.ipv6()) {
      v6.put(prefix, d);
      return;
    }
    Route only = d.single();
    boolean compact = only != null && only.pathId() == 0 && only.localId() == 1 && d.best() == only;
    long key = PackedPrefixTable.key(prefix);
    int slot = table.find(key);
    if (slot >= 0) {
      int ref = table.refAt(slot);
      if (refs.source(ref) instanceof AdjRibIn owner) {
        if (compact && only.source() == owner.peer() && only.attributes() == refs.attributes(ref)) {
          return; // the same path: it stays shared
        }
        unshareAt(slot, prefix);
      }
    }
    int ref = compact ? refs.pair(only.source(), only.attributes()) : refs.single(d);
    if (slot < 0) {
      table.insert(key, ref);
    } else {
      int old = table.refAt(slot);
      table.setRefAt(slot, ref);
      refs.release(old);
    }
  }

  /** Removes the entry of {@code prefix}. */
  void remove(Prefix prefix) {
    if (prefix.ipv6()) {
      v6.remove(prefix);
      return;
    }
    int slot = slot(prefix);
    if (slot >= 0) {
      unshareAt(slot, prefix);
      removeAt(slot);
    }
  }

  /** Number of prefixes. */
  int size() {
    return table.size() + v6.size();
  }

  /**
   * The IPv4 prefixes held, packed as {@link PrefixTable#pack} (8 bytes each, no object): for a
   * walk that spans changes which may move entries ({@link #layout}).
   */
  long[] ipv4Keys() {
    long[] keys = new long[table.size()];
    int[] n = {0};
    table.visit(
        (slot, key, ref) -> {
          keys[n[0]++] = packed(key);
          return true;
        });
    return keys;
  }

  private static long packed(long key) {
    return (key >>> 6) << 8 | (key & 63);
  }

  /** Deletions so far, which may have moved IPv4 entries back between slots. */
  int layout() {
    return table.layout();
  }

  /** Slots of the IPv4 table; when it grows every entry moves. */
  int capacity() {
    return table.capacity();
  }

  /**
   * Passes up to {@code max} IPv4 prefixes (packed as {@link PrefixTable#pack}) from slot {@code
   * slot} on to {@code keys}; returns the slot to go on from, or -1 past the end. Steps of a walk
   * see every prefix held throughout while {@link #layout} and {@link #capacity} stay the same.
   */
  int ipv4KeysFrom(int slot, int max, java.util.function.LongConsumer keys) {
    int[] left = {max};
    return table.visitFrom(
        slot,
        (s, key, ref) -> {
          keys.accept(packed(key));
          return --left[0] > 0;
        });
  }

  /** The IPv6 prefixes held. */
  List<Prefix> ipv6Prefixes() {
    return new ArrayList<>(v6.keySet());
  }

  /** Calls {@code action} for every entry; the table must not change meanwhile. */
  void forEach(BiConsumer<Prefix, Destination> action) {
    visit(
        (prefix, d) -> {
          action.accept(prefix, d);
          return true;
        });
  }

  /** Visits entries until the visitor returns false; the table must not change meanwhile. */
  void visit(PrefixTable.Visitor<Destination> visitor) {
    boolean[] stopped = {false};
    table.visit(
        (slot, key, ref) -> {
          stopped[0] = !visitor.visit(PackedPrefixTable.prefix(key), destination(ref));
          return !stopped[0];
        });
    if (stopped[0]) {
      return;
    }
    for (Map.Entry<Prefix, Destination> e : v6.entrySet()) {
      if (!visitor.visit(e.getKey(), e.getValue())) {
        return;
      }
    }
  }

  private Destination destination(int ref) {
    Object source = refs.source(ref);
    if (source instanceof Destination d) {
      return d;
    }
    Peer peer = source instanceof AdjRibIn owner ? owner.peer() : (Peer) source;
    return Destination.selected(new Route(peer, 0, refs.attributes(ref), 1));
  }
}
