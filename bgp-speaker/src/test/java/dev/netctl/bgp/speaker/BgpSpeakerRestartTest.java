package dev.netctl.bgp.speaker;

import static dev.netctl.bgp.speaker.ScriptedPeer.caps;
import static dev.netctl.bgp.speaker.ScriptedPeer.gr;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netctl.bgp.codec.AddressFamily;
import dev.netctl.bgp.codec.BgpMessage;
import dev.netctl.bgp.codec.BgpMessage.Update;
import dev.netctl.bgp.codec.Capability;
import dev.netctl.bgp.codec.Nlri;
import dev.netctl.bgp.codec.NotificationSubcode;
import dev.netctl.bgp.codec.Prefix;
import dev.netctl.bgp.fsm.PeerConfig;
import dev.netctl.bgp.fsm.State;
import dev.netctl.bgp.rib.RoutePolicy;
import dev.netctl.bgp.session.PeerSpec;
import dev.netctl.bgp.session.Transport;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Graceful restart (RFC 4724) through a whole speaker: a scripted peer restarts (TCP closes without
 * NOTIFICATION) and comes back, and the speaker itself starts as a restarting speaker. Addresses
 * 127.0.1.1-2, on free ports.
 */
@Timeout(60)
class BgpSpeakerRestartTest {
  static final String US = "127.0.1.1";
  static final String PEER = "127.0.1.2";
  private final List<BgpSpeaker> speakers = new CopyOnWriteArrayList<>();

  @AfterEach
  void closeAll() {
    speakers.forEach(BgpSpeaker::close);
  }

  static Inet4Address ip(String s) throws Exception {
    return (Inet4Address) InetAddress.getByName(s);
  }

  // The speaker's port, bound free (port 0) by speaker().
  int port;

  BgpSpeaker speaker(RestartOptions restart) throws Exception {
    BgpSpeaker s =
        BgpSpeaker.start(
            SpeakerConfig.of(65001, ip(US), new InetSocketAddress(ip(US), 0), Transport.best())
                .withRestart(restart)
                .withIpv6NextHop((java.net.Inet6Address) InetAddress.getByName("fd00:9::1")));
    speakers.add(s);
    port = s.listenAddress().getPort();
    PeerConfig config =
        PeerConfig.of(65001, ip(US), 65002)
            .withHoldTime(30)
            .withOptions(Set.of(), Set.of(), 120, false);
    s.addPeer(
        Neighbor.of(
                new PeerSpec(new InetSocketAddress(ip(PEER), 179), ip(US), config, true, null, 0))
            .withPolicies(RoutePolicy.ACCEPT_ALL, RoutePolicy.ACCEPT_ALL));
    return s;
  }

  /** Prefix → stale, as the speaker reports the peer's routes. */
  static Map<Prefix, Boolean> received(BgpSpeaker s) throws Exception {
    return s.received(ip(PEER)).stream()
        .collect(Collectors.toMap(r -> r.nlri().prefix(), ReceivedRoute::stale));
  }

  static Prefix p(String s) {
    return Prefix.parse(s);
  }

  static State state(BgpSpeaker s) {
    return s.peers().getFirst().state();
  }

  /** Establishes a GR peer that sends 10.1/24 and 10.2/24 and End-of-RIB, then closes TCP. */
  ScriptedPeer restartAfterTwoRoutes(BgpSpeaker s, int port, int restartSeconds) throws Exception {
    ScriptedPeer peer = new ScriptedPeer(PEER, US, port, 65002);
    peer.establish(PEER, caps(65002, gr(restartSeconds, false)));
    peer.announce(PEER, "10.1.0.0/24", "10.2.0.0/24");
    peer.send(Update.endOfRib(AddressFamily.IPV4_UNICAST));
    await().atMost(Duration.ofSeconds(10)).until(() -> received(s).size() == 2);
    assertThat(received(s)).containsValues(false, false);
    peer.close(); // no NOTIFICATION: the peer "crashed"
    await().atMost(Duration.ofSeconds(10)).until(() -> state(s) != State.ESTABLISHED);
    return peer;
  }

  @Test
  void restartingPeerKeepsItsRoutesStaleUntilEndOfRibThenLosesWhatItDidNotResend()
      throws Exception {
    BgpSpeaker s = speaker(RestartOptions.DEFAULT);
    restartAfterTwoRoutes(s, port, 120);

    assertThat(received(s))
        .as("kept as stale while the peer is down")
        .isEqualTo(Map.of(p("10.1.0.0/24"), true, p("10.2.0.0/24"), true));
    assertThat(s.bestRoutes())
        .as("stale routes stay best paths")
        .extracting(r -> r.nlri().prefix())
        .contains(p("10.1.0.0/24"), p("10.2.0.0/24"));
    assertThat(s.peers().getFirst().staleRoutes()).isTrue();

    try (ScriptedPeer back = new ScriptedPeer(PEER, US, port, 65002)) {
      back.establish(PEER, caps(65002, gr(120, true)));
      back.announce(PEER, "10.1.0.0/24");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> received(s).equals(Map.of(p("10.1.0.0/24"), false, p("10.2.0.0/24"), true)));
      back.send(Update.endOfRib(AddressFamily.IPV4_UNICAST));
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> received(s).equals(Map.of(p("10.1.0.0/24"), false)));
      assertThat(s.peers().getFirst().staleRoutes()).isFalse();
      assertThat(s.bestRoutes())
          .extracting(r -> r.nlri().prefix())
          .doesNotContain(p("10.2.0.0/24"));
    }
  }

  @Test
  void aNotificationEndsTheSessionWithoutGracefulRestart() throws Exception {
    BgpSpeaker s = speaker(RestartOptions.DEFAULT);
    try (ScriptedPeer peer = new ScriptedPeer(PEER, US, port, 65002)) {
      peer.establish(PEER, caps(65002, gr(120, true)));
      peer.announce(PEER, "10.1.0.0/24");
      await().atMost(Duration.ofSeconds(10)).until(() -> received(s).size() == 1);
      peer.send(BgpMessage.Notification.of(NotificationSubcode.ADMINISTRATIVE_RESET));
      await().atMost(Duration.ofSeconds(10)).until(() -> received(s).isEmpty());
      assertThat(s.peers().getFirst().staleRoutes()).isFalse();
    }
  }

  /** Graceful restart with the N bit (RFC 8538 §2) for IPv4 unicast. */
  static Capability.GracefulRestart grWithN() {
    return new Capability.GracefulRestart(
        false,
        true,
        120,
        List.of(new Capability.GracefulRestartFamily(AddressFamily.IPV4_UNICAST, true)));
  }

  @Test
  void inNotificationModeANotificationKeepsRoutesStaleLikeATcpClose() throws Exception {
    BgpSpeaker s = speaker(RestartOptions.DEFAULT);
    try (ScriptedPeer peer = new ScriptedPeer(PEER, US, port, 65002)) {
      BgpMessage.Open ours = peer.establish(PEER, caps(65002, grWithN()));
      assertThat(ours.capability(Capability.GracefulRestart.class).orElseThrow())
          .as("we set the N bit")
          .matches(Capability.GracefulRestart::gracefulNotification);
      peer.announce(PEER, "10.1.0.0/24");
      await().atMost(Duration.ofSeconds(10)).until(() -> received(s).size() == 1);
      peer.send(BgpMessage.Notification.of(NotificationSubcode.OTHER_CONFIGURATION_CHANGE));
      await().atMost(Duration.ofSeconds(10)).until(() -> state(s) != State.ESTABLISHED);
      assertThat(received(s)).as("RFC 8538 §4").isEqualTo(Map.of(p("10.1.0.0/24"), true));
      assertThat(s.peers().getFirst().staleRoutes()).isTrue();
    }
  }

  @Test
  void inNotificationModeAHardResetDropsTheRoutes() throws Exception {
    BgpSpeaker s = speaker(RestartOptions.DEFAULT);
    try (ScriptedPeer peer = new ScriptedPeer(PEER, US, port, 65002)) {
      peer.establish(PEER, caps(65002, grWithN()));
      peer.announce(PEER, "10.1.0.0/24");
      await().atMost(Duration.ofSeconds(10)).until(() -> received(s).size() == 1);
      peer.send(BgpMessage.Notification.of(NotificationSubcode.HARD_RESET, new byte[] {6, 4}));
      await().atMost(Duration.ofSeconds(10)).until(() -> received(s).isEmpty());
      assertThat(s.peers().getFirst().staleRoutes()).isFalse();
    }
  }

  @Test
  void softAdminResetInNotificationModeKeepsRoutesAndHardResetFlushesThem() throws Exception {
    BgpSpeaker s = speaker(RestartOptions.DEFAULT);
    try (ScriptedPeer peer = new ScriptedPeer(PEER, US, port, 65002)) {
      peer.establish(PEER, caps(65002, grWithN()));
      peer.announce(PEER, "10.1.0.0/24");
      await().atMost(Duration.ofSeconds(10)).until(() -> received(s).size() == 1);
      s.resetPeer(ip(PEER), false);
      BgpMessage.Notification soft = notification(peer);
      assertThat(List.of(soft.code(), soft.subcode())).isEqualTo(List.of(6, 4));
      assertThat(received(s)).as("kept stale").isEqualTo(Map.of(p("10.1.0.0/24"), true));
    }
    try (ScriptedPeer peer = new ScriptedPeer(PEER, US, port, 65002)) {
      peer.establish(PEER, caps(65002, grWithN()));
      peer.announce(PEER, "10.1.0.0/24");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> received(s).equals(Map.of(p("10.1.0.0/24"), false)));
      s.resetPeer(ip(PEER), true);
      BgpMessage.Notification hard = notification(peer);
      assertThat(List.of(hard.code(), hard.subcode())).isEqualTo(List.of(6, 9));
      assertThat(hard.data()).as("Hard Reset wrapping Administrative Reset").startsWith(6, 4);
      await().atMost(Duration.ofSeconds(10)).until(() -> received(s).isEmpty());
    }
  }

  /** The next NOTIFICATION the peer receives (KEEPALIVEs and UPDATEs skipped). */
  static BgpMessage.Notification notification(ScriptedPeer peer) throws Exception {
    for (int i = 0; i < 20; i++) {
      if (peer.next() instanceof BgpMessage.Notification n) {
        return n;
      }
    }
    throw new AssertionError("no NOTIFICATION");
  }

  @Test
  void removingANotificationModePeerSendsHardReset() throws Exception {
    BgpSpeaker s = speaker(RestartOptions.DEFAULT);
    try (ScriptedPeer peer = new ScriptedPeer(PEER, US, port, 65002)) {
      peer.establish(PEER, caps(65002, grWithN()));
      await().atMost(Duration.ofSeconds(10)).until(() -> state(s) == State.ESTABLISHED);
      s.removePeer(ip(PEER));
      BgpMessage.Notification n = notification(peer);
      assertThat(List.of(n.code(), n.subcode())).as("Cease/Hard Reset").isEqualTo(List.of(6, 9));
      assertThat(n.data()).as("wrapping Cease/Peer De-configured").startsWith(6, 3);
    }
  }

  @Test
  void comingBackWithoutTheForwardingBitDropsStaleRoutesAtOnce() throws Exception {
    BgpSpeaker s = speaker(RestartOptions.DEFAULT);
    restartAfterTwoRoutes(s, port, 120);
    try (ScriptedPeer back = new ScriptedPeer(PEER, US, port, 65002)) {
      back.establish(PEER, caps(65002, new Capability.GracefulRestart(false, 120, List.of())));
      await().atMost(Duration.ofSeconds(10)).until(() -> received(s).isEmpty());
    }
  }

  @Test
  void anotherRouterAnsweringAtTheAddressGetsNoneOfTheStaleRoutes() throws Exception {
    BgpSpeaker s = speaker(RestartOptions.DEFAULT);
    restartAfterTwoRoutes(s, port, 120);
    try (ScriptedPeer other = new ScriptedPeer(PEER, US, port, 65002)) {
      // Same address and AS, another BGP identifier: not the router that restarted.
      other.establish("127.0.1.7", caps(65002, gr(120, true)));
      other.announce(PEER, "10.7.0.0/24");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> received(s).equals(Map.of(p("10.7.0.0/24"), false)));
      assertThat(s.peers().getFirst().staleRoutes()).isFalse();
    }
  }

  @Test
  void notBackWithinTheRestartTimeDropsStaleRoutes() throws Exception {
    BgpSpeaker s = speaker(RestartOptions.DEFAULT);
    restartAfterTwoRoutes(s, port, 1);
    await().atMost(Duration.ofSeconds(15)).until(() -> received(s).isEmpty());
    assertThat(s.peers().getFirst().staleRoutes()).isFalse();
  }

  @Test
  void staleTimerDropsStaleRoutesWhenEndOfRibNeverComes() throws Exception {
    BgpSpeaker s =
        speaker(new RestartOptions(false, Duration.ofSeconds(1), Duration.ofSeconds(360)));
    restartAfterTwoRoutes(s, port, 120);
    try (ScriptedPeer back = new ScriptedPeer(PEER, US, port, 65002)) {
      back.establish(PEER, caps(65002, gr(120, true)));
      back.announce(PEER, "10.2.0.0/24");
      await()
          .atMost(Duration.ofSeconds(15))
          .until(() -> received(s).equals(Map.of(p("10.2.0.0/24"), false)));
    }
  }

  @Test
  void sessionWatchersHearAGracefulPeerGoDownAndComeBackWithTheSameRoutes() throws Exception {
    // A peer back from a graceful restart sends the routes it had: nothing a route listener sees
    // changes, so the node agent's status (and readiness) kept the session "Active" for good.
    BgpSpeaker s = speaker(RestartOptions.DEFAULT);
    java.util.concurrent.atomic.AtomicInteger changes =
        new java.util.concurrent.atomic.AtomicInteger();
    AutoCloseable watch = s.watchSessions(changes::incrementAndGet);
    restartAfterTwoRoutes(s, port, 120);
    // Both calls ran on the loop before state() (also on the loop) could see the session down.
    assertThat(changes).as("up, then down").hasValue(2);
    try (ScriptedPeer back = new ScriptedPeer(PEER, US, port, 65002)) {
      back.establish(PEER, caps(65002, gr(120, true)));
      back.announce(PEER, "10.1.0.0/24", "10.2.0.0/24");
      await().atMost(Duration.ofSeconds(10)).until(() -> state(s) == State.ESTABLISHED);
      assertThat(changes).as("up again").hasValue(3);
      watch.close();
      back.close();
      await().atMost(Duration.ofSeconds(10)).until(() -> state(s) != State.ESTABLISHED);
      assertThat(changes).as("a closed watch hears nothing more").hasValue(3);
    }
  }

  @Test
  void aConnectionThatNeverSendsItsOpenLeavesTheEstablishedSessionUp() throws Exception {
    // Two mesh nodes dialling each other at once: the one that accepts first abandons its own
    // connect, which the other may still accept after its session is up. Taking that for the
    // peer restarting dropped a healthy session; only an OPEN on the new connection says so.
    BgpSpeaker s = speaker(RestartOptions.DEFAULT);
    try (ScriptedPeer old = new ScriptedPeer(PEER, US, port, 65002)) {
      old.establish(PEER, caps(65002, gr(120, true)));
      await().atMost(Duration.ofSeconds(10)).until(() -> state(s) == State.ESTABLISHED);
      try (ScriptedPeer abandoned = new ScriptedPeer(PEER, US, port, 65002)) {
        // The speaker's OPEN on the new connection: it has been accepted.
        assertThat(abandoned.read()).isInstanceOf(BgpMessage.Open.class);
        assertThat(state(s)).isEqualTo(State.ESTABLISHED);
      }
      old.announce(PEER, "10.1.0.0/24");
      await().atMost(Duration.ofSeconds(10)).until(() -> received(s).size() == 1);
      assertThat(state(s)).as("the old session carried the route").isEqualTo(State.ESTABLISHED);
    }
  }

  @Test
  void aNewConnectionWhileEstablishedIsTheGracefulPeerRestarting() throws Exception {
    BgpSpeaker s = speaker(RestartOptions.DEFAULT);
    try (ScriptedPeer old = new ScriptedPeer(PEER, US, port, 65002)) {
      old.establish(PEER, caps(65002, gr(120, true)));
      old.announce(PEER, "10.1.0.0/24");
      await().atMost(Duration.ofSeconds(10)).until(() -> received(s).size() == 1);
      // RFC 4724 §4.2: the peer restarted before we noticed the old connection was gone.
      try (ScriptedPeer back = new ScriptedPeer(PEER, US, port, 65002)) {
        back.establish(PEER, caps(65002, gr(120, true)));
        await().atMost(Duration.ofSeconds(10)).until(() -> state(s) == State.ESTABLISHED);
        assertThat(received(s)).isEqualTo(Map.of(p("10.1.0.0/24"), true));
        back.send(Update.endOfRib(AddressFamily.IPV4_UNICAST));
        await().atMost(Duration.ofSeconds(10)).until(() -> received(s).isEmpty());
      }
    }
  }

  @Test
  void endOfRibFollowsTheInitialTableExactlyOncePerFamily() throws Exception {
    BgpSpeaker s = speaker(RestartOptions.DEFAULT);
    s.originate(p("10.9.0.0/24"), null, List.of());
    s.originate(p("2001:db8:9::/48"), null, List.of());
    try (ScriptedPeer peer = new ScriptedPeer(PEER, US, port, 65002)) {
      peer.establish(PEER, caps(65002));
      List<BgpMessage> dump =
          peer.readUntilEndOfRib(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST);
      List<Nlri> routes =
          dump.stream()
              .filter(m -> m instanceof Update u && u.endOfRibFamily().isEmpty())
              .flatMap(m -> ((Update) m).allNlri().stream())
              .toList();
      assertThat(routes)
          .as("the whole table comes before both End-of-RIB markers")
          .containsExactlyInAnyOrder(Nlri.of("10.9.0.0/24"), Nlri.of("2001:db8:9::/48"));
      // A later change is a plain UPDATE: no second End-of-RIB.
      s.originate(p("10.9.1.0/24"), null, List.of());
      Update next = (Update) peer.next();
      assertThat(next.endOfRibFamily()).isEmpty();
      assertThat(next.nlri()).containsExactly(Nlri.of("10.9.1.0/24"));
    }
  }

  @Test
  void restartingSpeakerSetsTheRestartBitAndAdvertisesOnlyAfterThePeersEndOfRib() throws Exception {
    BgpSpeaker s = speaker(RestartOptions.DEFAULT.withRestarting(true));
    s.originate(p("10.9.0.0/24"), null, List.of());
    try (ScriptedPeer peer = new ScriptedPeer(PEER, US, port, 65002)) {
      BgpMessage.Open ours = peer.establish(PEER, caps(65002, gr(120, false)));
      Capability.GracefulRestart cap =
          ours.capability(Capability.GracefulRestart.class).orElseThrow();
      assertThat(cap.restarting()).as("Restart State bit").isTrue();
      assertThat(cap.families())
          .contains(new Capability.GracefulRestartFamily(AddressFamily.IPV4_UNICAST, true));

      // Our routes wait for the peer's End-of-RIB for every family (RFC 4724 §4.1). Its own route
      // being accepted shows the session is running meanwhile.
      peer.announce(PEER, "10.1.0.0/24");
      await().atMost(Duration.ofSeconds(10)).until(() -> received(s).size() == 1);
      peer.send(Update.endOfRib(AddressFamily.IPV4_UNICAST));
      // A route sent after the IPv4 End-of-RIB being accepted shows that marker was handled.
      peer.announce(PEER, "10.3.0.0/24");
      await().atMost(Duration.ofSeconds(10)).until(() -> received(s).size() == 2);
      assertThat(peer.quietFor(Duration.ofMillis(500)))
          .as("nothing but KEEPALIVEs before the IPv6 End-of-RIB")
          .isTrue();
      peer.send(Update.endOfRib(AddressFamily.IPV6_UNICAST));
      List<BgpMessage> dump =
          peer.readUntilEndOfRib(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST);
      assertThat(dump.stream().flatMap(m -> ((Update) m).nlri().stream()))
          .containsExactly(Nlri.of("10.9.0.0/24"));
    }
  }

  @Test
  void selectionDeferralTimerEndsTheWaitForAPeerThatNeverSendsEndOfRib() throws Exception {
    BgpSpeaker s =
        speaker(new RestartOptions(true, Duration.ofSeconds(360), Duration.ofSeconds(1)));
    s.originate(p("10.9.0.0/24"), null, List.of());
    try (ScriptedPeer peer = new ScriptedPeer(PEER, US, port, 65002)) {
      peer.establish(PEER, caps(65002, gr(120, false)));
      List<BgpMessage> dump =
          peer.readUntilEndOfRib(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST);
      assertThat(dump.stream().flatMap(m -> ((Update) m).nlri().stream()))
          .containsExactly(Nlri.of("10.9.0.0/24"));
    }
  }

  static Neighbor neighbor(
      String local, long as, String remote, int port, long remoteAs, boolean passive)
      throws Exception {
    PeerConfig config =
        PeerConfig.of(as, ip(local), remoteAs)
            .withHoldTime(30)
            .withConnectRetry(Duration.ofMillis(300))
            .withOptions(Set.of(), Set.of(), 120, false);
    return Neighbor.of(
            new PeerSpec(
                new InetSocketAddress(ip(remote), port), ip(local), config, passive, null, 0))
        .withPolicies(RoutePolicy.ACCEPT_ALL, RoutePolicy.ACCEPT_ALL);
  }

  @Test
  void speakerRestartingForAPlanDoesNotLoseItsRoutesAtThePeer() throws Exception {
    String a = "127.0.1.5";
    String b = "127.0.1.6";
    BgpSpeaker receiver =
        BgpSpeaker.start(
            SpeakerConfig.of(65002, ip(b), new InetSocketAddress(ip(b), 0), Transport.best()));
    speakers.add(receiver);
    int receiverPort = receiver.listenAddress().getPort();
    receiver.addPeer(neighbor(b, 65002, a, 179, 65001, true));
    BgpSpeaker first =
        BgpSpeaker.start(
            SpeakerConfig.of(65001, ip(a), new InetSocketAddress(ip(a), 0), Transport.best()));
    first.originate(p("10.5.1.0/24"), null, List.of());
    first.originate(p("10.5.2.0/24"), null, List.of());
    first.addPeer(neighbor(a, 65001, b, receiverPort, 65002, false));
    await().atMost(Duration.ofSeconds(20)).until(() -> receiver.received(ip(a)).size() == 2);

    first.closeForRestart();
    await().atMost(Duration.ofSeconds(10)).until(() -> state(receiver) != State.ESTABLISHED);
    assertThat(receiver.received(ip(a)))
        .as("the peer keeps our routes while we restart")
        .hasSize(2)
        .allMatch(ReceivedRoute::stale);

    // The next process originates only one of the routes: the other goes at its End-of-RIB.
    BgpSpeaker second =
        BgpSpeaker.start(
            SpeakerConfig.of(65001, ip(a), new InetSocketAddress(ip(a), 0), Transport.best())
                .withRestart(RestartOptions.DEFAULT.withRestarting(true)));
    speakers.add(second);
    second.originate(p("10.5.1.0/24"), null, List.of());
    second.addPeer(neighbor(a, 65001, b, receiverPort, 65002, false));
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                receiver.received(ip(a)).stream()
                    .map(r -> r.nlri().prefix() + (r.stale() ? " stale" : ""))
                    .toList()
                    .equals(List.of(p("10.5.1.0/24").toString())));
  }
}
