package dev.netctl.bgp.speaker;

import static dev.netctl.bgp.speaker.ScriptedPeer.caps;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.netctl.bgp.codec.AddressFamily;
import dev.netctl.bgp.codec.BgpMessage;
import dev.netctl.bgp.codec.BgpMessage.Notification;
import dev.netctl.bgp.codec.BgpMessage.Update;
import dev.netctl.bgp.codec.Nlri;
import dev.netctl.bgp.codec.NotificationSubcode;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Changing one peer at run time ({@link BgpSpeaker#updatePeer}) against scripted peers: policies
 * apply to the running session, other changes reset that peer only. Addresses 127.0.1.60-62, free
 * ports.
 */
@Timeout(60)
class BgpSpeakerUpdatePeerTest {
  static final String US = "127.0.1.60";
  static final String PEER = "127.0.1.61";
  static final String THIRD = "127.0.1.62";
  static final AddressFamily V4 = AddressFamily.IPV4_UNICAST;
  static final AddressFamily V6 = AddressFamily.IPV6_UNICAST;
  static final Duration WAIT = Duration.ofSeconds(10);
  private BgpSpeaker speaker;

  @AfterEach
  void close() {
    if (speaker != null) {
      speaker.close();
    }
  }

  static Inet4Address ip(String s) throws Exception {
    return (Inet4Address) InetAddress.getByName(s);
  }

  static Neighbor neighbor(String address, long as, RoutePolicy in, RoutePolicy out, int hold)
      throws Exception {
    PeerConfig config = PeerConfig.of(65001, ip(US), as).withHoldTime(hold);
    return Neighbor.of(
            new PeerSpec(new InetSocketAddress(ip(address), 179), ip(US), config, true, null, 0))
        .withPolicies(in, out);
  }

  /** Accepts exactly the listed prefixes. */
  static Policy only(String name, String... prefixes) {
    return new Policy(
        name,
        List.of(
            new Statement(
                List.of(new Match.PrefixIn(PrefixList.of(name, prefixes))),
                List.of(),
                Verdict.ACCEPT)),
        Verdict.REJECT);
  }

  // The speaker's port, bound free (port 0) by start().
  int port;

  void start() throws Exception {
    speaker =
        BgpSpeaker.start(
            SpeakerConfig.of(65001, ip(US), new InetSocketAddress(ip(US), 0), Transport.best())
                .withIpv6NextHop((java.net.Inet6Address) InetAddress.getByName("fd00:9::1")));
    port = speaker.listenAddress().getPort();
  }

  /** A scripted peer past its initial table; returns it with the prefixes that table held. */
  static ScriptedPeer connect(String address, long as, int port, Set<Prefix> table)
      throws Exception {
    ScriptedPeer p = new ScriptedPeer(address, US, port, as);
    p.establish(address, caps(as));
    for (BgpMessage m : p.readUntilEndOfRib(V4, V6)) {
      ((Update) m).allNlri().forEach(n -> table.add(n.prefix()));
    }
    return p;
  }

  PeerStatus status(String address) throws Exception {
    InetAddress a = ip(address);
    return speaker.peers().stream()
        .filter(s -> s.remote().getAddress().equals(a))
        .findFirst()
        .orElseThrow();
  }

  static Set<Prefix> prefixes(String... p) {
    Set<Prefix> out = new HashSet<>();
    for (String s : p) {
      out.add(Prefix.parse(s));
    }
    return out;
  }

  @Test
  void policyChangeAppliesBothWaysWithoutResettingTheSessionOrTouchingOthers() throws Exception {
    start();
    speaker.originate(Prefix.parse("10.60.1.0/24"), null, List.of());
    speaker.originate(Prefix.parse("10.60.2.0/24"), null, List.of());
    speaker.addPeer(neighbor(PEER, 65002, RoutePolicy.ACCEPT_ALL, only("out", "10.60.1.0/24"), 30));
    speaker.addPeer(neighbor(THIRD, 65003, RoutePolicy.ACCEPT_ALL, RoutePolicy.ACCEPT_ALL, 30));
    Set<Prefix> peerTable = new HashSet<>();
    try (ScriptedPeer peer = connect(PEER, 65002, port, peerTable)) {
      assertThat(peerTable).as("old export policy").isEqualTo(prefixes("10.60.1.0/24"));
      peer.announce(PEER, "10.61.1.0/24", "10.61.2.0/24");
      await().atMost(WAIT).until(() -> speaker.bestRoutes().size() == 4);
      Set<Prefix> thirdTable = new HashSet<>();
      try (ScriptedPeer third = connect(THIRD, 65003, port, thirdTable)) {
        assertThat(thirdTable)
            .isEqualTo(prefixes("10.60.1.0/24", "10.60.2.0/24", "10.61.1.0/24", "10.61.2.0/24"));
        Instant since = status(PEER).since();
        Instant thirdSince = status(THIRD).since();

        speaker.updatePeer(
            neighbor(PEER, 65002, only("in", "10.61.1.0/24"), only("out", "10.60.2.0/24"), 30));

        // Export: what the new policy refuses is withdrawn, what it allows is announced.
        Set<Prefix> withdrawn = new HashSet<>();
        Set<Prefix> announced = new HashSet<>();
        List<BgpMessage> toPeer = new ArrayList<>();
        for (int i = 0;
            i < 10
                && !(withdrawn.contains(Prefix.parse("10.60.1.0/24"))
                    && announced.contains(Prefix.parse("10.60.2.0/24")));
            i++) {
          BgpMessage m = peer.next();
          toPeer.add(m);
          assertThat(m).as("only UPDATEs reach the changed peer").isInstanceOf(Update.class);
          ((Update) m).allWithdrawn().forEach(n -> withdrawn.add(n.prefix()));
          ((Update) m).allNlri().forEach(n -> announced.add(n.prefix()));
        }
        assertThat(withdrawn).isEqualTo(prefixes("10.60.1.0/24"));
        assertThat(announced).isEqualTo(prefixes("10.60.2.0/24"));
        assertThat(toPeer)
            .as("no second End-of-RIB mid-session")
            .allMatch(m -> ((Update) m).endOfRibFamily().isEmpty());

        // Import: the route the new policy refuses leaves the Loc-RIB, so the third peer sees
        // exactly its withdrawal and nothing else.
        Update change = (Update) third.next();
        assertThat(change.allWithdrawn()).containsExactly(Nlri.of("10.61.2.0/24"));
        assertThat(change.allNlri()).isEmpty();
        assertThat(third.quietFor(Duration.ofMillis(700)))
            .as("the third peer sees no other withdraw or re-announce")
            .isTrue();
        assertThat(peer.quietFor(Duration.ofMillis(300))).isTrue();

        assertThat(speaker.received(ip(PEER)))
            .as("the Adj-RIB-In keeps both routes as received")
            .hasSize(2);
        assertThat(speaker.bestRoutes())
            .extracting(r -> r.nlri().prefix())
            .containsExactlyInAnyOrderElementsOf(
                prefixes("10.60.1.0/24", "10.60.2.0/24", "10.61.1.0/24"));
        assertThat(speaker.advertised(ip(PEER)))
            .extracting(r -> r.nlri().prefix())
            .containsExactly(Prefix.parse("10.60.2.0/24"));
        PeerStatus after = status(PEER);
        assertThat(after.state()).isEqualTo(State.ESTABLISHED);
        assertThat(after.since()).as("the session did not flap").isEqualTo(since);
        assertThat(status(THIRD).since()).isEqualTo(thirdSince);
        // The peer's old group was left without members: retired, and its writer dropped, so a
        // speaker going through many export policies keeps only the groups in use.
        await()
            .atMost(WAIT)
            .untilAsserted(
                () ->
                    assertThat(speaker.updateGroups())
                        .as("update groups and writers: the third peer's and the new one")
                        .containsExactly(2, 2));

        // Later changes follow the new export policy.
        speaker.originate(Prefix.parse("10.60.3.0/24"), null, List.of());
        assertThat(((Update) third.next()).allNlri()).containsExactly(Nlri.of("10.60.3.0/24"));
        assertThat(peer.quietFor(Duration.ofMillis(300))).isTrue();
      }
    }
  }

  @Test
  void sessionChangeResetsOnlyThatPeerWithOtherConfigurationChange() throws Exception {
    start();
    speaker.addPeer(neighbor(PEER, 65002, RoutePolicy.ACCEPT_ALL, RoutePolicy.ACCEPT_ALL, 30));
    speaker.addPeer(neighbor(THIRD, 65003, RoutePolicy.ACCEPT_ALL, RoutePolicy.ACCEPT_ALL, 30));
    try (ScriptedPeer third = connect(THIRD, 65003, port, new HashSet<>())) {
      third.announce(THIRD, "10.62.3.0/24");
      Instant thirdSince;
      Set<Prefix> seen = new HashSet<>();
      try (ScriptedPeer peer = connect(PEER, 65002, port, seen)) {
        await().atMost(WAIT).until(() -> speaker.bestRoutes().size() == 1);
        if (!seen.contains(Prefix.parse("10.62.3.0/24"))) {
          // The third peer's route reached the RIB after this peer's initial table: it follows.
          assertThat(((Update) peer.next()).allNlri()).containsExactly(Nlri.of("10.62.3.0/24"));
        }
        thirdSince = status(THIRD).since();

        speaker.updatePeer(
            neighbor(PEER, 65002, RoutePolicy.ACCEPT_ALL, RoutePolicy.ACCEPT_ALL, 60));

        // An UPDATE already in flight may precede the reset (re-announcing a route is an implicit
        // replace, RFC 4271 §3.1); the session must then end with Cease/Other Configuration Change.
        BgpMessage m = peer.next();
        for (int i = 0; i < 5 && m instanceof Update; i++) m = peer.next();
        assertThat(m).isInstanceOf(Notification.class);
        assertThat(((Notification) m).errorSubcode())
            .isEqualTo(NotificationSubcode.OTHER_CONFIGURATION_CHANGE);
      }
      // The peer comes back and gets the new hold time in our OPEN.
      try (ScriptedPeer again = new ScriptedPeer(PEER, US, port, 65002)) {
        BgpMessage.Open open = again.establish(PEER, caps(65002));
        assertThat(open.holdTime()).isEqualTo(60);
        List<BgpMessage> table = again.readUntilEndOfRib(V4, V6);
        assertThat(table.stream().flatMap(x -> ((Update) x).allNlri().stream()))
            .containsExactly(Nlri.of("10.62.3.0/24"));
        await().atMost(WAIT).until(() -> status(PEER).state() == State.ESTABLISHED);
      }
      assertThat(status(THIRD).state()).isEqualTo(State.ESTABLISHED);
      assertThat(status(THIRD).since()).as("the other session did not flap").isEqualTo(thirdSince);
      assertThat(speaker.received(ip(THIRD))).hasSize(1);
    }
  }

  /** An iBGP announcement (empty AS_PATH, LOCAL_PREF) of one IPv4 prefix. */
  static void announceInternal(ScriptedPeer p, String nextHop, String prefix) throws Exception {
    p.send(
        new Update(
            List.of(),
            List.of(
                new PathAttribute.Origin(PathAttribute.OriginType.IGP),
                PathAttribute.AsPath.EMPTY,
                new PathAttribute.NextHop(ip(nextHop)),
                new PathAttribute.LocalPref(100)),
            List.of(Nlri.of(prefix))));
  }

  @Test
  void becomingAReflectorClientReflectsBothWaysWithoutResettingTheSession() throws Exception {
    start();
    speaker.addPeer(neighbor(PEER, 65001, null, null, 30));
    speaker.addPeer(neighbor(THIRD, 65001, null, null, 30));
    try (ScriptedPeer peer = connect(PEER, 65001, port, new HashSet<>());
        ScriptedPeer third = connect(THIRD, 65001, port, new HashSet<>())) {
      announceInternal(peer, PEER, "10.63.1.0/24");
      announceInternal(third, THIRD, "10.63.3.0/24");
      await().atMost(WAIT).until(() -> speaker.bestRoutes().size() == 2);
      // RFC 4456 §6: between non-clients nothing is reflected.
      assertThat(third.quietFor(Duration.ofMillis(500))).isTrue();
      assertThat(peer.quietFor(Duration.ofMillis(300))).isTrue();
      Instant since = status(PEER).since();

      speaker.updatePeer(neighbor(PEER, 65001, null, null, 30).asReflectorClient());

      // Now a client: its route is reflected to the non-client, and the non-client's reaches it.
      Update reflected = (Update) third.next();
      assertThat(reflected.allNlri()).containsExactly(Nlri.of("10.63.1.0/24"));
      assertThat(reflected.attribute(PathAttribute.OriginatorId.class))
          .contains(new PathAttribute.OriginatorId(ip(PEER)));
      Update toClient = (Update) peer.next();
      assertThat(toClient.allNlri()).containsExactly(Nlri.of("10.63.3.0/24"));
      assertThat(third.quietFor(Duration.ofMillis(500))).isTrue();
      assertThat(peer.quietFor(Duration.ofMillis(300))).isTrue();
      assertThat(status(PEER).since()).as("the session did not flap").isEqualTo(since);
      assertThat(speaker.received(ip(PEER))).hasSize(1);

      // Later routes from the client are reflected too.
      announceInternal(peer, PEER, "10.63.2.0/24");
      assertThat(((Update) third.next()).allNlri()).containsExactly(Nlri.of("10.63.2.0/24"));
    }
  }

  @Test
  void updatingAnUnknownPeerIsRefusedByAddress() throws Exception {
    start();
    assertThatThrownBy(
            () ->
                speaker.updatePeer(
                    neighbor(PEER, 65002, RoutePolicy.ACCEPT_ALL, RoutePolicy.ACCEPT_ALL, 30)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("peer " + PEER + " is not configured");
  }
}
