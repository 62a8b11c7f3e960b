package dev.netctl.bgp.rib;

import dev.netctl.bgp.codec.Prefix;
import java.util.function.BiConsumer;

/**
 * One shard's Loc-RIB: per prefix the candidate paths after import policy, the selected best path
 * and the ECMP set ({@link Destination}).
 *
 * <p>Memory and time: in a fabric nearly every prefix has exactly one path (a node's block, a route
 * learned from one peer). Such a prefix is stored <em>compact</em>: its source and its attributes
 * side by side in the table, standing for path id 0, our ADD-PATH id 1, selected. A million routes
 * then cost no object per route (no {@link Destination} and {@link Route} to allocate, keep and
 * copy through young collections), and the shard updates them with one table probe ({@link #slot},
 * {@link #insertCompact}, {@link #setCompact}, {@link #removeAt}). Everything else — several paths,
 * ADD-PATH ids, a single path that is not usable, IPv6 — is a {@link Destination}. Readers see a
 * {@link Destination} either way ({@link #get}, {@link #forEach}), built on demand for compact
 * entries.
 *
 * <p>A compact entry may also stand for its source's Adj-RIB-In entry (a <em>shared</em> entry, see
 * {@link AdjRibIn}): its value is then that peer's {@link AdjRibIn} instead of the {@link Peer}.
 * The shard creates, changes and removes shared entries itself ({@link #insertShared}, {@link
 * #setCompact}, {@link #removeAt}); every other change to such a slot ({@link #put}, {@link
 * #remove}, {@link #unshare}) first puts the path back into the Adj-RIB-In. Owned by one shard
 * thread.
 */
final class LocRib {
  // Value: the source Peer of a compact entry (companion: its AttributeSet), the source's AdjRibIn
  // for a shared one, or a Destination.
  private final PrefixTable<Object> table = PrefixTable.withCompanions();

  /** The slot of an IPv4 prefix's entry, or -1 (absent, or IPv6). */
  int slot(Prefix prefix) {
    return prefix.ipv6() ? -1 : table.slot(PrefixTable.pack(prefix));
  }

  /**
   * The source of the compact entry in {@code slot}, or null when it holds a shared entry or a
   * Destination.
   */
  Peer compactSource(int slot) {
    return table.valueAt(slot) instanceof Peer p ? p : null;
  }

  /** The Adj-RIB-In whose path the entry in {@code slot} shares, or null when not shared. */
  AdjRibIn sharedOwner(int slot) {
    return table.valueAt(slot) instanceof AdjRibIn owner ? owner : null;
  }

  /** The attributes of the compact (or shared) entry in {@code slot}. */
  AttributeSet compactAttributes(int slot) {
    return (AttributeSet) table.companionAt(slot);
  }

  /** Adds an absent IPv4 prefix as a compact entry. */
  void insertCompact(Prefix prefix, Peer source, AttributeSet attributes) {
    table.insert(PrefixTable.pack(prefix), source, attributes);
  }

  /** Adds an absent IPv4 prefix as a shared entry of {@code owner}'s path. */
  void insertShared(Prefix prefix, AdjRibIn owner, AttributeSet attributes) {
    table.insert(PrefixTable.pack(prefix), owner, attributes);
  }

  /**
   * Replaces the compact entry in {@code slot}; {@code source} is a {@link Peer} or, for a shared
   * entry, its {@link AdjRibIn}.
   */
  void setCompact(int slot, Object source, AttributeSet attributes) {
    table.setAt(slot, source, attributes);
  }

  /** Turns the entry of {@code prefix}, when shared, into a plain compact one. */
  void unshare(Prefix prefix) {
    if (!prefix.ipv6()) {
      int slot = table.slot(PrefixTable.pack(prefix));
      if (slot >= 0) {
        unshareAt(slot, prefix);
      }
    }
  }

  private void unshareAt(int slot, Prefix prefix) {
    if (table.valueAt(slot) instanceof AdjRibIn owner) {
      AttributeSet attributes = (AttributeSet) table.companionAt(slot);
      owner.restore(prefix, attributes);
      table.setAt(slot, owner.peer(), attributes);
    }
  }

  /**
   * Turns every entry sharing {@code owner}'s paths into a plain compact one, putting the paths
   * back into {@code owner} when {@code restore}, else only uncounting them (the table is being
   * dropped); returns their keys ({@link PrefixTable#pack}).
   */
  long[] unshareAll(AdjRibIn owner, boolean restore) {
    long[] keys = new long[owner.sharedCount()];
    int[] n = {0};
    if (keys.length > 0) {
      table.forEachSlot(
          (slot, key, value, companion) -> {
            if (value == owner) {
              if (restore) {
                owner.restore(PrefixTable.unpack(key), (AttributeSet) companion);
              } else {
                owner.forgetShared();
              }
              table.setAt(slot, owner.peer(), companion);
              keys[n[0]++] = key;
            }
          });
    }
    return keys;
  }

  /** Visits the paths shared with {@code owner}. */
  void forEachShared(AdjRibIn owner, AdjRibIn.Visitor visitor) {
    if (owner.sharedCount() > 0) {
      table.forEachSlot(
          (slot, key, value, companion) -> {
            if (value == owner) {
              visitor.visit(PrefixTable.unpack(key), 0, (AttributeSet) companion);
            }
          });
    }
  }

  /** Removes the entry in {@code slot}. */
  void removeAt(int slot) {
    table.removeAt(slot);
  }

  /** The entry of {@code prefix} (a fresh copy for a compact one), or null. */
  Destination get(Prefix prefix) {
    if (prefix.ipv6()) {
      return (Destination) table.get(prefix);
    }
    int slot = table.slot(PrefixTable.pack(prefix));
    return slot < 0 ? null : destination(table.valueAt(slot), table.companionAt(slot));
  }

  /** Stores {@code d} (with at least one path), compact when it qualifies. */
  void put(Prefix prefix, Destination d) {
    Route only = d.single();
    boolean compact = only != null && only.pathId() == 0 && only.localId() == 1 && d.best() == only;
    if (!prefix.ipv6()) {
      int slot = table.slot(PrefixTable.pack(prefix));
      if (slot >= 0 && table.valueAt(slot) instanceof AdjRibIn owner) {
        if (compact
            && only.source() == owner.peer()
            && only.attributes() == table.companionAt(slot)) {
          return; // the same path: it stays shared
        }
        unshareAt(slot, prefix);
      }
    }
    if (!prefix.ipv6() && compact) {
      long key = PrefixTable.pack(prefix);
      int slot = table.slot(key);
      if (slot < 0) {
        table.insert(key, only.source(), only.attributes());
      } else {
        table.setAt(slot, only.source(), only.attributes());
      }
    } else {
      table.put(prefix, d);
    }
  }

  /** Removes the entry of {@code prefix}. */
  void remove(Prefix prefix) {
    unshare(prefix);
    table.remove(prefix);
  }

  /** Number of prefixes. */
  int size() {
    return table.size();
  }

  /** Calls {@code action} for every entry; the table must not change meanwhile. */
  void forEach(BiConsumer<Prefix, Destination> action) {
    table.visitWithCompanions(
        (prefix, value, companion) -> {
          action.accept(prefix, destination(value, companion));
          return true;
        });
  }

  /** Visits entries until the visitor returns false; the table must not change meanwhile. */
  void visit(PrefixTable.Visitor<Destination> visitor) {
    table.visitWithCompanions(
        (prefix, value, companion) -> visitor.visit(prefix, destination(value, companion)));
  }

  private static Destination destination(Object value, Object companion) {
    if (value instanceof Peer source) {
      return Destination.selected(new Route(source, 0, (AttributeSet) companion, 1));
    }
    if (value instanceof AdjRibIn owner) {
      return Destination.selected(new Route(owner.peer(), 0, (AttributeSet) companion, 1));
    }
    return (Destination) value;
  }
}
