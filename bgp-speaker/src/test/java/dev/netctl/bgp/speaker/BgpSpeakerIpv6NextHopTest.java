package dev.netctl.bgp.speaker;

import static dev.netctl.bgp.speaker.ScriptedPeer.caps;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.netctl.bgp.codec.AddressFamily;
import dev.netctl.bgp.codec.BgpMessage;
import dev.netctl.bgp.codec.BgpMessage.Update;
import dev.netctl.bgp.codec.Capability;
import dev.netctl.bgp.codec.Nlri;
import dev.netctl.bgp.codec.PathAttribute;
import dev.netctl.bgp.codec.Prefix;
import dev.netctl.bgp.fsm.PeerConfig;
import dev.netctl.bgp.fsm.State;
import dev.netctl.bgp.rib.RoutePolicy;
import dev.netctl.bgp.session.PeerSpec;
import dev.netctl.bgp.session.Transport;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * RFC 2545 §2 next hops for IPv6 routes over IPv4 sessions: a configured global IPv6 address, or no
 * IPv6 unicast at all; never the IPv4-mapped form. Each speaker listens on a free port.
 */
@Timeout(60)
class BgpSpeakerIpv6NextHopTest {
  static final String US = "127.0.2.1";
  static final String PEER = "127.0.2.2";
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : open.reversed()) {
      c.close();
    }
  }

  static Inet4Address ip(String s) throws Exception {
    return (Inet4Address) InetAddress.getByName(s);
  }

  static Inet6Address v6(String s) throws Exception {
    return (Inet6Address) InetAddress.getByName(s);
  }

  BgpSpeaker speaker(SpeakerConfig config) throws Exception {
    BgpSpeaker s = BgpSpeaker.start(config);
    open.add(s);
    return s;
  }

  static SpeakerConfig config(String address) throws Exception {
    return SpeakerConfig.of(
        65001, ip(address), new InetSocketAddress(ip(address), 0), Transport.best());
  }

  /** A passive iBGP neighbour at PEER offering IPv4 and IPv6 unicast. */
  static Neighbor passivePeer() throws Exception {
    PeerConfig c = PeerConfig.of(65001, ip(US), 65001).withHoldTime(9);
    return Neighbor.of(new PeerSpec(new InetSocketAddress(ip(PEER), 179), ip(US), c, true, null, 0))
        .withPolicies(RoutePolicy.ACCEPT_ALL, RoutePolicy.ACCEPT_ALL);
  }

  ScriptedPeer connect(BgpSpeaker s) throws Exception {
    ScriptedPeer p = new ScriptedPeer(PEER, US, s.listenAddress().getPort(), 65001);
    open.add(p);
    return p;
  }

  static List<AddressFamily> offered(BgpMessage.Open open) {
    return open.capabilities(Capability.Multiprotocol.class).stream()
        .map(Capability.Multiprotocol::family)
        .toList();
  }

  @Test
  void ipv4SessionWithoutIpv6NextHopDoesNotOfferIpv6AndSaysWhy() throws Exception {
    BgpSpeaker s = speaker(config(US));
    s.addPeer(passivePeer());
    s.originate(Prefix.parse("2001:db8:7::/48"), null, List.of());
    s.originate(Prefix.parse("10.7.0.0/24"), null, List.of());
    ScriptedPeer peer = connect(s);
    BgpMessage.Open theirs = peer.establish(PEER, caps(65001));

    assertThat(offered(theirs)).containsExactly(AddressFamily.IPV4_UNICAST);
    await().atMost(Duration.ofSeconds(10)).until(() -> state(s) == State.ESTABLISHED);
    assertThat(s.peers().getFirst().notices())
        .contains("ipv6 unicast not offered", "ipv6NextHop", "RFC 2545");
    // Only IPv4 is exchanged: the IPv6 route never goes out with an IPv4-mapped next hop.
    List<BgpMessage> dump = peer.readUntilEndOfRib(AddressFamily.IPV4_UNICAST);
    assertThat(dump)
        .filteredOn(
            m -> m instanceof Update u && u.attribute(PathAttribute.MpReach.class).isPresent())
        .isEmpty();
    assertThat(s.advertised(ip(PEER)))
        .extracting(AdvertisedRoute::nlri)
        .containsExactly(Nlri.of("10.7.0.0/24"));
  }

  @Test
  void configuredIpv6NextHopIsOfferedAndSentAsGlobalNextHop() throws Exception {
    // The speaker-wide default applies to a neighbour that sets none.
    BgpSpeaker s = speaker(config(US).withIpv6NextHop(v6("fd00:7::1")));
    s.addPeer(passivePeer());
    s.originate(Prefix.parse("2001:db8:7::/48"), null, List.of());
    ScriptedPeer peer = connect(s);
    BgpMessage.Open theirs = peer.establish(PEER, caps(65001));

    assertThat(offered(theirs))
        .containsExactlyInAnyOrder(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST);
    List<BgpMessage> dump =
        peer.readUntilEndOfRib(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST);
    PathAttribute.MpReach reach =
        dump.stream()
            .filter(m -> m instanceof Update)
            .map(m -> ((Update) m).attribute(PathAttribute.MpReach.class))
            .flatMap(java.util.Optional::stream)
            .findFirst()
            .orElseThrow();
    assertThat(reach.nextHops()).containsExactly(v6("fd00:7::1"));
    assertThat(reach.nlri()).containsExactly(Nlri.of("2001:db8:7::/48"));
    assertThat(s.peers().getFirst().notices()).isEmpty();
  }

  @Test
  void neighbourIpv6NextHopOverridesTheSpeakerDefault() throws Exception {
    BgpSpeaker s = speaker(config(US).withIpv6NextHop(v6("fd00:7::1")));
    s.addPeer(passivePeer().withIpv6NextHop(v6("fd00:7::99")));
    s.originate(Prefix.parse("2001:db8:7::/48"), null, List.of());
    ScriptedPeer peer = connect(s);
    peer.establish(PEER, caps(65001));
    await().atMost(Duration.ofSeconds(10)).until(() -> !s.advertised(ip(PEER)).isEmpty());
    assertThat(s.advertised(ip(PEER)).getFirst().nextHop()).isEqualTo(v6("fd00:7::99"));
  }

  @Test
  void receivedIpv6RouteWithIpv4MappedNextHopIsKeptButNeverBest() throws Exception {
    BgpSpeaker s = speaker(config(US).withIpv6NextHop(v6("fd00:7::1")));
    s.addPeer(passivePeer());
    ScriptedPeer peer = connect(s);
    peer.establish(PEER, caps(65001));
    peer.send(v6Update(mapped(ip(PEER)), "2001:db8:8::/48"));
    peer.send(v6Update(v6("fd00:8::2"), "2001:db8:9::/48"));

    await().atMost(Duration.ofSeconds(10)).until(() -> s.received(ip(PEER)).size() == 2);
    ReceivedRoute bad =
        s.received(ip(PEER)).stream()
            .filter(r -> r.nlri().equals(Nlri.of("2001:db8:8::/48")))
            .findFirst()
            .orElseThrow();
    assertThat(bad.toString()).contains("nextHop=::ffff:127.0.2.2");
    // RFC 2545 §2: no IPv6 next hop, so not usable; the good route is.
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                s.bestRoutes().stream().anyMatch(r -> r.nlri().equals(Nlri.of("2001:db8:9::/48"))));
    assertThat(s.bestRoutes()).extracting(ReceivedRoute::nlri).doesNotContain(bad.nlri());
    assertThat(s.peers().getFirst().notices())
        .contains("IPv4-mapped next hop ::ffff:127.0.2.2", "not used");
  }

  @Test
  void receivedIpv6RouteWithOnlyALinkLocalNextHopIsKeptButNeverBest() throws Exception {
    BgpSpeaker s = speaker(config(US).withIpv6NextHop(v6("fd00:7::1")));
    s.addPeer(passivePeer());
    ScriptedPeer peer = connect(s);
    peer.establish(PEER, caps(65001));
    peer.send(v6Update(v6("fe80::2"), "2001:db8:8::/48"));
    peer.send(v6Update(v6("fd00:8::2"), "2001:db8:9::/48"));

    await().atMost(Duration.ofSeconds(10)).until(() -> s.received(ip(PEER)).size() == 2);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                s.bestRoutes().stream().anyMatch(r -> r.nlri().equals(Nlri.of("2001:db8:9::/48"))));
    // RFC 2545 §2: the global address is required; a link-local one alone names no interface
    // over this session, so the route must never be best (and so never installed or passed on).
    assertThat(s.bestRoutes())
        .extracting(ReceivedRoute::nlri)
        .doesNotContain(Nlri.of("2001:db8:8::/48"));
    assertThat(s.routes())
        .filteredOn(e -> e.prefix().equals(Prefix.parse("2001:db8:8::/48")))
        .as("kept as a candidate, visible")
        .hasSize(1);
    assertThat(s.peers().getFirst().notices())
        .contains("only the link-local next hop fe80::2", "not used", "RFC 2545");
  }

  @Test
  void theSessionNoticeEndsWithItsSessionAndTheConfigNoticeStays() throws Exception {
    // No IPv6 next hop: the configuration notice. The peer still sends an IPv6 route, of a family
    // this session did not negotiate: ignored (RFC 4760 §8), and a notice about what this session
    // received.
    BgpSpeaker s = speaker(config(US));
    s.addPeer(passivePeer());
    ScriptedPeer peer = connect(s);
    peer.establish(PEER, caps(65001));
    peer.send(v6Update(mapped(ip(PEER)), "2001:db8:8::/48"));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> s.peers().getFirst().notices().contains("not negotiated"));
    assertThat(s.peers().getFirst().notices()).contains("ipv6 unicast not offered");
    assertThat(s.received(ip(PEER))).isEmpty();

    peer.close();
    await().atMost(Duration.ofSeconds(10)).until(() -> state(s) != State.ESTABLISHED);
    assertThat(s.peers().getFirst().notices())
        .contains("ipv6 unicast not offered")
        .doesNotContain("not negotiated");
  }

  static InetAddress mapped(Inet4Address v4) throws Exception {
    byte[] mapped = new byte[16];
    mapped[10] = (byte) 0xff;
    mapped[11] = (byte) 0xff;
    System.arraycopy(v4.getAddress(), 0, mapped, 12, 4);
    return Inet6Address.getByAddress(null, mapped, -1);
  }

  @Test
  void ipv6NextHopMustBeAGlobalAddress() throws Exception {
    assertThatThrownBy(() -> passivePeer().withIpv6NextHop(v6("fe80::1")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ipv6NextHop fe80::1")
        .hasMessageContaining("link-local");
    assertThatThrownBy(() -> config(US).withIpv6NextHop(v6("::")))
        .hasMessageContaining("ipv6NextHop ::");
  }

  static Update v6Update(InetAddress nextHop, String prefix) {
    return new Update(
        List.of(),
        List.of(
            new PathAttribute.Origin(PathAttribute.OriginType.IGP),
            PathAttribute.AsPath.EMPTY,
            new PathAttribute.LocalPref(100),
            new PathAttribute.MpReach(
                AddressFamily.IPV6_UNICAST, List.of(nextHop), List.of(Nlri.of(prefix)))),
        List.of());
  }

  static State state(BgpSpeaker s) {
    return s.peers().getFirst().state();
  }
}
