package dev.netctl.bgp.interop;

import static dev.netctl.bgp.interop.InteropSupport.await;
import static dev.netctl.bgp.interop.InteropSupport.ip;
import static dev.netctl.bgp.interop.InteropSupport.peer;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.codec.Nlri;
import dev.netctl.bgp.codec.PathAttribute;
import dev.netctl.bgp.fsm.State;
import dev.netctl.bgp.session.Transport;
import dev.netctl.bgp.speaker.BgpSpeaker;
import dev.netctl.bgp.speaker.ReceivedRoute;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Routes in transit between a peer without the 4-octet AS capability and one with it (RFC 6793):
 * {@link FourOctetAsIT} covers our own 4-octet AS toward a 2-octet ExaBGP; here our AS is a 2-octet
 * one, and the 4-octet ASNs are other ASes' in the paths we pass on. BIRD A (127.0.47.2, AS 65471)
 * runs with {@code enable as4 off}; BIRD B (127.0.47.3, AS 4200000472) with it; us 127.0.47.1, AS
 * 65470.
 */
@Timeout(90)
class TwoOctetAsTransitIT {
  static final String US = "127.0.47.1";

  static String bird(String address, int port, long as, int ourPort, String prefix, String extra) {
    return BirdConfig.routerId(address)
        .raw(
            """
            protocol static s4 { ipv4; route %s blackhole; }
            """
                .formatted(prefix))
        .bgp("netctl", port, as, US, ourPort, 65470)
        .multihop()
        .channel(extra)
        .render();
  }

  @Test
  void fourOctetAsnsCrossATwoOctetPeerInAs4PathBothWays(@TempDir Path dir) throws Exception {
    Daemon.require(BirdInteropIT.BIRD);
    Daemon.require(BirdInteropIT.BIRDC);
    int ours = InteropSupport.freePort(US);
    int portA = InteropSupport.freePort("127.0.47.2");
    int portB = InteropSupport.freePort("127.0.47.3");
    // A's route leaves A with a 4-octet ASN behind A's own: AS_PATH [65471 23456] and AS4_PATH
    // [65471 4200000999] on the wire, as A has no 4-octet session.
    String a =
        bird(
            "127.0.47.2",
            portA,
            65471,
            ours,
            "10.47.2.0/24",
            """
            enable as4 off;
              ipv4 { import all; export filter { if proto = "s4" then { bgp_path.prepend(4200000999); accept; } reject; }; };
            """);
    String b =
        bird(
            "127.0.47.3",
            portB,
            4_200_000_472L,
            ours,
            "10.47.3.0/24",
            "ipv4 { import all; export where proto = \"s4\"; };");
    try (BgpSpeaker speaker =
        BgpSpeaker.start(65470, new InetSocketAddress(ip(US), ours), Transport.best())) {
      speaker.addPeer(InteropSupport.open(peer(US, 65470, "127.0.47.2", portA, 65471)));
      speaker.addPeer(InteropSupport.open(peer(US, 65470, "127.0.47.3", portB, 4_200_000_472L)));
      try (Daemon birdA = BirdConfig.start(dir, "a", a);
          Daemon birdB = BirdConfig.start(dir, "b", b)) {
        InteropSupport.Details details =
            () ->
                InteropSupport.status(speaker)
                    + "\na: "
                    + BirdConfig.netctlProtocol(dir, "a")
                    + BirdConfig.netctlRoutes(dir, "a")
                    + "\nb: "
                    + BirdConfig.netctlProtocol(dir, "b")
                    + BirdConfig.netctlRoutes(dir, "b")
                    + birdA.output();
        await(
            Duration.ofSeconds(40),
            () ->
                speaker.peers().stream().allMatch(p -> p.state() == State.ESTABLISHED)
                    && BirdConfig.netctlRoutes(dir, "a").contains("10.47.3.0/24")
                    && BirdConfig.netctlRoutes(dir, "b").contains("10.47.2.0/24"),
            details);
        String protocol = BirdConfig.netctlProtocol(dir, "a");
        assertThat(
                protocol.substring(
                    protocol.indexOf("Local capabilities"),
                    protocol.indexOf("Neighbor capabilities")))
            .as("A does not offer the 4-octet capability, so the session runs without it")
            .isNotEmpty()
            .doesNotContain("4-octet AS numbers");

        ReceivedRoute fromA =
            speaker.received(ip("127.0.47.2")).stream()
                .filter(r -> r.nlri().equals(Nlri.of("10.47.2.0/24")))
                .findFirst()
                .orElseThrow();
        assertThat(fromA.attribute(PathAttribute.AsPath.class))
            .as("AS_TRANS in A's AS_PATH replaced from its AS4_PATH (RFC 6793 §4.2.3)")
            .contains(PathAttribute.AsPath.sequence(65471, 4_200_000_999L));
        assertThat(fromA.attribute(PathAttribute.As4Path.class)).isEmpty();

        assertThat(BirdConfig.netctlRoutes(dir, "b"))
            .as("a 4-octet peer gets the whole path in AS_PATH")
            .contains("BGP.as_path: 65470 65471 4200000999")
            .doesNotContain("23456");
        assertThat(BirdConfig.netctlRoutes(dir, "a"))
            .as("the 2-octet peer rebuilds B's 4-octet AS from the AS4_PATH we send")
            .contains("BGP.as_path: 65470 4200000472")
            .doesNotContain("23456");
      }
    }
  }
}
