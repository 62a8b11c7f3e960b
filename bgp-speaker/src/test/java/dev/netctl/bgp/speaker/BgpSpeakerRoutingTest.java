package dev.netctl.bgp.speaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netctl.bgp.codec.Nlri;
import dev.netctl.bgp.codec.PathAttribute;
import dev.netctl.bgp.codec.Prefix;
import dev.netctl.bgp.fsm.PeerConfig;
import dev.netctl.bgp.fsm.State;
import dev.netctl.bgp.policy.Match;
import dev.netctl.bgp.policy.Policy;
import dev.netctl.bgp.policy.PrefixList;
import dev.netctl.bgp.policy.Statement;
import dev.netctl.bgp.policy.Verdict;
import dev.netctl.bgp.rib.RoutePolicy;
import dev.netctl.bgp.session.PeerSpec;
import dev.netctl.bgp.session.Transport;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Several in-process speakers on distinct loopback addresses, checking what the table layer does
 * through real sessions: iBGP full mesh, route reflection, withdrawal propagation, RFC 8212.
 */
@Timeout(90)
class BgpSpeakerRoutingTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private final List<BgpSpeaker> speakers = new CopyOnWriteArrayList<>();

  static Inet4Address ip(String s) throws Exception {
    return (Inet4Address) InetAddress.getByName(s);
  }

  @AfterEach
  void closeAll() {
    speakers.forEach(BgpSpeaker::close);
  }

  /** A speaker listening on its address (a free port), with two RIB shards. */
  BgpSpeaker speaker(long as, String address, Inet4Address clusterId) throws Exception {
    int port = 0;
    SpeakerConfig c =
        new SpeakerConfig(
            as,
            ip(address),
            clusterId,
            new InetSocketAddress(ip(address), port),
            Transport.best(),
            2);
    BgpSpeaker s = BgpSpeaker.start(c);
    speakers.add(s);
    return s;
  }

  /** Session from {@code a} to {@code b}; the lower address connects, the higher one waits. */
  static PeerSpec spec(BgpSpeaker a, BgpSpeaker b) {
    InetSocketAddress la = a.config().listen();
    InetSocketAddress lb = b.listenAddress();
    boolean passive = Integer.compareUnsigned(octets(la), octets(lb)) > 0;
    PeerConfig config =
        PeerConfig.of(a.config().localAs(), a.config().routerId(), b.config().localAs())
            .withHoldTime(9)
            .withConnectRetry(Duration.ofMillis(300));
    return new PeerSpec(lb, la.getAddress(), config, passive, null, 0);
  }

  private static int octets(InetSocketAddress a) {
    byte[] b = a.getAddress().getAddress();
    return ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
  }

  static Set<Prefix> best(BgpSpeaker s) {
    return s.bestRoutes().stream().map(r -> r.nlri().prefix()).collect(Collectors.toSet());
  }

  static ReceivedRoute bestFor(BgpSpeaker s, Prefix p) {
    return s.bestRoutes().stream()
        .filter(r -> r.nlri().prefix().equals(p))
        .findFirst()
        .orElseThrow();
  }

  static boolean allEstablished(BgpSpeaker s) {
    return s.peers().stream().allMatch(p -> p.state() == State.ESTABLISHED);
  }

  @Test
  void fullMeshIbgpGivesEverySpeakerEveryPrefix() throws Exception {
    List<BgpSpeaker> mesh =
        List.of(
            speaker(65100, "127.0.0.61", null),
            speaker(65100, "127.0.0.62", null),
            speaker(65100, "127.0.0.63", null));
    List<Prefix> prefixes =
        List.of(
            Prefix.parse("10.61.0.0/26"),
            Prefix.parse("10.62.0.0/26"),
            Prefix.parse("10.63.0.0/26"));
    for (int i = 0; i < mesh.size(); i++) {
      mesh.get(i).originate(prefixes.get(i), null, List.of());
      for (int j = 0; j < mesh.size(); j++) {
        if (i != j) {
          mesh.get(i).addPeer(spec(mesh.get(i), mesh.get(j)));
        }
      }
    }
    for (BgpSpeaker s : mesh) {
      await().atMost(WAIT).until(() -> best(s).containsAll(prefixes));
    }
    for (int i = 0; i < mesh.size(); i++) {
      for (int j = 0; j < mesh.size(); j++) {
        if (i == j) {
          continue;
        }
        ReceivedRoute r = bestFor(mesh.get(i), prefixes.get(j));
        // Learned directly from the originator, next hop self set by it, no reflection marks.
        assertThat(r.peer()).isEqualTo(mesh.get(j).config().routerId());
        assertThat(r.nextHop()).isEqualTo(mesh.get(j).config().routerId());
        assertThat(r.attribute(PathAttribute.LocalPref.class))
            .contains(new PathAttribute.LocalPref(100));
        assertThat(r.attribute(PathAttribute.OriginatorId.class)).isEmpty();
      }
    }
    // A non-client iBGP route is not passed on: each peer holds only its originator's prefix.
    BgpSpeaker first = mesh.getFirst();
    assertThat(first.received(mesh.get(1).config().routerId()))
        .extracting(ReceivedRoute::nlri)
        .containsExactly(Nlri.of(prefixes.get(1)));
  }

  @Test
  void routeReflectorPassesClientRoutesWithOriginatorAndClusterList() throws Exception {
    Inet4Address cluster = ip("10.99.99.99");
    BgpSpeaker rr = speaker(65100, "127.0.0.64", cluster);
    List<BgpSpeaker> clients =
        List.of(
            speaker(65100, "127.0.0.65", null),
            speaker(65100, "127.0.0.66", null),
            speaker(65100, "127.0.0.67", null));
    List<Prefix> prefixes =
        List.of(
            Prefix.parse("10.65.0.0/26"),
            Prefix.parse("10.66.0.0/26"),
            Prefix.parse("10.67.0.0/26"));
    List<Nlri> withdrawnAtLast = new CopyOnWriteArrayList<>();
    clients
        .getLast()
        .subscribe(
            new RouteListener() {
              @Override
              public void announced(InetAddress peer, List<ReceivedRoute> routes) {}

              @Override
              public void withdrawn(InetAddress peer, List<Nlri> nlri) {
                withdrawnAtLast.addAll(nlri);
              }
            });
    for (int i = 0; i < clients.size(); i++) {
      BgpSpeaker c = clients.get(i);
      c.originate(prefixes.get(i), null, List.of());
      rr.addPeer(Neighbor.of(spec(rr, c)).asReflectorClient());
      c.addPeer(spec(c, rr));
    }
    for (BgpSpeaker c : clients) {
      await().atMost(WAIT).until(() -> best(c).containsAll(prefixes));
    }
    for (int i = 0; i < clients.size(); i++) {
      for (int j = 0; j < clients.size(); j++) {
        if (i == j) {
          continue;
        }
        Inet4Address origin = clients.get(j).config().routerId();
        ReceivedRoute r = bestFor(clients.get(i), prefixes.get(j));
        assertThat(r.peer()).isEqualTo(rr.config().routerId());
        assertThat(r.nextHop()).as("reflection keeps the next hop").isEqualTo(origin);
        assertThat(r.attribute(PathAttribute.OriginatorId.class))
            .contains(new PathAttribute.OriginatorId(origin));
        assertThat(r.attribute(PathAttribute.ClusterList.class))
            .contains(new PathAttribute.ClusterList(List.of(cluster)));
      }
    }

    // A withdrawal travels client -> RR -> other clients.
    clients.getFirst().withdraw(prefixes.getFirst());
    for (BgpSpeaker c : clients.subList(1, 3)) {
      await().atMost(WAIT).until(() -> !best(c).contains(prefixes.getFirst()));
    }
    assertThat(withdrawnAtLast).contains(Nlri.of(prefixes.getFirst()));
    // A client's session loss withdraws its routes from the others.
    rr.removePeer(clients.get(1).config().routerId());
    await().atMost(WAIT).until(() -> !best(clients.getLast()).contains(prefixes.get(1)));
    assertThat(best(clients.getLast())).containsExactly(prefixes.get(2));
    assertThat(best(rr)).containsExactly(prefixes.get(2));
  }

  @Test
  void ebgpWithoutImportPolicyKeepsRoutesOutOfTheLocRib() throws Exception {
    BgpSpeaker a = speaker(65201, "127.0.0.68", null);
    BgpSpeaker b = speaker(65202, "127.0.0.69", null);
    Prefix fromB = Prefix.parse("10.69.0.0/24");
    b.originate(fromB, null, List.of());
    a.addPeer(spec(a, b)); // no policies: RFC 8212
    b.addPeer(Neighbor.of(spec(b, a)).withPolicies(RoutePolicy.ACCEPT_ALL, RoutePolicy.ACCEPT_ALL));
    await().atMost(WAIT).until(() -> allEstablished(a) && allEstablished(b));
    // B exports (it has a policy), so A's Adj-RIB-In holds the route as received...
    await().atMost(WAIT).until(() -> a.received(b.config().routerId()).size() == 1);
    ReceivedRoute r = a.received(b.config().routerId()).getFirst();
    assertThat(r.nlri()).isEqualTo(Nlri.of(fromB));
    assertThat(r.attribute(PathAttribute.AsPath.class))
        .contains(PathAttribute.AsPath.sequence(65202));
    // ...but without an import policy it never reaches A's Loc-RIB.
    assertThat(best(a)).doesNotContain(fromB);
    assertThat(a.routes()).noneMatch(e -> e.prefix().equals(fromB) && e.best() != null);
  }

  @Test
  void ebgpExportPolicyDecidesWhatThePeerGets() throws Exception {
    BgpSpeaker a = speaker(65201, "127.0.0.70", null);
    BgpSpeaker b = speaker(65202, "127.0.0.71", null);
    Prefix allowed = Prefix.parse("10.70.1.0/24");
    Prefix denied = Prefix.parse("10.70.2.0/24");
    a.originate(allowed, null, List.of());
    a.originate(denied, null, List.of());
    Policy export =
        new Policy(
            "only-10.70.1",
            List.of(
                new Statement(
                    List.of(new Match.PrefixIn(PrefixList.of("allowed", "10.70.1.0/24"))),
                    List.of(),
                    Verdict.ACCEPT)),
            Verdict.REJECT);
    a.addPeer(Neighbor.of(spec(a, b)).withPolicies(RoutePolicy.ACCEPT_ALL, export));
    b.addPeer(Neighbor.of(spec(b, a)).withPolicies(RoutePolicy.ACCEPT_ALL, RoutePolicy.ACCEPT_ALL));
    await().atMost(WAIT).until(() -> best(b).contains(allowed));
    // Both were in A's single initial table message run; the denied one was filtered, not late.
    assertThat(best(b)).containsExactly(allowed);
    ReceivedRoute r = bestFor(b, allowed);
    assertThat(r.nextHop()).isEqualTo(a.config().routerId());
    assertThat(r.attribute(PathAttribute.AsPath.class))
        .contains(PathAttribute.AsPath.sequence(65201));
  }
}
