package dev.netctl.bgp.rib;

import static dev.netctl.bgp.rib.Fixtures.attrs;
import static dev.netctl.bgp.rib.Fixtures.client;
import static dev.netctl.bgp.rib.Fixtures.ebgp;
import static dev.netctl.bgp.rib.Fixtures.ibgp;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.codec.AddressFamily;
import dev.netctl.bgp.codec.CodecContext;
import dev.netctl.bgp.codec.Nlri;
import dev.netctl.bgp.codec.PathAttribute;
import dev.netctl.bgp.codec.Prefix;
import dev.netctl.bgp.policy.Action;
import dev.netctl.bgp.policy.Community;
import dev.netctl.bgp.policy.Policy;
import dev.netctl.bgp.policy.Statement;
import dev.netctl.bgp.policy.Verdict;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The well-known communities of RFC 1997 as BIRD, FRR and GoBGP honour them on export: NO_ADVERTISE
 * keeps a route from every peer, NO_EXPORT and NO_EXPORT_SUBCONFED (no confederations here: the AS
 * is the boundary) from every eBGP peer. A reflector passed both on, so a ToR's NO_EXPORT routes
 * leaked to the upstream AS.
 */
class ExportRulesTest {
  private static final Prefix P = Prefix.parse("10.244.9.0/26");
  private static final Nlri N = Nlri.of(P);

  private final ShardHarness h = new ShardHarness();
  private final Peer c1 = client("10.0.0.11");
  private final Peer c2 = client("10.0.0.12");
  private final Peer n1 = ibgp("10.0.0.21");
  private final Peer e1 = ebgp("198.51.100.2", 64777);

  @ParameterizedTest(name = "{0}: to iBGP {1}, to eBGP {2}")
  @CsvSource({
    "65535:65281, true, false", // NO_EXPORT
    "65535:65282, false, false", // NO_ADVERTISE
    "65535:65283, true, false", // NO_EXPORT_SUBCONFED
    "65535:666, true, true", // BLACKHOLE (RFC 7999): no export rule of its own
    "64512:7, true, true",
  })
  void wellKnownCommunitiesLimitWhoGetsTheRoute(String community, boolean ibgp, boolean ebgp) {
    h.group(ShardHarness.profile(PeerKind.IBGP, true, CodecContext.FOUR_OCTET), c1, c2);
    h.group(ShardHarness.profile(PeerKind.IBGP, false, CodecContext.FOUR_OCTET), n1);
    h.group(Fixtures.profile(PeerKind.EBGP, false, RoutePolicy.ACCEPT_ALL), e1);
    h.shard.announce(c1, P, 0, attrs("10.0.0.11").communities(Community.parse(community)).build());
    h.drainAll();
    assertThat(h.view(c2).containsKey(N)).as("reflected to a client").isEqualTo(ibgp);
    assertThat(h.view(n1).containsKey(N)).as("reflected to a non-client").isEqualTo(ibgp);
    assertThat(h.view(e1).containsKey(N)).as("sent to an eBGP peer").isEqualTo(ebgp);
  }

  @ParameterizedTest
  @CsvSource({"65535:65281", "65535:65282"})
  void aCommunityTheExportPolicyAddsTagsTheRouteForThePeerAndDoesNotStopIt(String community) {
    // As BIRD's export filter and FRR's outbound route map: the peer is to honour it, not us.
    h.group(
        Fixtures.profile(
            PeerKind.EBGP,
            false,
            new Policy(
                "tag",
                List.of(
                    new Statement(
                        List.of(),
                        List.of(
                            new Action.SetCommunities(
                                Action.ListOp.ADD, List.of(Community.parse(community)))),
                        Verdict.ACCEPT)),
                Verdict.REJECT)),
        e1);
    h.shard.announce(c1, P, 0, attrs("10.0.0.11").build());
    h.drainAll();
    assertThat(h.view(e1).get(N)).isNotNull();
    assertThat(h.view(e1).get(N).attributes())
        .contains(new PathAttribute.Communities(List.of(Community.parse(community))));
  }

  @org.junit.jupiter.api.Test
  void confederationSegmentsAreRemovedTowardAnExternalPeer() {
    // We are in no confederation: such segments come from an iBGP peer that is (RFC 5065), and a
    // route leaving for another AS carries none (§4.1). They went out as received.
    h.group(Fixtures.profile(PeerKind.EBGP, false, RoutePolicy.ACCEPT_ALL), e1);
    h.group(ShardHarness.profile(PeerKind.IBGP, true, CodecContext.FOUR_OCTET), c2);
    PathAttribute.AsPath received =
        new PathAttribute.AsPath(
            List.of(
                new PathAttribute.Segment(
                    PathAttribute.SegmentType.AS_CONFED_SEQUENCE, List.of(65010L)),
                new PathAttribute.Segment(PathAttribute.SegmentType.AS_SEQUENCE, List.of(65020L))));
    h.shard.announce(c1, P, 0, attrs("10.0.0.11").path(received).build());
    h.drainAll();
    assertThat(h.view(e1).get(N).attributes())
        .contains(PathAttribute.AsPath.sequence(Fixtures.LOCAL_AS, 65020));
    assertThat(h.view(c2).get(N).attributes()).as("iBGP: unchanged").contains(received);
  }

  @ParameterizedTest(name = "from a {0} to a {1}")
  @CsvSource({
    "client, client", // reflected
    "client, non-client", // reflected
    "eBGP peer, non-client", // passed on, next hop unchanged
  })
  void aReceivedLinkLocalNextHopIsNotPassedOnToIbgpPeers(String from, String to) {
    Peer source =
        switch (from) {
          case "client" -> c1;
          default -> e1;
        };
    OutboundProfile group =
        new OutboundProfile(
            PeerKind.IBGP,
            to.equals("client"),
            CodecContext.FOUR_OCTET,
            Set.of(AddressFamily.IPV6_UNICAST),
            RoutePolicy.ACCEPT_ALL,
            null,
            Fixtures.ip("fd00::ff"),
            Fixtures.ip("fe80::ff"));
    AttributeSet received =
        AttributeSet.of(
            attrs("10.0.0.11").build().attributes(),
            Fixtures.ip("2001:db8::11"),
            Fixtures.ip("fe80::11"));
    AttributeSet sent =
        ExportRules.rules(Fixtures.config(), group, true, new Route(source, 0, received, 0));
    assertThat(sent).isNotNull();
    assertThat(sent.nextHop()).isEqualTo(Fixtures.ip("2001:db8::11"));
    assertThat(sent.linkLocalNextHop()).isNull();
  }

  @ParameterizedTest
  @CsvSource({"true", "false"})
  void ourOwnLinkLocalGoesWithNextHopSelf(boolean ebgp) {
    // Next-hop self names our own interface on the session's link: its link-local address may
    // follow (a local route to iBGP, anything to eBGP).
    OutboundProfile group =
        new OutboundProfile(
            ebgp ? PeerKind.EBGP : PeerKind.IBGP,
            false,
            CodecContext.FOUR_OCTET,
            Set.of(AddressFamily.IPV6_UNICAST),
            RoutePolicy.ACCEPT_ALL,
            null,
            Fixtures.ip("fd00::ff"),
            Fixtures.ip("fe80::ff"));
    Peer source = ebgp ? c1 : Peer.LOCAL;
    AttributeSet route =
        AttributeSet.of(
            attrs("10.0.0.11").build().attributes(),
            ebgp ? Fixtures.ip("2001:db8::11") : null,
            ebgp ? Fixtures.ip("fe80::11") : null);
    AttributeSet sent =
        ExportRules.rules(Fixtures.config(), group, true, new Route(source, 0, route, 0));
    assertThat(sent.nextHop()).isEqualTo(Fixtures.ip("fd00::ff"));
    assertThat(sent.linkLocalNextHop()).isEqualTo(Fixtures.ip("fe80::ff"));
  }

  @org.junit.jupiter.api.Test
  void eachReflectionGetsItsOwnSourcesOriginatorAndItsRibsClusterId() {
    // The reflected attributes are kept from one reflection to the next (ExportRules'
    // ownClusterOnly, lastOriginator): another source, or a RIB of another cluster, must get its
    // own in turn, and a received CLUSTER_LIST is still prepended to.
    OutboundProfile clients = Fixtures.ibgpProfile(true, RoutePolicy.ACCEPT_ALL);
    RibConfig other =
        new RibConfig(
            Fixtures.LOCAL_AS, Fixtures.ROUTER_ID, Fixtures.v4("10.255.255.2"), false, 1, 1);
    AttributeSet received = attrs("10.0.0.11").build();
    AttributeSet reflected =
        received.with(new PathAttribute.ClusterList(List.of(Fixtures.v4("10.255.255.9"))));
    for (int round = 0; round < 2; round++) {
      for (Peer source : List.of(c1, c2)) {
        for (RibConfig config : List.of(Fixtures.config(), other)) {
          AttributeSet sent =
              ExportRules.rules(config, clients, false, new Route(source, 0, received, 0));
          assertThat(sent.originatorId())
              .isEqualTo(Integer.toUnsignedLong(Prefix.ipv4Int(source.routerId())));
          assertThat(sent.clusterList()).containsExactly(config.clusterId());
          AttributeSet again =
              ExportRules.rules(config, clients, false, new Route(source, 0, reflected, 0));
          assertThat(again.clusterList())
              .containsExactly(config.clusterId(), Fixtures.v4("10.255.255.9"));
        }
      }
    }
  }

  @org.junit.jupiter.api.Test
  void anAcceptAllExportPolicyStillDropsARouteWithoutNextHop() {
    OutboundProfile clients = Fixtures.ibgpProfile(true, RoutePolicy.ACCEPT_ALL);
    assertThat(ExportRules.acceptsAll(clients)).isTrue();
    AttributeSet local = AttributeSet.of(attrs("10.0.0.11").build().attributes(), null);
    Route route = new Route(c1, 0, local, 0);
    assertThat(ExportRules.policy(clients, P, route, local)).isEmpty();
    assertThat(ExportRules.sendable(local)).isNull();
    AttributeSet withHop = attrs("10.0.0.11").build();
    assertThat(ExportRules.policy(clients, P, route, withHop)).containsSame(withHop);
    assertThat(ExportRules.sendable(withHop)).isSameAs(withHop);
    assertThat(ExportRules.acceptsAll(Fixtures.ibgpProfile(true, RoutePolicy.REJECT_ALL)))
        .isFalse();
  }
}
