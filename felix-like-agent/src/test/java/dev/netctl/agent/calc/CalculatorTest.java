package dev.netctl.agent.calc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.agent.kernel.Neighbour;
import dev.netctl.agent.kernel.Ownership;
import dev.netctl.agent.kernel.Route;
import dev.netctl.datastore.model.Cidr;
import dev.netctl.datastore.model.EncapsulationMode;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CalculatorTest {

  private static final EncapsulationMode ALWAYS = EncapsulationMode.ALWAYS;
  private static final EncapsulationMode CROSS = EncapsulationMode.CROSS_SUBNET;
  private static final EncapsulationMode NEVER = EncapsulationMode.NEVER;

  private static Cidr c(String s) {
    return Cidr.parseAddressOrCidr(s);
  }

  private static InetAddress a(String s) {
    return Cidr.parseAddress(s);
  }

  private static NodeInfo node(String name, String ip, String tunnel, boolean fallback) {
    return new NodeInfo(
        name,
        c(ip),
        null,
        tunnel == null ? null : a(tunnel),
        tunnel == null ? null : "66:00:00:00:00:0" + name.charAt(name.length() - 1),
        null,
        null,
        fallback,
        Map.of());
  }

  private static PoolInfo pool(String cidr, EncapsulationMode ipip, EncapsulationMode vxlan) {
    return new PoolInfo("p", c(cidr), ipip, vxlan, false, false);
  }

  private static ClusterState state(
      List<NodeInfo> nodes, List<PoolInfo> pools, List<BlockInfo> blocks) {
    return state(nodes, pools, blocks, List.of(), Map.of());
  }

  private static ClusterState state(
      List<NodeInfo> nodes,
      List<PoolInfo> pools,
      List<BlockInfo> blocks,
      List<WorkloadInfo> workloads,
      Map<Cidr, List<InetAddress>> learned) {
    Map<String, NodeInfo> m = new HashMap<>();
    for (NodeInfo n : nodes) m.put(n.name(), n);
    return new ClusterState(m, pools, blocks, workloads, learned);
  }

  private final List<NodeInfo> subnetA =
      List.of(
          node("n1", "10.0.0.1/24", "10.244.1.1", false),
          node("n2", "10.0.0.2/24", "10.244.2.1", false),
          node("n3", "10.1.0.3/24", "10.244.3.1", false));
  private final List<BlockInfo> blocks =
      List.of(
          new BlockInfo(c("10.244.1.0/26"), "n1"),
          new BlockInfo(c("10.244.2.0/26"), "n2"),
          new BlockInfo(c("10.244.3.0/26"), "n3"));

  @Test
  void ownBlocksAreBlackholedAndVxlanAlwaysGoesThroughTheTunnelOnlink() {
    DesiredState d =
        new Calculator("n1")
            .compute(state(subnetA, List.of(pool("10.244.0.0/16", NEVER, ALWAYS)), blocks));
    assertThat(d.routes().get(c("10.244.1.0/26"))).isEqualTo(Route.blackhole(c("10.244.1.0/26")));
    assertThat(d.routes().get(c("10.244.2.0/26")))
        .isEqualTo(Route.via(c("10.244.2.0/26"), a("10.244.2.1"), Ownership.VXLAN_V4, true));
    assertThat(d.vxlanV4()).isTrue();
    assertThat(d.vtepsV4())
        .containsExactlyInAnyOrder(
            new Neighbour(a("10.244.2.1"), "66:00:00:00:00:02", a("10.0.0.2")),
            new Neighbour(a("10.244.3.1"), "66:00:00:00:00:03", a("10.1.0.3")));
    assertThat(d.originate()).containsExactly(c("10.244.1.0/26"));
  }

  @Test
  void crossSubnetIsNativeInsideTheSubnetJudgedByTheNodesPrefixLength() {
    DesiredState d =
        new Calculator("n1")
            .compute(state(subnetA, List.of(pool("10.244.0.0/16", NEVER, CROSS)), blocks));
    assertThat(d.routes().get(c("10.244.2.0/26")))
        .isEqualTo(Route.via(c("10.244.2.0/26"), a("10.0.0.2"), null, false));
    assertThat(d.routes().get(c("10.244.3.0/26")).dev()).isEqualTo(Ownership.VXLAN_V4);

    // With /32 node addresses (Calico's classic misconfiguration) every node is "elsewhere".
    List<NodeInfo> slash32 =
        List.of(
            node("n1", "10.0.0.1/32", "10.244.1.1", false),
            node("n2", "10.0.0.2/32", "10.244.2.1", false));
    DesiredState e =
        new Calculator("n1")
            .compute(state(slash32, List.of(pool("10.244.0.0/16", NEVER, CROSS)), blocks));
    assertThat(e.routes().get(c("10.244.2.0/26")).dev()).isEqualTo(Ownership.VXLAN_V4);
  }

  @Test
  void aPeerWithoutTunnelAddressGetsNoRouteYet() {
    List<NodeInfo> nodes =
        List.of(
            node("n1", "10.0.0.1/24", "10.244.1.1", false), node("n2", "10.0.0.2/24", null, false));
    DesiredState d =
        new Calculator("n1")
            .compute(state(nodes, List.of(pool("10.244.0.0/16", NEVER, ALWAYS)), blocks));
    assertThat(d.routes()).doesNotContainKey(c("10.244.2.0/26"));
    assertThat(d.vtepsV4()).isEmpty();
  }

  @Test
  void nativeAndIpipPoolsTakeTheirRoutesFromBgp() {
    Map<Cidr, List<InetAddress>> learned =
        Map.of(
            c("10.244.2.0/26"), List.of(a("10.0.0.2")),
            c("10.244.3.0/26"), List.of(a("10.1.0.3")),
            c("10.244.1.0/26"), List.of(a("10.0.0.2")), // our own block reflected back
            c("192.168.0.0/16"), List.of(a("10.0.0.254"), a("10.0.0.253"))); // external, ECMP
    DesiredState nativePool =
        new Calculator("n1")
            .compute(
                state(
                    subnetA,
                    List.of(pool("10.244.0.0/16", NEVER, NEVER)),
                    blocks,
                    List.of(),
                    learned));
    assertThat(nativePool.routes().get(c("10.244.2.0/26")))
        .isEqualTo(Route.via(c("10.244.2.0/26"), a("10.0.0.2"), null, false));
    assertThat(nativePool.routes().get(c("10.244.1.0/26")).type()).isEqualTo(Route.Type.BLACKHOLE);
    assertThat(nativePool.routes().get(c("192.168.0.0/16")).gateways())
        .containsExactly(a("10.0.0.254"), a("10.0.0.253"));

    DesiredState ipipCross =
        new Calculator("n1")
            .compute(
                state(
                    subnetA,
                    List.of(pool("10.244.0.0/16", CROSS, NEVER)),
                    blocks,
                    List.of(),
                    learned));
    assertThat(ipipCross.routes().get(c("10.244.2.0/26")).dev()).isNull();
    assertThat(ipipCross.routes().get(c("10.244.3.0/26")))
        .isEqualTo(Route.via(c("10.244.3.0/26"), a("10.1.0.3"), Ownership.IPIP, true));
    assertThat(ipipCross.ipipWanted()).isTrue();
    assertThat(ipipCross.vxlanV4()).isFalse();
  }

  @Test
  void ipipFallbackCarriesThePoolOverVxlanWithTheIpipMode() {
    List<NodeInfo> nodes =
        List.of(
            node("n1", "10.0.0.1/24", "10.244.1.1", true),
            node("n2", "10.0.0.2/24", "10.244.2.1", false),
            node("n3", "10.1.0.3/24", "10.244.3.1", false));
    Map<Cidr, List<InetAddress>> learned = Map.of(c("10.244.3.0/26"), List.of(a("10.1.0.3")));
    DesiredState d =
        new Calculator("n1")
            .compute(
                state(
                    nodes,
                    List.of(pool("10.244.0.0/16", CROSS, NEVER)),
                    blocks,
                    List.of(),
                    learned));
    assertThat(d.vxlanV4()).isTrue();
    assertThat(d.routes().get(c("10.244.2.0/26")).dev()).isNull(); // same subnet: native
    assertThat(d.routes().get(c("10.244.3.0/26")))
        .isEqualTo(Route.via(c("10.244.3.0/26"), a("10.244.3.1"), Ownership.VXLAN_V4, true));
    assertThat(d.encapsulation().get("p")).contains("over vxlan");

    // The other end, whose kernel has IPIP, also goes VXLAN toward the fallback node.
    DesiredState other =
        new Calculator("n3")
            .compute(state(nodes, List.of(pool("10.244.0.0/16", CROSS, NEVER)), blocks));
    assertThat(other.routes().get(c("10.244.1.0/26")))
        .isEqualTo(Route.via(c("10.244.1.0/26"), a("10.244.1.1"), Ownership.VXLAN_V4, true));
    assertThat(other.vxlanV4()).isTrue();
  }

  @Test
  void workloadsGetLinkRoutesAndBorrowedAddressesAreAdvertisedAsHostRoutes() {
    List<WorkloadInfo> w =
        List.of(
            new WorkloadInfo("default/a", "cali1", List.of(c("10.244.1.5/32"))),
            new WorkloadInfo("default/b", "cali2", List.of(c("10.244.2.9/32"))));
    DesiredState d =
        new Calculator("n1")
            .compute(
                state(subnetA, List.of(pool("10.244.0.0/16", NEVER, ALWAYS)), blocks, w, Map.of()));
    assertThat(d.routes().get(c("10.244.1.5/32")))
        .isEqualTo(Route.link(c("10.244.1.5/32"), "cali1"));
    assertThat(d.routes().get(c("10.244.2.9/32")))
        .isEqualTo(Route.link(c("10.244.2.9/32"), "cali2"));
    assertThat(d.originate()).containsExactly(c("10.244.1.0/26"), c("10.244.2.9/32"));
  }

  @Test
  void disableBgpExportAndNatOutgoingAreHonoured() {
    PoolInfo p = new PoolInfo("p", c("10.244.0.0/16"), NEVER, ALWAYS, true, true);
    PoolInfo q = new PoolInfo("q", c("10.245.0.0/16"), NEVER, NEVER, false, false);
    DesiredState d = new Calculator("n1").compute(state(subnetA, List.of(p, q), blocks));
    assertThat(d.originate()).isEmpty();
    assertThat(d.natSources()).containsExactly(c("10.244.0.0/16"));
    assertThat(d.allPools()).containsExactly(c("10.244.0.0/16"), c("10.245.0.0/16"));
  }

  private static NodeInfo node6(String name, String ip6, String tunnel6) {
    return new NodeInfo(
        name,
        null,
        c(ip6),
        null,
        null,
        a(tunnel6),
        "66:00:00:00:06:0" + name.charAt(name.length() - 1),
        false,
        Map.of());
  }

  // n1 and n2 share a subnet, n3 is across a router; a CrossSubnet pool holds their VTEP
  // addresses, an Always pool is routed over VXLAN.
  private static final List<NodeInfo> V6_NODES =
      List.of(
          node6("n1", "fd77:1::1/64", "fd78::1:0"),
          node6("n2", "fd77:1::2/64", "fd78::2:0"),
          node6("n3", "fd77:2::3/64", "fd78::3:0"));
  private static final List<PoolInfo> V6_POOLS =
      List.of(
          new PoolInfo("cs", c("fd78::/48"), NEVER, CROSS, false, false),
          new PoolInfo("al", c("fd81::/120"), NEVER, ALWAYS, false, false));

  /**
   * IPv6 refuses an onlink gateway that a more specific route sends elsewhere: with a CrossSubnet
   * pool routing a same-subnet peer's block (which holds its tunnel address) through eth0, routes
   * of an Always pool via that address need a host route to it on the VXLAN device.
   */
  @Test
  void everyRemoteIpv6VtepGetsAHostRouteOnTheVxlanDevice() {
    ClusterState s =
        state(
            V6_NODES,
            V6_POOLS,
            List.of(
                new BlockInfo(c("fd78::1:0/120"), "n1"),
                new BlockInfo(c("fd78::2:0/120"), "n2"),
                new BlockInfo(c("fd78::3:0/120"), "n3"),
                new BlockInfo(c("fd81::88/128"), "n2")));
    Map<Cidr, Route> r = new Calculator("n1").compute(s).routes();
    assertThat(r.get(c("fd78::2:0/120")))
        .isEqualTo(Route.via(c("fd78::2:0/120"), a("fd77:1::2"), null, false));
    assertThat(r.get(c("fd81::88/128")))
        .isEqualTo(Route.via(c("fd81::88/128"), a("fd78::2:0"), Ownership.VXLAN_V6, true));
    assertThat(r.get(c("fd78::2:0/128")))
        .isEqualTo(Route.link(c("fd78::2:0/128"), Ownership.VXLAN_V6));
    assertThat(r.get(c("fd78::3:0/128")))
        .isEqualTo(Route.link(c("fd78::3:0/128"), Ownership.VXLAN_V6));
    assertThat(r).doesNotContainKey(c("fd78::1:0/128"));
  }

  /**
   * The agent applies a new or changed remote block alone (remoteBlockRoute) and resyncs everything
   * (compute): both must give a block the same route, or a resync undoes a patch. The case that
   * split them: a /128 block that is a peer's IPv6 VTEP address, in a CrossSubnet pool with the
   * peer in our subnet — native as a block, but the VTEP host route wins.
   */
  @Test
  void aBlockAppliedAloneGetsTheRouteTheFullCalculationGivesIt() {
    ClusterState v6 =
        state(
            V6_NODES,
            V6_POOLS,
            List.of(
                new BlockInfo(c("fd78::1:0/120"), "n1"),
                new BlockInfo(c("fd78::2:0/128"), "n2"), // n2's VTEP address, a block itself
                new BlockInfo(c("fd78::2:100/120"), "n2"),
                new BlockInfo(c("fd78::3:0/128"), "n3"),
                new BlockInfo(c("fd78::3:100/120"), "n3"),
                new BlockInfo(c("fd81::88/128"), "n2")));
    ClusterState v4 = state(subnetA, List.of(pool("10.244.0.0/16", NEVER, CROSS)), blocks);
    for (ClusterState s : List.of(v6, v4)) {
      Calculator calc = new Calculator("n1");
      Map<Cidr, Route> full = calc.compute(s).routes();
      for (BlockInfo b : s.blocks()) {
        if (b.node().equals("n1")) continue;
        assertThat(calc.remoteBlockRoute(b, s))
            .as("%s applied alone and in a full calculation", b.cidr())
            .isEqualTo(full.get(b.cidr()));
      }
    }
    assertThat(new Calculator("n1").remoteBlockRoute(new BlockInfo(c("fd78::2:0/128"), "n2"), v6))
        .isEqualTo(Route.link(c("fd78::2:0/128"), Ownership.VXLAN_V6));
  }

  /**
   * IPAM lends a node an address of another node's block when it can claim none. The block's route
   * leads to its owner, whose blackhole drops it: each such address needs a host route to the node
   * that has the workload (Felix's), on every other node and on the block's owner.
   */
  @Test
  void anAddressBorrowedFromAnotherNodesBlockGetsAHostRouteToItsNode() {
    Map<Cidr, String> remote =
        Map.of(
            c("10.244.3.9/32"), "n2", // borrowed from n3's block
            c("10.244.2.5/32"), "n2", // in n2's own block
            c("10.244.1.7/32"), "n3"); // borrowed from n1's (our) block
    List<PoolInfo> vxlan = List.of(pool("10.244.0.0/16", NEVER, CROSS));
    Map<String, NodeInfo> m = new HashMap<>();
    for (NodeInfo n : subnetA) m.put(n.name(), n);
    ClusterState s = new ClusterState(m, vxlan, blocks, List.of(), Map.of(), remote);

    Map<Cidr, Route> r = new Calculator("n1").compute(s).routes();
    assertThat(r.get(c("10.244.3.9/32")))
        .as("n2 is in our subnet: native, as its block would be")
        .isEqualTo(Route.via(c("10.244.3.9/32"), a("10.0.0.2"), null, false));
    assertThat(r.get(c("10.244.1.7/32")))
        .as("out of our own blackholed block, to n3 over VXLAN")
        .isEqualTo(Route.via(c("10.244.1.7/32"), a("10.244.3.1"), Ownership.VXLAN_V4, true));
    assertThat(r).doesNotContainKey(c("10.244.2.5/32"));

    Map<Cidr, Route> onOwner = new Calculator("n3").compute(s).routes();
    assertThat(onOwner.get(c("10.244.3.9/32")))
        .isEqualTo(Route.via(c("10.244.3.9/32"), a("10.244.2.1"), Ownership.VXLAN_V4, true));
    assertThat(onOwner.get(c("10.244.3.0/26"))).isEqualTo(Route.blackhole(c("10.244.3.0/26")));

    // BGP decides a no-encapsulation pool: the borrowing node advertises the address itself.
    ClusterState bgp =
        new ClusterState(
            m, List.of(pool("10.244.0.0/16", NEVER, NEVER)), blocks, List.of(), Map.of(), remote);
    assertThat(new Calculator("n1").compute(bgp).routes()).doesNotContainKey(c("10.244.3.9/32"));
  }

  /**
   * Pool {@code pool}'s blocks 10.244.1.0/26 (our pod default/a's 10.244.1.5 on cali1) and
   * 10.244.2.0/26 (node n2's pod 10.244.2.9), both without an owner, as subnet A's nodes see them.
   */
  private ClusterState releasedBlocks(PoolInfo pool) {
    List<BlockInfo> released =
        List.of(new BlockInfo(c("10.244.1.0/26"), null), new BlockInfo(c("10.244.2.0/26"), null));
    List<WorkloadInfo> mine =
        List.of(new WorkloadInfo("default/a", "cali1", List.of(c("10.244.1.5/32"))));
    Map<Cidr, String> theirs = Map.of(c("10.244.2.9/32"), "n2");
    Map<String, NodeInfo> m = new HashMap<>();
    for (NodeInfo n : subnetA) m.put(n.name(), n);
    return new ClusterState(m, List.of(pool), released, mine, Map.of(), theirs);
  }

  /**
   * Deleting a pool (PoolDeletion, as Calico) disables it, releases its block affinities — blocks
   * still holding addresses stay, without an owner — and then deletes it. Between the release and
   * the delete, the pods of those blocks were "outside their node's blocks": each node advertised
   * its pods' /32s and every other node programmed host routes to them, all gone a moment later
   * with the pool. An ownerless block of a pool marked as being deleted is on its way out: its
   * addresses get neither, and the block's own routes go with its owner.
   */
  @Test
  void aPoolBeingDeletedGoesFromItsBlocksToNothingWithoutHostRoutesBetween() {
    PoolInfo deleting = new PoolInfo("p", c("10.244.0.0/16"), NEVER, ALWAYS, false, false, true);

    DesiredState d = new Calculator("n1").compute(releasedBlocks(deleting));
    assertThat(d.originate()).as("no /32 of a pool being deleted is advertised").isEmpty();
    assertThat(d.routes())
        .as("our pod keeps its veth route, and nothing else is routed")
        .containsOnlyKeys(c("10.244.1.5/32"));
    ClusterState s = releasedBlocks(deleting);
    assertThat(s.borrowed(c("10.244.2.9/32"), "n2"))
        .as("another node's pod there needs no full calculation")
        .isFalse();

    // An enabled pool's ownerless block (its node gone, say) is another matter: as Felix, its
    // pods' addresses are routed to their nodes and advertised by them.
    PoolInfo enabled = new PoolInfo("p", c("10.244.0.0/16"), NEVER, ALWAYS, false, false);
    DesiredState live = new Calculator("n1").compute(releasedBlocks(enabled));
    assertThat(live.originate()).containsExactly(c("10.244.1.5/32"));
    assertThat(live.routes()).containsKey(c("10.244.2.9/32"));
  }

  private static NodeInfo dual(String name, String ip, String ip6, String tunnel, String tunnel6) {
    return new NodeInfo(
        name,
        c(ip),
        ip6 == null ? null : c(ip6),
        a(tunnel),
        "66:00:00:00:00:0" + name.charAt(name.length() - 1),
        tunnel6 == null ? null : a(tunnel6),
        tunnel6 == null ? null : "66:00:00:00:06:0" + name.charAt(name.length() - 1),
        false,
        Map.of());
  }

  /**
   * CrossSubnet in a cluster whose nodes share a subnet in one family and not the other, and one
   * node whose address was detected as a /32. As Felix: each family is judged on its own, by
   * whether the peer's address lies in the prefix of our own address of that family; so a /32 node
   * is native to the others (its address is in their subnet) and reaches every peer over VXLAN
   * (nothing is in its /32).
   */
  @Test
  void crossSubnetDecidesPerFamilyAndPerPeerInAMixedCluster() {
    ClusterState s =
        state(
            List.of(
                dual("n1", "10.0.0.1/24", "fd77:1::1/64", "10.244.1.1", "fd78::1:0"),
                dual("n2", "10.0.0.2/24", "fd77:2::2/64", "10.244.2.1", "fd78::2:0"),
                dual("n3", "10.1.0.3/24", "fd77:1::3/64", "10.244.3.1", "fd78::3:0"),
                dual("n4", "10.0.0.4/32", null, "10.244.4.1", null)),
            List.of(
                new PoolInfo("v4", c("10.244.0.0/16"), NEVER, CROSS, false, false),
                new PoolInfo("v6", c("fd78::/48"), NEVER, CROSS, false, false)),
            List.of(
                new BlockInfo(c("10.244.1.0/26"), "n1"),
                new BlockInfo(c("10.244.2.0/26"), "n2"),
                new BlockInfo(c("10.244.3.0/26"), "n3"),
                new BlockInfo(c("10.244.4.0/26"), "n4"),
                new BlockInfo(c("fd78::1:0/120"), "n1"),
                new BlockInfo(c("fd78::2:0/120"), "n2"),
                new BlockInfo(c("fd78::3:0/120"), "n3")));
    Map<Cidr, Route> n1 = new Calculator("n1").compute(s).routes();
    assertThat(n1.get(c("10.244.2.0/26")))
        .as("n2: same IPv4 subnet, native")
        .isEqualTo(Route.via(c("10.244.2.0/26"), a("10.0.0.2"), null, false));
    assertThat(n1.get(c("fd78::2:0/120")))
        .as("n2: another IPv6 subnet, VXLAN")
        .isEqualTo(Route.via(c("fd78::2:0/120"), a("fd78::2:0"), Ownership.VXLAN_V6, true));
    assertThat(n1.get(c("10.244.3.0/26")))
        .as("n3: another IPv4 subnet, VXLAN")
        .isEqualTo(Route.via(c("10.244.3.0/26"), a("10.244.3.1"), Ownership.VXLAN_V4, true));
    assertThat(n1.get(c("fd78::3:0/120")))
        .as("n3: same IPv6 subnet, native")
        .isEqualTo(Route.via(c("fd78::3:0/120"), a("fd77:1::3"), null, false));
    assertThat(n1.get(c("10.244.4.0/26")))
        .as("n4's /32 address lies in our /24")
        .isEqualTo(Route.via(c("10.244.4.0/26"), a("10.0.0.4"), null, false));

    Map<Cidr, Route> n4 = new Calculator("n4").compute(s).routes();
    assertThat(n4.get(c("10.244.1.0/26")))
        .as("nothing is in n4's /32: VXLAN to every peer")
        .isEqualTo(Route.via(c("10.244.1.0/26"), a("10.244.1.1"), Ownership.VXLAN_V4, true));
    assertThat(n4.get(c("10.244.2.0/26")))
        .isEqualTo(Route.via(c("10.244.2.0/26"), a("10.244.2.1"), Ownership.VXLAN_V4, true));
    assertThat(n4)
        .as("n4 has no IPv6 VTEP: no IPv6 block routes")
        .doesNotContainKey(c("fd78::1:0/120"));

    for (String me : List.of("n1", "n2", "n3", "n4")) {
      Calculator calc = new Calculator(me);
      Map<Cidr, Route> full = calc.compute(s).routes();
      for (BlockInfo b : s.blocks()) {
        if (b.node().equals(me)) continue;
        assertThat(calc.remoteBlockRoute(b, s))
            .as("%s on %s, alone and in full", b.cidr(), me)
            .isEqualTo(full.get(b.cidr()));
      }
    }
  }

  /**
   * A pool that is disabled (no new addresses) but not being deleted, whose blocks lost their
   * affinity for another reason: {@code ipam release} of a node's affinity, the node's deletion, a
   * split. Its pods still hold their addresses, and as Calico an allocated address is routed until
   * it is released: every other node keeps a host route to each pod, and each node keeps
   * advertising its own. Until session 19 "disabled" alone made the block retiring, and those pods
   * went unrouted.
   */
  @Test
  void aDisabledPoolsPodsKeepTheirRoutesWhenTheirBlocksLoseTheirAffinityForAnotherReason() {
    PoolInfo disabled = new PoolInfo("p", c("10.244.0.0/16"), NEVER, ALWAYS, false, false, false);
    ClusterState s = releasedBlocks(disabled);

    DesiredState d = new Calculator("n1").compute(s);
    assertThat(d.originate())
        .as("our pod's address in an ownerless block of a disabled pool is still advertised")
        .containsExactly(c("10.244.1.5/32"));
    assertThat(d.routes())
        .as("the other node's pod is still routed to its node")
        .containsKey(c("10.244.2.9/32"));
    assertThat(d.routes().get(c("10.244.2.9/32")).dev()).isEqualTo(Ownership.VXLAN_V4);
    assertThat(s.retiring(c("10.244.2.9/32"))).isFalse();
    assertThat(s.borrowed(c("10.244.2.9/32"), "n2"))
        .as("a change of that pod's endpoint runs the full calculation")
        .isTrue();
  }
}
