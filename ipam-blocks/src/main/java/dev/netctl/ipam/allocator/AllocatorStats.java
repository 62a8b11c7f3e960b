package dev.netctl.ipam.allocator;

import java.util.concurrent.atomic.LongAdder;

/** Counters of the group-commit writers, shared by all nodes of one allocator. */
final class AllocatorStats {
  final LongAdder batches = new LongAdder();
  final LongAdder blockWrites = new LongAdder();
  final LongAdder conflicts = new LongAdder();
  final LongAdder claims = new LongAdder();

  IpamAllocator.Stats snapshot() {
    return new IpamAllocator.Stats(batches.sum(), blockWrites.sum(), conflicts.sum(), claims.sum());
  }
}
