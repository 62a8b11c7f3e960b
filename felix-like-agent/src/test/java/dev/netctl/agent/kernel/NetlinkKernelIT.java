package dev.netctl.agent.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.datastore.model.Cidr;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link NetlinkKernel}'s routes against the real kernel, in a namespace of the test's own (a veth
 * pair {@code eth0}/{@code eth0p} with 10.77.0.1/24 and fd77::1/64), read back with {@code ip}.
 */
class NetlinkKernelIT {

  private NetnsThread ns;
  private final NetlinkKernel kernel = new NetlinkKernel(new IpKernel());

  @BeforeEach
  void up() throws Exception {
    NetnsThread.assumeRoot();
    ns = new NetnsThread();
    ns.ip("link", "add", "eth0", "type", "veth", "peer", "name", "eth0p");
    ns.ip("link", "set", "eth0", "up");
    ns.ip("link", "set", "eth0p", "up");
    ns.ip("addr", "add", "10.77.0.1/24", "dev", "eth0");
    ns.ip("addr", "add", "fd77::1/64", "dev", "eth0", "nodad");
  }

  @AfterEach
  void down() throws Exception {
    if (ns != null) ns.close();
  }

  private static Cidr c(String s) {
    return Cidr.parse(s);
  }

  private static InetAddress a(String s) {
    return Cidr.parseAddress(s);
  }

  private static final Route NATIVE = Route.via(c("10.90.0.0/26"), a("10.77.0.2"), "eth0", false);
  private static final Route ONLINK = Route.via(c("10.90.0.64/26"), a("10.200.0.5"), "eth0", true);
  private static final Route BLACKHOLE = Route.blackhole(c("10.90.1.0/26"));
  private static final Route ECMP =
      new Route(
          c("10.90.2.0/26"),
          Route.Type.UNICAST,
          List.of(a("10.77.0.2"), a("10.77.0.3")),
          "eth0",
          false);
  private static final Route LINK = Route.link(c("10.90.3.5/32"), "eth0p");
  private static final Route NATIVE6 = Route.via(c("fd90::/122"), a("fd77::2"), "eth0", false);
  private static final Route BLACKHOLE6 = Route.blackhole(c("fd90::1:0/122"));
  private static final Route ECMP6 =
      new Route(
          c("fd90::2:0/122"),
          Route.Type.UNICAST,
          List.of(a("fd77::2"), a("fd77::3")),
          "eth0",
          false);
  private static final Route ONLINK6 = Route.via(c("fd90::3:0/122"), a("fd99::9"), "eth0", true);

  private static final List<Route> ALL =
      List.of(NATIVE, ONLINK, BLACKHOLE, ECMP, LINK, NATIVE6, BLACKHOLE6, ECMP6, ONLINK6);

  private String owned() throws Exception {
    return ns.ip("-4", "route", "show", "proto", "86")
        + ns.ip("-6", "route", "show", "proto", "86");
  }

  @Test
  void everyKindOfRouteReachesTheKernelAndReadsBackEqual() throws Exception {
    assertThat(ns.run(() -> kernel.applyRoutes(ALL, List.of()))).isEmpty();

    String shown = owned();
    assertThat(shown)
        .contains("10.90.0.0/26 via 10.77.0.2 dev eth0")
        .contains("10.90.0.64/26 via 10.200.0.5 dev eth0 onlink")
        .contains("blackhole 10.90.1.0/26")
        .contains("10.90.3.5 dev eth0p scope link")
        .contains("fd90::/122 via fd77::2 dev eth0")
        .contains("blackhole fd90::1:0/122")
        .contains("fd90::3:0/122 via fd99::9 dev eth0")
        .containsPattern(
            "10\\.90\\.2\\.0/26\\s+nexthop via 10\\.77\\.0\\.2 dev eth0 weight 1\\s+"
                + "nexthop via 10\\.77\\.0\\.3 dev eth0 weight 1")
        .containsPattern(
            "fd90::2:0/122[^\\n]*\\n?\\s+nexthop via fd77::2 dev eth0 weight 1\\s+"
                + "nexthop via fd77::3 dev eth0 weight 1");
    assertThat(ns.ip("-6", "route", "show", "fd90::3:0/122")).contains("onlink");
    assertThat(shown.lines().filter(l -> !l.startsWith("\t")).count())
        .as("one route per destination, nothing else of our protocol: %s", shown)
        .isEqualTo(ALL.size());

    // The dump (what a restart's mark-and-sweep reads) gives back exactly what was written.
    assertThat(ns.run(kernel::ownedRoutes)).containsExactlyInAnyOrderElementsOf(ALL);
  }

  @Test
  void aRouteWithoutDeviceReadsBackWithTheDeviceTheKernelChose() throws Exception {
    Route noDev = Route.via(c("10.90.4.0/26"), a("10.77.0.2"), null, false);
    assertThat(ns.run(() -> kernel.applyRoutes(List.of(noDev), List.of()))).isEmpty();
    assertThat(ns.run(kernel::ownedRoutes))
        .containsExactly(Route.via(c("10.90.4.0/26"), a("10.77.0.2"), "eth0", false));
  }

  @Test
  void replaceChangesARouteInPlace() throws Exception {
    ns.run(() -> kernel.applyRoutes(List.of(NATIVE, NATIVE6), List.of()));
    Route moved = Route.via(NATIVE.dst(), a("10.77.0.9"), "eth0", false);
    Route moved6 = Route.via(NATIVE6.dst(), a("fd77::9"), "eth0", false);
    assertThat(ns.run(() -> kernel.applyRoutes(List.of(moved, moved6), List.of()))).isEmpty();
    assertThat(ns.run(kernel::ownedRoutes)).containsExactlyInAnyOrder(moved, moved6);
  }

  /**
   * IPv6 checks an onlink gateway against the routes it has: a remote block moving from native to
   * VXLAN, whose VTEP address lies inside that block, is refused as a replace (the gateway resolves
   * through the block's own old route, on another device) and taken after a delete of the old route
   * in the same batch, which is what RouteManager sends when a route changes device.
   */
  @Test
  void anIpv6RouteMovingDeviceWithAnOnlinkGatewayInsideItselfNeedsTheOldOneDeletedFirst()
      throws Exception {
    Route native6 = Route.via(c("fd90::5:0/122"), a("fd77::2"), "eth0", false);
    Route vxlan6 = Route.via(c("fd90::5:0/122"), a("fd90::5:1"), "eth0p", true);
    assertThat(ns.run(() -> kernel.applyRoutes(List.of(native6), List.of()))).isEmpty();
    List<Kernel.Failure> replaced = ns.run(() -> kernel.applyRoutes(List.of(vxlan6), List.of()));
    assertThat(replaced).singleElement().satisfies(f -> assertThat(f.error()).contains("mismatch"));
    assertThat(ns.run(() -> kernel.applyRoutes(List.of(vxlan6), List.of(native6)))).isEmpty();
    assertThat(ns.run(kernel::ownedRoutes)).containsExactly(vxlan6);
  }

  @Test
  void eachFailureNamesItsRouteAndTheOthersAreProgrammed() throws Exception {
    // Not on any local subnet and not onlink: the kernel refuses this one.
    Route unreachable = Route.via(c("10.91.0.0/26"), a("10.99.0.1"), "eth0", false);
    Route noDevice = Route.via(c("10.91.0.64/26"), a("10.77.0.2"), "nosuch0", false);
    List<Route> batch = new ArrayList<>();
    for (int i = 0; i < 700; i++) {
      // Spread over three datagrams; the bad routes sit in the middle of the second.
      if (i == 400) batch.add(unreachable);
      if (i == 401) batch.add(noDevice);
      batch.add(
          Route.via(
              c("10.92." + (i / 4) + "." + (i % 4) * 64 + "/26"), a("10.77.0.2"), "eth0", false));
    }
    List<Kernel.Failure> failures = ns.run(() -> kernel.applyRoutes(batch, List.of()));

    assertThat(failures).extracting(Kernel.Failure::item).containsExactly(noDevice, unreachable);
    Kernel.Failure refused =
        failures.stream().filter(f -> f.item().equals(unreachable)).findFirst().orElseThrow();
    assertThat(refused.error()).contains("RTNETLINK answers");
    Set<Route> read = new HashSet<>(ns.run(kernel::ownedRoutes));
    assertThat(read).hasSize(700).doesNotContain(unreachable, noDevice);
    assertThat(read)
        .containsAll(batch.stream().filter(r -> r != unreachable && r != noDevice).toList());
  }

  /**
   * A route through a device that is not there is marked so by what the kernel knows (no interface
   * index, ENODEV), not by the words of the refusal, which differ between iproute2 versions: the
   * agent keeps a workload route waiting for its veth on that mark. Both kernels mark it; a route
   * refused for another reason is not marked.
   */
  @Test
  void aRouteThroughAMissingDeviceIsMarkedSoByEitherKernel() throws Exception {
    Route noDevice = Route.link(c("10.93.0.5/32"), "cali0123456789a");
    Route unreachable = Route.via(c("10.93.1.0/26"), a("10.99.0.1"), "eth0", false);
    for (Kernel k : List.of(kernel, new IpKernel())) {
      List<Kernel.Failure> failures =
          ns.run(() -> k.applyRoutes(List.of(noDevice, unreachable), List.of()));
      assertThat(failures)
          .as("%s", k.getClass().getSimpleName())
          .extracting(Kernel.Failure::item, Kernel.Failure::deviceMissing)
          .containsExactlyInAnyOrder(
              org.assertj.core.groups.Tuple.tuple(noDevice, true),
              org.assertj.core.groups.Tuple.tuple(unreachable, false));
      // deleting a route that went with its device is no route waiting for a device
      assertThat(ns.run(() -> k.applyRoutes(List.of(), List.of(noDevice))))
          .as("%s delete", k.getClass().getSimpleName())
          .noneMatch(Kernel.Failure::deviceMissing);
    }
  }

  @Test
  void deletesOnlyOurRoutesAndNeverAForeignOneOfTheSamePrefix() throws Exception {
    ns.run(() -> kernel.applyRoutes(ALL, List.of()));
    // Another daemon's routes: one beside ours, one on a prefix we are told to delete.
    ns.ip("route", "add", "10.90.8.0/26", "via", "10.77.0.4", "proto", "static");
    ns.ip("route", "add", "10.90.9.0/26", "via", "10.77.0.4", "proto", "bird");
    Route notOurs = Route.via(c("10.90.8.0/26"), a("10.77.0.4"), "eth0", false);

    List<Kernel.Failure> failures =
        ns.run(() -> kernel.applyRoutes(List.of(), List.of(NATIVE, ECMP6, BLACKHOLE, notOurs)));

    assertThat(failures)
        .as("deleting what is not there (for us) leaves the kernel as wanted")
        .isEmpty();
    assertThat(ns.run(kernel::ownedRoutes))
        .containsExactlyInAnyOrder(ONLINK, ECMP, LINK, NATIVE6, BLACKHOLE6, ONLINK6);
    assertThat(ns.ip("route", "show", "proto", "static")).contains("10.90.8.0/26 via 10.77.0.4");
    assertThat(ns.ip("route", "show", "proto", "bird")).contains("10.90.9.0/26 via 10.77.0.4");
  }

  @Test
  void theDumpLeavesOutOtherProtocolsAndTables() throws Exception {
    ns.run(() -> kernel.applyRoutes(List.of(NATIVE), List.of()));
    ns.ip("route", "add", "10.90.8.0/26", "via", "10.77.0.4", "proto", "static");
    ns.ip("route", "add", "10.90.10.0/26", "via", "10.77.0.4", "proto", "86", "table", "100");
    assertThat(ns.run(kernel::ownedRoutes)).containsExactly(NATIVE);
  }

  @Test
  void vtepsReachTheNeighbourAndFdbTablesAndReadBack() throws Exception {
    for (String local : List.of("10.77.0.1 vxlan.calico", "fd77::1 vxlan-v6.calico")) {
      String[] at = local.split(" ");
      ns.ip(
          ("link add "
                  + at[1]
                  + " type vxlan id 4096 local "
                  + at[0]
                  + " dev eth0 dstport 4789 nolearning")
              .split(" "));
      ns.ip("link", "set", at[1], "up");
    }
    Neighbour one = new Neighbour(a("10.244.9.1"), "66:00:00:00:00:01", a("10.77.0.2"));
    Neighbour two = new Neighbour(a("10.244.9.2"), "66:00:00:00:00:02", a("10.77.0.3"));
    Neighbour six = new Neighbour(a("fd00:9::1"), "66:00:00:00:00:06", a("fd77::6"));

    assertThat(ns.run(() -> kernel.applyNeighbours("vxlan.calico", List.of(one, two), List.of())))
        .isEmpty();
    assertThat(ns.run(() -> kernel.applyNeighbours("vxlan-v6.calico", List.of(six), List.of())))
        .isEmpty();

    assertThat(ns.ip("neigh", "show", "dev", "vxlan.calico", "nud", "permanent"))
        .contains("10.244.9.1 lladdr 66:00:00:00:00:01 PERMANENT")
        .contains("10.244.9.2 lladdr 66:00:00:00:00:02 PERMANENT");
    assertThat(NetnsThread.sh("bridge", "-n", ns.name, "fdb", "show", "dev", "vxlan.calico"))
        .contains("66:00:00:00:00:01 dst 10.77.0.2 self permanent")
        .contains("66:00:00:00:00:02 dst 10.77.0.3 self permanent");
    assertThat(ns.ip("-6", "neigh", "show", "dev", "vxlan-v6.calico"))
        .contains("fd00:9::1 lladdr 66:00:00:00:00:06 PERMANENT");
    assertThat(ns.run(() -> kernel.neighbours("vxlan.calico"))).containsExactlyInAnyOrder(one, two);
    assertThat(ns.run(() -> kernel.neighbours("vxlan-v6.calico"))).containsExactly(six);

    // A peer moved to another underlay address; another left (and leaving twice is harmless).
    Neighbour moved = new Neighbour(one.tunnelAddress(), one.mac(), a("10.77.0.9"));
    assertThat(ns.run(() -> kernel.applyNeighbours("vxlan.calico", List.of(moved), List.of(two))))
        .isEmpty();
    assertThat(ns.run(() -> kernel.applyNeighbours("vxlan.calico", List.of(), List.of(two))))
        .isEmpty();
    assertThat(ns.run(() -> kernel.neighbours("vxlan.calico"))).containsExactly(moved);
    assertThat(NetnsThread.sh("bridge", "-n", ns.name, "fdb", "show", "dev", "vxlan.calico"))
        .contains("66:00:00:00:00:01 dst 10.77.0.9 self permanent")
        .doesNotContain("66:00:00:00:00:02");

    // A peer kept its VTEP MAC but got a new tunnel address: the new neighbour's FDB write
    // replaces the MAC's entry in place, and the old neighbour goes without it.
    Neighbour renumbered = new Neighbour(a("10.244.9.7"), moved.mac(), moved.underlay());
    assertThat(ns.run(() -> kernel.applyNeighbours("vxlan.calico", List.of(renumbered), List.of())))
        .isEmpty();
    assertThat(
            ns.run(
                () ->
                    kernel.applyNeighbours(
                        "vxlan.calico", List.of(), List.of(moved), Set.of(moved.fdbKey()))))
        .isEmpty();
    assertThat(ns.run(() -> kernel.neighbours("vxlan.calico"))).containsExactly(renumbered);
    assertThat(NetnsThread.sh("bridge", "-n", ns.name, "fdb", "show", "dev", "vxlan.calico"))
        .contains("66:00:00:00:00:01 dst 10.77.0.9 self permanent");
  }

  @Test
  void aMissingVxlanDeviceHasNoNeighboursAndRefusesNewOnes() throws Exception {
    Neighbour one = new Neighbour(a("10.244.9.1"), "66:00:00:00:00:01", a("10.77.0.2"));
    assertThat(ns.run(() -> kernel.neighbours("vxlan.calico"))).isEmpty();
    assertThat(ns.run(() -> kernel.applyNeighbours("vxlan.calico", List.of(one), List.of())))
        .extracting(Kernel.Failure::item)
        .containsExactly(one);
  }

  @Test
  void whenAnswersAreLostEveryUnansweredRouteIsReportedFailedNeverAssumedDone() throws Exception {
    // A receive buffer far too small for 256 errors: the kernel drops most of them (ENOBUFS).
    NetlinkKernel tiny = new NetlinkKernel(new IpKernel(), 4096);
    List<Route> refused = new ArrayList<>();
    for (int i = 0; i < 256; i++) {
      refused.add(Route.via(c("10.93." + i + ".0/26"), a("10.99.0.1"), "eth0", false));
    }
    List<Route> good = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      good.add(Route.via(c("10.94." + i + ".0/26"), a("10.77.0.2"), "eth0", false));
    }
    List<Route> batch = new ArrayList<>(refused);
    batch.addAll(good); // the next datagram, sent on a fresh socket

    List<Kernel.Failure> failures = ns.run(() -> tiny.applyRoutes(batch, List.of()));

    assertThat(failures)
        .extracting(Kernel.Failure::item)
        .as("each refused route once, whether its error arrived or was lost")
        .containsExactlyInAnyOrderElementsOf(refused);
    assertThat(failures)
        .extracting(Kernel.Failure::error)
        .anyMatch(e -> e.contains("answers lost"));
    assertThat(ns.run(kernel::ownedRoutes)).containsExactlyInAnyOrderElementsOf(good);
  }

  /**
   * IPv6 refuses an onlink gateway that a more specific route sends through another device
   * ("Nexthop has invalid gateway or device mismatch"). A peer in our subnet gets its tunnel
   * address from a CrossSubnet pool, whose block we route natively through eth0; a second IPv6 pool
   * in VXLAN Always mode routes its blocks via that tunnel address on vxlan-v6.calico. Found in a
   * three-node lab (session 17): every such route was refused, and retried, forever.
   */
  @Test
  void anIpv6VxlanRouteViaAPeerTunnelAddressInsideANativelyRoutedBlockIsAccepted()
      throws Exception {
    ns.ip(
        "link",
        "add",
        Ownership.VXLAN_V6,
        "type",
        "vxlan",
        "id",
        "4096",
        "dstport",
        "4789",
        "local",
        "fd77::1",
        "dev",
        "eth0",
        "nolearning");
    ns.ip("link", "set", Ownership.VXLAN_V6, "up");
    var me =
        new dev.netctl.agent.calc.NodeInfo(
            "n1",
            null,
            c("fd77::1/64"),
            null,
            null,
            a("fd78::1:0"),
            "66:00:00:00:06:01",
            false,
            java.util.Map.of());
    var peer =
        new dev.netctl.agent.calc.NodeInfo(
            "n2",
            null,
            c("fd77::2/64"),
            null,
            null,
            a("fd78::2:0"),
            "66:00:00:00:06:02",
            false,
            java.util.Map.of());
    var crossSubnet =
        new dev.netctl.agent.calc.PoolInfo(
            "cs",
            c("fd78::/48"),
            dev.netctl.datastore.model.EncapsulationMode.NEVER,
            dev.netctl.datastore.model.EncapsulationMode.CROSS_SUBNET,
            false,
            false);
    var always =
        new dev.netctl.agent.calc.PoolInfo(
            "al",
            c("fd81::/120"),
            dev.netctl.datastore.model.EncapsulationMode.NEVER,
            dev.netctl.datastore.model.EncapsulationMode.ALWAYS,
            false,
            false);
    var calc = new dev.netctl.agent.calc.Calculator("n1");
    var routes = new dev.netctl.agent.dataplane.RouteManager(kernel);
    List<dev.netctl.agent.calc.BlockInfo> blocks =
        new ArrayList<>(
            List.of(
                new dev.netctl.agent.calc.BlockInfo(c("fd78::1:0/120"), "n1"),
                new dev.netctl.agent.calc.BlockInfo(c("fd78::2:0/120"), "n2")));
    var state =
        new dev.netctl.agent.calc.ClusterState(
            java.util.Map.of("n1", me, "n2", peer),
            List.of(crossSubnet, always),
            blocks,
            List.of(),
            java.util.Map.of());
    routes.desired(calc.compute(state).routes());
    ns.run(routes::apply);
    assertThat(routes.lastFailures()).isEmpty();
    assertThat(ns.ip("-6", "route", "show", "fd78::2:0/120")).contains("via fd77::2 dev eth0");

    // The peer's first block of the Always pool, applied alone as the agent applies a new block.
    var always88 = new dev.netctl.agent.calc.BlockInfo(c("fd81::88/128"), "n2");
    blocks.add(always88);
    state =
        new dev.netctl.agent.calc.ClusterState(
            state.nodes(), state.pools(), blocks, List.of(), java.util.Map.of());
    Route viaTunnel = calc.remoteBlockRoute(always88, state);
    assertThat(viaTunnel)
        .isEqualTo(Route.via(c("fd81::88/128"), a("fd78::2:0"), Ownership.VXLAN_V6, true));
    routes.patch(java.util.Map.of(viaTunnel.dst(), viaTunnel));
    ns.run(routes::apply);
    assertThat(routes.lastFailures()).as("the kernel refused nothing").isEmpty();
    assertThat(ns.ip("-6", "route", "show", "fd81::88/128"))
        .contains("via fd78::2:0 dev " + Ownership.VXLAN_V6);
    // traffic to the peer's other addresses in that block still goes natively
    assertThat(ns.ip("-6", "route", "get", "fd78::2:5")).contains("dev eth0");
  }

  /**
   * The kernel refuses a gateway that is not on a link, such as a BGP next hop in another subnet;
   * {@link Kernel#gatewayTo} names the router its own routing takes instead (NodeAgent resolves
   * next hops with it, as BIRD's gateway recursive does).
   */
  @Test
  void aGatewayOffOurLinksIsRefusedAndResolvesToTheRouterTowardIt() throws Exception {
    ns.ip("route", "add", "default", "via", "10.77.0.254");
    ns.ip("-6", "route", "add", "default", "via", "fd77::fe");
    Route far = Route.via(c("10.95.0.0/26"), a("10.78.2.3"), null, false);
    assertThat(ns.run(() -> kernel.applyRoutes(List.of(far), List.of())))
        .singleElement()
        .extracting(Kernel.Failure::error)
        .asString()
        .contains("unreachable");
    assertThat(ns.run(() -> kernel.gatewayTo(a("10.78.2.3")))).isEqualTo(a("10.77.0.254"));
    assertThat(ns.run(() -> kernel.gatewayTo(a("fd78:2::3")))).isEqualTo(a("fd77::fe"));
    assertThat(ns.run(() -> kernel.gatewayTo(a("10.77.0.2")))).as("on our link").isNull();
    Route resolved = Route.via(far.dst(), a("10.77.0.254"), null, false);
    assertThat(ns.run(() -> kernel.applyRoutes(List.of(resolved), List.of()))).isEmpty();
  }
}
