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
 * @param reserved addresses IPReservations cover, in use or not
 * @param free addresses neither in use nor reserved
 * @param inUsePercent inUse as a percentage of total
 * @param reservedPercent reserved as a percentage of total
 * @param freePercent free as a percentage of total
 * @param blocks its blocks, by CIDR
 */
public record PoolUsage(
    String name,
    String cidr,
    BigInteger total,
    long inUse,
    BigInteger reserved,
    BigInteger free,
    double inUsePercent,
    double reservedPercent,
    double freePercent,
    List<BlockUsage> blocks) {
  public PoolUsage {
    blocks = List.copyOf(blocks);
  }
}
