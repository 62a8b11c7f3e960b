package dev.netctl.bgp.rib;

import static dev.netctl.bgp.rib.Fixtures.attrs;
import static dev.netctl.bgp.rib.Fixtures.client;
import static dev.netctl.bgp.rib.Fixtures.ebgp;
import static dev.netctl.bgp.rib.Fixtures.ibgp;
import static dev.netctl.bgp.rib.Fixtures.ip;
import static dev.netctl.bgp.rib.Fixtures.v4;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.codec.CodecContext;
import dev.netctl.bgp.codec.Nlri;
import dev.netctl.bgp.codec.PathAttribute;
import dev.netctl.bgp.codec.PathAttribute.AsPath;
import dev.netctl.bgp.codec.Prefix;
import java.util.List;
import org.junit.jupiter.api.Test;

class RouteReflectionTest {
  private static final Prefix P = Prefix.parse("10.244.7.0/26");
  private static final Nlri N = Nlri.of(P);

  private final ShardHarness h = new ShardHarness();
  private final Peer c1 = client("10.0.0.11");
  private final Peer c2 = client("10.0.0.12");
  private final Peer n1 = ibgp("10.0.0.21");
  private final Peer n2 = ibgp("10.0.0.22");
  private final Peer e1 = ebgp("192.0.2.99", 64999);
  private final UpdateGroup clients =
      h.group(ShardHarness.profile(PeerKind.IBGP, true, CodecContext.FOUR_OCTET), c1, c2);
  private final UpdateGroup nonClients =
      h.group(ShardHarness.profile(PeerKind.IBGP, false, CodecContext.FOUR_OCTET), n1, n2);

  @Test
  void clientRouteIsReflectedToEveryoneButItsSourceWithOriginatorAndClusterList() {
    h.drainAll();
    h.shard.announce(c1, P, 0, attrs("10.0.0.11").localPref(150).build());
    h.drainAll();
    for (Peer p : List.of(c2, n1, n2)) {
      ShardHarness.Received r = h.view(p).get(N);
      assertThat(r).as("reflected to %s", p).isNotNull();
      assertThat(r.nextHop()).as("next hop untouched").isEqualTo(ip("10.0.0.11"));
      assertThat(r.attributes())
          .contains(
              new PathAttribute.OriginatorId(c1.routerId()),
              new PathAttribute.ClusterList(List.of(Fixtures.CLUSTER_ID)),
              new PathAttribute.LocalPref(150));
    }
    assertThat(h.view(c1)).as("split horizon: never back to the source").doesNotContainKey(N);
  }

  @Test
  void nonClientRouteGoesToClientsOnly() {
    h.shard.announce(n1, P, 0, attrs("10.0.0.21").build());
    h.drainAll();
    assertThat(h.view(c1)).containsKey(N);
    assertThat(h.view(c2)).containsKey(N);
    assertThat(h.view(n2))
        .as("iBGP non-client to non-client is not reflected")
        .doesNotContainKey(N);
  }

  @Test
  void existingOriginatorIdIsKeptAndOurClusterIdPrepended() {
    h.shard.announce(
        c1, P, 0, attrs("10.0.0.50").originator("10.0.0.50").clusters("10.255.255.7").build());
    h.drainAll();
    ShardHarness.Received r = h.view(n1).get(N);
    assertThat(r.attributes())
        .contains(
            new PathAttribute.OriginatorId(v4("10.0.0.50")),
            new PathAttribute.ClusterList(List.of(Fixtures.CLUSTER_ID, v4("10.255.255.7"))));
  }

  @Test
  void routesCarryingOurRouterIdOrClusterIdAreDroppedOnImport() {
    h.shard.announce(n1, P, 0, attrs("10.0.0.21").originator("10.255.0.1").build());
    assertThat(h.best(P)).as("ORIGINATOR_ID is our router id").isNull();
    h.shard.announce(n2, P, 0, attrs("10.0.0.22").clusters("10.1.1.1", "10.255.255.1").build());
    assertThat(h.best(P)).as("CLUSTER_LIST contains our cluster id").isNull();
    assertThat(h.shard.adjRibIn(n1, 10)).as("still in Adj-RIB-In (pre-policy)").hasSize(1);
    h.shard.announce(c1, P, 0, attrs("10.0.0.11").clusters("10.1.1.1").build());
    assertThat(h.best(P)).as("a foreign cluster id is fine").isNotNull();
  }

  @Test
  void ebgpRouteWithOurAsIsDroppedAndOthersGetLocalPrefDefaultTowardIbgp() {
    h.policies.put(e1, RoutePolicy.ACCEPT_ALL);
    h.shard.announce(e1, P, 0, attrs("192.0.2.99").path(64999, Fixtures.LOCAL_AS).build());
    assertThat(h.best(P)).as("AS path loop").isNull();
    h.shard.announce(e1, P, 0, attrs("192.0.2.99").path(64999).localPref(900).build());
    assertThat(h.best(P).attributes().localPref())
        .as("LOCAL_PREF from an eBGP peer is ignored")
        .isEqualTo(-1);
    h.drainAll();
    ShardHarness.Received r = h.view(n1).get(N);
    assertThat(r.attributes()).contains(new PathAttribute.LocalPref(100));
    assertThat(r.nextHop()).as("iBGP keeps the eBGP next hop").isEqualTo(ip("192.0.2.99"));
    assertThat(h.view(c1)).containsKey(N);
  }

  @Test
  void ebgpExportPrependsOurAsSetsNextHopSelfAndStripsIbgpAttributes() {
    Peer e2 = ebgp("198.51.100.2", 64777);
    OutboundProfile p =
        new OutboundProfile(
            PeerKind.EBGP,
            false,
            CodecContext.FOUR_OCTET,
            java.util.Set.of(dev.netctl.bgp.codec.AddressFamily.IPV4_UNICAST),
            RoutePolicy.ACCEPT_ALL,
            ip("198.51.100.1"),
            null,
            null);
    h.group(p, e2);
    h.shard.announce(
        c1,
        P,
        0,
        attrs("10.0.0.11").path(64512).localPref(300).med(5).originator("1.2.3.4").build());
    h.drainAll();
    ShardHarness.Received r = h.view(e2).get(N);
    assertThat(r.nextHop()).isEqualTo(ip("198.51.100.1"));
    assertThat(r.attributes()).contains(AsPath.sequence(Fixtures.LOCAL_AS, 64512));
    assertThat(r.attributes())
        .noneMatch(
            a ->
                a instanceof PathAttribute.LocalPref
                    || a instanceof PathAttribute.MultiExitDisc
                    || a instanceof PathAttribute.OriginatorId
                    || a instanceof PathAttribute.ClusterList);
  }

  @Test
  void ebgpGroupWithoutExportPolicySendsNothing() {
    Peer e2 = ebgp("198.51.100.2", 64777);
    OutboundProfile p =
        new OutboundProfile(
            PeerKind.EBGP,
            false,
            CodecContext.FOUR_OCTET,
            java.util.Set.of(dev.netctl.bgp.codec.AddressFamily.IPV4_UNICAST),
            null,
            ip("198.51.100.1"),
            null,
            null);
    assertThat(p.exportPolicy()).isSameAs(RoutePolicy.REJECT_ALL);
    h.group(p, e2);
    h.shard.announce(c1, P, 0, attrs("10.0.0.11").build());
    h.drainAll();
    assertThat(h.view(e2)).as("RFC 8212").isEmpty();
  }

  @Test
  void ebgpPeerWithoutImportPolicyContributesNothing() {
    h.shard.announce(e1, P, 0, attrs("192.0.2.99").path(64999).build());
    assertThat(h.best(P)).as("RFC 8212: no import policy on eBGP rejects").isNull();
  }

  @Test
  void locallyOriginatedRouteGetsNextHopSelfAndGoesToEveryIbgpPeer() {
    AttributeSet own =
        AttributeSet.of(
            List.of(new PathAttribute.Origin(PathAttribute.OriginType.IGP), AsPath.EMPTY), null);
    h.shard.announce(Peer.LOCAL, P, 0, own);
    assertThat(h.best(P)).as("a route without a next hop is ours and usable").isNotNull();
    h.drainAll();
    for (Peer p : List.of(c1, c2, n1, n2)) {
      ShardHarness.Received r = h.view(p).get(N);
      assertThat(r).as("originated route at %s", p).isNotNull();
      assertThat(r.nextHop()).isEqualTo(ip("10.255.0.1"));
      assertThat(r.attributes()).contains(new PathAttribute.LocalPref(100), AsPath.EMPTY);
    }
  }
}
