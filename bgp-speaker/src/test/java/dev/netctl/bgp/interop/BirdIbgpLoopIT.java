package dev.netctl.bgp.interop;

import static dev.netctl.bgp.interop.InteropSupport.await;
import static dev.netctl.bgp.interop.InteropSupport.ip;
import static dev.netctl.bgp.interop.InteropSupport.peer;
import static dev.netctl.bgp.interop.InteropSupport.state;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.codec.Nlri;
import dev.netctl.bgp.fsm.State;
import dev.netctl.bgp.session.PeerSpec;
import dev.netctl.bgp.session.Transport;
import dev.netctl.bgp.speaker.BgpSpeaker;
import dev.netctl.bgp.speaker.PeerStatus;
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
 * The AS_PATH loop check on an internal session, as BIRD and FRR do it: BIRD (127.0.23.2) and our
 * speaker (127.0.23.1) are both in AS 65023, and BIRD's export filter puts our AS into the path of
 * one route once and of another twice (as a route that left the AS and came back would carry it).
 * The neighbour may send our AS once, so the second route is a loop: kept in the Adj-RIB-In as
 * sent, counted as looped in the peer's status, and neither used nor listed as received.
 */
@Timeout(90)
class BirdIbgpLoopIT {
  private static final long AS = 65023;

  @Test
  void anInternalPeersRouteWithOurAsMoreOftenThanAllowedIsALoop(@TempDir Path dir)
      throws Exception {
    Daemon.require(BirdInteropIT.BIRD);
    Path sock = dir.resolve("bird.sock");
    int birdPort = InteropSupport.freePort("127.0.23.2");
    try (BgpSpeaker speaker =
            BgpSpeaker.start(AS, new InetSocketAddress(ip("127.0.23.1"), 0), Transport.best());
        Daemon bird =
            Daemon.start(
                "bird",
                writeConfig(dir, birdPort, speaker.listenAddress().getPort()),
                List.of(
                    BirdInteropIT.BIRD,
                    "-f",
                    "-c",
                    "bird.conf",
                    "-s",
                    sock.toString(),
                    "-P",
                    "bird.pid"),
                Map.of())) {
      PeerSpec spec = peer("127.0.23.1", AS, "127.0.23.2", birdPort, AS);
      speaker.addPeer(
          InteropSupport.open(
              new PeerSpec(
                  spec.remote(),
                  spec.localAddress(),
                  spec.config().withAllowLocalAs(1),
                  false,
                  null,
                  0)));
      InteropSupport.Details details =
          () ->
              InteropSupport.status(speaker)
                  + "\nbirdc: "
                  + Daemon.run(
                      Duration.ofSeconds(5),
                      List.of(
                          BirdInteropIT.BIRDC,
                          "-s",
                          sock.toString(),
                          "show",
                          "route",
                          "export",
                          "netctl",
                          "all"))
                  + "\nbird output: "
                  + bird.output();
      await(Duration.ofSeconds(30), () -> state(speaker) == State.ESTABLISHED, details);
      await(
          Duration.ofSeconds(20),
          () -> {
            PeerStatus p = speaker.peers().getFirst();
            return p.receivedPrefixes() == 3 && p.loopedPrefixes() == 1;
          },
          details);
      PeerStatus status = speaker.peers().getFirst();
      assertThat(status.internal()).as("an iBGP session").isTrue();
      assertThat(speaker.received(ip("127.0.23.2")))
          .extracting(ReceivedRoute::nlri)
          .as("the loop is not listed as received: %s", details.get())
          .containsExactlyInAnyOrder(Nlri.of("10.23.1.0/24"), Nlri.of("10.23.0.0/24"));
      await(
          Duration.ofSeconds(10),
          () ->
              speaker.bestRoutes().stream()
                      .filter(r -> r.nlri().prefix().toString().startsWith("10.23."))
                      .count()
                  == 2,
          details);
      assertThat(speaker.bestRoutes())
          .extracting(r -> r.nlri())
          .as("our AS once is allowed, twice is a loop")
          .contains(Nlri.of("10.23.1.0/24"), Nlri.of("10.23.0.0/24"))
          .doesNotContain(Nlri.of("10.23.2.0/24"));
    }
  }

  static Path writeConfig(Path dir, int birdPort, int ourPort) throws java.io.IOException {
    Files.writeString(
        dir.resolve("bird.conf"),
        """
        router id 127.0.23.2;
        protocol device {}
        protocol static s4 {
          ipv4;
          route 10.23.0.0/24 blackhole;   # our AS not in its path
          route 10.23.1.0/24 blackhole;   # once
          route 10.23.2.0/24 blackhole;   # twice
        }
        protocol bgp netctl {
          local 127.0.23.2 port %d as 65023;
          neighbor 127.0.23.1 port %d as 65023;
          strict bind yes;
          hold time 9;
          connect retry time 1;
          ipv4 {
            import none;
            export filter {
              if net = 10.23.1.0/24 then bgp_path.prepend(65023);
              if net = 10.23.2.0/24 then { bgp_path.prepend(65023); bgp_path.prepend(65023); }
              accept;
            };
          };
        }
        """
            .formatted(birdPort, ourPort));
    return dir;
  }
}
