package dev.netctl.bgp.interop;

import static dev.netctl.bgp.interop.InteropSupport.await;
import static dev.netctl.bgp.interop.InteropSupport.ip;
import static dev.netctl.bgp.interop.InteropSupport.state;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.codec.Nlri;
import dev.netctl.bgp.codec.PathAttribute;
import dev.netctl.bgp.fsm.State;
import dev.netctl.bgp.session.PeerSpec;
import dev.netctl.bgp.session.Transport;
import dev.netctl.bgp.speaker.BgpSpeaker;
import dev.netctl.bgp.speaker.ReceivedRoute;
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
 * ExaBGP (127.0.0.58) connects to our listener (127.0.0.57, a free port) and injects raw
 * attributes: an unknown optional transitive one that must be carried, and a COMMUNITIES attribute
 * of 3 octets that RFC 7606 §7.8 handles as treat-as-withdraw without resetting the session.
 */
@Timeout(90)
class ExabgpInteropIT {
  static final String EXABGP = "/usr/sbin/exabgp";

  /**
   * ExaBGP with {@code dir}'s exabgp.conf, connecting to our listener's port and listening on none
   * itself.
   */
  static Daemon exabgp(Path dir, BgpSpeaker speaker) throws Exception {
    Map<String, String> env =
        Map.of(
            "exabgp.tcp.port", Integer.toString(speaker.listenAddress().getPort()),
            "exabgp.tcp.bind", "", // do not listen
            "exabgp.daemon.user", "root",
            "exabgp.log.destination", "stdout",
            "exabgp.api.cli", "false");
    return Daemon.start("exabgp", dir, List.of(EXABGP, dir.resolve("exabgp.conf").toString()), env);
  }

  /** Our side of ExaBGP's session: passive, so the remote port is never dialled. */
  private static PeerSpec passive(
      String local,
      long localAs,
      String remote,
      long remoteAs,
      java.util.function.UnaryOperator<dev.netctl.bgp.fsm.PeerConfig> config) {
    PeerSpec spec = InteropSupport.peer(local, localAs, remote, 179, remoteAs);
    return new PeerSpec(
        spec.remote(), spec.localAddress(), config.apply(spec.config()), true, null, 0);
  }

  @Test
  void malformedCommunitiesAreTreatedAsWithdrawAndSessionStaysUp(@TempDir Path dir)
      throws Exception {
    Daemon.require(EXABGP);
    Files.writeString(
        dir.resolve("exabgp.conf"),
        """
        neighbor 127.0.0.57 {
          router-id 127.0.0.58;
          local-address 127.0.0.58;
          local-as 65058;
          peer-as 65051;
          hold-time 9;
          family { ipv4 unicast; }
          static {
            # type 99, optional transitive, 2 octets: unknown, must be carried
            route 10.58.0.0/16 next-hop 192.0.2.58 attribute [ 0x63 0xc0 0x0102 ];
            # COMMUNITIES (type 8) of 3 octets: malformed
            route 10.58.1.0/24 next-hop 192.0.2.58 attribute [ 0x08 0xc0 0x010203 ];
            route 10.58.2.0/24 next-hop 192.0.2.58;
          }
        }
        """);
    try (BgpSpeaker speaker =
        BgpSpeaker.start(65051, new InetSocketAddress(ip("127.0.0.57"), 0), Transport.best())) {
      speaker.addPeer(
          InteropSupport.open(passive("127.0.0.57", 65051, "127.0.0.58", 65058, c -> c)));
      try (Daemon exabgp = exabgp(dir, speaker)) {
        InteropSupport.Details details =
            () -> InteropSupport.status(speaker) + "\nexabgp output: " + exabgp.output();
        await(Duration.ofSeconds(30), () -> state(speaker) == State.ESTABLISHED, details);
        await(
            Duration.ofSeconds(20), () -> speaker.received(ip("127.0.0.58")).size() == 2, details);
        List<ReceivedRoute> routes = speaker.received(ip("127.0.0.58"));
        assertThat(routes)
            .extracting(ReceivedRoute::nlri)
            .containsExactlyInAnyOrder(Nlri.of("10.58.0.0/16"), Nlri.of("10.58.2.0/24"));
        ReceivedRoute carried =
            routes.stream()
                .filter(r -> r.nlri().equals(Nlri.of("10.58.0.0/16")))
                .findFirst()
                .orElseThrow();
        PathAttribute.Unknown unknown =
            carried.attribute(PathAttribute.Unknown.class).orElseThrow();
        assertThat(unknown.typeCode()).isEqualTo(0x63);
        assertThat(unknown.isOptionalTransitive()).isTrue();
        assertThat(unknown.value()).containsExactly(0x01, 0x02);
        assertThat(speaker.peers().getFirst().lastError())
            .startsWith("treat-as-withdraw: ATTRIBUTE_LENGTH_ERROR(3/5) data=c00803010203");
        // No NOTIFICATION: the same session is still up after a couple of keepalive rounds.
        var since = speaker.peers().getFirst().since();
        Thread.sleep(3500);
        assertThat(state(speaker)).isEqualTo(State.ESTABLISHED);
        assertThat(speaker.peers().getFirst().since()).isEqualTo(since);
        assertThat(exabgp.output()).doesNotContain("NOTIFICATION");
      }
    }
  }

  /**
   * ExaBGP (127.0.0.60, AS 65060, IPv4 unicast only) sends a route whose AS_PATH starts with
   * another AS, as a route server's would, to a neighbour that enforces the first AS (RFC 4271
   * §6.3), and an IPv4 route carrying, as a raw attribute, an MP_REACH_NLRI of IPv6 unicast, a
   * family the session did not negotiate (RFC 4760 §8). Our speaker on 127.0.0.59.
   */
  @Test
  void aFirstAsOfAnotherAsAndRoutesOfAFamilyNotNegotiatedAreDroppedAndTheSessionStaysUp(
      @TempDir Path dir) throws Exception {
    Daemon.require(EXABGP);
    Files.writeString(
        dir.resolve("exabgp.conf"),
        """
        neighbor 127.0.0.59 {
          router-id 127.0.0.60;
          local-address 127.0.0.60;
          local-as 65060;
          peer-as 65059;
          hold-time 9;
          family { ipv4 unicast; }
          static {
            route 10.60.0.0/16 next-hop 192.0.2.60 as-path [ 65060 65099 ];
            # a route server's: its client's AS first
            route 10.60.1.0/24 next-hop 192.0.2.60 as-path [ 65099 ];
            # MP_REACH_NLRI (type 14, optional): IPv6 unicast, next hop 2001:db8::60, 2001:db8:60::/48
            route 10.60.2.0/24 next-hop 192.0.2.60 as-path [ 65060 ] attribute [ 0x0e 0x80 0x0002011020010db8000000000000000000000060003020010db80060 ];
          }
        }
        """);
    try (BgpSpeaker speaker =
        BgpSpeaker.start(65059, new InetSocketAddress(ip("127.0.0.59"), 0), Transport.best())) {
      speaker.addPeer(
          InteropSupport.open(
              passive("127.0.0.59", 65059, "127.0.0.60", 65060, c -> c.withEnforceFirstAs(true))));
      try (Daemon exabgp = exabgp(dir, speaker)) {
        InteropSupport.Details details =
            () -> InteropSupport.status(speaker) + "\nexabgp output: " + exabgp.output();
        await(Duration.ofSeconds(30), () -> state(speaker) == State.ESTABLISHED, details);
        await(
            Duration.ofSeconds(20),
            () ->
                speaker.received(ip("127.0.0.60")).size() == 2
                    && !speaker.peers().getFirst().lastError().isEmpty()
                    && !speaker.peers().getFirst().notices().isEmpty(),
            details);
        assertThat(speaker.received(ip("127.0.0.60")))
            .extracting(ReceivedRoute::nlri)
            .as("the route server's route withdrawn, the IPv6 one ignored")
            .containsExactlyInAnyOrder(Nlri.of("10.60.0.0/16"), Nlri.of("10.60.2.0/24"));
        assertThat(speaker.routes())
            .extracting(e -> e.prefix().toString())
            .doesNotContain("2001:db8:60::/48", "10.60.1.0/24");
        assertThat(speaker.peers().getFirst().lastError())
            .startsWith(
                "treat-as-withdraw: MALFORMED_AS_PATH(3/11): AS_PATH starts with AS 65099, not the"
                    + " external peer's AS 65060");
        assertThat(speaker.peers().getFirst().notices())
            .contains("ipv6 unicast routes received but not negotiated: ignored");
        var since = speaker.peers().getFirst().since();
        Thread.sleep(3500);
        assertThat(state(speaker)).isEqualTo(State.ESTABLISHED);
        assertThat(speaker.peers().getFirst().since()).isEqualTo(since);
        assertThat(exabgp.output()).doesNotContain("NOTIFICATION");
      }
    }
  }
}
