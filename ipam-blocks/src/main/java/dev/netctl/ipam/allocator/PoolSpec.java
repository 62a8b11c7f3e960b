package dev.netctl.ipam.allocator;

import dev.netctl.ipam.block.Cidr;
import java.math.BigInteger;
import java.util.Objects;
import java.util.Set;

/**
 * The part of an IPPool the allocator needs. Callers map their pool resource onto this, so IPAM
 * does not depend on how pools are stored.
 *
 * @param name the pool's name, for messages and pool filters
 * @param cidr the pool's network
 * @param blockSize the prefix length of the blocks carved from it
 * @param disabled a disabled pool hands out nothing new
 * @param nodeSelector which nodes the pool serves
 * @param allowedUses e.g. {@code Workload}, {@code Tunnel}; empty means {@code Workload} and {@code
 *     Tunnel}, as Calico defaults
 */
public record PoolSpec(
    String name,
    Cidr cidr,
    int blockSize,
    boolean disabled,
    NodeMatcher nodeSelector,
    Set<String> allowedUses,
    boolean manualOnly) {

  public static final String USE_WORKLOAD = "Workload";
  public static final String USE_TUNNEL = "Tunnel";

  public PoolSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(cidr, "cidr");
    nodeSelector = nodeSelector == null ? NodeMatcher.ALL : nodeSelector;
    allowedUses =
        allowedUses == null || allowedUses.isEmpty()
            ? Set.of(USE_WORKLOAD, USE_TUNNEL)
            : Set.copyOf(allowedUses);
    String where = "IPPool \"" + name + "\" blockSize " + blockSize;
    if (blockSize < cidr.prefixLength() || blockSize > cidr.bits()) {
      throw new IllegalArgumentException(
          where
              + ": must be between the pool prefix /"
              + cidr.prefixLength()
              + " and /"
              + cidr.bits());
    }
    if (BigInteger.ONE.shiftLeft(cidr.bits() - blockSize).intValue() > Cidr.MAX_BLOCK_ADDRESSES
        || cidr.bits() - blockSize > 12) {
      throw new IllegalArgumentException(
          where
              + ": a block may hold at most "
              + Cidr.MAX_BLOCK_ADDRESSES
              + " addresses (/"
              + (cidr.bits() - 12)
              + " or longer)");
    }
  }

  /** An enabled pool serving every node for every use. */
  public static PoolSpec of(String name, String cidr, int blockSize) {
    return new PoolSpec(name, Cidr.parse(cidr), blockSize, false, NodeMatcher.ALL, Set.of(), false);
  }

  public PoolSpec withDisabled(boolean d) {
    return new PoolSpec(name, cidr, blockSize, d, nodeSelector, allowedUses, manualOnly);
  }

  public boolean ipv6() {
    return cidr.ipv6();
  }
}
