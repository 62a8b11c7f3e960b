package dev.netctl.bgp.interop;

import static dev.netctl.bgp.interop.InteropSupport.await;
import static dev.netctl.bgp.interop.InteropSupport.ip;
import static dev.netctl.bgp.interop.InteropSupport.state;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.codec.Nlri;
import dev.netctl.bgp.codec.Prefix;
import dev.netctl.bgp.fsm.PeerConfig;
import dev.netctl.bgp.fsm.State;
import dev.netctl.bgp.session.PeerSpec;
import dev.netctl.bgp.session.Transport;
import dev.netctl.bgp.speaker.BgpSpeaker;
import dev.netctl.bgp.speaker.Neighbor;
import dev.netctl.bgp.speaker.ReceivedRoute;
import dev.netctl.bgp.speaker.SpeakerConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * IPv4 routes over an IPv6 session, eBGP between our speaker (AS 65061) and BIRD 2 (AS 65062), both
 * on {@code ::1} with their own ports. Without extended next hop (RFC 8950) NEXT_HOP is an IPv4
 * address (RFC 4271 §5.1.3): BIRD sends its {@code next hop address}, and we send our configured
 * {@code ipv4NextHop}. Without one our IPv4 route is not sent and the peer's notice says why.
 */
@Timeout(90)
class BirdIpv4OverIpv6IT {
  private static final String OUR_ID = "127.0.0.61";
  // Our IPv4 next hop: an address BIRD can resolve (it ignores routes into 127.0.0.0/8, so a
  // loopback next hop stays "unreachable" there); nothing is forwarded in this test.
  private static final String OUR_V4 = "192.0.2.61";
  private static final InetAddress V6 = InetAddress.ofLiteral("::1");

  @Test
  void ipv4RoutesCrossAnIpv6SessionWithTheConfiguredIpv4NextHop(@TempDir Path dir)
      throws Exception {
    Daemon.require(BirdInteropIT.BIRD);
    int birdPort = InteropSupport.freePort("::1");
    try (BgpSpeaker speaker =
            BgpSpeaker.start(
                SpeakerConfig.of(
                    65061, ip(OUR_ID), new InetSocketAddress(V6, 0), Transport.best()));
        Daemon bird =
            BirdConfig.start(dir, "bird", config(birdPort, speaker.listenAddress().getPort()))) {
      speaker.originate(Prefix.parse("10.61.0.0/16"), null, List.of());
      PeerConfig config =
          PeerConfig.of(65061, ip(OUR_ID), 65062)
              .withHoldTime(9)
              .withConnectRetry(Duration.ofSeconds(1));
      Neighbor plain =
          InteropSupport.open(
              new PeerSpec(new InetSocketAddress(V6, birdPort), V6, config, false, null, 0));
      speaker.addPeer(plain);
      InteropSupport.Details details =
          () ->
              InteropSupport.status(speaker)
                  + "\nbirdc: "
                  + ours(dir)
                  + BirdConfig.netctlProtocol(dir, "bird")
                  + "\nbird output: "
                  + bird.output();
      await(Duration.ofSeconds(30), () -> state(speaker) == State.ESTABLISHED, details);
      // BIRD's route arrives with BIRD's IPv4 next hop, and is usable.
      await(Duration.ofSeconds(20), () -> speaker.received(V6).size() == 1, details);
      ReceivedRoute theirs = speaker.received(V6).getFirst();
      assertThat(theirs.nlri()).isEqualTo(Nlri.of("10.62.0.0/16"));
      assertThat(theirs.nextHop()).isEqualTo(ip("127.0.0.62"));
      await(
          Duration.ofSeconds(10),
          () -> speaker.bestRoutes().stream().anyMatch(r -> r.nlri().equals(theirs.nlri())),
          details);
      // Ours needs us as next hop, and the session has no IPv4 address of ours: not sent, and said.
      assertThat(speaker.peers().getFirst().notices())
          .contains("ipv4 routes that need this speaker as next hop are not sent");
      assertThat(speaker.advertised(V6)).as("%s", details.get()).isEmpty();
      assertThat(ours(dir)).doesNotContain("10.61.0.0/16");

      // With an IPv4 next hop (the session resets: it changes every IPv4 route's NEXT_HOP).
      speaker.updatePeer(plain.withIpv4NextHop(ip(OUR_V4)));
      await(
          Duration.ofSeconds(30),
          () -> {
            String out = ours(dir);
            return out.contains("10.61.0.0/16") && out.contains("BGP.next_hop: " + OUR_V4);
          },
          details);
      String ours = ours(dir);
      assertThat(ours).as(ours).doesNotContain("unreachable");
      assertThat(speaker.peers().getFirst().notices())
          .doesNotContain("ipv4 routes that need this speaker as next hop");
    }
  }

  private static String ours(Path dir) throws Exception {
    return BirdConfig.birdc(dir, "bird", "show", "route", "all", "10.61.0.0/16");
  }

  // Not BirdConfig's shape: BIRD's session address (::1) is not its router id.
  private static String config(int birdPort, int ourPort) {
    return """
        router id 127.0.0.62;
        protocol device {}
        protocol static s4 { ipv4; route 10.62.0.0/16 blackhole; }
        # Our IPv4 next hop is bound nowhere: this lets BIRD resolve it (gateway recursive, the
        # multihop default), so our route is usable, not "unreachable".
        protocol static igp4 { ipv4; route 192.0.2.0/24 via "lo"; }
        protocol bgp netctl {
          local ::1 port %d as 65062;
          neighbor ::1 port %d as 65061;
          strict bind yes;
          multihop;
          hold time 9;
          connect retry time 1;
          # IPv4 over an IPv6 session: without extended next hop (RFC 8950) the NEXT_HOP it sends
          # must be an IPv4 address, given here.
          ipv4 {
            next hop address 127.0.0.62;
            extended next hop off;
            import all;
            export where proto = "s4";
          };
        }
        """
        .formatted(birdPort, ourPort);
  }
}
