package dev.netctl.bgp.rib;

import java.util.concurrent.atomic.LongAdder;

/**
 * One peer's Adj-RIB-In counts across the shards, added to by each shard as it stores and drops
 * paths and readable from any thread without waiting for them.
 *
 * <p>Paths are counted per family, each in its own adder, because the max-prefix limit holds per
 * family (RFC 4486 §4 names the family that went over): a family's count read from a total less the
 * other family would, while shards add to both, be off by the paths of the other in flight.
 *
 * @param ipv4Paths IPv4 paths received (the max-prefix count, RFC 4486), loops included
 * @param ipv6Paths IPv6 paths received, alike
 * @param loops of those, the paths not used because our AS is in their AS_PATH more often than the
 *     peer may send it (RFC 4271 §9.1.2)
 */
record PeerCounts(LongAdder ipv4Paths, LongAdder ipv6Paths, LongAdder loops) {
  PeerCounts() {
    this(new LongAdder(), new LongAdder(), new LongAdder());
  }

  /** Paths received in every family. */
  long paths() {
    return ipv4Paths.sum() + ipv6Paths.sum();
  }

  boolean empty() {
    return paths() == 0 && loops.sum() == 0;
  }
}
