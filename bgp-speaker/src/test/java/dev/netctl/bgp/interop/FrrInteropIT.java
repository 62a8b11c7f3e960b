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

/**
 * eBGP between our speaker (127.0.0.55) and FRR bgpd without zebra (127.0.0.56), both on free
 * ports.
 */
@Timeout(90)
class FrrInteropIT {
  static final String BGPD = "/usr/lib/frr/bgpd";
  static final String VTYSH = "/usr/bin/vtysh";

  @Test
  void exchangesRoutesWithFrr(@TempDir Path dir) throws Exception {
    Daemon.require(BGPD);
    Daemon.require(VTYSH);
    Path vty = Files.createDirectory(dir.resolve("vty"));
    int frrPort = InteropSupport.freePort("127.0.0.56");
    BgpSpeaker speaker =
        BgpSpeaker.start(65051, new InetSocketAddress(ip("127.0.0.55"), 0), Transport.best());
    Files.writeString(
        dir.resolve("bgpd.conf"),
        """
        frr defaults traditional
        hostname netctl-frr
        !
        router bgp 65056
         bgp router-id 127.0.0.56
         no bgp ebgp-requires-policy
         no bgp network import-check
         neighbor 127.0.0.55 remote-as 65051
         neighbor 127.0.0.55 port %d
         neighbor 127.0.0.55 update-source 127.0.0.56
         neighbor 127.0.0.55 timers 3 9
         neighbor 127.0.0.55 timers connect 1
         neighbor 127.0.0.55 disable-connected-check
         address-family ipv4 unicast
          network 10.56.0.0/16
         exit-address-family
         address-family ipv6 unicast
          network 2001:db8:56::/48
          neighbor 127.0.0.55 activate
          neighbor 127.0.0.55 route-map NH6 out
         exit-address-family
        !
        ! Without zebra FRR knows no IPv6 address of its own and would send ::ffff:127.0.0.56.
        route-map NH6 permit 10
         set ipv6 next-hop global 2001:db8::56
        !
        """
            .formatted(speaker.listenAddress().getPort()));
    List<String> vtysh = List.of(VTYSH, "--vty_socket", vty.toString(), "-c");
    try (speaker;
        Daemon bgpd = startBgpd(dir, vty, frrPort, "127.0.0.56")) {
      InteropSupport.Details details =
          () ->
              InteropSupport.status(speaker)
                  + "\nfrr: "
                  + Daemon.run(Duration.ofSeconds(5), concat(vtysh, "show bgp summary"))
                  + Daemon.run(Duration.ofSeconds(5), concat(vtysh, "show bgp ipv4 unicast"))
                  + Daemon.run(Duration.ofSeconds(5), concat(vtysh, "show bgp ipv6 unicast"))
                  + "\nbgpd output: "
                  + bgpd.output();
      // FRR drops martian (loopback, IPv4-mapped) next hops: advertise documentation addresses.
      speaker.originate(Prefix.parse("10.55.0.0/16"), ip("192.0.2.55"), List.of());
      // Next-hop self: the IPv6 route gets the neighbour's configured global IPv6 next hop.
      speaker.originate(Prefix.parse("2001:db8:55::/48"), null, List.of());
      speaker.addPeer(
          InteropSupport.open(peer("127.0.0.55", 65051, "127.0.0.56", frrPort, 65056))
              .withIpv6NextHop((Inet6Address) InetAddress.getByName("2001:db8::55")));

      await(Duration.ofSeconds(30), () -> state(speaker) == State.ESTABLISHED, details);
      await(Duration.ofSeconds(20), () -> speaker.received(ip("127.0.0.56")).size() == 2, details);
      List<ReceivedRoute> routes = speaker.received(ip("127.0.0.56"));
      assertThat(routes)
          .extracting(ReceivedRoute::nlri)
          .containsExactlyInAnyOrder(Nlri.of("10.56.0.0/16"), Nlri.of("2001:db8:56::/48"));
      assertThat(routes.getFirst().attribute(PathAttribute.AsPath.class))
          .contains(PathAttribute.AsPath.sequence(65056));
      ReceivedRoute v6 =
          routes.stream().filter(r -> r.nlri().prefix().ipv6()).findFirst().orElseThrow();
      assertThat(v6.nextHop()).isEqualTo(InetAddress.getByName("2001:db8::56"));
      await(
          Duration.ofSeconds(10),
          () -> speaker.bestRoutes().stream().anyMatch(r -> r.nlri().equals(v6.nlri())),
          details);
      await(
          Duration.ofSeconds(20),
          () ->
              Daemon.run(Duration.ofSeconds(5), concat(vtysh, "show bgp ipv4 unicast"))
                      .contains("10.55.0.0/16")
                  && Daemon.run(Duration.ofSeconds(5), concat(vtysh, "show bgp ipv6 unicast"))
                      .contains("2001:db8:55::/48"),
          details);
      String ours =
          Daemon.run(
              Duration.ofSeconds(5), concat(vtysh, "show bgp ipv6 unicast 2001:db8:55::/48 json"));
      assertThat(ours)
          .as(ours)
          .contains("\"ip\":\"2001:db8::55\"")
          .contains("\"valid\":true")
          .doesNotContain("::ffff:");
    }
  }

  /**
   * Starts FRR's bgpd alone (no zebra: {@code -Z}, no kernel routes: {@code -n}) on {@code
   * address:port} with {@code dir/bgpd.conf} and its vty socket in {@code vty}.
   */
  static Daemon startBgpd(Path dir, Path vty, int port, String address) throws Exception {
    return Daemon.start(
        "bgpd",
        dir,
        List.of(
            BGPD,
            "-Z",
            "-n",
            "-S",
            "-p",
            Integer.toString(port),
            "-l",
            address,
            "-f",
            dir.resolve("bgpd.conf").toString(),
            "-i",
            dir.resolve("bgpd.pid").toString(),
            "--vty_socket",
            vty.toString()),
        Map.of());
  }

  static List<String> concat(List<String> base, String command) {
    List<String> out = new java.util.ArrayList<>(base);
    out.add(command);
    return out;
  }
}
