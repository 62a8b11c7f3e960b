package dev.netctl.bgp.interop;

import static dev.netctl.bgp.interop.InteropSupport.await;
import static dev.netctl.bgp.interop.InteropSupport.ip;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.codec.PathAttribute;
import dev.netctl.bgp.codec.Prefix;
import dev.netctl.bgp.fsm.State;
import dev.netctl.bgp.rib.RibEntry;
import dev.netctl.bgp.session.PeerSpec;
import dev.netctl.bgp.session.Transport;
import dev.netctl.bgp.speaker.BgpSpeaker;
import dev.netctl.bgp.speaker.ReceivedRoute;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * ExaBGP (127.0.63.2, eBGP) sends one route per malformed or out-of-place attribute, as raw octets,
 * and each gets RFC 7606's outcome over a real session: treat-as-withdraw for a LARGE_COMMUNITY
 * (RFC 8092 §5), EXTENDED COMMUNITIES (§7.14), CLUSTER_LIST (§7.10) or MED (§7.4) of the wrong
 * length; attribute discard for ATOMIC_AGGREGATE (§7.6) and AGGREGATOR (§7.7) of the wrong length
 * and for LOCAL_PREF from an external peer (§7.5); ORIGINATOR_ID and CLUSTER_LIST from an external
 * peer kept as received but not imported (RFC 4456 §8: iBGP only); unknown optional attributes
 * (AIGP unconfigured, Only-to-Customer, a private code) carried. The session stays up throughout.
 * Our speaker on 127.0.63.1.
 */
@Timeout(90)
class ExabgpMalformedIT {
  @Test
  void eachMalformedAttributeGetsItsRfc7606OutcomeAndTheSessionStaysUp(@TempDir Path dir)
      throws Exception {
    Daemon.require(ExabgpInteropIT.EXABGP);
    Files.writeString(
        dir.resolve("exabgp.conf"),
        """
        neighbor 127.0.63.1 {
          router-id 127.0.63.2;
          local-address 127.0.63.2;
          local-as 65063;
          peer-as 65064;
          hold-time 9;
          family { ipv4 unicast; }
          static {
            route 10.63.0.0/24 next-hop 192.0.2.63;
            # LARGE_COMMUNITY (32) of 13 octets
            route 10.63.1.0/24 next-hop 192.0.2.63 attribute [ 0x20 0xc0 0x0000fde8000000010000000200 ];
            # ATOMIC_AGGREGATE (6) of 2 octets
            route 10.63.2.0/24 next-hop 192.0.2.63 attribute [ 0x06 0x40 0x0000 ];
            # AGGREGATOR (7) of 5 octets on a 4-octet-AS session
            route 10.63.3.0/24 next-hop 192.0.2.63 attribute [ 0x07 0xc0 0x0000fde8c0 ];
            # EXTENDED COMMUNITIES (16): 8 octets, then 7
            route 10.63.4.0/24 next-hop 192.0.2.63 attribute [ 0x10 0xc0 0x00020000fde80001 ];
            route 10.63.5.0/24 next-hop 192.0.2.63 attribute [ 0x10 0xc0 0x00020000fde800 ];
            # ORIGINATOR_ID (9) and CLUSTER_LIST (10) from an external peer; CLUSTER_LIST of 3 octets
            route 10.63.6.0/24 next-hop 192.0.2.63 attribute [ 0x09 0x80 0xc0000201 ];
            route 10.63.7.0/24 next-hop 192.0.2.63 attribute [ 0x0a 0x80 0xc0000201 ];
            route 10.63.8.0/24 next-hop 192.0.2.63 attribute [ 0x0a 0x80 0xc00002 ];
            # AIGP (26), optional non-transitive, not negotiated
            route 10.63.9.0/24 next-hop 192.0.2.63 attribute [ 0x1a 0x80 0x0100000b0000000000000064 ];
            # MED (4) of 5 octets
            route 10.63.10.0/24 next-hop 192.0.2.63 attribute [ 0x04 0x80 0x0000000100 ];
            # LOCAL_PREF (5) from an external peer
            route 10.63.11.0/24 next-hop 192.0.2.63 attribute [ 0x05 0x40 0x00000064 ];
            # Only-to-Customer (35, RFC 9234), unknown to us: carried as optional transitive
            route 10.63.12.0/24 next-hop 192.0.2.63 attribute [ 0x23 0xc0 0x0000fde8 ];
            # a private optional transitive attribute with the Partial bit
            route 10.63.14.0/24 next-hop 192.0.2.63 attribute [ 0x80 0xe0 0x01 ];
          }
        }
        """);
    try (BgpSpeaker speaker =
        BgpSpeaker.start(65064, new InetSocketAddress(ip("127.0.63.1"), 0), Transport.best())) {
      PeerSpec spec = InteropSupport.peer("127.0.63.1", 65064, "127.0.63.2", 179, 65063);
      speaker.addPeer(
          InteropSupport.open(
              new PeerSpec(spec.remote(), spec.localAddress(), spec.config(), true, null, 0)));
      try (Daemon exabgp = ExabgpInteropIT.exabgp(dir, speaker)) {
        InteropSupport.Details details =
            () -> InteropSupport.status(speaker) + "\nexabgp output: " + exabgp.output();
        await(
            Duration.ofSeconds(30),
            () ->
                InteropSupport.state(speaker) == State.ESTABLISHED
                    && speaker.received(ip("127.0.63.2")).size() == 10,
            details);
        List<ReceivedRoute> received = speaker.received(ip("127.0.63.2"));
        assertThat(received)
            .extracting(r -> r.nlri().prefix().toString())
            .as("the treat-as-withdraw routes are not kept")
            .containsExactlyInAnyOrder(
                "10.63.0.0/24",
                "10.63.2.0/24",
                "10.63.3.0/24",
                "10.63.4.0/24",
                "10.63.6.0/24",
                "10.63.7.0/24",
                "10.63.9.0/24",
                "10.63.11.0/24",
                "10.63.12.0/24",
                "10.63.14.0/24");
        assertThat(route(received, "10.63.2.0/24").attributes())
            .as("attribute discard: the route stays, the attribute goes")
            .noneMatch(a -> a instanceof PathAttribute.AtomicAggregate);
        assertThat(route(received, "10.63.3.0/24").attributes())
            .noneMatch(
                a -> a instanceof PathAttribute.Aggregator || a instanceof PathAttribute.Unknown);
        assertThat(route(received, "10.63.11.0/24").attributes())
            .noneMatch(a -> a instanceof PathAttribute.LocalPref);
        assertThat(route(received, "10.63.12.0/24").attribute(PathAttribute.Unknown.class))
            .hasValueSatisfying(u -> assertThat(u.typeCode()).isEqualTo(35));
        List<RibEntry> loc = speaker.routes();
        assertThat(entry(loc, "10.63.6.0/24").best().attributes().originatorId())
            .as("ORIGINATOR_ID from an external peer is not imported")
            .isNegative();
        assertThat(entry(loc, "10.63.7.0/24").best().attributes().clusterList()).isEmpty();
        assertThat(speaker.peers().getFirst().lastError()).startsWith("treat-as-withdraw");

        var since = speaker.peers().getFirst().since();
        Thread.sleep(3500);
        assertThat(InteropSupport.state(speaker)).isEqualTo(State.ESTABLISHED);
        assertThat(speaker.peers().getFirst().since()).isEqualTo(since);
      }
    }
  }

  private static ReceivedRoute route(List<ReceivedRoute> routes, String prefix) {
    return routes.stream()
        .filter(r -> r.nlri().prefix().equals(Prefix.parse(prefix)))
        .findFirst()
        .orElseThrow();
  }

  private static RibEntry entry(List<RibEntry> entries, String prefix) {
    return entries.stream()
        .filter(e -> e.prefix().equals(Prefix.parse(prefix)))
        .findFirst()
        .orElseThrow(() -> new AssertionError(prefix + " not in the Loc-RIB: " + entries));
  }
}
