package dev.netctl.bgp.rib;

import dev.netctl.bgp.codec.AddressFamily;
import dev.netctl.bgp.codec.Prefix;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * One catch-up of a member of an {@link UpdateGroup}: the current state of what its {@link Backlog}
 * noted, sent to it alone, in chunks. Each shard gets only its own keys (split when the round
 * starts) and answers a chunk with at most {@code chunk} of them, so a member that stalled through
 * a whole table never has that table materialised at once: a split-off member asks for the next
 * chunk only when its channel can take data ({@link UpdateGroup#catchUp}). A whole backlog (see
 * {@link Backlog}) has each shard walk its own Loc-RIB as well, in chunks too (see {@link Part}):
 * what changes behind the walk is a live change, noted in the member's next backlog.
 *
 * <p>The round's begin markers go before the first chunk and its end markers (End-of-RIB for a
 * member that missed its initial table) after the last, once every shard has run out.
 */
final class CatchUp {
  /** Keys per shard per chunk of a paced round: tens of kilobytes of UPDATEs per shard. */
  static final int CHUNK = 8192;

  /** How the RIB spreads prefixes over its shards. */
  interface Sharding {
    int shards();

    int shardOf(Prefix prefix);
  }

  private final Peer peer;
  private final Object join;
  private final Set<AddressFamily> families;
  private final Backlog source;
  private final int chunk;
  private final Part[] parts;
  // Touched only inside the group's serialized methods.
  boolean begun;
  boolean inFlight;
  boolean cancelled;

  /**
   * A round on what {@code source} noted; with {@code walk} (a whole backlog) each shard walks its
   * Loc-RIB as well. A member moving in from another group got the table from the move already and
   * needs no walk (see {@link UpdateGroup#resyncNow}).
   */
  CatchUp(
      Peer peer,
      Object join,
      Set<AddressFamily> families,
      Backlog source,
      Sharding sharding,
      int chunk,
      boolean walk) {
    this.peer = peer;
    this.join = join;
    this.families = families;
    this.source = source;
    this.chunk = chunk;
    this.parts = new Part[sharding.shards()];
    for (int i = 0; i < parts.length; i++) {
      parts[i] = new Part(walk);
    }
    source.forEach(
        (prefix, pathId, withdrawal) -> parts[sharding.shardOf(prefix)].add(prefix, pathId));
  }

  Peer peer() {
    return peer;
  }

  Object join() {
    return join;
  }

  /** The families a whole-table walk covers: the group's. */
  Set<AddressFamily> families() {
    return families;
  }

  /** What the round catches up on (its markers frame the round). */
  Backlog source() {
    return source;
  }

  /** Keys a shard handles per chunk. */
  int chunk() {
    return chunk;
  }

  /** The part of shard {@code i}. */
  Part part(int i) {
    return parts[i];
  }

  int shards() {
    return parts.length;
  }

  /** Whether every shard has sent all of its part. */
  boolean exhausted() {
    for (Part p : parts) {
      if (!p.exhausted) {
        return false;
      }
    }
    return true;
  }

  /**
   * One shard's keys, touched by that shard only once the round started (the group reads {@link
   * #exhausted} after the shard published the part that set it).
   *
   * <p>A walk goes through the shard's Loc-RIB by slot, a chunk at a time, holding no copy of it. A
   * prefix added behind it or changed after it passed is a live change, noted in the member's next
   * backlog. When the table grew (every entry rehashed) the walk starts over, at most once per
   * doubling; when an entry was deleted (which may shift others back past the walk, {@link
   * LocRib#layout}) it takes a snapshot of the keys (8 bytes per prefix) and goes on from that,
   * from the start. Resending a prefix is harmless.
   */
  static final class Part {
    /** Visitor over the next keys of a part. */
    interface Visitor {
      /**
       * One key: with {@code every}, every path the group exports for {@code prefix} (a walked
       * prefix); otherwise the path {@code pathId}, or its withdrawal.
       */
      void visit(Prefix prefix, int pathId, boolean every);
    }

    private static final int NOT_STARTED = -2;
    private static final int DONE = -1;

    private final boolean walk;
    // The walk: the next slot (or NOT_STARTED, DONE), the layout it relies on, the snapshot it
    // goes on from once the layout changed, and the IPv6 prefixes (few: always a snapshot).
    private int slot = NOT_STARTED;
    private int layout;
    private int capacity;
    private long[] snapshot;
    private int snapshotNext;
    private List<Prefix> walkedV6 = List.of();
    private int v6Next;
    // Keyed IPv4 prefixes without path id (PrefixTable.pack), then the other keys.
    private long[] plain = new long[0];
    private int plainSize;
    private final List<Prefix> otherPrefixes = new ArrayList<>();
    private final List<Integer> otherIds = new ArrayList<>();
    private int cursor;
    volatile boolean exhausted;

    Part(boolean walk) {
      this.walk = walk;
      if (!walk) {
        slot = DONE;
      }
    }

    private void add(Prefix prefix, int pathId) {
      if (pathId == 0 && !prefix.ipv6()) {
        if (plainSize == plain.length) {
          plain = Arrays.copyOf(plain, Math.max(16, plainSize * 2));
        }
        plain[plainSize++] = PrefixTable.pack(prefix);
      } else {
        otherPrefixes.add(prefix);
        otherIds.add(pathId);
      }
    }

    /**
     * Visits up to {@code max} more keys: walked prefixes of {@code rib} in {@code families} first,
     * then the keyed ones; sets {@link #exhausted} after the last.
     */
    void next(int max, LocRib rib, Set<AddressFamily> families, Visitor visitor) {
      int[] budget = {max};
      if (slot == NOT_STARTED) {
        slot = families.contains(AddressFamily.IPV4_UNICAST) ? 0 : DONE;
        layout = rib.layout();
        capacity = rib.capacity();
        if (families.contains(AddressFamily.IPV6_UNICAST)) {
          walkedV6 = rib.ipv6Prefixes();
        }
      } else if (slot != DONE && snapshot == null && rib.layout() != layout) {
        snapshot = rib.ipv4Keys(); // entries may have moved behind the cursor
      } else if (slot != DONE && snapshot == null && rib.capacity() != capacity) {
        slot = 0; // every entry moved
        capacity = rib.capacity();
      }
      if (snapshot != null) {
        for (; snapshotNext < snapshot.length && budget[0] > 0; snapshotNext++, budget[0]--) {
          visitor.visit(PrefixTable.unpack(snapshot[snapshotNext]), 0, true);
        }
        if (snapshotNext == snapshot.length) {
          snapshot = null;
          slot = DONE;
        }
      } else if (slot != DONE && budget[0] > 0) {
        slot =
            rib.ipv4KeysFrom(
                slot,
                budget[0],
                key -> {
                  budget[0]--;
                  visitor.visit(PrefixTable.unpack(key), 0, true);
                });
      }
      for (; slot == DONE && v6Next < walkedV6.size() && budget[0] > 0; v6Next++, budget[0]--) {
        visitor.visit(walkedV6.get(v6Next), 0, true);
      }
      if (slot != DONE || v6Next < walkedV6.size()) {
        return;
      }
      int total = plainSize + otherPrefixes.size();
      for (; cursor < total && budget[0] > 0; cursor++, budget[0]--) {
        if (cursor < plainSize) {
          visitor.visit(PrefixTable.unpack(plain[cursor]), 0, false);
        } else {
          int i = cursor - plainSize;
          visitor.visit(otherPrefixes.get(i), otherIds.get(i), false);
        }
      }
      exhausted = cursor == total;
    }
  }
}
