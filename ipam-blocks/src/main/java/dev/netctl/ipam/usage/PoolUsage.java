package dev.netctl.ipam.usage;

import java.math.BigInteger;
import java.util.List;

/**
 * Usage of one pool, the pool row of {@code netctl ipam show --show-blocks}.
 *
 * @param name the pool's name
 * @param cidr the pool's network
 * @param total addresses in the pool (an IPv6 pool can exceed a long)
 * @param inUse addresses allocated in its blocks
 * @param free total minus inUse
 * @param inUsePercent inUse as a percentage of total
 * @param freePercent free as a percentage of total
 * @param blocks its blocks, by CIDR
 */
public record PoolUsage(
    String name,
    String cidr,
    BigInteger total,
    long inUse,
    BigInteger free,
    double inUsePercent,
    double freePercent,
    List<BlockUsage> blocks) {
  public PoolUsage {
    blocks = List.copyOf(blocks);
  }
}
