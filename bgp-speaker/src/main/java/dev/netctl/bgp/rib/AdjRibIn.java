package dev.netctl.bgp.rib;

import dev.netctl.bgp.codec.Prefix;
import java.util.Arrays;

/**
 * One peer's Adj-RIB-In slice on one shard (RFC 4271 §3.2): the attributes as received, before
 * import policy, so a changed import policy can be re-applied without a route refresh.
 *
 * <p>Memory: the usual entry (one path, path id 0) stores the interned {@link AttributeSet}
 * directly in the prefix table; only ADD-PATH prefixes with several paths pay for a {@link Paths}.
 *
 * <p><b>Shared entries.</b> When the path as received is also the Loc-RIB's compact entry (import
 * policy left the attributes as they were, and it is the prefix's only path), it is not stored here
 * at all: the Loc-RIB slot names this table as its source ({@link LocRib}), and this table only
 * counts it ({@link #sharedCount}). A million routes from one peer then cost one table probe and
 * one slot each instead of two. Whoever changes such a slot otherwise puts the path back here first
 * ({@link #restore}). Owned by one shard thread.
 */
final class AdjRibIn {
  /** Visitor over stored paths. */
  interface Visitor {
    void visit(Prefix prefix, int pathId, AttributeSet attributes);
  }

  // Parallel arrays: path ids and their attribute sets.
  private static final class Paths {
    int[] ids;
    AttributeSet[] sets;

    Paths(int[] ids, AttributeSet[] sets) {
      this.ids = ids;
      this.sets = sets;
    }
  }

  private final PrefixTable<Object> table = new PrefixTable<>();
  // Paths stored in the table plus shared ones.
  private int paths;
  // Of those, the IPv6 ones: the max-prefix limit holds per family (RFC 4486 §4 names one). Shared
  // paths are always IPv4 (packed keys).
  private int ipv6Paths;
  private int shared;
  // Shared paths added (removed, when negative) and not yet in counts: see report.
  private int unreported;
  // The peer whose paths these are (null for a table of stale marks).
  private Peer peer;
  // Stored paths that are loops (our AS in their path, ImportRules.loops): none in the usual case,
  // and then a replaced or withdrawn path needs no look at its AS_PATH.
  private int loops;
  // The peer's counts across shards (the max-prefix count, the loops), or null for a table of
  // marks.
  private PeerCounts counts;

  /** {@code peer}'s table, whose counts also go to {@code counts}. */
  AdjRibIn(Peer peer, PeerCounts counts) {
    this.peer = peer;
    this.counts = counts;
  }

  /** A table of marks: no peer, counted nowhere else. */
  AdjRibIn() {
    this(null, null);
  }

  /** The peer whose paths these are. */
  Peer peer() {
    return peer;
  }

  /** Number of paths kept in Loc-RIB slots instead of this table. */
  int sharedCount() {
    return shared;
  }

  /** Whether this table stores nothing itself (it may still count shared paths). */
  boolean storesNothing() {
    return paths == shared;
  }

  /** Whether the table stores a path of {@code prefix}. */
  boolean stores(Prefix prefix) {
    return table.get(prefix) != null;
  }

  /** Whether the table stores a path of an IPv4 prefix packed as {@link PrefixTable#pack}. */
  boolean stores(long packed) {
    return table.slot(packed) >= 0;
  }

  /**
   * Counts a path the Loc-RIB keeps for this table; the peer's counts hear of it at the next {@link
   * #report}.
   */
  void addShared() {
    shared++;
    paths++;
    unreported++;
  }

  /** Uncounts a shared path that was withdrawn; reported as {@link #addShared}. */
  void removeShared() {
    shared--;
    paths--;
    unreported--;
  }

  /**
   * Adds the shared paths counted since the last report to the peer's counts. A shard reports at
   * the end of each task, before the task completes (the max-prefix check reads the counts then): a
   * {@code LongAdder} add per prefix was a compare-and-swap per prefix, 2-4% of the shard in a
   * churn (issue 14 session 18).
   */
  void report() {
    if (unreported != 0) {
      if (counts != null) {
        counts.ipv4Paths().add(unreported);
      }
      unreported = 0;
    }
  }

  /** Takes a shared path back into the table: the Loc-RIB slot is about to change. */
  void restore(Prefix prefix, AttributeSet attributes) {
    shared--;
    if (put(prefix, 0, attributes) == null) {
      counted(-1); // put counted it as new; it was counted while shared
    }
  }

  /** Forgets a shared path without uncounting it: the whole table is being dropped. */
  void forgetShared() {
    shared--;
  }

  // A shared path: always IPv4.
  private void counted(int delta) {
    paths += delta;
    if (counts != null) {
      counts.ipv4Paths().add(delta);
    }
  }

  private void counted(Prefix prefix, int delta) {
    if (!prefix.ipv6()) {
      counted(delta);
      return;
    }
    paths += delta;
    ipv6Paths += delta;
    if (counts != null) {
      counts.ipv6Paths().add(delta);
    }
  }

  /** Counts a stored path that is a loop ({@code +1}) or no longer one ({@code -1}). */
  void looped(int delta) {
    loops += delta;
    if (counts != null) {
      counts.loops().add(delta);
    }
  }

  /** Number of stored paths that are loops. */
  int loops() {
    return loops;
  }

  /** Moves this table to {@code to}, the same session in another role, and to its counts. */
  void moveTo(Peer to, PeerCounts toCounts) {
    uncount();
    peer = to;
    counts = toCounts;
    toCounts.ipv4Paths().add(paths - ipv6Paths);
    toCounts.ipv6Paths().add(ipv6Paths);
    toCounts.loops().add(loops);
  }

  /** Takes this table's paths out of the shared count (the table is being dropped). */
  void uncount() {
    report();
    if (counts != null) {
      counts.ipv4Paths().add(-(paths - ipv6Paths));
      counts.ipv6Paths().add(-ipv6Paths);
      counts.loops().add(-loops);
    }
  }

  /** Stores a received path; returns the attributes it replaced, or null. */
  AttributeSet put(Prefix prefix, int pathId, AttributeSet attributes) {
    if (pathId == 0) {
      // The usual entry: store it in one probe; undo in the rare case a Paths was there.
      Object replaced = table.put(prefix, attributes);
      if (replaced == null) {
        counted(prefix, 1);
        return null;
      }
      if (replaced instanceof AttributeSet single) {
        return single;
      }
      table.put(prefix, replaced);
    }
    Object v = table.get(prefix);
    if (v == null) {
      table.put(
          prefix,
          pathId == 0
              ? attributes
              : new Paths(new int[] {pathId}, new AttributeSet[] {attributes}));
      counted(prefix, 1);
      return null;
    }
    if (v instanceof AttributeSet single) {
      if (pathId == 0) {
        table.put(prefix, attributes);
        return single;
      }
      table.put(prefix, new Paths(new int[] {0, pathId}, new AttributeSet[] {single, attributes}));
      counted(prefix, 1);
      return null;
    }
    Paths p = (Paths) v;
    for (int i = 0; i < p.ids.length; i++) {
      if (p.ids[i] == pathId) {
        AttributeSet old = p.sets[i];
        p.sets[i] = attributes;
        return old;
      }
    }
    p.ids = Arrays.copyOf(p.ids, p.ids.length + 1);
    p.sets = Arrays.copyOf(p.sets, p.sets.length + 1);
    p.ids[p.ids.length - 1] = pathId;
    p.sets[p.sets.length - 1] = attributes;
    counted(prefix, 1);
    return null;
  }

  /** Removes a path; returns its attributes, or null when it was not there. */
  AttributeSet remove(Prefix prefix, int pathId) {
    if (pathId == 0 && !prefix.ipv6()) {
      // The usual entry: find and remove it in one probe.
      int slot = table.slot(PrefixTable.pack(prefix));
      if (slot < 0) {
        return null;
      }
      if (table.valueAt(slot) instanceof AttributeSet single) {
        table.removeAt(slot);
        counted(prefix, -1);
        return single;
      }
    }
    Object v = table.get(prefix);
    if (v == null) {
      return null;
    }
    if (v instanceof AttributeSet single) {
      if (pathId != 0) {
        return null;
      }
      table.remove(prefix);
      counted(prefix, -1);
      return single;
    }
    Paths p = (Paths) v;
    for (int i = 0; i < p.ids.length; i++) {
      if (p.ids[i] == pathId) {
        AttributeSet old = p.sets[i];
        int n = p.ids.length - 1;
        if (n == 0) {
          table.remove(prefix);
        } else if (n == 1 && p.ids[1 - i] == 0) {
          table.put(prefix, p.sets[1 - i]);
        } else {
          int[] ids = new int[n];
          AttributeSet[] sets = new AttributeSet[n];
          for (int j = 0, k = 0; j <= n; j++) {
            if (j != i) {
              ids[k] = p.ids[j];
              sets[k++] = p.sets[j];
            }
          }
          p.ids = ids;
          p.sets = sets;
        }
        counted(prefix, -1);
        return old;
      }
    }
    return null;
  }

  /** The stored attributes of a path, or null. */
  AttributeSet get(Prefix prefix, int pathId) {
    Object v = table.get(prefix);
    if (v instanceof AttributeSet single) {
      return pathId == 0 ? single : null;
    }
    if (v instanceof Paths p) {
      for (int i = 0; i < p.ids.length; i++) {
        if (p.ids[i] == pathId) {
          return p.sets[i];
        }
      }
    }
    return null;
  }

  /** Number of paths, shared ones included. */
  int size() {
    return paths;
  }

  /** Visits every path stored in the table (not the shared ones); it must not change meanwhile. */
  void forEach(Visitor visitor) {
    table.forEach(
        (prefix, v) -> {
          if (v instanceof AttributeSet single) {
            visitor.visit(prefix, 0, single);
          } else {
            Paths p = (Paths) v;
            for (int i = 0; i < p.ids.length; i++) {
              visitor.visit(prefix, p.ids[i], p.sets[i]);
            }
          }
        });
  }
}
