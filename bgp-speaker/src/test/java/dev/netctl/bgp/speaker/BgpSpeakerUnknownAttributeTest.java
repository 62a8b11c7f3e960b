package dev.netctl.bgp.speaker;

import static dev.netctl.bgp.speaker.ScriptedPeer.caps;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.codec.AddressFamily;
import dev.netctl.bgp.codec.BgpMessage;
import dev.netctl.bgp.codec.BgpMessage.Update;
import dev.netctl.bgp.codec.Nlri;
import dev.netctl.bgp.codec.PathAttribute;
import dev.netctl.bgp.fsm.PeerConfig;
import dev.netctl.bgp.rib.RoutePolicy;
import dev.netctl.bgp.session.PeerSpec;
import dev.netctl.bgp.session.Transport;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * RFC 4271 §5 on the wire: an eBGP peer (127.0.1.42) sends attributes we do not recognize; what an
 * iBGP peer (127.0.1.43) gets from us. Our speaker on 127.0.1.41.
 */
@Timeout(60)
class BgpSpeakerUnknownAttributeTest {
  static final String US = "127.0.1.41";
  static final String EBGP = "127.0.1.42";
  static final String IBGP = "127.0.1.43";

  static Inet4Address ip(String s) {
    return (Inet4Address) InetAddress.ofLiteral(s);
  }

  @Test
  void anUnknownTransitiveAttributeIsPassedOnPartialAndANonTransitiveOneIsNot() throws Exception {
    try (BgpSpeaker s =
        BgpSpeaker.start(
            SpeakerConfig.of(65001, ip(US), new InetSocketAddress(ip(US), 0), Transport.best()))) {
      int port = s.listenAddress().getPort();
      for (String peer : List.of(EBGP, IBGP)) {
        long as = peer.equals(EBGP) ? 65002 : 65001;
        PeerConfig config =
            PeerConfig.of(65001, ip(US), as)
                .withHoldTime(30)
                .withFamilies(java.util.Set.of(AddressFamily.IPV4_UNICAST));
        s.addPeer(
            Neighbor.of(
                    new PeerSpec(
                        new InetSocketAddress(ip(peer), 179), ip(US), config, true, null, 0))
                .withPolicies(RoutePolicy.ACCEPT_ALL, RoutePolicy.ACCEPT_ALL));
      }
      try (ScriptedPeer ibgp = new ScriptedPeer(IBGP, US, port, 65001);
          ScriptedPeer ebgp = new ScriptedPeer(EBGP, US, port, 65002)) {
        ibgp.establish(IBGP, caps(65001));
        ibgp.readUntilEndOfRib(AddressFamily.IPV4_UNICAST);
        ebgp.establish(EBGP, caps(65002));
        ebgp.send(
            new Update(
                List.of(),
                List.of(
                    new PathAttribute.Origin(PathAttribute.OriginType.IGP),
                    PathAttribute.AsPath.sequence(65002),
                    new PathAttribute.NextHop(ip("192.0.2.42")),
                    new PathAttribute.Unknown(0x80, 98, new byte[] {3}), // optional non-transitive
                    new PathAttribute.Unknown(0xc0, 99, new byte[] {1, 2})), // optional transitive
                List.of(Nlri.of("10.42.0.0/16"))));
        BgpMessage m = ibgp.next();
        assertThat(m).isInstanceOf(Update.class);
        Update passed = (Update) m;
        assertThat(passed.nlri()).containsExactly(Nlri.of("10.42.0.0/16"));
        assertThat(passed.attributes())
            .filteredOn(a -> a instanceof PathAttribute.Unknown)
            .as("type 98 dropped quietly; type 99 with the Partial bit (0xe0)")
            .containsExactly(new PathAttribute.Unknown(0xe0, 99, new byte[] {1, 2}));
      }
    }
  }
}
