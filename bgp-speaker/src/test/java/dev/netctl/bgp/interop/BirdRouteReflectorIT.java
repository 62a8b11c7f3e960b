package dev.netctl.bgp.interop;

import static dev.netctl.bgp.interop.InteropSupport.await;
import static dev.netctl.bgp.interop.InteropSupport.ip;
import static dev.netctl.bgp.interop.InteropSupport.peer;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.fsm.State;
import dev.netctl.bgp.session.Transport;
import dev.netctl.bgp.speaker.BgpSpeaker;
import dev.netctl.bgp.speaker.Neighbor;
import dev.netctl.bgp.speaker.SpeakerConfig;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our speaker (127.0.0.81) as route reflector for two BIRD 2 clients (127.0.0.82 and .83), all in
 * AS 65080. The clients only peer with us; each originates a static route and must learn the
 * other's, reflected with ORIGINATOR_ID and CLUSTER_LIST.
 */
@Timeout(120)
class BirdRouteReflectorIT {
  // Free ports, bound to 0 and released at the start of the test.
  private int ourPort;
  private int birdA;
  private int birdB;

  static final String BIRD = "/usr/sbin/bird";
  static final String BIRDC = "/usr/sbin/birdc";

  String config(String self, int port, String route) {
    return BirdConfig.routerId(self)
        .raw(
            """
            protocol static s4 { ipv4; route %s blackhole; }
            # iBGP next hops resolve recursively: make the loopback peers reachable.
            protocol static lo4 { ipv4; route 127.0.0.0/8 via "lo"; }
            """
                .formatted(route))
        .bgp("netctl", port, 65080, "127.0.0.81", ourPort, 65080)
        .channel("ipv4 { import all; export where proto = \"s4\"; };")
        .render();
  }

  Daemon bird(Path dir, String name, String self, int port, String route) throws Exception {
    return BirdConfig.start(dir, name, config(self, port, route));
  }

  static String show(Path dir, String name) throws Exception {
    return BirdConfig.birdc(dir, name, "show", "route", "all", "protocol", "netctl");
  }

  @Test
  void reflectsRoutesBetweenTwoBirdClients(@TempDir Path dir) throws Exception {
    Daemon.require(BIRD);
    ourPort = InteropSupport.freePort("127.0.0.81");
    birdA = InteropSupport.freePort("127.0.0.82");
    birdB = InteropSupport.freePort("127.0.0.83");
    SpeakerConfig config =
        SpeakerConfig.of(
                65080,
                ip("127.0.0.81"),
                new InetSocketAddress(ip("127.0.0.81"), ourPort),
                Transport.best())
            .withClusterId(ip("10.80.80.80"));
    try (BgpSpeaker rr = BgpSpeaker.start(config);
        Daemon a = bird(dir, "bird-a", "127.0.0.82", birdA, "10.82.0.0/24");
        Daemon b = bird(dir, "bird-b", "127.0.0.83", birdB, "10.83.0.0/24")) {
      rr.addPeer(
          Neighbor.of(peer("127.0.0.81", 65080, "127.0.0.82", birdA, 65080)).asReflectorClient());
      rr.addPeer(
          Neighbor.of(peer("127.0.0.81", 65080, "127.0.0.83", birdB, 65080)).asReflectorClient());
      InteropSupport.Details details =
          () ->
              InteropSupport.status(rr)
                  + "\nbird-a: "
                  + show(dir, "bird-a")
                  + "\nbird-b: "
                  + show(dir, "bird-b")
                  + "\nbird-a output: "
                  + a.output()
                  + "\nbird-b output: "
                  + b.output();
      await(
          Duration.ofSeconds(30),
          () -> rr.peers().stream().allMatch(p -> p.state() == State.ESTABLISHED),
          details);
      await(Duration.ofSeconds(20), () -> show(dir, "bird-a").contains("10.83.0.0/24"), details);
      await(Duration.ofSeconds(20), () -> show(dir, "bird-b").contains("10.82.0.0/24"), details);
      String atA = show(dir, "bird-a");
      assertThat(atA).contains("BGP.originator_id: 127.0.0.83");
      assertThat(atA).contains("BGP.cluster_list: 10.80.80.80");
      assertThat(atA).contains("BGP.next_hop: 127.0.0.83");
      String atB = show(dir, "bird-b");
      assertThat(atB).contains("BGP.originator_id: 127.0.0.82");
      assertThat(atB).contains("BGP.next_hop: 127.0.0.82");
    }
  }
}
