package dev.netctl.agent.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netctl.bgp.codec.Prefix;
import dev.netctl.bgp.fsm.PeerConfig;
import dev.netctl.bgp.fsm.State;
import dev.netctl.bgp.rib.RoutePolicy;
import dev.netctl.bgp.session.PeerSpec;
import dev.netctl.bgp.session.Transport;
import dev.netctl.bgp.speaker.BgpSpeaker;
import dev.netctl.bgp.speaker.Neighbor;
import dev.netctl.bgp.speaker.ReceivedRoute;
import dev.netctl.bgp.speaker.SpeakerConfig;
import dev.netctl.datastore.model.BGPFilterRule;
import dev.netctl.datastore.model.BGPFilterSpec;
import dev.netctl.datastore.model.BGPPeerSpec;
import dev.netctl.datastore.model.Cidr;
import dev.netctl.datastore.model.NextHopMode;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a node advertises to an external peer (a ToR in another AS), with the export policy the
 * planner gives that peer, as Calico does it. Calico's BIRD exports every pool route to an eBGP
 * peer — its own blocks and the blocks it learned from other nodes over iBGP (confd's {@code
 * calico_export_to_bgp_peers(false)}) — and its sessions are all {@code multihop}, so BIRD sets its
 * own address as next hop on every one (its single-hop "same interface" exception never applies).
 * {@code nextHopMode: Keep} (or {@code keepOriginalNextHop}) passes the other nodes' routes on with
 * their own next hop; a BGPFilter rejecting {@code source: RemotePeers} makes a node advertise only
 * its own blocks. Speakers on 127.0.7.1-3, free ports.
 */
@Timeout(60)
class EbgpExportTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final long CLUSTER_AS = 64512;
  private static final long TOR_AS = 65001;
  private static final Prefix OWN = Prefix.parse("10.244.1.0/26");
  private static final Prefix OTHERS = Prefix.parse("10.244.2.0/26");

  private final List<BgpSpeaker> speakers = new CopyOnWriteArrayList<>();

  @AfterEach
  void closeAll() {
    speakers.forEach(BgpSpeaker::close);
  }

  private BgpSpeaker speaker(long as, String address) throws Exception {
    InetAddress a = InetAddress.getByName(address);
    BgpSpeaker s =
        BgpSpeaker.start(
            SpeakerConfig.of(
                as, (java.net.Inet4Address) a, new InetSocketAddress(a, 0), Transport.best()));
    speakers.add(s);
    return s;
  }

  private static PeerSpec spec(BgpSpeaker from, BgpSpeaker to, boolean passive) {
    PeerConfig config =
        PeerConfig.of(from.config().localAs(), from.config().routerId(), to.config().localAs())
            .withHoldTime(9)
            .withConnectRetry(Duration.ofMillis(300));
    return new PeerSpec(
        to.listenAddress(), from.config().listen().getAddress(), config, passive, null, 0);
  }

  /**
   * Node A with its block, node B with its block (iBGP mesh), the ToR peering A over eBGP with
   * {@code torPeer}'s export policy on A's side.
   *
   * @return what the ToR received from A, by prefix
   */
  private Map<Prefix, ReceivedRoute> torReceives(
      BGPPeerSpec torPeer, Map<String, BGPFilterSpec> filters, int expected) throws Exception {
    BgpSpeaker a = speaker(CLUSTER_AS, "127.0.7.1");
    BgpSpeaker b = speaker(CLUSTER_AS, "127.0.7.2");
    BgpSpeaker tor = speaker(TOR_AS, "127.0.7.3");
    a.originate(OWN, null, List.of());
    b.originate(OTHERS, null, List.of());
    a.addPeer(spec(a, b, false));
    b.addPeer(spec(b, a, true));
    a.addPeer(
        Neighbor.of(spec(a, tor, false))
            .withPolicies(
                PeerPlanner.importPolicy(torPeer, filters),
                PeerPlanner.exportPolicy(torPeer, filters)));
    tor.addPeer(
        Neighbor.of(spec(tor, a, true))
            .withPolicies(RoutePolicy.ACCEPT_ALL, RoutePolicy.ACCEPT_ALL));
    InetAddress fromA = a.config().routerId();
    await()
        .atMost(WAIT)
        .until(
            () ->
                List.of(a, b, tor).stream()
                        .allMatch(
                            s -> s.peers().stream().allMatch(p -> p.state() == State.ESTABLISHED))
                    && a.received(b.config().routerId()).size() == 1
                    && tor.received(fromA).size() == expected
                    // A's Adj-RIB-Out toward the ToR, with B's route in A's table, is all it sends
                    && prefixes(a.advertised(tor.config().routerId()).stream().map(r -> r.nlri()))
                        .equals(prefixes(tor.received(fromA).stream().map(r -> r.nlri()))));
    return tor.received(fromA).stream().collect(Collectors.toMap(r -> r.nlri().prefix(), r -> r));
  }

  private static java.util.Set<Prefix> prefixes(
      java.util.stream.Stream<dev.netctl.bgp.codec.Nlri> nlri) {
    return nlri.map(dev.netctl.bgp.codec.Nlri::prefix).collect(Collectors.toSet());
  }

  private static BGPPeerSpec tor(NextHopMode mode, List<String> filters) {
    return new BGPPeerSpec(
        null, null, "127.0.7.3", TOR_AS, null, null, false, mode, null, null, null, filters);
  }

  private static InetAddress ip(String s) {
    return Cidr.parseAddress(s);
  }

  @Test
  void byDefaultTheTorGetsEveryNodesBlocksWithThisNodeAsNextHop() throws Exception {
    Map<Prefix, ReceivedRoute> got = torReceives(tor(null, List.of()), Map.of(), 2);
    assertThat(got).containsOnlyKeys(OWN, OTHERS);
    assertThat(got.get(OWN).nextHop()).isEqualTo(ip("127.0.7.1"));
    assertThat(got.get(OTHERS).nextHop())
        .as("another node's block, re-exported with next-hop self (BIRD multihop toward eBGP)")
        .isEqualTo(ip("127.0.7.1"));
  }

  @Test
  void nextHopModeKeepPassesOtherNodesBlocksOnWithTheirOwnNextHop() throws Exception {
    Map<Prefix, ReceivedRoute> got = torReceives(tor(NextHopMode.KEEP, List.of()), Map.of(), 2);
    assertThat(got.get(OWN).nextHop()).isEqualTo(ip("127.0.7.1"));
    assertThat(got.get(OTHERS).nextHop())
        .as("the ToR sends B's pods straight to B")
        .isEqualTo(ip("127.0.7.2"));
  }

  @Test
  void aRemotePeersRejectFilterLeavesOnlyTheNodesOwnBlocks() throws Exception {
    BGPFilterSpec ownOnly =
        new BGPFilterSpec(
            List.of(
                new BGPFilterRule(
                    BGPFilterRule.Action.REJECT,
                    null,
                    null,
                    null,
                    BGPFilterRule.Source.REMOTE_PEERS,
                    null)),
            null,
            null,
            null);
    Map<Prefix, ReceivedRoute> got =
        torReceives(tor(null, List.of("own-only")), Map.of("own-only", ownOnly), 1);
    assertThat(got).containsOnlyKeys(OWN);
    assertThat(got.get(OWN).nextHop()).isEqualTo(ip("127.0.7.1"));
  }
}
