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
}
