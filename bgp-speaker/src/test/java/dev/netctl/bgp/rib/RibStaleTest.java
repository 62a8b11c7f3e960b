package dev.netctl.bgp.rib;

import static dev.netctl.bgp.rib.Fixtures.ebgp;
import static dev.netctl.bgp.rib.Fixtures.ip;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.codec.AddressFamily;
import dev.netctl.bgp.codec.BgpMessage.Update;
import dev.netctl.bgp.codec.Nlri;
import dev.netctl.bgp.codec.PathAttribute;
import dev.netctl.bgp.codec.PathAttribute.AsPath;
import dev.netctl.bgp.codec.Prefix;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Stale paths: what a receiving speaker keeps across a peer's graceful restart (RFC 4724 §4.2) and
 * an enhanced route refresh (RFC 7313 §4).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RibStaleTest {
  private static final Set<AddressFamily> V4 = Set.of(AddressFamily.IPV4_UNICAST);
  private static final Set<AddressFamily> V6 = Set.of(AddressFamily.IPV6_UNICAST);
  private static final String P6 = Prefix.parse("2001:db8:1::/48").toString();

  private final Rib rib =
      new Rib(
          new RibConfig(Fixtures.LOCAL_AS, Fixtures.ROUTER_ID, null, false, 1, 4),
          NextHopResolver.ALL_REACHABLE);
  private final Peer e1 = ebgp("192.0.2.1", 64512);
  private final List<BestPathChange> changes = new ArrayList<>();

  @AfterEach
  void close() {
    rib.close();
  }

  private static List<PathAttribute> basic() {
    return List.of(new PathAttribute.Origin(PathAttribute.OriginType.IGP), AsPath.sequence(64512));
  }

  private void announce(String... prefixes) {
    List<PathAttribute> attrs = new ArrayList<>(basic());
    attrs.add(new PathAttribute.NextHop(Fixtures.v4("192.0.2.1")));
    rib.apply(e1, new Update(List.of(), attrs, Arrays.stream(prefixes).map(Nlri::of).toList()))
        .join();
  }

  private void announceV6(String prefix) {
    List<PathAttribute> attrs = new ArrayList<>(basic());
    attrs.add(
        new PathAttribute.MpReach(
            AddressFamily.IPV6_UNICAST, List.of(ip("2001:db8::1")), List.of(Nlri.of(prefix))));
    rib.apply(e1, new Update(List.of(), attrs, List.of())).join();
  }

  private Map<String, Boolean> adjRibIn() {
    return rib.adjRibIn(e1, 100).join().stream()
        .collect(Collectors.toMap(r -> r.prefix().toString(), ReceivedRoute::stale));
  }

  private boolean best(String prefix) {
    return rib.lookup(Prefix.parse(prefix)).join().map(e -> e.best() != null).orElse(false);
  }

  @Test
  void gracefulDownKeepsRetainedFamiliesAsStaleBestPathsAndFlushesTheRest() {
    rib.addPeer(e1, RoutePolicy.ACCEPT_ALL).join();
    announce("10.1.0.0/24", "10.2.0.0/24");
    announceV6("2001:db8:1::/48");
    rib.addSink(changes::add);

    rib.peerDownGracefully(e1, V4).join();

    assertThat(adjRibIn())
        .as("IPv4 kept and marked stale, IPv6 (not in the GR capability) flushed")
        .isEqualTo(Map.of("10.1.0.0/24", true, "10.2.0.0/24", true));
    assertThat(best("10.1.0.0/24")).as("a stale path stays selectable").isTrue();
    assertThat(best("2001:db8:1::/48")).isFalse();
    assertThat(changes)
        .as("only the flushed family changed best paths")
        .extracting(c -> c.prefix().toString())
        .containsExactly(P6);
    assertThat(rib.staleCount(e1).join()).isEqualTo(2);
  }

  @Test
  void routesSentAgainAreFreshAndEndOfRibSweepsTheRest() {
    rib.addPeer(e1, RoutePolicy.ACCEPT_ALL).join();
    announce("10.1.0.0/24", "10.2.0.0/24", "10.3.0.0/24");
    announceV6("2001:db8:1::/48");
    rib.peerDownGracefully(e1, Set.of(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST))
        .join();

    // The peer is back and sends part of its table again, and withdraws one stale route.
    announce("10.1.0.0/24");
    rib.apply(e1, new Update(List.of(Nlri.of("10.3.0.0/24")), List.of(), List.of())).join();
    assertThat(adjRibIn()).isEqualTo(Map.of("10.1.0.0/24", false, "10.2.0.0/24", true, P6, true));

    rib.sweepStale(e1, V4).join();
    assertThat(adjRibIn())
        .as("End-of-RIB for IPv4 removes only IPv4 paths still stale")
        .isEqualTo(Map.of("10.1.0.0/24", false, P6, true));
    assertThat(best("10.2.0.0/24")).isFalse();
    assertThat(best("10.1.0.0/24")).isTrue();

    rib.sweepStale(e1, V6).join();
    assertThat(adjRibIn()).isEqualTo(Map.of("10.1.0.0/24", false));
    assertThat(rib.staleCount(e1).join()).isZero();
  }

  @Test
  void enhancedRefreshMarksOneFamilyAndSweepsWhatWasNotResent() {
    rib.addPeer(e1, RoutePolicy.ACCEPT_ALL).join();
    announce("10.1.0.0/24", "10.2.0.0/24");
    announceV6("2001:db8:1::/48");

    rib.markStale(e1, V4).join(); // Begin-of-RIB for IPv4
    announce("10.2.0.0/24");
    rib.sweepStale(e1, V4).join(); // End-of-RIB for IPv4

    assertThat(adjRibIn()).isEqualTo(Map.of("10.2.0.0/24", false, P6, false));
  }

  @Test
  void peerDownFlushesStalePathsAndForgetsTheMarks() {
    rib.addPeer(e1, RoutePolicy.ACCEPT_ALL).join();
    announce("10.1.0.0/24");
    rib.peerDownGracefully(e1, V4).join();
    rib.peerDown(e1).join();

    assertThat(adjRibIn()).isEmpty();
    assertThat(best("10.1.0.0/24")).isFalse();
    assertThat(rib.staleCount(e1).join()).isZero();

    // A later session's routes are not stale and a sweep leaves them alone.
    rib.addPeer(e1, RoutePolicy.ACCEPT_ALL).join();
    announce("10.1.0.0/24");
    rib.sweepStale(e1, V4).join();
    assertThat(adjRibIn()).isEqualTo(Map.of("10.1.0.0/24", false));
  }

  @Test
  void staleRoutesStayExportedToOtherPeers() {
    rib.addPeer(e1, RoutePolicy.ACCEPT_ALL).join();
    announce("10.1.0.0/24");
    Peer e2 = ebgp("192.0.2.2", 64513);
    rib.addPeer(e2, RoutePolicy.ACCEPT_ALL).join();
    UpdateGroup g =
        rib.group(
            ShardHarness.profile(
                PeerKind.EBGP, false, dev.netctl.bgp.codec.CodecContext.FOUR_OCTET));
    rib.join(g, e2).join();
    g.drain();

    rib.peerDownGracefully(e1, V4).join();
    assertThat(g.drain()).as("nothing withdrawn while the peer restarts").isEmpty();

    rib.sweepStale(e1, V4).join();
    List<OutboundUpdate> out = g.drain();
    assertThat(out).hasSize(1);
    assertThat(out.getFirst().update().withdrawn()).containsExactly(Nlri.of("10.1.0.0/24"));
  }
}
