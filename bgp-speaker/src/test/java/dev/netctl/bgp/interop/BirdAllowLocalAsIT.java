package dev.netctl.bgp.interop;

import static dev.netctl.bgp.interop.InteropSupport.await;
import static dev.netctl.bgp.interop.InteropSupport.ip;
import static dev.netctl.bgp.interop.InteropSupport.peer;
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
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Our AS in routes from BIRD (127.0.0.54) to our speaker (127.0.0.53, AS 65053) allowed once:
 * BIRD's export filter puts it into the AS_PATH once for one route and twice for another. Over an
 * external session (BIRD in AS 65054) and an internal one (BIRD in our AS): iBGP does not prepend,
 * so our AS there came back from outside, and BIRD and FRR check internal routes for it too.
 */
@Timeout(90)
class BirdAllowLocalAsIT {

  @ParameterizedTest(name = "BIRD in AS {0}")
  @ValueSource(longs = {65054, 65053})
  void aRouteWithOurAsOnceIsKeptAndTwiceIsALoop(long birdAs, @TempDir Path dir) throws Exception {
    Daemon.require(BirdInteropIT.BIRD);
    Path sock = dir.resolve("bird.sock");
    int birdPort = InteropSupport.freePort("127.0.0.54");
    try (BgpSpeaker speaker =
            BgpSpeaker.start(65053, new InetSocketAddress(ip("127.0.0.53"), 0), Transport.best());
        Daemon bird =
            Daemon.start(
                "bird",
                writeConfig(dir, birdPort, birdAs, speaker.listenAddress().getPort()),
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
      PeerSpec spec = peer("127.0.0.53", 65053, "127.0.0.54", birdPort, birdAs);
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
      // All three in the Adj-RIB-In (which keeps routes as received, loops too), and the two that
      // are no loop selected.
      await(
          Duration.ofSeconds(20),
          () ->
              speaker.peers().getFirst().receivedPrefixes() == 3
                  && speaker.bestRoutes().stream()
                          .filter(r -> r.nlri().prefix().toString().startsWith("10.5"))
                          .count()
                      == 2,
          details);
      assertThat(speaker.peers().getFirst().internal()).isEqualTo(birdAs == 65053);
      await(
          Duration.ofSeconds(10),
          () -> speaker.peers().getFirst().loopedPrefixes() == 1,
          details); // the route with our AS twice
      List<ReceivedRoute> received = speaker.received(ip("127.0.0.54"));
      assertThat(received)
          .extracting(ReceivedRoute::nlri)
          .as("%s", details.get())
          .containsExactlyInAnyOrder(Nlri.of("10.54.0.0/16"), Nlri.of("10.55.0.0/16"));
      ReceivedRoute once =
          received.stream()
              .filter(r -> r.nlri().equals(Nlri.of("10.54.0.0/16")))
              .findFirst()
              .orElseThrow();
      assertThat(once.attribute(PathAttribute.AsPath.class))
          .as("BIRD prepends its AS toward an external peer only")
          .contains(
              birdAs == 65053
                  ? PathAttribute.AsPath.sequence(65053)
                  : PathAttribute.AsPath.sequence(65054, 65053));
      assertThat(speaker.bestRoutes())
          .extracting(r -> r.nlri())
          .contains(Nlri.of("10.54.0.0/16"))
          .doesNotContain(Nlri.of("10.56.0.0/16"));
    }
  }

  static Path writeConfig(Path dir, int birdPort, long birdAs, int ourPort)
      throws java.io.IOException {
    Files.writeString(
        dir.resolve("bird.conf"),
        """
        router id 127.0.0.54;
        protocol device {}
        protocol static s4 {
          ipv4;
          route 10.54.0.0/16 blackhole;   # our AS once in its path
          route 10.56.0.0/16 blackhole;   # twice
          route 10.55.0.0/16 blackhole;   # not at all
        }
        protocol bgp netctl {
          local 127.0.0.54 port %d as %d;
          neighbor 127.0.0.53 port %d as 65053;
          strict bind yes;
          multihop;
          hold time 9;
          connect retry time 1;
          ipv4 {
            import none;
            export filter {
              if net = 10.54.0.0/16 then bgp_path.prepend(65053);
              if net = 10.56.0.0/16 then { bgp_path.prepend(65053); bgp_path.prepend(65053); }
              accept;
            };
          };
        }
        """
            .formatted(birdPort, birdAs, ourPort));
    return dir;
  }
}
