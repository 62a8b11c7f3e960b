package dev.netctl.ipam.allocator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netctl.datastore.client.ResourceClient;
import dev.netctl.datastore.memory.MemoryDatastore;
import dev.netctl.datastore.model.IPPool;
import dev.netctl.datastore.model.IPPoolSpec;
import dev.netctl.datastore.model.IPReservation;
import dev.netctl.datastore.model.Node;
import dev.netctl.datastore.model.NodeSpec;
import dev.netctl.ipam.IpamException;
import dev.netctl.ipam.block.Cidr;
import dev.netctl.ipam.check.IpamChecker;
import dev.netctl.ipam.store.IpamStore;
import java.math.BigInteger;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** IPReservations as Calico applies them: automatic assignment only, never retroactive. */
@Timeout(30)
class ReservationAllocatorTest {
  private final MemoryDatastore ds = new MemoryDatastore();
  private final IpamStore store = new IpamStore(ds);
  private final StaticEnvironment env =
      new StaticEnvironment()
          .pool(PoolSpec.of("v4", "10.0.0.0/24", 26))
          .pool(PoolSpec.of("v6", "fd00::/120", 122))
          .nodes("a", "b");
  private final IpamAllocator ipam = new IpamAllocator(ds, env);

  @AfterEach
  void close() {
    ds.close();
  }

  private static InetAddress ip(String s) {
    return Cidr.parseAddress(s);
  }

  /** Assigns one address at a time until the pools run dry; returns every address handed out. */
  private List<InetAddress> drain(String node, boolean v6) {
    List<InetAddress> got = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      try {
        AssignResult r =
            ipam.autoAssign(
                AssignRequest.of(node, node + (v6 ? "-v6-" : "-v4-") + i, v6 ? 0 : 1, v6 ? 1 : 0));
        got.add((v6 ? r.ipv6() : r.ipv4()).getFirst().address());
      } catch (IpamException.PoolExhausted e) {
        return got;
      }
    }
    throw new AssertionError("the pools never ran out");
  }

  @Test
  void automaticAssignmentNeverHandsOutAReservedAddressOfEitherFamily() {
    env.reserve("10.0.0.0/30", "10.0.0.77", "10.0.0.128/27", "fd00::/126", "fd00::c0/123");
    Set<InetAddress> reserved = new HashSet<>();
    for (String c : new String[] {"10.0.0.0/30", "10.0.0.77/32", "10.0.0.128/27"}) {
      Cidr cidr = Cidr.parse(c);
      for (int o = 0; o < cidr.size().intValue(); o++) reserved.add(cidr.addressAt(o));
    }

    List<InetAddress> v4 = drain("a", false);
    List<InetAddress> v6 = drain("a", true);

    assertThat(v4).doesNotContainAnyElementsOf(reserved).doesNotHaveDuplicates();
    assertThat(v4).hasSize(256 - 4 - 1 - 32);
    assertThat(v6).hasSize(256 - 4 - 32).doesNotHaveDuplicates();
    assertThat(v6)
        .noneMatch(
            a -> Cidr.parse("fd00::/126").contains(a) || Cidr.parse("fd00::c0/123").contains(a));
  }

  @Test
  void aBlockReservedWholeIsNeverClaimed() {
    Cidr pool = Cidr.parse("10.0.0.0/24");
    Cidr start = pool.block(BlockClaimer.startIndex("a", BigInteger.valueOf(4)), 26);
    env.reserve(start.toString());

    AssignResult r = ipam.autoAssign(AssignRequest.of("a", "h", 1, 0));

    assertThat(r.ipv4().getFirst().block()).isNotEqualTo(start);
    assertThat(store.block(start)).isEmpty();
    assertThat(drain("a", false)).hasSize(256 - 64 - 1);
    assertThat(store.block(start)).as("a reserved block is not worth a claim").isEmpty();
  }

  @Test
  void aPoolReservedWholeFailsWithAClearNoFreeAddressError() {
    env.reserve("10.0.0.0/25", "10.0.0.128/25");

    assertThatThrownBy(() -> ipam.autoAssign(AssignRequest.of("a", "h", 1, 0)))
        .isInstanceOf(IpamException.PoolExhausted.class)
        .hasMessageContaining("cannot assign 1 IPv4 address(es) on node \"a\": only 0 available")
        .hasMessageContaining("IPReservations keep 256 of their 256 addresses out");
    assertThat(store.blocks()).as("no block claimed for nothing").isEmpty();
    assertThat(store.handle("h")).isEmpty();
  }

  @Test
  void aHugeReservationInAnIpv6PoolIsWalkedOverInOneStep() {
    // 2^58 blocks, half of them reserved: a walk block by block would never end.
    env.pools.clear();
    env.pool(PoolSpec.of("big", "fd00::/64", 122));
    env.reserve("fd00::/65");
    BigInteger blocks = BigInteger.ONE.shiftLeft(58);
    String node = "n0";
    for (int i = 0; BlockClaimer.startIndex(node, blocks).testBit(57); i++) node = "n" + i;
    env.nodes(node);

    AssignResult r = ipam.autoAssign(AssignRequest.of(node, "h", 0, 1));

    assertThat(Cidr.parse("fd00:0:0:0:8000::/65").contains(r.ipv6().getFirst().address())).isTrue();
  }

  @Test
  void anExplicitlyRequestedReservedAddressIsAssignedAsCalicoDoes() {
    env.reserve("10.0.0.0/24");

    AssignedAddress a = ipam.assignIp(ip("10.0.0.10"), "static-pod", "a", "db-0", "prod");

    assertThat(a.address()).isEqualTo(ip("10.0.0.10"));
    assertThatThrownBy(() -> ipam.autoAssign(AssignRequest.of("a", "h", 1, 0)))
        .isInstanceOf(IpamException.PoolExhausted.class);
  }

  @Test
  void aReservationAddedLaterRevokesNothingAndCheckFindsNothingWrong() {
    AssignResult before = ipam.autoAssign(AssignRequest.of("a", "h1", 3, 0));
    Cidr block = before.ipv4().getFirst().block();
    env.reserve(block.toString());

    AssignResult after = ipam.autoAssign(AssignRequest.of("a", "h2", 1, 0));

    assertThat(block.contains(after.ipv4().getFirst().address())).isFalse();
    assertThat(store.handle("h1").orElseThrow().value().block()).containsEntry(block.toString(), 3);
    assertThat(new IpamChecker(store, env).check(Set.of("a", "b")).clean()).isTrue();
    assertThat(ipam.releaseByHandle("h1")).isEqualTo(3);
  }

  @Test
  void removingAReservationMakesItsAddressesAssignableAgain() {
    env.reserve("10.0.0.0/24");
    assertThatThrownBy(() -> ipam.autoAssign(AssignRequest.of("a", "h", 1, 0)))
        .isInstanceOf(IpamException.PoolExhausted.class);

    env.reservations = dev.netctl.ipam.block.Reservations.NONE;

    assertThat(ipam.autoAssign(AssignRequest.of("a", "h", 1, 0)).ipv4()).hasSize(1);
  }

  @Test
  void borrowingFromAnotherNodesBlockPassesOverItsReservedAddresses() {
    AssignResult b = ipam.autoAssign(AssignRequest.of("b", "hb", 1, 0));
    Cidr bBlock = b.ipv4().getFirst().block();
    // a owns one block and fills it; then, at maxBlocksPerHost, it borrows from b's block, whose
    // next free addresses are reserved.
    env.settings = new IpamSettings(true, true, 1);
    assertThat(drain("a", false)).hasSize(64);
    env.reserve(bBlock.toString().replace("/26", "/27"));
    env.settings = new IpamSettings(false, true, 1);

    AssignResult borrowed = ipam.autoAssign(AssignRequest.of("a", "borrow", 1, 0));

    InetAddress got = borrowed.ipv4().getFirst().address();
    assertThat(bBlock.contains(got)).isTrue();
    assertThat(bBlock.offsetOf(got).intValue()).isGreaterThanOrEqualTo(32);
  }

  @Test
  void reservationsStoredAsResourcesAreReadOncePerChangeAndApplied() {
    ResourceClient client = new ResourceClient(ds);
    client.create(IPPool.of("p", IPPoolSpec.of("10.5.0.0/26")));
    client.create(new Node(dev.netctl.datastore.model.ObjectMeta.named("n"), NodeSpec.bgp(null)));
    client.create(IPReservation.of("gw", "10.5.0.0/31", "10.5.0.63"));
    ResourceEnvironment renv = new ResourceEnvironment(client);

    var first = renv.reservations();
    assertThat(renv.reservations()).as("unchanged: the same set").isSameAs(first);
    List<InetAddress> got = new ArrayList<>();
    IpamAllocator resourceIpam = new IpamAllocator(ds, renv);
    for (int i = 0; i < 61; i++) {
      got.add(
          resourceIpam
              .autoAssign(AssignRequest.of("n", "h" + i, 1, 0))
              .ipv4()
              .getFirst()
              .address());
    }
    assertThat(got).doesNotContain(ip("10.5.0.0"), ip("10.5.0.1"), ip("10.5.0.63"));
    assertThatThrownBy(() -> resourceIpam.autoAssign(AssignRequest.of("n", "h61", 1, 0)))
        .isInstanceOf(IpamException.PoolExhausted.class);

    client.delete(dev.netctl.datastore.model.Kind.IP_RESERVATION, "gw");
    assertThat(renv.reservations().isEmpty()).isTrue();
    assertThat(resourceIpam.autoAssign(AssignRequest.of("n", "h62", 3, 0)).ipv4())
        .extracting(AssignedAddress::address)
        .containsExactlyInAnyOrder(ip("10.5.0.0"), ip("10.5.0.1"), ip("10.5.0.63"));
  }
}
