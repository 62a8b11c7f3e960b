package dev.netctl.ipam.usage;

import dev.netctl.ipam.IpamException;
import dev.netctl.ipam.allocator.PoolSpec;
import dev.netctl.ipam.block.AllocationAttribute;
import dev.netctl.ipam.block.AllocationBlock;
import dev.netctl.ipam.block.Block;
import dev.netctl.ipam.block.Cidr;
import dev.netctl.ipam.block.Reservations;
import dev.netctl.ipam.store.IpamStore;
import dev.netctl.ipam.store.Versioned;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;

/** The data behind {@code netctl ipam show}: usage per pool and block, and single lookups. */
public final class IpamUsage {
  private final IpamStore store;

  public IpamUsage(IpamStore store) {
    this.store = store;
  }

  /** One row per pool with its blocks, in the order the pools are given; nothing reserved. */
  public List<PoolUsage> show(List<PoolSpec> pools) {
    return show(pools, Reservations.NONE);
  }

  /**
   * One row per pool with its blocks, in the order the pools are given. As calicoctl counts them,
   * reserved addresses are those any IPReservation covers, in use or not (one allocated before its
   * reservation counts in both), and free ones are neither in use nor reserved.
   */
  public List<PoolUsage> show(List<PoolSpec> pools, Reservations reservations) {
    List<Versioned<AllocationBlock>> blocks = store.blocks();
    List<PoolUsage> out = new ArrayList<>();
    for (PoolSpec pool : pools) {
      List<BlockUsage> rows = new ArrayList<>();
      long inUse = 0;
      long reservedInUse = 0;
      for (Versioned<AllocationBlock> v : blocks) {
        Block b = Block.of(v.value());
        if (!pool.cidr().contains(b.cidr())) continue;
        BitSet reserved = reservations.ordinalsIn(b.cidr());
        inUse += b.inUse();
        reservedInUse += reserved.cardinality() - (b.free() - b.freeUnreserved(reserved));
        rows.add(blockRow(b, reserved));
      }
      rows.sort((x, y) -> Cidr.parse(x.cidr()).compareTo(Cidr.parse(y.cidr())));
      BigInteger total = pool.cidr().size();
      BigInteger reserved = reservations.countIn(pool.cidr());
      BigInteger free =
          total
              .subtract(BigInteger.valueOf(inUse))
              .subtract(reserved.subtract(BigInteger.valueOf(reservedInUse)));
      out.add(
          new PoolUsage(
              pool.name(),
              pool.cidr().toString(),
              total,
              inUse,
              reserved,
              free,
              percent(BigInteger.valueOf(inUse), total),
              percent(reserved, total),
              percent(free, total),
              rows));
    }
    return out;
  }

  /**
   * The blocks inside none of {@code pools}, by CIDR: a deleted pool's blocks that still hold
   * addresses (deleting a pool leaves allocated blocks behind), which no pool row counts.
   */
  public List<BlockUsage> orphans(List<PoolSpec> pools, Reservations reservations) {
    List<Block> orphaned = new ArrayList<>();
    for (Versioned<AllocationBlock> v : store.blocks()) {
      Block b = Block.of(v.value());
      if (pools.stream().noneMatch(p -> p.cidr().contains(b.cidr()))) orphaned.add(b);
    }
    orphaned.sort((x, y) -> x.cidr().compareTo(y.cidr()));
    return orphaned.stream().map(b -> blockRow(b, reservations.ordinalsIn(b.cidr()))).toList();
  }

  /**
   * What is known about {@code address}.
   *
   * @throws IpamException.AddressNotInPool when no pool holds it and no stored block either
   */
  public AddressInfo lookup(InetAddress address, List<PoolSpec> pools) {
    return lookup(address, pools, Reservations.NONE);
  }

  /**
   * What is known about {@code address}, and whether it is reserved.
   *
   * @throws IpamException.AddressNotInPool when no pool holds it and no stored block either
   */
  public AddressInfo lookup(InetAddress address, List<PoolSpec> pools, Reservations reservations) {
    boolean reserved = reservations.contains(address);
    PoolSpec pool = pools.stream().filter(p -> p.cidr().contains(address)).findFirst().orElse(null);
    Optional<Versioned<AllocationBlock>> stored =
        pool != null
            ? store.blockHolding(pool.cidr().blockContaining(address, pool.blockSize()), address)
            // a deleted pool's block still holding addresses: found like calicoctl finds it
            : store.blockFinder().anyHolding(address);
    String text = Cidr.format(address);
    if (pool == null && stored.isEmpty()) {
      throw new IpamException.AddressNotInPool(text);
    }
    String poolName = pool == null ? null : pool.name();
    if (stored.isEmpty()) {
      return new AddressInfo(
          text, poolName, null, null, false, null, null, null, null, null, reserved);
    }
    Block b = Block.of(stored.get().value());
    int o = b.ordinalOf(address);
    AllocationAttribute a = b.attributeAt(o);
    return new AddressInfo(
        text,
        poolName,
        b.cidr().toString(),
        b.affinityNode(),
        a != null,
        a == null ? null : a.handle(),
        a == null ? null : a.pod(),
        a == null ? null : a.namespace(),
        a == null ? null : a.node(),
        b.sequenceAt(o),
        reserved);
  }

  private static BlockUsage blockRow(Block b, BitSet reserved) {
    int borrowed = 0;
    String owner = b.affinityNode();
    for (int o = 0; o < b.size(); o++) {
      AllocationAttribute a = b.attributeAt(o);
      if (a != null && a.node() != null && !a.node().equals(owner)) borrowed++;
    }
    BigInteger total = BigInteger.valueOf(b.size());
    int free = b.freeUnreserved(reserved);
    return new BlockUsage(
        b.cidr().toString(),
        owner,
        b.size(),
        b.inUse(),
        reserved.cardinality(),
        free,
        percent(BigInteger.valueOf(b.inUse()), total),
        percent(BigInteger.valueOf(reserved.cardinality()), total),
        percent(BigInteger.valueOf(free), total),
        borrowed);
  }

  /** Percentage rounded to two decimals, exact for IPv6 pools too big for a double. */
  static double percent(BigInteger part, BigInteger total) {
    if (total.signum() == 0) return 0;
    return new BigDecimal(part)
        .multiply(BigDecimal.valueOf(100))
        .divide(new BigDecimal(total), MathContext.DECIMAL64)
        .setScale(2, java.math.RoundingMode.HALF_UP)
        .doubleValue();
  }
}
