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
import dev.netctl.bgp.rib.RoutePolicy;
import dev.netctl.bgp.session.PeerSpec;
import dev.netctl.bgp.session.Transport;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A route whose attributes leave no room for its prefix in a 4096-octet UPDATE, toward a peer that
 * did not negotiate extended messages (RFC 8654 §4): withheld, counted in {@code bgp peers}, never
 * announced and so never withdrawn; an earlier version the peer holds is withdrawn. Our speaker on
 * 127.0.1.91, the scripted peer on 127.0.1.92.
 */
@Timeout(60)
class BgpSpeakerWithheldTest {
  static final String US = "127.0.1.91";
  static final String PEER = "127.0.1.92";

  static Inet4Address ip(String s) {
    return (Inet4Address) InetAddress.ofLiteral(s);
  }

  // 1,100 communities: 4,400 octets of attributes, more than a 4096-octet UPDATE holds.
  static final List<PathAttribute> HUGE =
      List.of(
          new PathAttribute.Communities(
              IntStream.range(0, 1100).map(i -> (65091 << 16) | i).boxed().toList()));

  /** Every prefix an UPDATE announces or withdraws, as text. */
  static List<String> mentioned(List<BgpMessage> messages) {
    List<String> out = new ArrayList<>();
    for (BgpMessage m : messages) {
      if (m instanceof Update u) {
        u.allNlri().forEach(n -> out.add(n.toString()));
        u.allWithdrawn().forEach(n -> out.add(n.toString()));
      }
    }
    return out;
  }

  @Test
  void aRouteTooLargeForThePeerIsWithheldCountedAndNeverWithdrawn() throws Exception {
    try (BgpSpeaker s =
        BgpSpeaker.start(
            SpeakerConfig.of(65091, ip(US), new InetSocketAddress(ip(US), 0), Transport.best()))) {
      int port = s.listenAddress().getPort();
      PeerConfig config =
          PeerConfig.of(65091, ip(US), 65092)
              .withHoldTime(30)
              .withFamilies(java.util.Set.of(AddressFamily.IPV4_UNICAST));
      s.addPeer(
          Neighbor.of(
                  new PeerSpec(new InetSocketAddress(ip(PEER), 179), ip(US), config, true, null, 0))
              .withPolicies(RoutePolicy.ACCEPT_ALL, RoutePolicy.ACCEPT_ALL));
      s.originate(Prefix.parse("10.91.1.0/24"), ip("192.0.2.91"), List.of());
      s.originate(Prefix.parse("10.91.2.0/24"), ip("192.0.2.91"), HUGE);
      s.originate(Prefix.parse("10.91.3.0/24"), ip("192.0.2.91"), List.of());
      try (ScriptedPeer peer = new ScriptedPeer(PEER, US, port, 65092)) {
        // No extended message capability: UPDATEs to it are at most 4096 octets.
        peer.establish(
            PEER,
            List.of(
                new Capability.Multiprotocol(AddressFamily.IPV4_UNICAST),
                new Capability.FourOctetAs(65092)));
        List<BgpMessage> initial = peer.readUntilEndOfRib(AddressFamily.IPV4_UNICAST);
        assertThat(mentioned(initial))
            .as("the initial table: the routes that fit, and not a word of the one that does not")
            .containsExactlyInAnyOrder("10.91.1.0/24", "10.91.3.0/24");
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> s.peers().getFirst().withheldRoutes() == 1);

        // A route the peer holds grows too large: the peer must not keep the old version.
        s.originate(Prefix.parse("10.91.3.0/24"), ip("192.0.2.91"), HUGE);
        Update grown = (Update) peer.next();
        assertThat(grown.allNlri()).isEmpty();
        assertThat(grown.allWithdrawn()).containsExactly(Nlri.of("10.91.3.0/24"));
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> s.peers().getFirst().withheldRoutes() == 2);

        // Withdrawn here: the never-sent one goes without a word, the sent one with a withdrawal.
        s.withdraw(Prefix.parse("10.91.2.0/24"));
        s.withdraw(Prefix.parse("10.91.3.0/24"));
        s.withdraw(Prefix.parse("10.91.1.0/24"));
        Update next = (Update) peer.next();
        assertThat(mentioned(List.of(next)))
            .as("only the withdrawal of the route the peer got")
            .containsExactly("10.91.1.0/24");
        assertThat(peer.quietFor(Duration.ofMillis(500))).as("nothing more").isTrue();
        assertThat(s.peers().getFirst().withheldRoutes()).as("none withheld any more").isZero();
      }
    }
  }
}
