package dev.netctl.bgp.interop;

import static dev.netctl.bgp.interop.InteropSupport.await;
import static dev.netctl.bgp.interop.InteropSupport.ip;
import static dev.netctl.bgp.interop.InteropSupport.peer;
import static dev.netctl.bgp.interop.InteropSupport.state;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.codec.Nlri;
import dev.netctl.bgp.codec.PathAttribute;
import dev.netctl.bgp.codec.Prefix;
import dev.netctl.bgp.fsm.State;
import dev.netctl.bgp.session.Transport;
import dev.netctl.bgp.speaker.BgpSpeaker;
import dev.netctl.bgp.speaker.ReceivedRoute;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** eBGP between our speaker (127.0.0.51) and BIRD 2 (127.0.0.52), both on free ports. */
@Timeout(90)
class BirdInteropIT {
  static final String BIRD = "/usr/sbin/bird";
  static final String BIRDC = "/usr/sbin/birdc";

  @Test
  void exchangesIpv4AndIpv6RoutesWithBird(@TempDir Path dir) throws Exception {
    Daemon.require(BIRD);
    Path sock = dir.resolve("bird.sock");
    int birdPort = InteropSupport.freePort("127.0.0.52");
    try (BgpSpeaker speaker =
            BgpSpeaker.start(65051, new InetSocketAddress(ip("127.0.0.51"), 0), Transport.best());
        Daemon bird =
            Daemon.start(
                "bird",
                writeConfig(dir, birdPort, speaker.listenAddress().getPort()),
                List.of(BIRD, "-f", "-c", "bird.conf", "-s", sock.toString(), "-P", "bird.pid"),
                Map.of())) {
      speaker.originate(Prefix.parse("10.51.0.0/16"), null, List.of());
      // Next-hop self: the IPv6 route gets the neighbour's configured global IPv6 next hop.
      speaker.originate(Prefix.parse("2001:db8:51::/48"), null, List.of());
      speaker.addPeer(
          InteropSupport.open(peer("127.0.0.51", 65051, "127.0.0.52", birdPort, 65052))
              .withIpv6NextHop((Inet6Address) InetAddress.getByName("2001:db8::51")));
      List<String> show =
          List.of(BIRDC, "-s", sock.toString(), "show", "route", "all", "protocol", "netctl");
      InteropSupport.Details details =
          () ->
              InteropSupport.status(speaker)
                  + "\nbirdc: "
                  + Daemon.run(Duration.ofSeconds(5), show)
                  + Daemon.run(
                      Duration.ofSeconds(5),
                      List.of(BIRDC, "-s", sock.toString(), "show", "protocols", "all", "netctl"))
                  + "\nbird output: "
                  + bird.output();
      await(Duration.ofSeconds(30), () -> state(speaker) == State.ESTABLISHED, details);
      await(Duration.ofSeconds(20), () -> speaker.received(ip("127.0.0.52")).size() == 2, details);
      List<ReceivedRoute> routes = speaker.received(ip("127.0.0.52"));
      assertThat(routes)
          .extracting(ReceivedRoute::nlri)
          .containsExactlyInAnyOrder(Nlri.of("10.52.0.0/16"), Nlri.of("2001:db8:52::/48"));
      ReceivedRoute v4 =
          routes.stream().filter(r -> !r.nlri().prefix().ipv6()).findFirst().orElseThrow();
      assertThat(v4.attribute(PathAttribute.AsPath.class))
          .contains(PathAttribute.AsPath.sequence(65052));
      ReceivedRoute v6 =
          routes.stream().filter(r -> r.nlri().prefix().ipv6()).findFirst().orElseThrow();
      assertThat(v6.nextHop()).isEqualTo(InetAddress.getByName("2001:db8::52"));
      await(
          Duration.ofSeconds(10),
          () -> speaker.bestRoutes().stream().anyMatch(r -> r.nlri().equals(v6.nlri())),
          details);

      await(
          Duration.ofSeconds(20),
          () -> {
            String out = Daemon.run(Duration.ofSeconds(5), show);
            return out.contains("10.51.0.0/16") && out.contains("2001:db8:51::/48");
          },
          details);
      String ours =
          Daemon.run(
              Duration.ofSeconds(5),
              List.of(BIRDC, "-s", sock.toString(), "show", "route", "all", "2001:db8:51::/48"));
      assertThat(ours)
          .as(ours)
          .contains("BGP.next_hop: 2001:db8::51")
          .doesNotContain("::ffff:")
          .doesNotContain("unreachable");
    }
  }

  /** Writes BIRD's config for its port and ours into {@code dir}; returns {@code dir}. */
  static Path writeConfig(Path dir, int birdPort, int ourPort) throws java.io.IOException {
    Files.writeString(
        dir.resolve("bird.conf"),
        """
        router id 127.0.0.52;
        protocol device {}
        protocol static s4 { ipv4; route 10.52.0.0/16 blackhole; }
        protocol static s6 { ipv6; route 2001:db8:52::/48 blackhole; }
        # Our IPv6 next hop is not bound anywhere: this route lets BIRD resolve it (gateway
        # recursive, the multihop default), so our route is usable, not "unreachable".
        protocol static igp6 { ipv6; route 2001:db8::/64 via "lo"; }
        protocol bgp netctl {
          local 127.0.0.52 port %d as 65052;
          neighbor 127.0.0.51 port %d as 65051;
          strict bind yes;   # else BIRD listens on the wildcard address
          multihop;          # eBGP over loopback addresses
          hold time 9;
          connect retry time 1;
          ipv4 { import all; export all; };
          # An IPv4 session carries IPv6 routes only with an explicit IPv6 next hop (RFC 2545);
          # without extended next hop (RFC 8950) BIRD refuses an IPv4-mapped one.
          ipv6 {
            next hop address 2001:db8::52;
            extended next hop off;
            import all; export where proto != "igp6";
          };
        }
        """
            .formatted(birdPort, ourPort));
    return dir;
  }
}
