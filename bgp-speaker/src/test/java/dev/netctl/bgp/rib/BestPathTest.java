package dev.netctl.bgp.rib;

import static dev.netctl.bgp.rib.Fixtures.attrs;
import static dev.netctl.bgp.rib.Fixtures.client;
import static dev.netctl.bgp.rib.Fixtures.ebgp;
import static dev.netctl.bgp.rib.Fixtures.ibgp;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.codec.PathAttribute.AsPath;
import dev.netctl.bgp.codec.PathAttribute.OriginType;
import dev.netctl.bgp.codec.PathAttribute.Segment;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BestPathTest {
  private final BestPath plain = new BestPath(NextHopResolver.ALL_REACHABLE, false, 1);

  /** Asserts {@code better} beats {@code worse} for {@code reason}, from both sides. */
  private static void assertWins(BestPath bp, Route better, Route worse, BestPathReason reason) {
    assertThat(bp.compare(better, worse)).isEqualTo(new BestPath.Decision(true, reason));
    assertThat(bp.compare(worse, better)).isEqualTo(new BestPath.Decision(false, reason));
  }

  private static Route route(Peer peer, AttributeSet a) {
    return new Route(peer, 0, a, 1);
  }

  @Test
  void reachableNextHopWinsOverEverythingElse() {
    NextHopResolver resolver =
        nh ->
            nh.getHostAddress().equals("192.0.2.9")
                ? NextHopResolver.State.UNREACHABLE
                : NextHopResolver.State.REACHABLE;
    BestPath bp = new BestPath(resolver, false, 1);
    Peer p = ibgp("10.0.0.1");
    Route reachable = route(p, attrs("192.0.2.1").localPref(10).build());
    Route unreachable = route(ibgp("10.0.0.2"), attrs("192.0.2.9").localPref(500).build());
    assertWins(bp, reachable, unreachable, BestPathReason.NEXT_HOP_REACHABILITY);
    assertThat(bp.select(List.of(unreachable)).best())
        .as("a lone path with an unreachable next hop is not selected")
        .isNull();
  }

  @Test
  void higherLocalPrefWinsAndAbsentCountsAsDefault() {
    Route high = route(ibgp("10.0.0.2"), attrs("192.0.2.1").localPref(200).path(1, 2, 3).build());
    Route low = route(ibgp("10.0.0.1"), attrs("192.0.2.1").localPref(100).path(1).build());
    assertWins(plain, high, low, BestPathReason.LOCAL_PREF);
    Route absent = route(ibgp("10.0.0.1"), attrs("192.0.2.1").path(1).build());
    Route explicit99 = route(ibgp("10.0.0.3"), attrs("192.0.2.1").localPref(99).build());
    assertWins(plain, absent, explicit99, BestPathReason.LOCAL_PREF);
  }

  @Test
  void shorterAsPathWinsAndAnAsSetCountsOne() {
    Route shorter = route(ibgp("10.0.0.2"), attrs("192.0.2.1").path(1, 2).build());
    Route longer = route(ibgp("10.0.0.1"), attrs("192.0.2.1").path(1, 2, 3).build());
    assertWins(plain, shorter, longer, BestPathReason.AS_PATH_LENGTH);
    AsPath withSet = new AsPath(List.of(Segment.sequence(1), Segment.set(7, 8, 9, 10)));
    Route set = route(ibgp("10.0.0.2"), attrs("192.0.2.1").path(withSet).build());
    assertWins(plain, set, longer, BestPathReason.AS_PATH_LENGTH);
  }

  @Test
  void lowerOriginWins() {
    Route igp = route(ibgp("10.0.0.2"), attrs("192.0.2.1").origin(OriginType.IGP).build());
    Route egp = route(ibgp("10.0.0.1"), attrs("192.0.2.1").origin(OriginType.EGP).build());
    Route incomplete =
        route(ibgp("10.0.0.1"), attrs("192.0.2.1").origin(OriginType.INCOMPLETE).build());
    assertWins(plain, igp, egp, BestPathReason.ORIGIN);
    assertWins(plain, egp, incomplete, BestPathReason.ORIGIN);
  }

  @Test
  void lowerMedWinsOnlyBetweenPathsFromTheSameNeighbourAs() {
    Route lowMed = route(ibgp("10.0.0.2"), attrs("192.0.2.1").path(64512, 1).med(5).build());
    Route highMed = route(ibgp("10.0.0.1"), attrs("192.0.2.1").path(64512, 2).med(50).build());
    assertWins(plain, lowMed, highMed, BestPathReason.MED);
    Route otherAs = route(ibgp("10.0.0.1"), attrs("192.0.2.1").path(64999, 2).med(50).build());
    assertThat(plain.compare(lowMed, otherAs))
        .as("MED is skipped across neighbour ASes; the lower router id decides")
        .isEqualTo(new BestPath.Decision(false, BestPathReason.ROUTER_ID));
    BestPath always = new BestPath(NextHopResolver.ALL_REACHABLE, true, 1);
    assertWins(always, lowMed, otherAs, BestPathReason.MED);
    Route missing = route(ibgp("10.0.0.1"), attrs("192.0.2.1").path(64512, 2).build());
    assertWins(plain, missing, lowMed, BestPathReason.MED);
  }

  @Test
  void ebgpBeatsIbgp() {
    Route external = route(ebgp("10.0.0.9", 64512), attrs("192.0.2.1").path(64512).build());
    Route internal = route(ibgp("10.0.0.1"), attrs("192.0.2.1").path(64512).build());
    assertWins(plain, external, internal, BestPathReason.EBGP_OVER_IBGP);
  }

  @Test
  void lowerIgpCostWinsAndStillCountsForMultipath() {
    Map<String, Long> costs = Map.of("192.0.2.1", 10L, "192.0.2.2", 20L);
    BestPath bp =
        new BestPath(
            nh -> new NextHopResolver.State(true, costs.getOrDefault(nh.getHostAddress(), 0L)),
            false,
            4);
    Route near = route(ibgp("10.0.0.2"), attrs("192.0.2.1").build());
    Route far = route(ibgp("10.0.0.1"), attrs("192.0.2.2").build());
    assertWins(bp, near, far, BestPathReason.IGP_COST);
    assertThat(BestPathReason.IGP_COST.multipathEqual()).isFalse();
  }

  @Test
  void lowerOriginatorIdOrRouterIdWins() {
    Route lowId = route(ibgp("10.0.0.9"), attrs("192.0.2.1").build());
    Route highId = route(ibgp("10.0.0.10"), attrs("192.0.2.1").build());
    assertWins(plain, lowId, highId, BestPathReason.ROUTER_ID);
    Route reflected =
        route(client("10.0.0.1"), attrs("192.0.2.1").originator("10.0.0.200").build());
    assertWins(plain, lowId, reflected, BestPathReason.ROUTER_ID);
  }

  @Test
  void shorterClusterListWins() {
    Route one =
        route(
            ibgp("10.0.0.2"), attrs("192.0.2.1").originator("1.1.1.1").clusters("9.9.9.9").build());
    Route two =
        route(
            ibgp("10.0.0.1"),
            attrs("192.0.2.1").originator("1.1.1.1").clusters("9.9.9.9", "8.8.8.8").build());
    assertWins(plain, one, two, BestPathReason.CLUSTER_LIST_LENGTH);
  }

  @Test
  void lowerPeerAddressWinsThenPathId() {
    // Same router id (via ORIGINATOR_ID) so the address is what differs.
    Route a = route(ibgp("10.0.0.1"), attrs("192.0.2.1").originator("1.1.1.1").build());
    Route b = route(ibgp("10.0.0.2"), attrs("192.0.2.1").originator("1.1.1.1").build());
    assertWins(plain, a, b, BestPathReason.PEER_ADDRESS);
    Peer p = ibgp("10.0.0.1");
    AttributeSet same = attrs("192.0.2.1").build();
    assertWins(plain, new Route(p, 1, same, 1), new Route(p, 2, same, 2), BestPathReason.PATH_ID);
    assertThat(plain.compare(new Route(p, 1, same, 1), new Route(p, 1, same, 1)).reason())
        .isEqualTo(BestPathReason.EQUAL);
  }

  @Test
  void multipathHoldsPathsEqualUpToIgpCostCappedAtMaxPaths() {
    BestPath bp = new BestPath(NextHopResolver.ALL_REACHABLE, false, 2);
    Route a = route(ibgp("10.0.0.1"), attrs("192.0.2.1").build());
    Route b = route(ibgp("10.0.0.2"), attrs("192.0.2.2").build());
    Route c = route(ibgp("10.0.0.3"), attrs("192.0.2.3").build());
    Route worse = route(ibgp("10.0.0.0"), attrs("192.0.2.4").path(1).build());
    List<Route> candidates = List.of(worse, a, b, c);
    BestPath.Selection s = bp.select(candidates);
    assertThat(s.best()).isEqualTo(a);
    assertThat(s.multipath()).containsExactly(a, b);
    BestPath.Selection wide =
        new BestPath(NextHopResolver.ALL_REACHABLE, false, 8).select(candidates);
    assertThat(wide.multipath()).as("longer AS path is not equal-cost").containsExactly(a, b, c);
  }
}
