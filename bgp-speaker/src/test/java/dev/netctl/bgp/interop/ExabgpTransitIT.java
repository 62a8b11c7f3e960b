package dev.netctl.bgp.interop;

import static dev.netctl.bgp.interop.InteropSupport.await;
import static dev.netctl.bgp.interop.InteropSupport.ip;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.codec.AddressText;
import dev.netctl.bgp.codec.PathAttribute;
import dev.netctl.bgp.codec.Prefix;
import dev.netctl.bgp.fsm.PeerConfig;
import dev.netctl.bgp.fsm.RemoteAs;
import dev.netctl.bgp.fsm.State;
import dev.netctl.bgp.rib.RoutePolicy;
import dev.netctl.bgp.session.PeerSpec;
import dev.netctl.bgp.session.Transport;
import dev.netctl.bgp.speaker.BgpSpeaker;
import dev.netctl.bgp.speaker.DynamicRange;
import dev.netctl.bgp.speaker.Neighbor;
import dev.netctl.bgp.speaker.PeerStatus;
import dev.netctl.bgp.speaker.ReceivedRoute;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * ExaBGP as an unusual peer, dialling in as a dynamic neighbour of our range, its routes passed on
 * to BIRD: it opens with capabilities we do not support (operational, AIGP), a hold time of 0 (no
 * KEEPALIVEs at all, RFC 4271 §4.2), extended messages (RFC 8654), and sends a large community (RFC
 * 8092), a 301-AS path (two segments, RFC 4271 §5.1.2), an AS_SET, a path too long for a 4096-octet
 * UPDATE, and ROUTE-REFRESH for a family the session did not negotiate (RFC 2918 §4: ignored) and
 * for one it did. BIRD, without extended messages, gets all but the oversized route, which must not
 * reach it (RFC 8654 §4). Us 127.0.62.1, ExaBGP 127.0.62.2 (range 127.0.62.0/28), BIRD 127.0.62.17.
 */
@Timeout(120)
class ExabgpTransitIT {
  static final String US = "127.0.62.1";
  static final String EXA = "127.0.62.2";
  static final String BIRD = "127.0.62.17";

  @Test
  void anExabgpWithUnusualOptionsFromARangeIsCarriedOnToBird(@TempDir Path dir) throws Exception {
    Daemon.require(ExabgpInteropIT.EXABGP);
    Daemon.require(BirdInteropIT.BIRD);
    String longPath =
        IntStream.range(0, 300)
            .mapToObj(i -> Integer.toString(65100 + i))
            .collect(Collectors.joining(" "));
    // 1500 four-octet ASNs: an AS_PATH of about 6 KB, only in an extended message.
    String hugePath =
        IntStream.range(0, 1500)
            .mapToObj(i -> Integer.toString(66000 + i))
            .collect(Collectors.joining(" "));
    // ExaBGP's API: ROUTE-REFRESH for IPv6 unicast (offered by ExaBGP, not by us) and for IPv4.
    Files.writeString(
        dir.resolve("refresh.sh"),
        "sleep 4\necho 'announce route-refresh ipv6 unicast'\nsleep 1\n"
            + "echo 'announce route-refresh ipv4 unicast'\nexec sleep 600\n");
    Files.writeString(
        dir.resolve("exabgp.conf"),
        """
        process refresher {
          run /bin/sh %5$s;
          encoder text;
        }
        neighbor %1$s {
          api { processes [ refresher ]; }
          router-id %2$s;
          local-address %2$s;
          local-as 65062;
          peer-as 65061;
          hold-time 0;
          family { ipv4 unicast; ipv6 unicast; }
          capability {
            route-refresh;
            operational enable;
            aigp enable;
            extended-message enable;
          }
          static {
            route 10.62.0.0/24 next-hop 192.0.2.62 large-community [ 65062:1:2 4200000000:3:4 ];
            route 10.62.1.0/24 next-hop 192.0.2.62 as-path [ 65062 %3$s ];
            route 10.62.2.0/24 next-hop 192.0.2.62 as-path [ 65062 ( 65100 65101 ) ];
            route 10.62.3.0/24 next-hop 192.0.2.62 as-path [ 65062 %4$s ];
          }
        }
        """
            .formatted(US, EXA, longPath, hugePath, dir.resolve("refresh.sh")));
    int birdPort = InteropSupport.freePort(BIRD);
    try (BgpSpeaker speaker =
        BgpSpeaker.start(65061, new InetSocketAddress(ip(US), 0), Transport.best())) {
      PeerConfig ebgp =
          PeerConfig.of(65061, ip(US), 65062)
              .withHoldTime(9)
              .withAcceptedAs(RemoteAs.parse("65062"))
              .withOptions(Set.of(), Set.of(), 0, true);
      speaker.addDynamicRange(
          new DynamicRange(
              "exa",
              Prefix.parse("127.0.62.0/28"),
              Neighbor.of(
                      new PeerSpec(
                          new InetSocketAddress(ip("127.0.62.0"), 179),
                          ip(US),
                          ebgp,
                          true,
                          null,
                          0))
                  .withPolicies(RoutePolicy.ACCEPT_ALL, RoutePolicy.ACCEPT_ALL),
              1));
      speaker.addPeer(InteropSupport.open(InteropSupport.peer(US, 65061, BIRD, birdPort, 65063)));
      String bird =
          BirdConfig.routerId(BIRD)
              .bgp("netctl", birdPort, 65063, US, speaker.listenAddress().getPort(), 65061)
              .multihop()
              .channel("ipv4 { import all; export none; };")
              .render();
      try (Daemon exabgp = ExabgpInteropIT.exabgp(dir, speaker);
          Daemon b = BirdConfig.start(dir, "bird", bird)) {
        InteropSupport.Details details =
            () ->
                InteropSupport.status(speaker)
                    + "\nexabgp output: "
                    + exabgp.output()
                    + "\nbird: "
                    + BirdConfig.netctlRoutes(dir, "bird")
                    + BirdConfig.netctlProtocol(dir, "bird")
                    + b.output();
        await(
            Duration.ofSeconds(40),
            () ->
                speaker.peers().size() == 2
                    && speaker.peers().stream().allMatch(p -> p.state() == State.ESTABLISHED)
                    && speaker.received(ip(EXA)).size() == 4
                    && BirdConfig.netctlRoutes(dir, "bird").contains("10.62.2.0/24")
                    && exabgp.output().contains("route refresh ipv4"),
            details);
        PeerStatus exa = exa(speaker);
        assertThat(exa.notices()).contains("dynamic peer of range exa (127.0.62.0/28)");
        ReceivedRoute huge =
            speaker.received(ip(EXA)).stream()
                .filter(r -> r.nlri().prefix().equals(Prefix.parse("10.62.3.0/24")))
                .findFirst()
                .orElseThrow();
        assertThat(huge.attribute(PathAttribute.AsPath.class).orElseThrow().segments())
            .as("1501 ASNs in segments of at most 255 (RFC 4271 §4.3)")
            .hasSize(6);

        String routes = BirdConfig.netctlRoutes(dir, "bird");
        assertThat(routes)
            .as("the large communities passed on unchanged (RFC 8092 §5)")
            .contains("BGP.large_community: (65062, 1, 2) (4200000000, 3, 4)")
            .as("the AS_SET kept as a set after our AS")
            .contains("BGP.as_path: 65061 65062 {65100 65101}")
            .as("the 301-AS path with ours in front")
            .contains("BGP.as_path: 65061 65062 65100 65101 65102 ")
            .as("its last AS the origin (birdc cuts the path's line short)")
            .containsPattern("10\\.62\\.1\\.0/24 .*\\[AS65399i\\]")
            .as("no UPDATE over 4096 octets to a peer without extended messages (RFC 8654 §4)")
            .doesNotContain("10.62.3.0/24");
        assertThat(BirdConfig.netctlProtocol(dir, "bird")).contains("Established");

        // Neither ROUTE-REFRESH, nor two hold-time periods of silence (hold time 0), ended it.
        var since = exa.since();
        Thread.sleep(3500);
        assertThat(exa(speaker).state()).isEqualTo(State.ESTABLISHED);
        assertThat(exa(speaker).since()).isEqualTo(since);
        assertThat(exa(speaker).info()).isEmpty();
        assertThat(exabgp.output()).doesNotContain("NOTIFICATION");
      }
    }
  }

  private static PeerStatus exa(BgpSpeaker speaker) {
    return speaker.peers().stream()
        .filter(p -> AddressText.of(p.remote().getAddress()).equals(EXA))
        .findFirst()
        .orElseThrow();
  }
}
