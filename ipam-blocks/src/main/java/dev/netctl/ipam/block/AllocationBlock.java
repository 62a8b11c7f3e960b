package dev.netctl.ipam.block;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The stored shape of one IPAM block (kind {@code IPAMBlock}, name {@link Cidr#name()}). Kept plain
 * and inspectable: every field is what an operator sees in {@code netctl get ipamblock -o json}.
 * All logic lives in {@link Block}.
 *
 * @param cidr the block's network
 * @param affinity {@code host:<node>} when a node owns the block, null when nobody does
 * @param allocations one entry per address: index into {@code attributes}, or null when free
 * @param unallocated the free ordinals in the order they will be handed out (head first); a freed
 *     ordinal goes to the tail so a just-released address is reused as late as possible
 * @param attributes who holds the allocated addresses
 * @param sequenceNumber bumped on every allocation; detects a stale release of a reused address
 * @param sequenceNumberForAllocation ordinal (as text) to the sequence number it was allocated at
 * @param deleted set while the block is being torn down, so no writer allocates from it
 */
public record AllocationBlock(
    String cidr,
    String affinity,
    List<Integer> allocations,
    List<Integer> unallocated,
    List<AllocationAttribute> attributes,
    long sequenceNumber,
    Map<String, Long> sequenceNumberForAllocation,
    boolean deleted) {

  public AllocationBlock {
    Objects.requireNonNull(cidr, "cidr");
    Objects.requireNonNull(allocations, "allocations");
    Objects.requireNonNull(unallocated, "unallocated");
    attributes = attributes == null ? List.of() : attributes;
    sequenceNumberForAllocation =
        sequenceNumberForAllocation == null ? Map.of() : sequenceNumberForAllocation;
  }

  /** The {@code host:<node>} affinity value for {@code node}. */
  public static String hostAffinity(String node) {
    return "host:" + node;
  }

  /** The node named in the affinity, or null when the block is not affine to a host. */
  public String affinityNode() {
    return affinity != null && affinity.startsWith("host:") ? affinity.substring(5) : null;
  }
}
