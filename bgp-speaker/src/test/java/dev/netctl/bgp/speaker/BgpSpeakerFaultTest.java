package dev.netctl.bgp.speaker;

import static dev.netctl.bgp.speaker.ScriptedPeer.caps;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.netctl.bgp.codec.AddressFamily;
import dev.netctl.bgp.codec.BgpMessage;
import dev.netctl.bgp.codec.Prefix;
import dev.netctl.bgp.fsm.PeerConfig;
import dev.netctl.bgp.fsm.State;
import dev.netctl.bgp.rib.RoutePolicy;
import dev.netctl.bgp.session.PeerSession;
import dev.netctl.bgp.session.PeerSpec;
import dev.netctl.bgp.session.Transport;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A fault of ours while applying a peer's routes (here an import policy that throws on one prefix),
 * on the wire: the session is reset with Cease / Out of Resources (RFC 4486 §4) so that the peer
 * sends its routes afresh, its routes leave the RIB, and when the fault comes back the session
 * stays down for a minute (or until reset by hand) instead of flapping. iBGP peer 127.0.88.2
 * (dynamic: 127.0.88.18), our speaker on 127.0.88.1.
 */
@Timeout(60)
class BgpSpeakerFaultTest {
  static final String US = "127.0.88.1";
  static final String PEER = "127.0.88.2";
  static final Duration BOUND = Duration.ofSeconds(10);

  static Inet4Address ip(String s) {
    return (Inet4Address) InetAddress.ofLiteral(s);
  }

  @Test
  void aPeerWhoseRoutesTheRibFailsOnIsResetOnceThenKeptDownUntilResetOrAfterAWhile()
      throws Exception {
    RoutePolicy faulty = failingOn(Prefix.parse("10.88.1.0/24"));
    try (BgpSpeaker s =
        BgpSpeaker.start(
            SpeakerConfig.of(65001, ip(US), new InetSocketAddress(ip(US), 0), Transport.best()))) {
      int port = s.listenAddress().getPort();
      PeerConfig config =
          PeerConfig.of(65001, ip(US), 65001)
              .withHoldTime(30)
              .withFamilies(Set.of(AddressFamily.IPV4_UNICAST));
      s.addPeer(
          Neighbor.of(
                  new PeerSpec(new InetSocketAddress(ip(PEER), 179), ip(US), config, true, null, 0))
              .withPolicies(faulty, RoutePolicy.ACCEPT_ALL));

      for (int round = 1; round <= 2; round++) {
        try (ScriptedPeer p = new ScriptedPeer(PEER, US, port, 65001)) {
          p.establish(PEER, caps(65001));
          p.announce("192.0.2.80", "10.88.0.0/24");
          p.announce("192.0.2.80", "10.88.1.0/24");
          BgpMessage.Notification cease = notification(p);
          assertThat(cease.code()).isEqualTo(6);
          assertThat(cease.subcode()).as("Out of Resources").isEqualTo(8);
        }
        // Its routes leave with the session.
        await().atMost(BOUND).until(() -> s.routes().isEmpty());
        // The first time it waits for the peer again; the second it stays down.
        State expected = round == 1 ? State.ACTIVE : State.IDLE;
        await().atMost(BOUND).until(() -> state(s) == expected);
      }
      assertThat(s.peers().getFirst().notices())
          .isEqualTo("kept down for 60 s: the RIB failed on this peer's routes 2 times in a row");
      // Kept down: the peer connecting again is closed without an OPEN.
      try (ScriptedPeer p = new ScriptedPeer(PEER, US, port, 65001)) {
        assertThatThrownBy(p::read).isInstanceOf(java.io.EOFException.class);
      }
      assertThat(state(s)).isEqualTo(State.IDLE);

      // Reset by hand, it takes the peer again (and its routes, the good one this time).
      s.resetPeer(ip(PEER), false);
      try (ScriptedPeer p = new ScriptedPeer(PEER, US, port, 65001)) {
        p.establish(PEER, caps(65001));
        p.announce("192.0.2.80", "10.88.0.0/24");
        await()
            .atMost(BOUND)
            .until(
                () ->
                    s.routes().stream()
                        .anyMatch(r -> r.prefix().equals(Prefix.parse("10.88.0.0/24"))));
        assertThat(state(s)).isEqualTo(State.ESTABLISHED);
      }
    }
  }

  /**
   * A dynamic peer's session is forgotten when it ends; after a fault reset it waits instead, so
   * that the fault coming back with the peer's next table keeps it down (refusing its address)
   * rather than resetting it on every reconnect.
   */
  @Test
  void aDynamicPeerResetAfterAFaultIsKeptDownWhenTheFaultComesBack() throws Exception {
    String dynamicPeer = "127.0.88.18";
    try (BgpSpeaker s =
        BgpSpeaker.start(
            SpeakerConfig.of(65001, ip(US), new InetSocketAddress(ip(US), 0), Transport.best()))) {
      int port = s.listenAddress().getPort();
      s.addDynamicRange(faultyRange("127.0.88.16/28"));

      for (int round = 1; round <= 2; round++) {
        try (ScriptedPeer p = new ScriptedPeer(dynamicPeer, US, port, 65001)) {
          p.establish(dynamicPeer, caps(65001));
          p.announce("192.0.2.80", "10.88.0.0/24");
          p.announce("192.0.2.80", "10.88.1.0/24");
          assertThat(notification(p).subcode()).as("Out of Resources").isEqualTo(8);
        }
        await().atMost(BOUND).until(() -> s.routes().isEmpty());
        State expected = round == 1 ? State.ACTIVE : State.IDLE;
        await()
            .atMost(BOUND)
            .until(() -> status(s, dynamicPeer).map(PeerStatus::state).orElse(null) == expected);
      }
      assertThat(status(s, dynamicPeer).orElseThrow().notices())
          .startsWith("kept down for 60 s: the RIB failed");
      try (ScriptedPeer p = new ScriptedPeer(dynamicPeer, US, port, 65001)) {
        assertThatThrownBy(p::read).isInstanceOf(java.io.EOFException.class);
      }

      s.resetPeer(ip(dynamicPeer), false);
      try (ScriptedPeer p = new ScriptedPeer(dynamicPeer, US, port, 65001)) {
        p.establish(dynamicPeer, caps(65001));
        p.announce("192.0.2.80", "10.88.0.0/24");
        await().atMost(BOUND).until(() -> s.routes().size() == 1);
        assertThat(status(s, dynamicPeer).orElseThrow().notices()).doesNotContain("kept down");

        // A configured peer for its address takes it over, as in BIRD and FRR.
        s.addPeer(
            Neighbor.of(
                new PeerSpec(
                    new InetSocketAddress(ip(dynamicPeer), 179),
                    ip(US),
                    PeerConfig.of(65001, ip(US), 65001).withHoldTime(30),
                    true,
                    null,
                    0)));
        BgpMessage.Notification cease = notification(p);
        assertThat(cease.subcode()).as("Other Configuration Change").isEqualTo(6);
        assertThat(status(s, dynamicPeer).orElseThrow().notices()).doesNotContain("dynamic peer");
      }
    }
  }

  /**
   * A dynamic peer kept after a fault reset is forgotten once the fault no longer counts and it is
   * not back: here after a first fault, and after a keep-down whose wait ended with the peer gone.
   * Fault window 6 s, first wait 2 s.
   */
  @Test
  void aDynamicPeerNotBackAfterItsFaultIsForgottenOnceTheFaultNoLongerCounts() throws Exception {
    PeerSession.faultTimes(Duration.ofSeconds(6), Duration.ofSeconds(2));
    Duration forgotten = Duration.ofSeconds(30); // looked at every 6 s, the fault counting 6 s
    try (BgpSpeaker s =
        BgpSpeaker.start(
            SpeakerConfig.of(65001, ip(US), new InetSocketAddress(ip(US), 0), Transport.best()))) {
      int port = s.listenAddress().getPort();
      s.addDynamicRange(faultyRange("127.0.88.32/28"));

      // One fault, and the peer does not come back.
      String once = "127.0.88.34";
      faultFrom(once, port);
      await()
          .atMost(BOUND)
          .until(() -> status(s, once).map(PeerStatus::state).orElse(null) == State.ACTIVE);
      await().atMost(forgotten).until(() -> status(s, once).isEmpty());

      // Two faults: kept down, back from its wait (Active), and not back: forgotten too.
      String twice = "127.0.88.35";
      faultFrom(twice, port);
      faultFrom(twice, port);
      await()
          .atMost(BOUND)
          .until(
              () -> status(s, twice).map(PeerStatus::notices).orElse("").startsWith("kept down"));
      await()
          .atMost(BOUND)
          .until(() -> status(s, twice).map(PeerStatus::state).orElse(null) == State.ACTIVE);
      await().atMost(forgotten).until(() -> status(s, twice).isEmpty());
      assertThat(s.peers()).isEmpty();
    } finally {
      PeerSession.faultTimes(null, null);
    }
  }

  /**
   * The look that forgets a dynamic peer after its fault goes on while the peer is up: here the
   * peer is up at the first look (6 s after its first fault), then kept down by a third fault, back
   * from its wait, and gone; it is still forgotten. Fault window 6 s, first wait 2 s.
   */
  @Test
  void aDynamicPeerUpWhenLookedAtIsStillForgottenAfterALaterKeepDown() throws Exception {
    PeerSession.faultTimes(Duration.ofSeconds(6), Duration.ofSeconds(2));
    try (BgpSpeaker s =
        BgpSpeaker.start(
            SpeakerConfig.of(65001, ip(US), new InetSocketAddress(ip(US), 0), Transport.best()))) {
      int port = s.listenAddress().getPort();
      s.addDynamicRange(faultyRange("127.0.88.48/28"));
      String peer = "127.0.88.50";
      faultFrom(peer, port);
      long first = System.nanoTime();
      faultFrom(peer, port); // kept down for 2 s, then back: its faults count from then
      await()
          .atMost(BOUND)
          .until(() -> status(s, peer).map(PeerStatus::state).orElse(null) == State.ACTIVE);
      try (ScriptedPeer p = new ScriptedPeer(peer, US, port, 65001)) {
        p.establish(peer, caps(65001));
        // Up across the first look (6 s after the first fault), then the fault again.
        Thread.sleep(Math.max(0, 6_500 - (System.nanoTime() - first) / 1_000_000));
        p.announce("192.0.2.80", "10.88.1.0/24");
        assertThat(notification(p).subcode()).as("Out of Resources").isEqualTo(8);
      }
      await()
          .atMost(BOUND)
          .until(() -> status(s, peer).map(PeerStatus::notices).orElse("").startsWith("kept down"));
      // Back from its 4 s wait, never connected again: forgotten once its fault no longer counts.
      await().atMost(Duration.ofSeconds(30)).until(() -> status(s, peer).isEmpty());
    } finally {
      PeerSession.faultTimes(null, null);
    }
  }

  private static DynamicRange faultyRange(String range) {
    Prefix r = Prefix.parse(range);
    PeerConfig config =
        PeerConfig.of(65001, ip(US), 65001)
            .withHoldTime(30)
            .withFamilies(Set.of(AddressFamily.IPV4_UNICAST));
    Neighbor template =
        Neighbor.of(
                new PeerSpec(
                    new InetSocketAddress(r.address(), 179), ip(US), config, true, null, 0))
            .withPolicies(failingOn(Prefix.parse("10.88.1.0/24")), RoutePolicy.ACCEPT_ALL);
    return new DynamicRange("faulty", r, template, 4);
  }

  // A dynamic peer from address that sends a route the policy fails on, and reads the Cease.
  private static void faultFrom(String address, int port) throws Exception {
    try (ScriptedPeer p = new ScriptedPeer(address, US, port, 65001)) {
      p.establish(address, caps(65001));
      p.announce("192.0.2.80", "10.88.1.0/24");
      assertThat(notification(p).subcode()).as("Out of Resources").isEqualTo(8);
    }
  }

  private static RoutePolicy failingOn(Prefix bad) {
    return (prefix, attributes, context) -> {
      if (prefix.equals(bad)) {
        throw new IllegalStateException("test: a policy that fails on " + prefix);
      }
      return Optional.of(attributes);
    };
  }

  private static Optional<PeerStatus> status(BgpSpeaker s, String address) {
    return s.peers().stream().filter(p -> p.remote().getAddress().equals(ip(address))).findFirst();
  }

  // The speaker's messages up to its NOTIFICATION (End-of-RIB, KEEPALIVEs before it).
  private static BgpMessage.Notification notification(ScriptedPeer p) throws Exception {
    for (int i = 0; i < 20; i++) {
      if (p.read() instanceof BgpMessage.Notification n) {
        return n;
      }
    }
    throw new AssertionError("no NOTIFICATION in 20 messages");
  }

  private static State state(BgpSpeaker s) {
    return s.peers().getFirst().state();
  }
}
