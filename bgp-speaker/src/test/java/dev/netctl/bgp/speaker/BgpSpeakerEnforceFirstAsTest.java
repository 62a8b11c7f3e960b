package dev.netctl.bgp.speaker;

import static dev.netctl.bgp.speaker.ScriptedPeer.caps;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netctl.bgp.codec.AddressFamily;
import dev.netctl.bgp.codec.BgpMessage.Update;
import dev.netctl.bgp.codec.Nlri;
import dev.netctl.bgp.codec.PathAttribute;
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
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * enforceFirstAs on the wire (RFC 4271 §6.3, RFC 7606 §7.2): eBGP peers 127.0.1.82 (enforcing) and
 * 127.0.1.83 (not, the default) each send a route whose AS_PATH starts with their AS and one that,
 * like a route server's, does not; iBGP peer 127.0.1.84 (enforcing, which iBGP ignores) sends an
 * empty AS_PATH. Our speaker on 127.0.1.81.
 */
@Timeout(60)
class BgpSpeakerEnforceFirstAsTest {
  static final String US = "127.0.1.81";
  static final String ENFORCING = "127.0.1.82";
  static final String DEFAULT = "127.0.1.83";
  static final String INTERNAL = "127.0.1.84";

  static Inet4Address ip(String s) {
    return (Inet4Address) InetAddress.ofLiteral(s);
  }

  static Update announce(String prefix, long... path) {
    return new Update(
        List.of(),
        List.of(
            new PathAttribute.Origin(PathAttribute.OriginType.IGP),
            PathAttribute.AsPath.sequence(path),
            new PathAttribute.NextHop(ip("192.0.2.80"))),
        List.of(Nlri.of(prefix)));
  }

  private static List<String> received(BgpSpeaker s, String peer) {
    return s.received(ip(peer)).stream().map(r -> r.nlri().toString()).sorted().toList();
  }

  @Test
  void anEnforcingNeighbourWithdrawsRoutesWhosePathDoesNotStartWithItsAsOthersKeepThem()
      throws Exception {
    try (BgpSpeaker s =
        BgpSpeaker.start(
            SpeakerConfig.of(65001, ip(US), new InetSocketAddress(ip(US), 0), Transport.best()))) {
      int port = s.listenAddress().getPort();
      for (String peer : List.of(ENFORCING, DEFAULT, INTERNAL)) {
        long as = peer.equals(INTERNAL) ? 65001 : peer.equals(ENFORCING) ? 65082 : 65083;
        PeerConfig config =
            PeerConfig.of(65001, ip(US), as)
                .withHoldTime(30)
                .withFamilies(Set.of(AddressFamily.IPV4_UNICAST))
                .withEnforceFirstAs(!peer.equals(DEFAULT));
        s.addPeer(
            Neighbor.of(
                    new PeerSpec(
                        new InetSocketAddress(ip(peer), 179), ip(US), config, true, null, 0))
                .withPolicies(RoutePolicy.ACCEPT_ALL, RoutePolicy.ACCEPT_ALL));
      }
      try (ScriptedPeer enforcing = new ScriptedPeer(ENFORCING, US, port, 65082);
          ScriptedPeer lenient = new ScriptedPeer(DEFAULT, US, port, 65083);
          ScriptedPeer internal = new ScriptedPeer(INTERNAL, US, port, 65001)) {
        enforcing.establish(ENFORCING, caps(65082));
        lenient.establish(DEFAULT, caps(65083));
        internal.establish(INTERNAL, caps(65001));
        enforcing.send(announce("10.82.0.0/16", 65082, 65099));
        enforcing.send(announce("10.82.1.0/24", 65099)); // a route server's
        enforcing.send(announce("10.82.2.0/24", 65082));
        lenient.send(announce("10.83.0.0/16", 65083, 65099));
        lenient.send(announce("10.83.1.0/24", 65099));
        internal.send(announce("10.84.0.0/16"));
        await()
            .atMost(Duration.ofSeconds(10))
            .until(
                () ->
                    received(s, ENFORCING).contains("10.82.2.0/24")
                        && received(s, DEFAULT).size() == 2
                        && received(s, INTERNAL).size() == 1);
        assertThat(received(s, ENFORCING))
            .as("the route server's route is withdrawn")
            .containsExactly("10.82.0.0/16", "10.82.2.0/24");
        assertThat(received(s, DEFAULT)).containsExactly("10.83.0.0/16", "10.83.1.0/24");
        assertThat(received(s, INTERNAL)).as("iBGP is not checked").containsExactly("10.84.0.0/16");
        for (PeerStatus p : s.peers()) {
          assertThat(p.state()).as("%s stays up", p.remote()).isEqualTo(State.ESTABLISHED);
          String expected =
              p.remote().getAddress().equals(ip(ENFORCING))
                  ? "treat-as-withdraw: MALFORMED_AS_PATH(3/11): AS_PATH starts with AS 65099, not"
                      + " the external peer's AS 65082"
                  : "";
          assertThat(p.lastError()).as("last error of %s", p.remote()).startsWith(expected);
          if (expected.isEmpty()) {
            assertThat(p.lastError()).isEmpty();
          }
        }
      }
    }
  }
}
