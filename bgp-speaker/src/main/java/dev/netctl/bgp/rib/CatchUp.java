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
 * {@link Backlog}) has each shard walk its own Loc-RIB as well, from a snapshot of its keys (8
 * bytes per IPv4 prefix) taken at the first chunk: what changes after that is a live change, noted
 * in the member's next backlog.
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

  CatchUp(
      Peer peer,
      Object join,
      Set<AddressFamily> families,
      Backlog source,
      Sharding sharding,
      int chunk) {
    this.peer = peer;
    this.join = join;
    this.families = families;
    this.source = source;
    this.chunk = chunk;
    this.parts = new Part[sharding.shards()];
    for (int i = 0; i < parts.length; i++) {
      parts[i] = new Part(source.whole());
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

    private final boolean walk;
    private boolean walked;
    // Walked IPv4 prefixes (PrefixTable.pack), then keyed IPv4 prefixes without path id.
    private long[] plain = new long[0];
    private int plainSize;
    private int walkedSize;
    private final List<Prefix> walkedOthers = new ArrayList<>();
    private final List<Prefix> otherPrefixes = new ArrayList<>();
    private final List<Integer> otherIds = new ArrayList<>();
    private int cursor;
    volatile boolean exhausted;

    Part(boolean walk) {
      this.walk = walk;
    }

    private void add(Prefix prefix, int pathId) {
      if (pathId == 0 && !prefix.ipv6()) {
        addPlain(PrefixTable.pack(prefix));
      } else {
        otherPrefixes.add(prefix);
        otherIds.add(pathId);
      }
    }

    private void addPlain(long key) {
      if (plainSize == plain.length) {
        plain = Arrays.copyOf(plain, Math.max(16, plainSize * 2));
      }
      plain[plainSize++] = key;
    }

    /** Whether the shard still has to take its snapshot of the Loc-RIB's keys. */
    boolean needsWalk() {
      return walk && !walked;
    }

    /**
     * Puts the shard's Loc-RIB keys in front of the keyed ones: {@code ipv4} (packed, {@code count}
     * of them) and {@code ipv6}.
     */
    void walk(long[] ipv4, int count, List<Prefix> ipv6) {
      walked = true;
      long[] all = new long[count + plainSize];
      System.arraycopy(ipv4, 0, all, 0, count);
      System.arraycopy(plain, 0, all, count, plainSize);
      plain = all;
      walkedSize = count;
      plainSize += count;
      walkedOthers.addAll(ipv6);
    }

    /** Visits up to {@code max} more keys; sets {@link #exhausted} after the last. */
    void next(int max, Visitor visitor) {
      int total = plainSize + walkedOthers.size() + otherPrefixes.size();
      int stop = (int) Math.min(total, (long) cursor + max);
      for (; cursor < stop; cursor++) {
        int i = cursor;
        if (i < plainSize) {
          visitor.visit(PrefixTable.unpack(plain[i]), 0, i < walkedSize);
          continue;
        }
        i -= plainSize;
        if (i < walkedOthers.size()) {
          visitor.visit(walkedOthers.get(i), 0, true);
          continue;
        }
        i -= walkedOthers.size();
        visitor.visit(otherPrefixes.get(i), otherIds.get(i), false);
      }
      if (cursor == total) {
        exhausted = true;
        plain = null; // the snapshot goes as soon as it is sent
      }
    }
  }
}
