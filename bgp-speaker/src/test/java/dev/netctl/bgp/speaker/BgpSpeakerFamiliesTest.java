package dev.netctl.bgp.speaker;

import static org.assertj.core.api.Assertions.assertThat;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * RFC 4760 §8 on the wire: a peer (127.0.1.72) that advertises no multiprotocol capability speaks
 * IPv4 unicast only, although we offer IPv6 unicast too. Our speaker on 127.0.1.71.
 */
@Timeout(60)
class BgpSpeakerFamiliesTest {
  static final String US = "127.0.1.71";
  static final String PEER = "127.0.1.72";

  static Inet4Address ip(String s) {
    return (Inet4Address) InetAddress.ofLiteral(s);
  }

  static Update announce(List<PathAttribute> extra, String... ipv4) {
    List<PathAttribute> attrs = new ArrayList<>();
    attrs.add(new PathAttribute.Origin(PathAttribute.OriginType.IGP));
    attrs.add(PathAttribute.AsPath.sequence(65002));
    attrs.add(new PathAttribute.NextHop(ip("192.0.2.72")));
    attrs.addAll(extra);
    return new Update(List.of(), attrs, List.of(ipv4).stream().map(Nlri::of).toList());
  }

  static PathAttribute.MpReach ipv6(String... prefixes) {
    return new PathAttribute.MpReach(
        AddressFamily.IPV6_UNICAST,
        List.of(InetAddress.ofLiteral("2001:db8::72")),
        List.of(prefixes).stream().map(Nlri::of).toList());
  }

  @Test
  void routesOfAFamilyNotNegotiatedAreIgnoredTheRestIsKeptAndNoneAreSent() throws Exception {
    try (BgpSpeaker s =
        BgpSpeaker.start(
            SpeakerConfig.of(65001, ip(US), new InetSocketAddress(ip(US), 0), Transport.best()))) {
      int port = s.listenAddress().getPort();
      PeerConfig config = PeerConfig.of(65001, ip(US), 65002).withHoldTime(30);
      s.addPeer(
          Neighbor.of(
                  new PeerSpec(new InetSocketAddress(ip(PEER), 179), ip(US), config, true, null, 0))
              .withPolicies(RoutePolicy.ACCEPT_ALL, RoutePolicy.ACCEPT_ALL)
              .withIpv6NextHop((Inet6Address) InetAddress.ofLiteral("fd00:71::1")));
      s.originate(Prefix.parse("10.71.0.0/16"), ip("192.0.2.71"), List.of());
      s.originate(Prefix.parse("fd00:71:1::/48"), InetAddress.ofLiteral("fd00:71::1"), List.of());
      try (ScriptedPeer peer = new ScriptedPeer(PEER, US, port, 65002)) {
        BgpMessage.Open ours =
            peer.establish(
                PEER, List.of(new Capability.FourOctetAs(65002), new Capability.RouteRefresh()));
        assertThat(ours.capabilities(Capability.Multiprotocol.class))
            .as("we offer IPv6 unicast")
            .contains(new Capability.Multiprotocol(AddressFamily.IPV6_UNICAST));
        List<BgpMessage> sent = new ArrayList<>(peer.readUntilEndOfRib(AddressFamily.IPV4_UNICAST));

        // IPv6 routes beside IPv4 ones, alone, and withdrawn: only the IPv4 routes count.
        peer.send(announce(List.of(ipv6("2001:db8:72::/48")), "10.72.0.0/16"));
        peer.send(announce(List.of(ipv6("2001:db8:73::/48"))));
        peer.send(
            new Update(
                List.of(),
                List.of(
                    new PathAttribute.MpUnreach(
                        AddressFamily.IPV6_UNICAST, List.of(Nlri.of("2001:db8:72::/48")))),
                List.of()));
        peer.send(Update.endOfRib(AddressFamily.IPV6_UNICAST));
        peer.send(announce(List.of(), "10.73.0.0/16"));
        await().atMost(Duration.ofSeconds(10)).until(() -> s.received(ip(PEER)).size() >= 2);
        assertThat(s.received(ip(PEER)))
            .extracting(r -> r.nlri().toString())
            .as("the IPv4 routes, none of IPv6")
            .containsExactlyInAnyOrder("10.72.0.0/16", "10.73.0.0/16");
        assertThat(s.routes())
            .extracting(e -> e.prefix().toString())
            .doesNotContain("2001:db8:72::/48", "2001:db8:73::/48");
        PeerStatus status = s.peers().getFirst();
        assertThat(status.state()).as("the session stays up").isEqualTo(State.ESTABLISHED);
        assertThat(status.notices())
            .as("one note, however many UPDATEs")
            .containsOnlyOnce("ipv6 unicast routes received but not negotiated");

        // Nothing of IPv6 was sent: no routes, no End-of-RIB.
        s.withdraw(Prefix.parse("10.71.0.0/16"));
        sent.add(peer.next()); // the withdrawal: everything before it has been read
        for (BgpMessage m : sent) {
          Update u = (Update) m;
          assertThat(u.attributes())
              .as("an UPDATE to a peer that speaks IPv4 only")
              .noneMatch(
                  a -> a instanceof PathAttribute.MpReach || a instanceof PathAttribute.MpUnreach);
        }
        assertThat(sent.getLast()).isInstanceOf(Update.class);
        assertThat(((Update) sent.getLast()).withdrawn()).containsExactly(Nlri.of("10.71.0.0/16"));
      }
    }
  }
}
