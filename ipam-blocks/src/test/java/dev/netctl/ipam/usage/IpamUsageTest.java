package dev.netctl.ipam.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netctl.datastore.memory.MemoryDatastore;
import dev.netctl.ipam.IpamException;
import dev.netctl.ipam.allocator.AssignRequest;
import dev.netctl.ipam.allocator.AssignedAddress;
import dev.netctl.ipam.allocator.IpamAllocator;
import dev.netctl.ipam.allocator.IpamSettings;
import dev.netctl.ipam.allocator.PoolSpec;
import dev.netctl.ipam.allocator.StaticEnvironment;
import dev.netctl.ipam.block.Cidr;
import dev.netctl.ipam.store.IpamStore;
import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class IpamUsageTest {
  private final MemoryDatastore ds = new MemoryDatastore();
  private final StaticEnvironment env =
      new StaticEnvironment()
          .pool(PoolSpec.of("v4", "10.0.0.0/25", 26))
          .pool(PoolSpec.of("v6", "fd00::/64", 122))
          .nodes("a", "b");
  private final IpamAllocator ipam = new IpamAllocator(ds, env);
  private final IpamUsage usage = new IpamUsage(new IpamStore(ds));

  @AfterEach
  void close() {
    ds.close();
  }

  @Test
  void showsPoolAndBlockUsageWithBorrowedAddresses() {
    env.settings = new IpamSettings(false, true, 1);
    ipam.autoAssign(AssignRequest.of("b", "hb", 16, 0));
    ipam.autoAssign(AssignRequest.of("a", "ha", 64, 1)); // fills a's block
    ipam.autoAssign(AssignRequest.of("a", "ha2", 2, 0)); // borrowed from b's block

    List<PoolUsage> pools = usage.show(env.pools());
    PoolUsage v4 = pools.get(0);
    assertThat(v4.name()).isEqualTo("v4");
    assertThat(v4.total()).isEqualTo(BigInteger.valueOf(128));
    assertThat(v4.inUse()).isEqualTo(82);
    assertThat(v4.free()).isEqualTo(BigInteger.valueOf(46));
    assertThat(v4.inUsePercent()).isEqualTo(64.06);
    assertThat(v4.freePercent()).isEqualTo(35.94);
    BlockUsage aBlock =
        v4.blocks().stream().filter(b -> "a".equals(b.node())).findFirst().orElseThrow();
    BlockUsage bBlock =
        v4.blocks().stream().filter(b -> "b".equals(b.node())).findFirst().orElseThrow();
    assertThat(aBlock)
        .isEqualTo(new BlockUsage(aBlock.cidr(), "a", 64, 64, 0, 0, 100.0, 0.0, 0.0, 0));
    assertThat(bBlock)
        .isEqualTo(new BlockUsage(bBlock.cidr(), "b", 64, 18, 0, 46, 28.13, 0.0, 71.88, 2));

    PoolUsage v6 = pools.get(1);
    assertThat(v6.total()).isEqualTo(BigInteger.ONE.shiftLeft(64));
    assertThat(v6.inUse()).isEqualTo(1);
    assertThat(v6.inUsePercent()).isZero();
    assertThat(v6.blocks()).singleElement().satisfies(b -> assertThat(b.total()).isEqualTo(64));
  }

  @Test
  void looksUpOneAddress() {
    AssignedAddress a = ipam.assignIp(Cidr.parseAddress("10.0.0.5"), "h", "a", "web-1", "prod");
    AddressInfo info = usage.lookup(a.address(), env.pools());
    assertThat(info)
        .isEqualTo(
            new AddressInfo(
                "10.0.0.5",
                "v4",
                "10.0.0.0/26",
                "a",
                true,
                "h",
                "web-1",
                "prod",
                "a",
                a.sequenceNumber(),
                false));
    AddressInfo free = usage.lookup(Cidr.parseAddress("10.0.0.6"), env.pools());
    assertThat(free.allocated()).isFalse();
    assertThat(free.block()).isEqualTo("10.0.0.0/26");
    assertThat(usage.lookup(Cidr.parseAddress("10.0.0.70"), env.pools()).block()).isNull();
    assertThatThrownBy(() -> usage.lookup(Cidr.parseAddress("10.1.0.1"), env.pools()))
        .isInstanceOf(IpamException.AddressNotInPool.class);
  }

  @Test
  void anAddressLeftInTheBlockOfADeletedPoolIsStillFound() {
    // calicoctl's ipam show/release --ip find it too: the pool went, the workload did not.
    AssignedAddress a = ipam.assignIp(Cidr.parseAddress("10.0.0.5"), "h", "a", "web-1", "prod");
    env.pools.clear();

    AddressInfo info = usage.lookup(a.address(), env.pools());
    assertThat(info.pool()).isNull();
    assertThat(info.block()).isEqualTo("10.0.0.0/26");
    assertThat(info.handle()).isEqualTo("h");
    assertThatThrownBy(() -> usage.lookup(Cidr.parseAddress("10.0.1.5"), env.pools()))
        .isInstanceOf(IpamException.AddressNotInPool.class);
  }

  @Test
  void reservedAddressesCountOnceAndAreNotFreeAsCalicoctlCountsThem() {
    // .0-.3 in use, then .2-.5 reserved (two in use, two free) plus fd00::/126 in the v6 pool and
    // 10.0.0.64/28, a range of the pool no block covers yet.
    Cidr block = ipam.claimAffinity("a", Cidr.parse("10.0.0.0/26"));
    ipam.autoAssign(AssignRequest.of("a", "h", 4, 0));
    env.reserve("10.0.0.2/31", "10.0.0.4/31", "10.0.0.64/28", "fd00::/126", "10.9.0.0/16");

    List<PoolUsage> pools = usage.show(env.pools(), env.reservations());
    PoolUsage v4 = pools.get(0);
    assertThat(v4.inUse()).isEqualTo(4);
    assertThat(v4.reserved()).isEqualTo(BigInteger.valueOf(4 + 16));
    assertThat(v4.free()).isEqualTo(BigInteger.valueOf(128 - 4 - 2 - 16));
    assertThat(v4.reservedPercent()).isEqualTo(15.63);
    BlockUsage b = v4.blocks().getFirst();
    assertThat(b.inUse()).isEqualTo(4);
    assertThat(b.reserved()).isEqualTo(4);
    assertThat(b.free()).isEqualTo(64 - 4 - 2);
    assertThat(pools.get(1).reserved()).isEqualTo(BigInteger.valueOf(4));
    assertThat(pools.get(1).free())
        .isEqualTo(BigInteger.ONE.shiftLeft(64).subtract(BigInteger.valueOf(4)));

    AddressInfo reservedInUse = usage.lookup(block.addressAt(2), env.pools(), env.reservations());
    assertThat(reservedInUse.allocated()).isTrue();
    assertThat(reservedInUse.reserved()).isTrue();
    assertThat(usage.lookup(block.addressAt(6), env.pools(), env.reservations()).reserved())
        .isFalse();
  }
}
