package dev.netctl.ipam.allocator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netctl.datastore.memory.MemoryDatastore;
import dev.netctl.ipam.IpamException;
import dev.netctl.ipam.block.AllocationBlock;
import dev.netctl.ipam.block.Block;
import dev.netctl.ipam.block.Cidr;
import dev.netctl.ipam.check.IpamChecker;
import dev.netctl.ipam.store.BlockAffinity;
import dev.netctl.ipam.store.IpamHandle;
import dev.netctl.ipam.store.IpamStore;
import dev.netctl.ipam.store.Versioned;
import dev.netctl.ipam.usage.IpamUsage;
import java.math.BigInteger;
import java.net.InetAddress;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class IpamAllocatorTest {
  private final MemoryDatastore ds = new MemoryDatastore();
  private final IpamStore store = new IpamStore(ds);
  private final StaticEnvironment env =
      new StaticEnvironment().pool(PoolSpec.of("default-v4", "10.0.0.0/24", 26)).nodes("a", "b");

  @AfterEach
  void close() {
    ds.close();
  }

  private IpamAllocator allocator() {
    return new IpamAllocator(ds, env);
  }

  private static InetAddress ip(String s) {
    return Cidr.parseAddress(s);
  }

  @Test
  void firstAssignClaimsTheBlockAtTheNodesHashedStartAndConfirmsIt() {
    IpamAllocator ipam = allocator();
    AssignResult r = ipam.autoAssign(AssignRequest.of("a", "h1", 1, 0));
    Cidr pool = Cidr.parse("10.0.0.0/24");
    Cidr expected = pool.block(BlockClaimer.startIndex("a", BigInteger.valueOf(4)), 26);
    assertThat(r.ipv4()).singleElement().satisfies(x -> assertThat(x.block()).isEqualTo(expected));
    assertThat(r.ipv4().get(0).address()).isEqualTo(expected.addressAt(0));
    assertThat(store.affinity("a", expected).orElseThrow().value().state())
        .isEqualTo(BlockAffinity.State.CONFIRMED);
    assertThat(store.block(expected).orElseThrow().value().affinity()).isEqualTo("host:a");
    assertThat(store.handle("h1").orElseThrow().value().block())
        .containsExactly(Map.entry(expected.toString(), 1));
  }

  @Test
  void aNodeFillsItsBlockThenClaimsTheNextFreeOne() {
    IpamAllocator ipam = allocator();
    Set<InetAddress> seen = new HashSet<>();
    for (int i = 0; i < 70; i++) {
      AssignResult r = ipam.autoAssign(AssignRequest.of("a", "h" + i, 1, 0));
      assertThat(seen.add(r.ipv4().get(0).address())).as("address handed out twice").isTrue();
    }
    List<Versioned<BlockAffinity>> affs = store.affinities("a");
    assertThat(affs).hasSize(2);
    assertThat(store.blocks())
        .hasSize(2)
        .allSatisfy(b -> assertThat(b.value().affinity()).isEqualTo("host:a"));
  }

  @Test
  void dualStackRequestsGetBothFamilies() {
    env.pool(PoolSpec.of("default-v6", "fd00::/120", 122));
    AssignResult r = allocator().autoAssign(AssignRequest.of("a", "h", 2, 1));
    assertThat(r.ipv4()).hasSize(2);
    assertThat(r.ipv6()).singleElement().satisfies(x -> assertThat(x.block().ipv6()).isTrue());
    assertThat(store.handle("h").orElseThrow().value().total()).isEqualTo(3);
  }

  @Test
  void borrowsFromAnotherNodesBlockWhenAtMaxBlocksUnlessStrict() {
    env.pool(PoolSpec.of("default-v4", "10.0.0.0/25", 26));
    env.settings = new IpamSettings(false, true, 1);
    IpamAllocator ipam = allocator();
    ipam.autoAssign(AssignRequest.of("b", "hb", 1, 0));
    ipam.autoAssign(AssignRequest.of("a", "ha", 64, 0)); // fills a's only block
    AssignResult borrowed = ipam.autoAssign(AssignRequest.of("a", "ha2", 1, 0));
    Versioned<AllocationBlock> bBlock =
        store.blocks().stream()
            .filter(b -> "host:b".equals(b.value().affinity()))
            .findFirst()
            .orElseThrow();
    assertThat(borrowed.ipv4().get(0).block().toString()).isEqualTo(bBlock.value().cidr());

    env.settings = new IpamSettings(true, true, 1);
    long blockRevs = store.blocks().stream().mapToLong(Versioned::revision).sum();
    assertThatThrownBy(() -> ipam.autoAssign(AssignRequest.of("a", "ha3", 1, 0)))
        .isInstanceOf(IpamException.PoolExhausted.class)
        .hasMessageContaining("node \"a\"")
        .hasMessageContaining("strictAffinity");
    assertThat(store.handle("ha3")).isEmpty();
    assertThat(store.blocks().stream().mapToLong(Versioned::revision).sum()).isEqualTo(blockRevs);
  }

  @Test
  void aRequestThatCannotBeFullySatisfiedKeepsNothing() {
    env.pool(PoolSpec.of("default-v4", "10.0.0.0/26", 26));
    IpamAllocator ipam = allocator();
    ipam.autoAssign(AssignRequest.of("a", "first", 60, 0));
    assertThatThrownBy(() -> ipam.autoAssign(AssignRequest.of("a", "big", 5, 0)))
        .isInstanceOf(IpamException.PoolExhausted.class)
        .hasMessageContaining("only 4 available");
    assertThat(store.handle("big")).isEmpty();
    assertThat(ipam.autoAssign(AssignRequest.of("a", "fits", 4, 0)).ipv4()).hasSize(4);
  }

  @Test
  void noBlocksAreClaimedWhenAutoAllocateIsOff() {
    env.settings = new IpamSettings(false, false, 0);
    assertThatThrownBy(() -> allocator().autoAssign(AssignRequest.of("a", "h", 1, 0)))
        .isInstanceOf(IpamException.PoolExhausted.class)
        .hasMessageContaining("autoAllocateBlocks is off");
    assertThat(store.blocks()).isEmpty();
    assertThat(store.affinities()).isEmpty();
  }

  @Test
  void poolsAreChosenByEnabledSelectorAndUse() {
    env.pools.clear();
    env.pool(
        new PoolSpec(
            "rack1",
            Cidr.parse("10.1.0.0/24"),
            26,
            false,
            l -> "1".equals(l.get("rack")),
            Set.of(),
            false));
    env.pool(
        new PoolSpec(
            "tunnels",
            Cidr.parse("10.2.0.0/24"),
            26,
            false,
            NodeMatcher.ALL,
            Set.of("Tunnel"),
            false));
    env.pool(PoolSpec.of("off", "10.3.0.0/24", 26).withDisabled(true));
    env.node("r1", Map.of("rack", "1"));
    IpamAllocator ipam = allocator();
    assertThat(
            Cidr.parse("10.1.0.0/24")
                .contains(
                    ipam.autoAssign(AssignRequest.of("r1", "h", 1, 0)).ipv4().get(0).address()))
        .isTrue();
    assertThatThrownBy(() -> ipam.autoAssign(AssignRequest.of("a", "h2", 1, 0)))
        .isInstanceOf(IpamException.NoPoolForNode.class)
        .hasMessage(
            "no enabled IPv4 IPPool selects node \"a\" for use Workload (check the pools'"
                + " nodeSelector, allowedUses and disabled fields)");
    AssignResult tunnel =
        ipam.autoAssign(new AssignRequest("a", "t", 1, 0, null, null, "Tunnel", List.of()));
    assertThat(Cidr.parse("10.2.0.0/24").contains(tunnel.ipv4().get(0).address())).isTrue();
    assertThatThrownBy(
            () ->
                ipam.autoAssign(
                    new AssignRequest("a", "x", 1, 0, null, null, null, List.of("off"))))
        .isInstanceOf(IpamException.PoolNotUsable.class)
        .hasMessage("IPPool \"off\" is disabled");
    assertThatThrownBy(
            () ->
                ipam.autoAssign(
                    new AssignRequest("a", "x", 1, 0, null, null, null, List.of("nope"))))
        .isInstanceOf(IpamException.UnknownPool.class)
        .hasMessageContaining(
            "IPPool \"nope\" named by the request for handle \"x\" does not exist");
    assertThatThrownBy(() -> ipam.autoAssign(AssignRequest.of("ghost", "x", 1, 0)))
        .isInstanceOf(IpamException.UnknownNode.class)
        .hasMessage("Node \"ghost\" not found");
    assertThatThrownBy(() -> AssignRequest.of("a", "x", 0, 0))
        .isInstanceOf(IpamException.InvalidRequest.class);
  }

  @Test
  void specificAddressesAreAssignedOnceAndOnlyInsidePools() {
    IpamAllocator ipam = allocator();
    AssignedAddress a = ipam.assignIp(ip("10.0.0.77"), "h", "a", "pod", "ns");
    assertThat(a.block()).isEqualTo(Cidr.parse("10.0.0.64/26"));
    assertThat(store.affinity("a", a.block()).orElseThrow().value().state())
        .isEqualTo(BlockAffinity.State.CONFIRMED);
    assertThatThrownBy(() -> ipam.assignIp(ip("10.0.0.77"), "h2", "b", null, null))
        .isInstanceOf(IpamException.AddressInUse.class)
        .hasMessage("IP 10.0.0.77 is already in use (handle \"h\")");
    assertThatThrownBy(() -> ipam.assignIp(ip("10.9.0.1"), "h2", "b", null, null))
        .isInstanceOf(IpamException.AddressNotInPool.class)
        .hasMessage("IP 10.9.0.1 is not inside any IPPool");
    assertThat(store.handle("h2")).isEmpty();
  }

  @Test
  void releasesAreAllOrNothingAndGuardedBySequenceNumbers() {
    IpamAllocator ipam = allocator();
    AssignedAddress x = ipam.autoAssign(AssignRequest.of("a", "hx", 1, 0)).ipv4().get(0);
    AssignedAddress y = ipam.autoAssign(AssignRequest.of("a", "hy", 1, 0)).ipv4().get(0);
    InetAddress free = x.block().addressAt(10);
    assertThatThrownBy(
            () -> ipam.releaseIps(List.of(ReleaseRequest.of(x), ReleaseRequest.of(free))))
        .isInstanceOf(IpamException.AddressNotAllocated.class)
        .hasMessage("IP " + Cidr.format(free) + " is not allocated: nothing to release");
    assertThat(store.handle("hx")).isPresent(); // x was not released either
    assertThatThrownBy(() -> ipam.releaseIps(List.of(new ReleaseRequest(x.address(), null, "hy"))))
        .isInstanceOf(IpamException.HandleMismatch.class);

    ReleaseResult r = ipam.releaseIps(List.of(ReleaseRequest.of(x)));
    assertThat(r.released()).containsExactly(x.address());
    assertThat(store.handle("hx")).isEmpty();
    // Re-assign x's address to someone else, then replay x's release: it must be a no-op.
    AssignedAddress reused = ipam.assignIp(x.address(), "hz", "a", null, null);
    ReleaseResult late = ipam.releaseIps(List.of(ReleaseRequest.of(x)));
    assertThat(late.released()).isEmpty();
    assertThat(late.stale()).containsExactly(x.address());
    assertThat(store.handle("hz").orElseThrow().value().total()).isEqualTo(1);
    assertThat(reused.sequenceNumber()).isGreaterThan(y.sequenceNumber());
    assertThatThrownBy(() -> ipam.releaseIps(List.of(ReleaseRequest.of(ip("192.168.0.1")))))
        .isInstanceOf(IpamException.AddressNotInPool.class);
  }

  @Test
  void anAddressLeftInTheBlockOfADeletedPoolCanBeReleasedByAddress() {
    // The pool was deleted under a running workload; once the workload is gone the operator
    // releases its address by IP, as calicoctl ipam release --ip allows.
    IpamAllocator ipam = allocator();
    AssignedAddress x = ipam.autoAssign(AssignRequest.of("a", "hx", 1, 0)).ipv4().get(0);
    env.pools.clear();

    ReleaseResult r = ipam.releaseIps(List.of(ReleaseRequest.of(x.address())));

    assertThat(r.released()).containsExactly(x.address());
    assertThat(Block.of(store.block(x.block()).orElseThrow().value()).inUse()).isZero();
    assertThat(store.handle("hx")).isEmpty();
    assertThatThrownBy(() -> ipam.releaseIps(List.of(ReleaseRequest.of(ip("10.0.1.1")))))
        .isInstanceOf(IpamException.AddressNotInPool.class);
  }

  @Test
  void releaseByHandleReadsOnlyTheHandlesBlocks() {
    IpamAllocator ipam = allocator();
    ipam.autoAssign(AssignRequest.of("a", "keep", 3, 0));
    Cidr own = ipam.autoAssign(AssignRequest.of("a", "pod", 2, 0)).ipv4().get(0).block();
    Cidr other =
        Cidr.parse("10.0.0.0/24")
            .block(
                BigInteger.ONE
                    .add(Cidr.parse("10.0.0.0/24").blockIndex(own))
                    .mod(BigInteger.valueOf(4)),
                26);
    ipam.assignIp(other.addressAt(5), "pod", "a", null, null); // a second block
    IpamHandle h = store.handle("pod").orElseThrow().value();
    assertThat(h.block()).hasSize(2);
    assertThat(ipam.releaseByHandle("pod")).isEqualTo(3);
    assertThat(store.handle("pod")).isEmpty();
    assertThat(store.handle("keep").orElseThrow().value().total()).isEqualTo(3);
    assertThatThrownBy(() -> ipam.releaseByHandle("pod"))
        .isInstanceOf(IpamException.UnknownHandle.class)
        .hasMessage("IPAMHandle \"pod\" not found");
    assertThat(new IpamChecker(store, env).check(Set.of("a", "b")).clean()).isTrue();
  }

  @Test
  void anEmptyBlockOfAnotherNodeIsReclaimedOnlyAfterTheGracePeriod() {
    env.pool(PoolSpec.of("default-v4", "10.0.0.0/26", 26));
    env.settings = new IpamSettings(true, true, 0);
    AtomicLong now = new AtomicLong();
    IpamAllocator ipam =
        new IpamAllocator(
            ds, env, new IpamAllocator.Options(FaultHook.NONE, Duration.ofSeconds(60), now::get));
    ipam.autoAssign(AssignRequest.of("b", "hb", 1, 0));
    ipam.releaseByHandle("hb");
    assertThatThrownBy(() -> ipam.autoAssign(AssignRequest.of("a", "ha", 1, 0)))
        .isInstanceOf(IpamException.PoolExhausted.class);
    now.addAndGet(Duration.ofSeconds(59).toNanos());
    assertThatThrownBy(() -> ipam.autoAssign(AssignRequest.of("a", "ha", 1, 0)))
        .isInstanceOf(IpamException.PoolExhausted.class);
    now.addAndGet(Duration.ofSeconds(2).toNanos());
    AssignResult r = ipam.autoAssign(AssignRequest.of("a", "ha", 1, 0));
    assertThat(r.ipv4()).hasSize(1);
    assertThat(store.block(Cidr.parse("10.0.0.0/26")).orElseThrow().value().affinity())
        .isEqualTo("host:a");
    assertThat(store.affinities("b")).isEmpty();
    // b lost the block; its next request must not write into a's block as if it owned it.
    env.settings = new IpamSettings(true, true, 0);
    assertThatThrownBy(() -> ipam.autoAssign(AssignRequest.of("b", "hb2", 1, 0)))
        .isInstanceOf(IpamException.PoolExhausted.class);
    assertThat(new IpamChecker(store, env).check(Set.of("a", "b")).clean()).isTrue();
  }

  @Test
  void releasingANodeFreesItsAddressesEverywhereAndItsBlocks() {
    env.settings = new IpamSettings(false, true, 1);
    env.pool(PoolSpec.of("default-v4", "10.0.0.0/25", 26));
    IpamAllocator ipam = allocator();
    ipam.autoAssign(AssignRequest.of("b", "hb", 1, 0));
    ipam.autoAssign(AssignRequest.of("a", "ha", 64, 0));
    ipam.autoAssign(AssignRequest.of("a", "ha-borrowed", 1, 0)); // lives in b's block
    IpamAllocator.NodeRelease r = ipam.releaseNode("a");
    assertThat(r.addresses()).isEqualTo(65);
    assertThat(r.affinities()).isEqualTo(1);
    assertThat(store.affinities("a")).isEmpty();
    assertThat(store.handle("ha")).isEmpty();
    assertThat(store.handle("ha-borrowed")).isEmpty();
    assertThat(store.blocks())
        .singleElement()
        .satisfies(b -> assertThat(b.value().affinity()).isEqualTo("host:b"));
    assertThat(new IpamChecker(store, env).check(Set.of("b")).clean()).isTrue();
  }

  @Test
  void poolAffinitiesAreReleasedOnlyWhenThePoolIsUnusedOrForced() {
    IpamAllocator ipam = allocator();
    ipam.autoAssign(AssignRequest.of("a", "ha", 1, 0));
    ipam.autoAssign(AssignRequest.of("b", "hb", 1, 0));
    assertThatThrownBy(() -> ipam.releasePoolAffinities("default-v4", false))
        .isInstanceOf(IpamException.PoolInUse.class)
        .hasMessage(
            "IPPool \"default-v4\" still has 2 address(es) in use: release them first or force");
    assertThat(store.affinities()).hasSize(2);
    ipam.releaseByHandle("ha");
    assertThat(ipam.releasePoolAffinities("default-v4", true)).isEqualTo(2);
    assertThat(store.affinities()).isEmpty();
    // The block still in use stays, unowned; the empty one is gone.
    assertThat(store.blocks())
        .singleElement()
        .satisfies(b -> assertThat(b.value().affinity()).isNull());
    assertThatThrownBy(() -> ipam.releasePoolAffinities("nope", false))
        .hasMessage("IPPool \"nope\" not found");
  }

  /**
   * A request that cannot be met keeps no address, and must not keep the blocks it claimed on the
   * way either: otherwise one oversized request takes every block of the pool, and with
   * strictAffinity no other node can get an address from it.
   */
  @Test
  void aRequestThatFailsGivesBackTheBlocksItClaimed() {
    env.settings = new IpamSettings(true, true, 0);
    IpamAllocator ipam = allocator();
    AssignResult first = ipam.autoAssign(AssignRequest.of("a", "h1", 1, 0));
    Cidr kept = first.ipv4().getFirst().block();

    assertThatThrownBy(() -> ipam.autoAssign(AssignRequest.of("a", "greedy", 1000, 0)))
        .isInstanceOf(IpamException.PoolExhausted.class);

    assertThat(store.affinities("a"))
        .singleElement()
        .satisfies(a -> assertThat(a.value().cidr()).isEqualTo(kept.toString()));
    assertThat(store.blocks())
        .singleElement()
        .satisfies(b -> assertThat(b.value().cidr()).isEqualTo(kept.toString()));
    assertThat(ipam.autoAssign(AssignRequest.of("b", "h2", 1, 0)).ipv4()).hasSize(1);
    assertThat(new IpamChecker(store, env).check(Set.of("a", "b")).clean()).isTrue();
  }

  /**
   * A pool deleted while addresses were in use leaves its blocks; a new pool over the same range
   * with another block size must not carve a second block over those addresses.
   */
  @Test
  void aBlockLeftByADeletedPoolIsNeverOverlappedByANewPoolsBlock() {
    env.pools.clear();
    env.pool(PoolSpec.of("small", "10.9.0.0/30", 31));
    IpamAllocator ipam = allocator();
    Set<InetAddress> old = new HashSet<>();
    ipam.autoAssign(AssignRequest.of("a", "h1", 2, 0)).ipv4().forEach(x -> old.add(x.address()));
    ipam.autoAssign(AssignRequest.of("b", "h2", 2, 0)).ipv4().forEach(x -> old.add(x.address()));
    assertThat(old).hasSize(4);
    env.pools.clear();
    env.pool(PoolSpec.of("big", "10.9.0.0/24", 26));

    env.nodes("c");
    // Three /26 blocks of the new pool are free; the fourth overlaps the old /31 blocks.
    for (String node : List.of("a", "b", "c")) {
      AssignResult r = ipam.autoAssign(AssignRequest.of(node, "n-" + node, 64, 0));
      assertThat(r.ipv4())
          .allSatisfy(x -> assertThat(old).as("handed out twice").doesNotContain(x.address()));
    }
    assertThatThrownBy(() -> ipam.autoAssign(AssignRequest.of("c", "more", 1, 0)))
        .isInstanceOf(IpamException.PoolExhausted.class);
    List<Cidr> blocks = store.blocks().stream().map(b -> Cidr.parse(b.value().cidr())).toList();
    for (Cidr x : blocks) {
      assertThat(blocks.stream().filter(y -> !y.equals(x) && y.overlaps(x)))
          .as("blocks overlapping " + x)
          .isEmpty();
    }
    // An explicit address inside an old block is assigned and released in that block.
    assertThatThrownBy(() -> ipam.assignIp(ip("10.9.0.1"), "h3", "a", null, null))
        .isInstanceOf(IpamException.AddressInUse.class);
    InetAddress first = old.iterator().next();
    ipam.releaseIps(List.of(new ReleaseRequest(first, null, null)));
    AssignedAddress again = ipam.assignIp(first, "h3", "a", null, null);
    assertThat(again.block().prefixLength()).isEqualTo(31);
    assertThat(new IpamUsage(store).lookup(first, env.pools()))
        .satisfies(i -> assertThat(i.allocated()).isTrue())
        .satisfies(i -> assertThat(i.handle()).isEqualTo("h3"))
        .satisfies(i -> assertThat(i.block()).isEqualTo(again.block().toString()));
    // An address whose new /26 block would overlap an old block is refused, naming that block.
    assertThatThrownBy(() -> ipam.assignIp(ip("10.9.0.5"), "h4", "a", null, null))
        .isInstanceOf(IpamException.InvalidRequest.class)
        .hasMessageContaining("10.9.0.0/26")
        .hasMessageContaining("10.9.0.0/31");
  }

  @Test
  void blockAffinitiesCanBeClaimedAndReleasedExplicitly() {
    IpamAllocator ipam = allocator();
    Cidr block = Cidr.parse("10.0.0.128/26");
    ipam.claimAffinity("a", block);
    assertThatThrownBy(() -> ipam.claimAffinity("b", block))
        .isInstanceOf(IpamException.PoolNotUsable.class)
        .hasMessageContaining("already owned by another node");
    assertThat(store.affinities("b")).isEmpty();
    ipam.assignIp(block.addressAt(1), "h", "a", null, null);
    assertThatThrownBy(() -> ipam.releaseAffinity("a", block, false))
        .isInstanceOf(IpamException.BlockInUse.class);
    assertThat(store.affinity("a", block).orElseThrow().value().state())
        .isEqualTo(BlockAffinity.State.CONFIRMED);
    ipam.releaseByHandle("h");
    ipam.releaseAffinity("a", block, false);
    assertThat(store.block(block)).isEmpty();
    assertThat(store.affinities()).isEmpty();
  }
}
