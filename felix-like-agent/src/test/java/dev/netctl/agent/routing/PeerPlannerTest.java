package dev.netctl.agent.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.speaker.Neighbor;
import dev.netctl.datastore.model.BGPConfiguration;
import dev.netctl.datastore.model.BGPConfigurationSpec;
import dev.netctl.datastore.model.BGPPeer;
import dev.netctl.datastore.model.BGPPeerSpec;
import dev.netctl.datastore.model.Cidr;
import dev.netctl.datastore.model.Node;
import dev.netctl.datastore.model.NodeBGPSpec;
import dev.netctl.datastore.model.NodeSpec;
import dev.netctl.datastore.model.ObjectMeta;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PeerPlannerTest {

  @TempDir Path secrets;

  private static Node node(String name, String ip, String rr, Map<String, String> labels) {
    return new Node(
        ObjectMeta.named(name, labels), NodeSpec.bgp(new NodeBGPSpec(ip, null, null, rr)));
  }

  private static InetAddress a(String s) {
    return Cidr.parseAddress(s);
  }

  private final Node n1 = node("n1", "10.0.0.1/24", null, Map.of("zone", "a"));
  private final Node n2 = node("n2", "10.0.0.2/24", null, Map.of("zone", "a"));
  private final Node rr = node("rr", "10.0.0.9/24", "224.0.0.1", Map.of("route-reflector", "true"));

  private BGPConfigurationSpec cluster(boolean mesh) {
    return BGPConfigurationSpec.empty().withNodeToNodeMeshEnabled(mesh).withDefaults();
  }

  @Test
  void fullMeshPeersEveryOtherNodeInTheClusterAs() {
    Map<InetAddress, Neighbor> plan =
        new PeerPlanner("n1", secrets).plan(n1, List.of(n1, n2, rr), List.of(), cluster(true));
    assertThat(plan.keySet()).containsExactlyInAnyOrder(a("10.0.0.2"), a("10.0.0.9"));
    Neighbor n = plan.get(a("10.0.0.2"));
    assertThat(n.spec().config().remoteAs()).isEqualTo(64512);
    assertThat(n.spec().remote().getPort()).isEqualTo(179);
    assertThat(n.routeReflectorClient()).isFalse();
  }

  private static BGPPeerSpec selectorPeer(String nodeSelector, String peerSelector) {
    return new BGPPeerSpec(
        null, nodeSelector, null, null, peerSelector, null, false, null, null, null, null, null);
  }

  @Test
  void routeReflectorTopologyWithMeshOff() {
    BGPPeer toRr =
        new BGPPeer(
            ObjectMeta.named("peer-with-rr"),
            selectorPeer("!has(route-reflector)", "has(route-reflector)"));
    BGPPeer rrToClients =
        new BGPPeer(
            ObjectMeta.named("rr-to-all"),
            selectorPeer("has(route-reflector)", "!has(route-reflector)"));
    List<BGPPeer> peers = List.of(toRr, rrToClients);
    Map<InetAddress, Neighbor> client =
        new PeerPlanner("n1", secrets).plan(n1, List.of(n1, n2, rr), peers, cluster(false));
    assertThat(client.keySet()).containsExactly(a("10.0.0.9"));
    assertThat(client.get(a("10.0.0.9")).routeReflectorClient()).isFalse();

    Map<InetAddress, Neighbor> reflector =
        new PeerPlanner("rr", secrets).plan(rr, List.of(n1, n2, rr), peers, cluster(false));
    assertThat(reflector.keySet()).containsExactlyInAnyOrder(a("10.0.0.1"), a("10.0.0.2"));
    assertThat(reflector.values()).allMatch(Neighbor::routeReflectorClient);
  }

  @Test
  void nodeScopedExternalPeerWithPortPasswordAndTtl() throws Exception {
    Files.createDirectories(secrets.resolve("bgp"));
    Files.writeString(secrets.resolve("bgp/tor"), "s3cret\n");
    BGPPeer tor =
        new BGPPeer(
            ObjectMeta.named("tor"),
            new BGPPeerSpec(
                "n1",
                null,
                "10.0.0.254:1790",
                65001L,
                null,
                new dev.netctl.datastore.model.BGPPassword(
                    new dev.netctl.datastore.model.SecretKeySelector("bgp", "tor")),
                false,
                null,
                "30s",
                null,
                1,
                null));
    Map<InetAddress, Neighbor> mine =
        new PeerPlanner("n1", secrets).plan(n1, List.of(n1, n2), List.of(tor), cluster(false));
    Neighbor n = mine.get(a("10.0.0.254"));
    assertThat(n.spec().remote().getPort()).isEqualTo(1790);
    assertThat(n.spec().config().remoteAs()).isEqualTo(65001);
    assertThat(n.spec().md5Password()).isEqualTo("s3cret");
    assertThat(n.spec().ttlSecurityHops()).isEqualTo(1);
    assertThat(n.spec().config().gracefulRestartSeconds()).isEqualTo(30);
    // eBGP gets explicit accept-all policies: without them RFC 8212 exchanges nothing.
    assertThat(n.exportPolicy()).isNotNull();

    assertThat(
            new PeerPlanner("n2", secrets).plan(n2, List.of(n1, n2), List.of(tor), cluster(false)))
        .isEmpty();
  }

  @Test
  void keepaliveTimeAllowedLocalAsAndACompoundRestartTimeReachTheSession() {
    BGPPeer tor =
        new BGPPeer(
            ObjectMeta.named("tor"),
            new BGPPeerSpec(
                null,
                null,
                "10.0.0.254",
                65001L,
                null,
                null,
                false,
                null,
                "2m30s",
                null,
                null,
                null,
                "1m",
                2));
    Neighbor n =
        new PeerPlanner("n1", secrets)
            .plan(n1, List.of(n1), List.of(tor), cluster(false))
            .get(a("10.0.0.254"));
    assertThat(n.spec().config().keepaliveTime()).isEqualTo(60);
    assertThat(n.spec().config().allowLocalAs()).isEqualTo(2);
    assertThat(n.spec().config().gracefulRestartSeconds()).isEqualTo(150);
  }

  @Test
  void theMeshTakesItsPasswordAndRestartTimeFromTheBgpConfiguration() throws Exception {
    Files.createDirectories(secrets.resolve("bgp"));
    Files.writeString(secrets.resolve("bgp/mesh"), "m3sh\n");
    BGPConfigurationSpec cluster =
        new BGPConfigurationSpec(
                null,
                true,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                new dev.netctl.datastore.model.BGPPassword(
                    new dev.netctl.datastore.model.SecretKeySelector("bgp", "mesh")),
                "90s",
                null)
            .withDefaults();
    Neighbor n =
        new PeerPlanner("n1", secrets)
            .plan(n1, List.of(n1, n2), List.of(), cluster)
            .get(a("10.0.0.2"));
    assertThat(n.spec().md5Password()).isEqualTo("m3sh");
    assertThat(n.spec().config().gracefulRestartSeconds()).isEqualTo(90);
    // Without them the mesh has no password and the default restart time.
    Neighbor plain =
        new PeerPlanner("n1", secrets)
            .plan(n1, List.of(n1, n2), List.of(), cluster(true))
            .get(a("10.0.0.2"));
    assertThat(plain.spec().md5Password()).isNull();
    assertThat(plain.spec().config().gracefulRestartSeconds())
        .isEqualTo(PeerPlanner.RESTART_SECONDS);
  }

  @Test
  void keepOriginalNextHopAndNextHopModeBecomeTheExportPolicy() {
    BGPPeerSpec keep =
        new BGPPeerSpec(
            null, null, "10.0.0.254", 65001L, null, null, true, null, null, null, null, null);
    BGPPeerSpec self =
        new BGPPeerSpec(
            null,
            null,
            "10.0.0.254",
            65001L,
            null,
            null,
            false,
            dev.netctl.datastore.model.NextHopMode.SELF,
            null,
            null,
            null,
            null);
    BGPPeerSpec auto = BGPPeerSpec.global("10.0.0.254", 65001);
    assertThat(PeerPlanner.exportPolicy(keep))
        .isEqualTo(
            new dev.netctl.bgp.policy.Policy(
                "next-hop-keep",
                List.of(
                    new dev.netctl.bgp.policy.Statement(
                        List.of(),
                        List.of(dev.netctl.bgp.policy.Action.SetNextHop.keep()),
                        dev.netctl.bgp.policy.Verdict.ACCEPT)),
                dev.netctl.bgp.policy.Verdict.ACCEPT));
    assertThat(PeerPlanner.exportPolicy(self).toString()).contains("SELF");
    assertThat(PeerPlanner.exportPolicy(auto)).isEqualTo(dev.netctl.bgp.rib.RoutePolicy.ACCEPT_ALL);
  }

  @Test
  void perNodeConfigurationOverridesPortAndAs() {
    BGPConfiguration global =
        new BGPConfiguration(
            ObjectMeta.named("default"), BGPConfigurationSpec.empty().withAsNumber(65000L));
    BGPConfiguration mine =
        new BGPConfiguration(
            ObjectMeta.named("node.n1"), BGPConfigurationSpec.empty().withListenPort(1790));
    BGPConfigurationSpec s = new PeerPlanner("n1", secrets).effectiveConfig(List.of(global, mine));
    assertThat(s.asNumber()).isEqualTo(65000L);
    assertThat(s.listenPort()).isEqualTo(1790);
    assertThat(new PeerPlanner("n2", secrets).effectiveConfig(List.of(global, mine)).listenPort())
        .isEqualTo(179);
  }

  // ------------------------------------------------------------------ IPv6

  private static Node dual(String name, String ip4, String ip6, Map<String, String> labels) {
    return new Node(
        ObjectMeta.named(name, labels), NodeSpec.bgp(new NodeBGPSpec(ip4, ip6, null, null)));
  }

  private static java.util.Set<dev.netctl.bgp.codec.AddressFamily> families(Neighbor n) {
    return n.spec().config().families();
  }

  private static final dev.netctl.bgp.codec.AddressFamily V4 =
      dev.netctl.bgp.codec.AddressFamily.IPV4_UNICAST;
  private static final dev.netctl.bgp.codec.AddressFamily V6 =
      dev.netctl.bgp.codec.AddressFamily.IPV6_UNICAST;

  @Test
  void dualStackNodesMeshOverBothFamiliesEachSessionCarryingItsOwn() {
    Node d1 = dual("d1", "10.0.0.1/24", "fd00::1/64", Map.of());
    Node d2 = dual("d2", "10.0.0.2/24", "fd00::2/64", Map.of());
    Node v4only = node("v4", "10.0.0.3/24", null, Map.of());

    Map<InetAddress, Neighbor> plan =
        new PeerPlanner("d1", secrets).plan(d1, List.of(d1, d2, v4only), List.of(), cluster(true));

    assertThat(plan.keySet()).containsExactlyInAnyOrder(a("10.0.0.2"), a("fd00::2"), a("10.0.0.3"));
    Neighbor v6 = plan.get(a("fd00::2"));
    assertThat(v6.spec().localAddress()).isEqualTo(a("fd00::1"));
    assertThat(v6.spec().config().localId()).isEqualTo(a("10.0.0.1"));
    assertThat(families(v6)).containsExactly(V6);
    assertThat(families(plan.get(a("10.0.0.2")))).containsExactly(V4);
    assertThat(plan.get(a("10.0.0.2")).ipv6NextHop()).isNull();
    assertThat(plan.get(a("10.0.0.2")).ipv4NextHop()).as("its own local address").isNull();
    assertThat(v6.ipv4NextHop()).isEqualTo(a("10.0.0.1"));
    // Toward a node without IPv6 the IPv4 session still carries IPv6 with our next hop (RFC 2545).
    Neighbor toV4 = plan.get(a("10.0.0.3"));
    assertThat(families(toV4)).containsExactlyInAnyOrder(V4, V6);
    assertThat(toV4.ipv6NextHop()).isEqualTo(a("fd00::1"));
  }

  @Test
  void aNodeWithoutIpv6KeepsOneIpv4SessionPerPeer() {
    Node d2 = dual("d2", "10.0.0.2/24", "fd00::2/64", Map.of());
    Map<InetAddress, Neighbor> plan =
        new PeerPlanner("n1", secrets).plan(n1, List.of(n1, d2), List.of(), cluster(true));
    assertThat(plan.keySet()).containsExactly(a("10.0.0.2"));
    assertThat(plan.get(a("10.0.0.2")).ipv6NextHop()).isNull();
  }

  @Test
  void anIpv6PeerIpOpensAnIpv6SessionFromTheNodesIpv6Address() {
    Node d1 = dual("d1", "10.0.0.1/24", "fd00::1/64", Map.of());
    BGPPeer tor =
        new BGPPeer(ObjectMeta.named("tor6"), BGPPeerSpec.global("[fd00::fe]:1790", 65001));
    BGPPeer plain = new BGPPeer(ObjectMeta.named("tor6b"), BGPPeerSpec.global("fd00::fd", 65002));

    Map<InetAddress, Neighbor> plan =
        new PeerPlanner("d1", secrets).plan(d1, List.of(d1), List.of(tor, plain), cluster(false));

    Neighbor n = plan.get(a("fd00::fe"));
    assertThat(n.spec().remote().getPort()).isEqualTo(1790);
    assertThat(n.spec().localAddress()).isEqualTo(a("fd00::1"));
    assertThat(n.spec().config().remoteAs()).isEqualTo(65001);
    assertThat(families(n))
        .as("IPv4 too, with the node's IPv4 address as its next hop")
        .containsExactlyInAnyOrder(V4, V6);
    assertThat(n.ipv4NextHop())
        .as("an IPv6 session's NEXT_HOP of IPv4 routes: the node's IPv4 address (RFC 4271 §5.1.3)")
        .isEqualTo(a("10.0.0.1"));
    assertThat(plan.get(a("fd00::fd")).spec().remote().getPort()).isEqualTo(179);

    assertThat(new PeerPlanner("n1", secrets).plan(n1, List.of(n1), List.of(tor), cluster(false)))
        .as("a node without an IPv6 address skips IPv6 peers")
        .isEmpty();
  }

  @Test
  void reflectorsReflectForTheirIpv6ClientSessionsToo() {
    Node r6 =
        new Node(
            ObjectMeta.named("rr", Map.of("route-reflector", "true")),
            NodeSpec.bgp(new NodeBGPSpec("10.0.0.9/24", "fd00::9/64", null, "224.0.0.1")));
    Node c6 = dual("c", "10.0.0.1/24", "fd00::1/64", Map.of());
    BGPPeer rrToClients =
        new BGPPeer(
            ObjectMeta.named("rr-to-all"),
            selectorPeer("has(route-reflector)", "!has(route-reflector)"));

    Map<InetAddress, Neighbor> plan =
        new PeerPlanner("rr", secrets)
            .plan(r6, List.of(r6, c6), List.of(rrToClients), cluster(false));

    assertThat(plan.keySet()).containsExactlyInAnyOrder(a("10.0.0.1"), a("fd00::1"));
    assertThat(plan.values()).allMatch(Neighbor::routeReflectorClient);
  }

  // ---------------------------------------------------------------- IPv6-only

  private static Node v6only(String name, String ip6, Map<String, String> annotations) {
    return new Node(
        new ObjectMeta(name, null, Map.of(), annotations, null, null, null),
        NodeSpec.bgp(new NodeBGPSpec(null, ip6, null, null)));
  }

  @Test
  void ipv6OnlyNodesMeshOverIpv6OnlyWithAHashedRouterId() {
    Node s1 = v6only("s1", "fd00::1/64", Map.of());
    Node s2 = v6only("s2", "fd00::2/64", Map.of());
    Node d3 = dual("d3", "10.0.0.3/24", "fd00::3/64", Map.of());
    Node v4 = node("v4", "10.0.0.4/24", null, Map.of());

    Map<InetAddress, Neighbor> plan =
        new PeerPlanner("s1", secrets).plan(s1, List.of(s1, s2, d3, v4), List.of(), cluster(true));

    assertThat(plan.keySet())
        .as("no IPv4 session (no IPv4 address), none to the IPv4-only node")
        .containsExactlyInAnyOrder(a("fd00::2"), a("fd00::3"));
    for (Neighbor n : plan.values()) {
      assertThat(families(n)).containsExactly(V6);
      assertThat(n.spec().localAddress()).isEqualTo(a("fd00::1"));
      assertThat(n.spec().config().localId()).isEqualTo(RouterId.hash("s1"));
      assertThat(n.ipv4NextHop()).isNull();
    }
    // The dual-stack node peers with it over IPv6 only, as the other end does.
    Map<InetAddress, Neighbor> fromDual =
        new PeerPlanner("d3", secrets).plan(d3, List.of(s1, s2, d3, v4), List.of(), cluster(true));
    assertThat(fromDual.keySet())
        .containsExactlyInAnyOrder(a("fd00::1"), a("fd00::2"), a("10.0.0.4"));
    assertThat(families(fromDual.get(a("fd00::1")))).containsExactly(V6);
    assertThat(
            new PeerPlanner("v4", secrets)
                .plan(v4, List.of(s1, s2, d3, v4), List.of(), cluster(true))
                .keySet())
        .as("an IPv4-only node has no family in common with an IPv6-only one")
        .containsExactly(a("10.0.0.3"));
  }

  @Test
  void aPublishedRouterIdIsTheNodesIdentifier() {
    Node s1 = v6only("s1", "fd00::1/64", Map.of(PeerPlanner.ROUTER_ID_ANNOTATION, "192.0.2.1"));
    Node s2 = v6only("s2", "fd00::2/64", Map.of());
    Map<InetAddress, Neighbor> plan =
        new PeerPlanner("s1", secrets).plan(s1, List.of(s1, s2), List.of(), cluster(true));
    assertThat(plan.get(a("fd00::2")).spec().config().localId()).isEqualTo(a("192.0.2.1"));
    assertThat(PeerPlanner.routerId(s2)).isEqualTo(RouterId.hash("s2"));
    assertThat(PeerPlanner.routerId(node("x", "10.0.0.7/24", null, Map.of())))
        .isEqualTo(a("10.0.0.7"));
    assertThat(
            PeerPlanner.routerId(
                v6only("y", "fd00::9/64", Map.of(PeerPlanner.ROUTER_ID_ANNOTATION, "nonsense"))))
        .as("an annotation that is no id (written by another tool) is ignored")
        .isEqualTo(RouterId.hash("y"));
  }

  @Test
  void collidingRouterIdsAreFoundFromTheNodes() {
    Node s1 = v6only("s1", "fd00::1/64", Map.of(PeerPlanner.ROUTER_ID_ANNOTATION, "10.0.0.2"));
    Node s3 = v6only("s3", "fd00::3/64", Map.of(PeerPlanner.ROUTER_ID_ANNOTATION, "10.0.0.2"));
    Node s4 = v6only("s4", "fd00::4/64", Map.of());
    assertThat(PeerPlanner.routerIdCollisions(s1, List.of(s4, s3, s1, n2)))
        .as("n2's IPv4 address and s3's published id are s1's")
        .containsExactly("n2", "s3");
    assertThat(PeerPlanner.routerIdCollisions(s4, List.of(s4, s3, s1, n2))).isEmpty();
  }

  @Test
  void eachSessionIsTypedByWhatPlannedItAsCalicoctlNodeStatusNamesIt() {
    Node s1 = v6only("s1", "fd00::1/64", Map.of());
    Node s2 =
        new Node(
            ObjectMeta.named("s2", Map.of("rack", "r1")),
            NodeSpec.bgp(new NodeBGPSpec(null, "fd00::2/64", null, null)));
    Node s3 = v6only("s3", "fd00::3/64", Map.of());
    BGPPeer tor = new BGPPeer(ObjectMeta.named("tor"), BGPPeerSpec.global("fd00::fe", 65001));
    BGPPeer mine =
        new BGPPeer(
            ObjectMeta.named("tor-s1"),
            new BGPPeerSpec(
                "s1", null, "fd00::fd", 65001L, null, null, false, null, null, null, null, null));
    BGPPeer bySelector =
        new BGPPeer(
            ObjectMeta.named("rack"),
            new BGPPeerSpec(
                null,
                "all()",
                "fd00::fc",
                65001L,
                null,
                null,
                false,
                null,
                null,
                null,
                null,
                null));
    // A global peering with s2 by selector replaces the mesh session to it.
    BGPPeer toS2 = new BGPPeer(ObjectMeta.named("to-rack"), selectorPeer(null, "rack == 'r1'"));
    PeerPlanner planner = new PeerPlanner("s1", secrets);

    Map<InetAddress, Neighbor> plan =
        planner.plan(s1, List.of(s1, s2, s3), List.of(tor, mine, bySelector, toS2), cluster(true));

    assertThat(plan.keySet())
        .containsExactlyInAnyOrder(
            a("fd00::2"), a("fd00::3"), a("fd00::fe"), a("fd00::fd"), a("fd00::fc"));
    assertThat(planner.peerType(a("fd00::3"))).isEqualTo("node-to-node mesh");
    assertThat(planner.peerType(a("fd00::fe"))).isEqualTo("global");
    assertThat(planner.peerType(a("fd00::fd")))
        .as("a BGPPeer of this node alone is no global peer, whatever its address")
        .isEqualTo("node specific");
    assertThat(planner.peerType(a("fd00::fc"))).isEqualTo("node specific");
    assertThat(planner.peerType(a("fd00::2"))).isEqualTo("global");
    assertThat(planner.peerType(a("fd00::99"))).as("not planned").isNull();

    planner.plan(s1, List.of(s1, s2, s3), List.of(), cluster(true));
    assertThat(planner.peerType(a("fd00::fd"))).as("the last plan's types only").isNull();
  }

  @Test
  void anIpv6OnlyNodeTakesIpv6PeersForIpv6AndSkipsIpv4Peers() {
    Node s1 = v6only("s1", "fd00::1/64", Map.of());
    BGPPeer tor6 = new BGPPeer(ObjectMeta.named("tor6"), BGPPeerSpec.global("fd00::fe", 65001));
    BGPPeer tor4 = new BGPPeer(ObjectMeta.named("tor4"), BGPPeerSpec.global("10.0.0.254", 65001));
    Map<InetAddress, Neighbor> plan =
        new PeerPlanner("s1", secrets).plan(s1, List.of(s1), List.of(tor6, tor4), cluster(false));
    assertThat(plan.keySet()).containsExactly(a("fd00::fe"));
    assertThat(families(plan.get(a("fd00::fe"))))
        .as("no IPv4 next hop to give: IPv6 unicast only")
        .containsExactly(V6);
  }

  @Test
  void anIpv6OnlyReflectorAcceptsItsIpv6ClientRangesOnly() {
    Node r6 =
        new Node(
            ObjectMeta.named("rr", Map.of("route-reflector", "true")),
            NodeSpec.bgp(new NodeBGPSpec(null, "fd00::9/64", null, "224.0.0.1")));
    BGPConfigurationSpec cluster =
        cluster(false)
            .withRouteReflectorClientRanges(
                List.of(
                    new BGPConfigurationSpec.ReflectorClientRange("fd00::/64", 10),
                    new BGPConfigurationSpec.ReflectorClientRange("10.0.0.0/24", 10)));
    var ranges = new PeerPlanner("rr", secrets).clientRanges(r6, cluster);
    assertThat(ranges).hasSize(1);
    assertThat(ranges.getFirst().template().spec().localAddress()).isEqualTo(a("fd00::9"));
    assertThat(ranges.getFirst().template().spec().config().localId())
        .isEqualTo(RouterId.hash("rr"));
  }

  // ------------------------------------------------------------------ filters

  private static BGPPeerSpec withFilters(String peerIP, List<String> filters) {
    return new BGPPeerSpec(
        null, null, peerIP, 65001L, null, null, false, null, null, null, null, filters);
  }

  @Test
  void aPeersFiltersBecomeItsImportAndExportPolicies() {
    dev.netctl.datastore.model.BGPFilterSpec f =
        new dev.netctl.datastore.model.BGPFilterSpec(
            List.of(
                new dev.netctl.datastore.model.BGPFilterRule(
                    dev.netctl.datastore.model.BGPFilterRule.Action.REJECT,
                    null,
                    null,
                    null,
                    null,
                    null)),
            null,
            null,
            null);
    BGPPeer tor =
        new BGPPeer(ObjectMeta.named("tor"), withFilters("10.0.0.254", List.of("a", "gone")));

    Neighbor n =
        new PeerPlanner("n1", secrets)
            .plan(n1, List.of(n1, n2), List.of(tor), Map.of("a", f), cluster(true))
            .get(a("10.0.0.254"));

    assertThat(n.importPolicy()).isInstanceOf(FilterPolicy.class);
    FilterPolicy export = (FilterPolicy) n.exportPolicy();
    assertThat(export.export()).isTrue();
    assertThat(export.filters())
        .containsExactly(new FilterPolicy.Filter("a", f), new FilterPolicy.Filter("gone", null));
    assertThat(export.missing()).containsExactly("gone");
    // Mesh sessions carry no BGPPeer, so no filters.
    Neighbor mesh =
        new PeerPlanner("n1", secrets)
            .plan(n1, List.of(n1, n2), List.of(tor), Map.of("a", f), cluster(true))
            .get(a("10.0.0.2"));
    assertThat(mesh.importPolicy()).isEqualTo(dev.netctl.bgp.rib.RoutePolicy.ACCEPT_ALL);
  }

  // ------------------------------------------------------------------ reflector client ranges

  @Test
  void aReflectorWithClientRangesHasNoNeighbourPerClientInside() {
    Node far = node("far", "10.1.0.5/24", null, Map.of());
    BGPPeer rrToClients =
        new BGPPeer(
            ObjectMeta.named("rr-to-all"),
            selectorPeer("has(route-reflector)", "!has(route-reflector)"));
    BGPConfigurationSpec cluster =
        cluster(false)
            .withRouteReflectorClientRanges(
                List.of(new BGPConfigurationSpec.ReflectorClientRange("10.0.0.0/24", 50)));
    PeerPlanner planner = new PeerPlanner("rr", secrets);

    List<dev.netctl.bgp.speaker.DynamicRange> ranges = planner.clientRanges(rr, cluster);
    Map<InetAddress, Neighbor> plan =
        planner.plan(rr, List.of(n1, n2, rr, far), List.of(rrToClients), Map.of(), cluster, ranges);

    assertThat(plan.keySet())
        .as("only the client outside the range")
        .containsExactly(a("10.1.0.5"));
    assertThat(
            planner
                .plan(
                    rr,
                    List.of(n1, n2, rr, far),
                    List.of(rrToClients),
                    Map.of(),
                    cluster,
                    List.of())
                .keySet())
        .as("the ranges given are the ones that count")
        .containsExactlyInAnyOrder(a("10.0.0.1"), a("10.0.0.2"), a("10.1.0.5"));
    assertThat(ranges).hasSize(1);
    dev.netctl.bgp.speaker.DynamicRange r = ranges.getFirst();
    assertThat(r.range()).isEqualTo(dev.netctl.bgp.codec.Prefix.parse("10.0.0.0/24"));
    assertThat(r.limit()).isEqualTo(50);
    assertThat(r.template().routeReflectorClient()).isTrue();
    assertThat(r.template().spec().localAddress()).isEqualTo(a("10.0.0.9"));
    assertThat(r.template().spec().config().remoteAs()).isEqualTo(64512);
    assertThat(r.contains(a("10.0.0.1"))).isTrue();
  }

  @Test
  void clientRangesApplyOnReflectorsOnlyAndDefaultTheLimit() {
    BGPConfigurationSpec cluster =
        cluster(false)
            .withRouteReflectorClientRanges(
                List.of(new BGPConfigurationSpec.ReflectorClientRange("10.0.0.0/24", null)));
    assertThat(new PeerPlanner("n1", secrets).clientRanges(n1, cluster)).isEmpty();
    assertThat(new PeerPlanner("rr", secrets).clientRanges(rr, cluster).getFirst().limit())
        .isEqualTo(1000);
  }

  @Test
  void anIpv6ClientRangeNeedsTheReflectorsIpv6Address() {
    Node r6 =
        new Node(
            ObjectMeta.named("rr", Map.of("route-reflector", "true")),
            NodeSpec.bgp(new NodeBGPSpec("10.0.0.9/24", "fd00::9/64", null, "224.0.0.1")));
    BGPConfigurationSpec cluster =
        cluster(false)
            .withRouteReflectorClientRanges(
                List.of(new BGPConfigurationSpec.ReflectorClientRange("fd00::/64", 10)));

    var ranges = new PeerPlanner("rr", secrets).clientRanges(r6, cluster);
    assertThat(ranges.getFirst().template().spec().localAddress()).isEqualTo(a("fd00::9"));
    assertThat(families(ranges.getFirst().template())).containsExactly(V6);
    assertThat(new PeerPlanner("rr", secrets).clientRanges(rr, cluster)).isEmpty();
  }

  @Test
  void aSkippedClientRangeIsWarnedOfOncePerChangeNotOnEveryApply() {
    BGPConfigurationSpec v6Range =
        cluster(false)
            .withRouteReflectorClientRanges(
                List.of(new BGPConfigurationSpec.ReflectorClientRange("fd00::/64", 10)));
    PeerPlanner planner = new PeerPlanner("rr", secrets);
    List<String> warnings =
        warningsOf(
            () -> {
              for (int apply = 0; apply < 3; apply++) {
                assertThat(planner.clientRanges(rr, v6Range)).isEmpty(); // rr has no IPv6 address
              }
              planner.clientRanges(rr, cluster(false)); // the range is gone
              planner.clientRanges(rr, v6Range); // and back: a change, warned of again
              planner.clientRanges(rr, v6Range);
            });
    assertThat(warnings).hasSize(2).allMatch(w -> w.contains("skipped"));
  }

  @Test
  void aSkippedIpv6PeerIsWarnedOfOncePerChangeNotOnEveryApply() {
    BGPPeer tor = new BGPPeer(ObjectMeta.named("tor6"), BGPPeerSpec.global("fd00::fe", 65001));
    PeerPlanner planner = new PeerPlanner("n1", secrets);
    List<String> warnings =
        warningsOf(
            () -> {
              for (int apply = 0; apply < 3; apply++) { // n1 has no IPv6 address
                assertThat(planner.plan(n1, List.of(n1), List.of(tor), cluster(false))).isEmpty();
              }
              planner.plan(n1, List.of(n1), List.of(), cluster(false)); // the peer is gone
              planner.plan(n1, List.of(n1), List.of(tor), cluster(false)); // and back: warned again
              planner.plan(n1, List.of(n1), List.of(tor), cluster(false));
            });
    assertThat(warnings).hasSize(2).allMatch(w -> w.contains("IPv6 peer {1} skipped"));
  }

  /** The WARNING messages (unformatted) the agent's BGP logger gets while {@code run} runs. */
  private static List<String> warningsOf(Runnable run) {
    List<String> warnings = new java.util.ArrayList<>();
    java.util.logging.Logger log = java.util.logging.Logger.getLogger("netctl.agent.bgp");
    java.util.logging.Handler h =
        new java.util.logging.Handler() {
          @Override
          public void publish(java.util.logging.LogRecord r) {
            if (r.getLevel() == java.util.logging.Level.WARNING) warnings.add(r.getMessage());
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    log.addHandler(h);
    try {
      run.run();
    } finally {
      log.removeHandler(h);
    }
    return warnings;
  }

  @Test
  void aPerNodeConfigurationsClientRangesReplaceTheClusters() {
    BGPConfiguration global =
        new BGPConfiguration(
            ObjectMeta.named("default"),
            BGPConfigurationSpec.empty()
                .withRouteReflectorClientRanges(
                    List.of(new BGPConfigurationSpec.ReflectorClientRange("10.0.0.0/16", null))));
    BGPConfiguration mine =
        new BGPConfiguration(
            ObjectMeta.named("node.rr"),
            BGPConfigurationSpec.empty()
                .withRouteReflectorClientRanges(
                    List.of(new BGPConfigurationSpec.ReflectorClientRange("10.0.0.0/24", 5))));
    assertThat(
            new PeerPlanner("rr", secrets)
                .effectiveConfig(List.of(global, mine))
                .routeReflectorClientRanges())
        .containsExactly(new BGPConfigurationSpec.ReflectorClientRange("10.0.0.0/24", 5));
    assertThat(
            new PeerPlanner("other", secrets)
                .effectiveConfig(List.of(global, mine))
                .routeReflectorClientRanges())
        .containsExactly(new BGPConfigurationSpec.ReflectorClientRange("10.0.0.0/16", null));
  }
}
