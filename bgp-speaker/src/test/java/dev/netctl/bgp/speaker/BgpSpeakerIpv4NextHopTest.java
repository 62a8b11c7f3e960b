package dev.netctl.bgp.speaker;

import static dev.netctl.bgp.speaker.BgpSpeakerIpv6NextHopTest.PEER;
import static dev.netctl.bgp.speaker.BgpSpeakerIpv6NextHopTest.US;
import static dev.netctl.bgp.speaker.BgpSpeakerIpv6NextHopTest.config;
import static dev.netctl.bgp.speaker.BgpSpeakerIpv6NextHopTest.ip;
import static dev.netctl.bgp.speaker.BgpSpeakerIpv6NextHopTest.passivePeer;
import static dev.netctl.bgp.speaker.ScriptedPeer.caps;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.netctl.bgp.codec.Prefix;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The NEXT_HOP of IPv4 routes that need us as next hop (RFC 4271 §5.1.3): the session's own IPv4
 * address, or a configured one, which an IPv6 session needs (BirdIpv4OverIpv6IT runs that against
 * BIRD). Here over IPv4, where the configured address overrides the local one.
 */
@Timeout(60)
class BgpSpeakerIpv4NextHopTest {

  @Test
  void aConfiguredIpv4NextHopIsSentInsteadOfTheSessionsAddress() throws Exception {
    try (BgpSpeaker s = BgpSpeaker.start(config(US))) {
      s.addPeer(passivePeer().withIpv4NextHop(ip("192.0.2.77")));
      s.originate(Prefix.parse("10.7.0.0/24"), null, List.of());
      try (ScriptedPeer peer = new ScriptedPeer(PEER, US, s.listenAddress().getPort(), 65001)) {
        peer.establish(PEER, caps(65001));
        await().atMost(Duration.ofSeconds(10)).until(() -> !s.advertised(ip(PEER)).isEmpty());
        assertThat(s.advertised(ip(PEER)).getFirst().nextHop()).isEqualTo(ip("192.0.2.77"));
        assertThat(s.peers().getFirst().notices()).doesNotContain("ipv4 routes");
      }
    }
  }

  @Test
  void anIpv4NextHopMustBeAUnicastHostAddress() throws Exception {
    assertThatThrownBy(() -> passivePeer().withIpv4NextHop(ip("224.0.0.9")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("peer 127.0.2.2:179 ipv4NextHop 224.0.0.9 must be a unicast address");
    assertThatThrownBy(() -> passivePeer().withIpv4NextHop(ip("255.255.255.255")))
        .hasMessageContaining("broadcast");
    assertThatThrownBy(() -> passivePeer().withIpv4NextHop(ip("0.0.0.0")))
        .hasMessageContaining("must not be 0.0.0.0");
  }

  @Test
  void changingTheIpv4NextHopResetsTheSession() throws Exception {
    Neighbor running = passivePeer();
    assertThat(NeighborChange.between(running, running.withIpv4NextHop(ip("192.0.2.1"))).session())
        .as("it is the NEXT_HOP of every IPv4 route the peer has from us")
        .containsExactly("ipv4NextHop");
  }
}
