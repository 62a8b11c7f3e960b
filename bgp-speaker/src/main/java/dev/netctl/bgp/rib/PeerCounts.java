package dev.netctl.bgp.rib;

import java.util.concurrent.atomic.LongAdder;

/**
 * One peer's Adj-RIB-In counts across the shards, added to by each shard as it stores and drops
 * paths and readable from any thread without waiting for them.
 *
 * @param paths paths received (the max-prefix count, RFC 4486), loops included
 * @param ipv6Paths of those, the IPv6 ones: the limit holds per family, as the Cease's data names
 *     one (RFC 4486 §4)
 * @param loops of those, the paths not used because our AS is in their AS_PATH more often than the
 *     peer may send it (RFC 4271 §9.1.2)
 */
record PeerCounts(LongAdder paths, LongAdder ipv6Paths, LongAdder loops) {
  PeerCounts() {
    this(new LongAdder(), new LongAdder(), new LongAdder());
  }

  boolean empty() {
    return paths.sum() == 0 && loops.sum() == 0;
  }
}
