package dev.netctl.bgp.interop;

import static dev.netctl.bgp.interop.InteropSupport.await;
import static dev.netctl.bgp.interop.InteropSupport.ip;
import static dev.netctl.bgp.interop.InteropSupport.peer;
import static dev.netctl.bgp.interop.InteropSupport.state;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.codec.AddressText;
import dev.netctl.bgp.codec.Nlri;
import dev.netctl.bgp.codec.Prefix;
import dev.netctl.bgp.fsm.State;
import dev.netctl.bgp.session.PeerSpec;
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
 * IPv6 unicast over an IPv4 session (RFC 2545 §2) with peers other than BIRD and FRR: the next hops
 * ExaBGP sends us, and what GoBGP negotiates with us when we have no IPv6 next hop to give.
 */
@Timeout(90)
class Ipv6NextHopIT {

  /**
   * ExaBGP (127.0.40.2, AS 65402) sends three IPv6 routes over IPv4: one with a global next hop,
   * one with the IPv4-mapped {@code ::ffff:192.0.2.40} (a 6PE next hop, RFC 4798), one with only a
   * link-local next hop. Only the first can be forwarded to from here: the others stay visible in
   * the Adj-RIB-In and are never best, so they are neither installed nor passed on. Us 127.0.40.1.
   */
  @Test
  void onlyAGlobalIpv6NextHopReceivedOverIpv4IsUsed(@TempDir Path dir) throws Exception {
    Daemon.require(ExabgpInteropIT.EXABGP);
    Files.writeString(
        dir.resolve("exabgp.conf"),
        """
        neighbor 127.0.40.1 {
          router-id 127.0.40.2;
          local-address 127.0.40.2;
          local-as 65402;
          peer-as 65401;
          hold-time 9;
          family { ipv4 unicast; ipv6 unicast; }
          static {
            route 10.40.0.0/16 next-hop 192.0.2.40;
            route 2001:db8:40:1::/64 next-hop 2001:db8::40;
            route 2001:db8:40:2::/64 next-hop ::ffff:192.0.2.40;
            route 2001:db8:40:3::/64 next-hop fe80::40;
          }
        }
        """);
    try (BgpSpeaker speaker =
        BgpSpeaker.start(65401, new InetSocketAddress(ip("127.0.40.1"), 0), Transport.best())) {
      PeerSpec spec = peer("127.0.40.1", 65401, "127.0.40.2", 179, 65402);
      speaker.addPeer(
          InteropSupport.open(
                  new PeerSpec(spec.remote(), spec.localAddress(), spec.config(), true, null, 0))
              .withIpv6NextHop((Inet6Address) InetAddress.getByName("2001:db8::4001")));
      try (Daemon exabgp = ExabgpInteropIT.exabgp(dir, speaker)) {
        InteropSupport.Details details =
            () ->
                InteropSupport.status(speaker)
                    + "\nbest: "
                    + speaker.bestRoutes()
                    + "\nexabgp output: "
                    + exabgp.output();
        await(Duration.ofSeconds(30), () -> state(speaker) == State.ESTABLISHED, details);
        await(
            Duration.ofSeconds(20), () -> speaker.received(ip("127.0.40.2")).size() == 4, details);
        List<ReceivedRoute> received = speaker.received(ip("127.0.40.2"));
        assertThat(received)
            .as("every route is kept in the Adj-RIB-In, whatever its next hop")
            .extracting(ReceivedRoute::nlri)
            .containsExactlyInAnyOrder(
                Nlri.of("10.40.0.0/16"),
                Nlri.of("2001:db8:40:1::/64"),
                Nlri.of("2001:db8:40:2::/64"),
                Nlri.of("2001:db8:40:3::/64"));
        assertThat(received)
            .filteredOn(r -> r.nlri().equals(Nlri.of("2001:db8:40:2::/64")))
            .as("in RFC 5952 text (InetAddress.getByName would turn it into 192.0.2.40)")
            .extracting(r -> AddressText.of(r.nextHop()))
            .containsExactly("::ffff:192.0.2.40");
        await(Duration.ofSeconds(10), () -> speaker.bestRoutes().size() == 2, details);
        assertThat(speaker.bestRoutes())
            .as("only routes with a next hop we can forward to are best")
            .extracting(r -> r.nlri().prefix())
            .containsExactlyInAnyOrder(
                Prefix.parse("10.40.0.0/16"), Prefix.parse("2001:db8:40:1::/64"));
        assertThat(speaker.peers().getFirst().notices())
            .as("the mapped next hop is named in RFC 5952 text")
            .contains(
                "ipv6 routes with the IPv4-mapped next hop ::ffff:192.0.2.40 are kept but not"
                    + " used");
        assertThat(exabgp.output()).doesNotContain("NOTIFICATION");
      }
    }
  }

  /**
   * We peer with GoBGP (127.0.41.2, AS 65412) over IPv4 with IPv6 unicast configured on both sides
   * but no IPv6 next hop on ours: we do not offer IPv6 unicast (an IPv4-mapped next hop would be
   * 6PE's, RFC 4798), GoBGP gets none of our IPv6 routes nor sends its own, and our peer status
   * says why; IPv4 works as usual. Us 127.0.41.1.
   */
  @Test
  void withoutAnIpv6NextHopIpv6IsNotOfferedToGobgpAndTheStatusSaysWhy(@TempDir Path dir)
      throws Exception {
    Daemon.require(GobgpInteropIT.GOBGPD);
    Daemon.require(GobgpInteropIT.GOBGP);
    int ours = InteropSupport.freePort("127.0.41.1");
    int theirs = InteropSupport.freePort("127.0.41.2");
    int api = InteropSupport.freePort("127.0.0.1");
    Files.writeString(
        dir.resolve("gobgpd.toml"),
        GobgpConfig.global(65412, "127.0.41.2", theirs)
            .neighbor(
                GobgpConfig.Neighbor.of("127.0.41.1", 65411, ours)
                    .families("ipv4-unicast", "ipv6-unicast"))
            .render());
    try (BgpSpeaker speaker =
            BgpSpeaker.start(
                65411, new InetSocketAddress(ip("127.0.41.1"), ours), Transport.best());
        Daemon gobgpd =
            Daemon.start(
                "gobgpd",
                dir,
                List.of(
                    GobgpInteropIT.GOBGPD, "-f", "gobgpd.toml", "--api-hosts", "127.0.0.1:" + api),
                Map.of())) {
      InteropSupport.Details details =
          () ->
              InteropSupport.status(speaker)
                  + "\ngobgp neighbor: "
                  + GobgpInteropIT.runAt("127.0.0.1", api, "neighbor", "127.0.41.1")
                  + "\ngobgpd output: "
                  + gobgpd.output();
      await(
          Duration.ofSeconds(15),
          () ->
              GobgpInteropIT.runAt(
                      "127.0.0.1", api, "global", "rib", "-a", "ipv6", "add", "2001:db8:41::/48")
                  .isBlank(),
          details);
      GobgpInteropIT.runAt("127.0.0.1", api, "global", "rib", "-a", "ipv4", "add", "10.41.2.0/24");
      speaker.originate(Prefix.parse("10.41.1.0/24"), ip("192.0.2.41"), List.of());
      speaker.originate(Prefix.parse("2001:db8:4101::/48"), null, List.of());
      speaker.addPeer(InteropSupport.open(peer("127.0.41.1", 65411, "127.0.41.2", theirs, 65412)));

      await(Duration.ofSeconds(30), () -> state(speaker) == State.ESTABLISHED, details);
      await(
          Duration.ofSeconds(20),
          () ->
              GobgpInteropIT.runAt("127.0.0.1", api, "global", "rib", "-a", "ipv4")
                      .contains("10.41.1.0/24")
                  && speaker.received(ip("127.0.41.2")).size() == 1,
          details);
      assertThat(speaker.received(ip("127.0.41.2")))
          .extracting(ReceivedRoute::nlri)
          .containsExactly(Nlri.of("10.41.2.0/24"));
      assertThat(speaker.peers().getFirst().notices())
          .contains(
              "ipv6 unicast not offered: no IPv6 next hop for this IPv4 session (configure"
                  + " ipv6NextHop");
      String neighbor = GobgpInteropIT.runAt("127.0.0.1", api, "neighbor", "127.0.41.1");
      assertThat(neighbor)
          .as("GoBGP saw IPv6 unicast only on its side of the capability exchange")
          .containsPattern("ipv6-unicast:\\s+advertised\\R")
          .containsPattern("ipv4-unicast:\\s+advertised and received");
      assertThat(GobgpInteropIT.runAt("127.0.0.1", api, "global", "rib", "-a", "ipv6"))
          .doesNotContain("2001:db8:4101::/48")
          .doesNotContain("::ffff:");
    }
  }
}
