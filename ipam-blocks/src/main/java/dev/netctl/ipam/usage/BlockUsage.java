package dev.netctl.ipam.usage;

/**
 * Usage of one block, a block row of {@code netctl ipam show --show-blocks}.
 *
 * @param cidr the block
 * @param node the owning node, or null when unowned
 * @param total addresses in the block
 * @param inUse allocated addresses
 * @param reserved addresses IPReservations cover, in use or not
 * @param free addresses neither allocated nor reserved
 * @param inUsePercent inUse as a percentage of total
 * @param reservedPercent reserved as a percentage of total
 * @param freePercent free as a percentage of total
 * @param borrowed allocated addresses assigned on another node than the owner
 */
public record BlockUsage(
    String cidr,
    String node,
    int total,
    int inUse,
    int reserved,
    int free,
    double inUsePercent,
    double reservedPercent,
    double freePercent,
    int borrowed) {}
