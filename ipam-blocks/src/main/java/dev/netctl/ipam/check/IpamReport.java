package dev.netctl.ipam.check;

import java.util.List;

/**
 * What {@link IpamChecker#check} found, item by item, each carrying what a repair needs to
 * re-validate it. A plain record so {@code netctl ipam check -o json} can print it as is.
 *
 * @param blocks blocks examined
 * @param affinities affinity records examined
 * @param handles handle records examined
 * @param addressesInUse allocated addresses found
 * @param allocationsWithoutHandle allocated addresses whose handle has no record (leaked)
 * @param handleMismatches handle records whose per-block count disagrees with the blocks
 * @param blocksOfDeadNodes blocks owned by nodes not in the live set
 * @param affinityMismatches affinity records and blocks that disagree about ownership
 * @param duplicateOwnership blocks with more than one confirmed affinity
 * @param pendingAffinities affinities stuck in pending or pendingDeletion
 */
public record IpamReport(
    int blocks,
    int affinities,
    int handles,
    int addressesInUse,
    List<LeakedAllocation> allocationsWithoutHandle,
    List<HandleMismatch> handleMismatches,
    List<DeadNodeBlock> blocksOfDeadNodes,
    List<AffinityMismatch> affinityMismatches,
    List<DuplicateOwnership> duplicateOwnership,
    List<PendingAffinity> pendingAffinities,
    List<OutsidePools> addressesOutsidePools) {

  public IpamReport {
    allocationsWithoutHandle = List.copyOf(allocationsWithoutHandle);
    handleMismatches = List.copyOf(handleMismatches);
    blocksOfDeadNodes = List.copyOf(blocksOfDeadNodes);
    affinityMismatches = List.copyOf(affinityMismatches);
    duplicateOwnership = List.copyOf(duplicateOwnership);
    pendingAffinities = List.copyOf(pendingAffinities);
    // Absent from reports written before it was checked.
    addressesOutsidePools =
        addressesOutsidePools == null ? List.of() : List.copyOf(addressesOutsidePools);
  }

  /** Whether nothing was found. */
  public boolean clean() {
    return problemCount() == 0;
  }

  /** How many items were found. */
  public int problemCount() {
    return allocationsWithoutHandle.size()
        + handleMismatches.size()
        + blocksOfDeadNodes.size()
        + affinityMismatches.size()
        + duplicateOwnership.size()
        + pendingAffinities.size()
        + addressesOutsidePools.size();
  }

  /** An allocated address whose handle has no record. */
  public record LeakedAllocation(
      String block, int ordinal, String address, String handle, long sequenceNumber, String node) {}

  /** A handle's recorded count for a block differs from what the block holds. */
  public record HandleMismatch(String handle, String block, int recorded, int actual) {}

  /** A block owned by a node that no longer exists. */
  public record DeadNodeBlock(String block, String node, int inUse) {}

  /** Why an affinity record and a block disagree. */
  public enum MismatchKind {
    /** A confirmed affinity names a block that does not exist. */
    BLOCK_MISSING,
    /** A confirmed affinity names a block the block itself gives to another node (or nobody). */
    BLOCK_OWNED_ELSEWHERE,
    /** A block names an owner that has no confirmed affinity for it. */
    AFFINITY_MISSING
  }

  /** An affinity record and a block that disagree. */
  public record AffinityMismatch(String node, String block, MismatchKind kind) {}

  /** One block, several confirmed owners. */
  public record DuplicateOwnership(String block, List<String> nodes) {}

  /** An affinity stuck mid-protocol. */
  public record PendingAffinity(String node, String block, String state) {}

  /**
   * Addresses in use in a block that no IP pool contains any more: its pool was deleted while
   * workloads held them. They are in use, so no repair releases them; a new pool over them gets no
   * block there (the allocator skips overlapping blocks) until the workloads are gone.
   */
  public record OutsidePools(String block, List<String> addresses) {
    public OutsidePools {
      addresses = List.copyOf(addresses);
    }
  }
}
