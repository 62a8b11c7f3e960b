package dev.netctl.bgp.speaker;

import static dev.netctl.bgp.speaker.ScriptedPeer.caps;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.netctl.bgp.codec.AddressFamily;
import dev.netctl.bgp.codec.BgpMessage;
import dev.netctl.bgp.codec.BgpMessage.RouteRefresh;
import dev.netctl.bgp.codec.BgpMessage.Update;
import dev.netctl.bgp.codec.Capability;
import dev.netctl.bgp.codec.Nlri;
import dev.netctl.bgp.codec.NotificationSubcode;
import dev.netctl.bgp.codec.Prefix;
import dev.netctl.bgp.fsm.PeerConfig;
import dev.netctl.bgp.rib.RoutePolicy;
import dev.netctl.bgp.session.PeerSpec;
import dev.netctl.bgp.session.Transport;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Route refresh (RFC 2918) and enhanced route refresh (RFC 7313) against a scripted peer. Addresses
 * 127.0.1.3-4.
 */
@Timeout(60)
class BgpSpeakerRefreshTest {
  static final String US = "127.0.1.3";
  static final String PEER = "127.0.1.4";
  static final AddressFamily V4 = AddressFamily.IPV4_UNICAST;
  static final AddressFamily V6 = AddressFamily.IPV6_UNICAST;
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

  BgpSpeaker speaker() throws Exception {
    BgpSpeaker s =
        BgpSpeaker.start(
            SpeakerConfig.of(65001, ip(US), new InetSocketAddress(ip(US), 0), Transport.best())
                .withIpv6NextHop((java.net.Inet6Address) InetAddress.getByName("fd00:9::1")));
    speakers.add(s);
    port = s.listenAddress().getPort();
    PeerConfig config = PeerConfig.of(65001, ip(US), 65002).withHoldTime(30);
    s.addPeer(
        Neighbor.of(
                new PeerSpec(new InetSocketAddress(ip(PEER), 179), ip(US), config, true, null, 0))
            .withPolicies(RoutePolicy.ACCEPT_ALL, RoutePolicy.ACCEPT_ALL));
    s.originate(Prefix.parse("10.9.0.0/24"), null, List.of());
    s.originate(Prefix.parse("2001:db8:9::/48"), null, List.of());
    return s;
  }

  /** A peer past the initial table dump. */
  static ScriptedPeer established(int port, List<Capability> caps) throws Exception {
    ScriptedPeer peer = new ScriptedPeer(PEER, US, port, 65002);
    peer.establish(PEER, caps);
    peer.readUntilEndOfRib(V4, V6);
    return peer;
  }

  static List<Nlri> nlri(BgpMessage m) {
    return ((Update) m).allNlri();
  }

  @Test
  void enhancedRefreshRequestGetsThatFamilyFramedByBeginAndEnd() throws Exception {
    speaker();
    try (ScriptedPeer peer =
        established(port, caps(65002, new Capability.EnhancedRouteRefresh()))) {
      peer.send(RouteRefresh.request(V4));
      assertThat(peer.next()).isEqualTo(new RouteRefresh(V4, 1));
      BgpMessage routes = peer.next();
      assertThat(nlri(routes)).containsExactly(Nlri.of("10.9.0.0/24"));
      assertThat(peer.next()).isEqualTo(new RouteRefresh(V4, 2));
      // Only IPv4 came again: the next message is a change, not more of the table.
      speakers.getFirst().originate(Prefix.parse("10.9.1.0/24"), null, List.of());
      assertThat(nlri(peer.next())).containsExactly(Nlri.of("10.9.1.0/24"));
    }
  }

  @Test
  void plainRefreshRequestGetsTheFamilyWithoutMarkers() throws Exception {
    speaker();
    try (ScriptedPeer peer = established(port, caps(65002))) {
      peer.send(RouteRefresh.request(V6));
      BgpMessage m = peer.next();
      assertThat(m).isInstanceOf(Update.class);
      assertThat(nlri(m)).containsExactly(Nlri.of("2001:db8:9::/48"));
      assertThat(((Update) m).endOfRibFamily()).isEmpty();
    }
  }

  @Test
  void refreshForAFamilyNotNegotiatedIsIgnored() throws Exception {
    BgpSpeaker s = speaker();
    try (ScriptedPeer peer = established(port, caps(65002))) {
      peer.send(RouteRefresh.request(AddressFamily.of(1, 128)));
      peer.send(new RouteRefresh(V4, 9)); // unknown subtype: ignored too (RFC 7313 §5)
      s.originate(Prefix.parse("10.9.1.0/24"), null, List.of());
      assertThat(nlri(peer.next())).containsExactly(Nlri.of("10.9.1.0/24"));
    }
  }

  @Test
  void beginAndEndOfRouteRefreshFromThePeerSweepWhatItDidNotResend() throws Exception {
    BgpSpeaker s = speaker();
    try (ScriptedPeer peer =
        established(port, caps(65002, new Capability.EnhancedRouteRefresh()))) {
      peer.announce(PEER, "10.1.0.0/24", "10.2.0.0/24");
      await().atMost(Duration.ofSeconds(10)).until(() -> s.received(ip(PEER)).size() == 2);
      peer.send(new RouteRefresh(V4, 1));
      peer.announce(PEER, "10.2.0.0/24");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  s.received(ip(PEER)).stream()
                      .anyMatch(r -> r.stale() && r.nlri().equals(Nlri.of("10.1.0.0/24"))));
      peer.send(new RouteRefresh(V4, 2));
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  s.received(ip(PEER)).stream()
                      .map(ReceivedRoute::nlri)
                      .toList()
                      .equals(List.of(Nlri.of("10.2.0.0/24"))));
    }
  }

  @Test
  void refreshSendsRouteRefreshWhenNegotiatedAndSaysWhyNotOtherwise() throws Exception {
    BgpSpeaker s = speaker();
    assertThatThrownBy(() -> s.refresh(ip(PEER), V4))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("127.0.1.4")
        .hasMessageContaining("not ESTABLISHED");
    assertThatThrownBy(() -> s.refresh(ip("127.0.1.99"), V4))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("127.0.1.99 is not configured");
    try (ScriptedPeer peer = established(port, caps(65002))) {
      s.refresh(ip(PEER), V6);
      assertThat(peer.next()).isEqualTo(RouteRefresh.request(V6));
      assertThatThrownBy(() -> s.refresh(ip(PEER), AddressFamily.of(1, 128)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("was not negotiated");
    }
  }

  @Test
  void refreshToAPeerWithoutTheCapabilityIsRefused() throws Exception {
    BgpSpeaker s = speaker();
    try (ScriptedPeer peer =
        established(
            port,
            List.of(
                new Capability.Multiprotocol(V4),
                new Capability.Multiprotocol(V6),
                new Capability.FourOctetAs(65002)))) {
      assertThatThrownBy(() -> s.refresh(ip(PEER), V4))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("route refresh capability");
    }
  }

  @Test
  void beginOfRouteRefreshWithABadLengthIsRouteRefreshMessageError() throws Exception {
    speaker();
    try (ScriptedPeer peer = established(port, caps(65002))) {
      byte[] bad =
          HexFormat.of()
              .parseHex(
                  "ffffffffffffffffffffffffffffffff"
                      + "0018" // length 24: one octet too many (RFC 7313 §5)
                      + "05" // ROUTE-REFRESH
                      + "0001" // AFI IPv4
                      + "01" // subtype: Begin-of-RIB
                      + "01" // SAFI unicast
                      + "00");
      peer.sendRaw(bad);
      BgpMessage.Notification n = (BgpMessage.Notification) peer.next();
      assertThat(n.errorSubcode()).isEqualTo(NotificationSubcode.INVALID_ROUTE_REFRESH_LENGTH);
      assertThat(n.code()).isEqualTo(7);
      assertThat(n.subcode()).isEqualTo(1);
      assertThat(n.data()).as("the whole message").isEqualTo(bad);
    }
  }

  @Test
  void plainRouteRefreshWithABadLengthIsBadMessageLength() throws Exception {
    speaker();
    try (ScriptedPeer peer = established(port, caps(65002))) {
      peer.sendRaw(
          HexFormat.of()
              .parseHex("ffffffffffffffffffffffffffffffff" + "0016" + "05" + "0001" + "00"));
      BgpMessage.Notification n = (BgpMessage.Notification) peer.next();
      assertThat(n.errorSubcode()).isEqualTo(NotificationSubcode.BAD_MESSAGE_LENGTH);
      assertThat(n.data()).isEqualTo(new byte[] {0x00, 0x16});
    }
  }
}
