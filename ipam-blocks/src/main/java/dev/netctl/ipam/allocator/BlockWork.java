package dev.netctl.ipam.allocator;

import dev.netctl.ipam.block.AllocationBlock;
import dev.netctl.ipam.block.Block;
import dev.netctl.ipam.block.Reservations;
import dev.netctl.ipam.store.Versioned;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * One block as a {@link NodeWriter} sees it during a batch: the last state known to be stored (and
 * its revision), the working copy with this round's planned changes, and who planned them.
 */
final class BlockWork {
  long revision;
  Block committed;
  Block block;
  final List<PendingAssign.Planned> planned = new ArrayList<>();
  final List<PendingRelease> releases = new ArrayList<>();

  // The reserved ordinals of this block for the reservations last asked about: the set changes
  // rarely, so a block's answer is worked out once, not per batch or per address.
  private Reservations reservedFor;
  private BitSet reserved;

  BlockWork(Versioned<AllocationBlock> stored) {
    reset(stored);
  }

  /** Forgets planned changes and starts again from {@code stored}. */
  void reset(Versioned<AllocationBlock> stored) {
    revision = stored.revision();
    committed = Block.of(stored.value());
    block = committed.copy();
  }

  /** The ordinals of this block that {@code reservations} keep from automatic assignment. */
  BitSet reserved(Reservations reservations) {
    if (reservations != reservedFor) {
      reserved = reservations.ordinalsIn(committed.cidr());
      reservedFor = reservations;
    }
    return reserved;
  }

  boolean dirty() {
    return !planned.isEmpty() || !releases.isEmpty();
  }

  /**
   * Re-plans the working copy from the committed state without {@code dropped}'s allocations:
   * releases first, then the remaining allocations at the addresses they already got.
   */
  void replanWithout(PendingAssign dropped) {
    planned.removeIf(t -> t.pending() == dropped);
    block = committed.copy();
    for (PendingRelease r : releases) r.applyTo(block);
    List<PendingAssign.Planned> redone = new ArrayList<>();
    for (PendingAssign.Planned t : planned) {
      Block.Allocated a = block.allocateAddress(t.allocated().address(), t.pending().attribute);
      redone.add(new PendingAssign.Planned(t.pending(), a, t.v6()));
    }
    planned.clear();
    planned.addAll(redone);
  }
}
