package dev.netctl.bgp.rib;

import dev.netctl.bgp.codec.AddressFamily;
import dev.netctl.bgp.codec.BgpMessage;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One table dump to one member of an {@link UpdateGroup} in progress: the initial table after a
 * join (ended by End-of-RIB, RFC 4724 §2) or one family again for a ROUTE-REFRESH (framed by
 * Begin/End-of-Route-Refresh with RFC 7313), or one chunk of a member's {@link CatchUp}. Each shard
 * publishes one part; the group emits {@code begin} before the first part and {@code end} after the
 * last.
 */
final class TableSync {
  private final Peer peer;
  private final Object join;
  private final Set<AddressFamily> families;
  private final AtomicInteger remaining;
  private final List<BgpMessage> begin;
  private final List<BgpMessage> end;
  private final CatchUp round;
  // Touched only inside the group's serialized drain.
  boolean begun;
  // For an initial table only: the keys (see key) the shards offered the group after the member
  // joined, while their parts were not taken yet; null for other dumps (see RibShard.snapshot).
  Set<Object> offered;
  // Parts not taken yet, while the shards note offered keys.
  AtomicInteger untaken;

  TableSync(
      Peer peer,
      Object join,
      Set<AddressFamily> families,
      int parts,
      List<BgpMessage> begin,
      List<BgpMessage> end) {
    this(peer, join, families, parts, begin, end, null);
  }

  /** One chunk of a catch-up {@code round} (null for a plain dump). */
  TableSync(
      Peer peer,
      Object join,
      Set<AddressFamily> families,
      int parts,
      List<BgpMessage> begin,
      List<BgpMessage> end,
      CatchUp round) {
    this.round = round;
    this.peer = peer;
    this.join = join;
    this.families = Set.copyOf(families);
    this.remaining = new AtomicInteger(parts);
    this.begin = List.copyOf(begin);
    this.end = List.copyOf(end);
  }

  /**
   * The key of path {@code pathId} of {@code prefix} in {@link #offered}: IPv4 path 0 packed as the
   * group's tables pack it, so a shard notes its commonest change without building a prefix.
   */
  static Object key(dev.netctl.bgp.codec.Prefix prefix, int pathId) {
    return !prefix.ipv6() && pathId == 0
        ? (Object) PrefixTable.pack(prefix)
        : new PathKey(prefix, pathId);
  }

  private record PathKey(dev.netctl.bgp.codec.Prefix prefix, int pathId) {}

  /** The catch-up this dump is a chunk of, or null. */
  CatchUp round() {
    return round;
  }

  Peer peer() {
    return peer;
  }

  /** The membership this dump belongs to: dumps of an earlier session are dropped. */
  Object join() {
    return join;
  }

  /** Families the dump covers. */
  Set<AddressFamily> families() {
    return families;
  }

  AtomicInteger remaining() {
    return remaining;
  }

  List<BgpMessage> begin() {
    return begin;
  }

  List<BgpMessage> end() {
    return end;
  }
}
