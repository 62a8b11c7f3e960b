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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our speaker (127.0.2.21) as route reflector (RFC 4456) for two GoBGP clients (127.0.2.22 and .23,
 * each with its API), all in AS 65220, on free ports. The clients only peer with us; each
 * originates a route with its own documentation-range next hop, and must learn the other's with
 * ORIGINATOR_ID set to the originating client, our cluster id in CLUSTER_LIST, and the next hop
 * untouched.
 */
@Timeout(120)
class GobgpRouteReflectorIT {
  // Free ports, bound to 0 and released at the start of the test.
  private int ourPort;
  private int gobgpA;
  private int gobgpB;
  private int apiA;
  private int apiB;

  static final String CLUSTER = "10.220.220.220";

  String config(String self, int port) {
    return GobgpConfig.global(65220, self, port)
        .neighbor(GobgpConfig.Neighbor.of("127.0.2.21", 65220, ourPort))
        .render();
  }

  Daemon gobgpd(Path dir, String name, String self, int port, int api) throws Exception {
    Path d = Files.createDirectory(dir.resolve(name));
    Files.writeString(d.resolve("gobgpd.toml"), config(self, port));
    return Daemon.start(
        name,
        d,
        List.of(GobgpInteropIT.GOBGPD, "-f", "gobgpd.toml", "--api-hosts", "127.0.0.1:" + api),
        Map.of());
  }

  static String cli(int api, String... args) throws Exception {
    return GobgpInteropIT.runAt("127.0.0.1", api, args);
  }

  @Test
  void reflectsRoutesBetweenTwoGobgpClients(@TempDir Path dir) throws Exception {
    Daemon.require(GobgpInteropIT.GOBGPD);
    Daemon.require(GobgpInteropIT.GOBGP);
    ourPort = InteropSupport.freePort("127.0.2.21");
    gobgpA = InteropSupport.freePort("127.0.2.22");
    gobgpB = InteropSupport.freePort("127.0.2.23");
    apiA = InteropSupport.freePort("127.0.0.1");
    apiB = InteropSupport.freePort("127.0.0.1");
    SpeakerConfig config =
        SpeakerConfig.of(
                65220,
                ip("127.0.2.21"),
                new InetSocketAddress(ip("127.0.2.21"), ourPort),
                Transport.best())
            .withClusterId(ip(CLUSTER));
    try (BgpSpeaker rr = BgpSpeaker.start(config);
        Daemon a = gobgpd(dir, "gobgp-a", "127.0.2.22", gobgpA, apiA);
        Daemon b = gobgpd(dir, "gobgp-b", "127.0.2.23", gobgpB, apiB)) {
      rr.addPeer(
          Neighbor.of(peer("127.0.2.21", 65220, "127.0.2.22", gobgpA, 65220)).asReflectorClient());
      rr.addPeer(
          Neighbor.of(peer("127.0.2.21", 65220, "127.0.2.23", gobgpB, 65220)).asReflectorClient());
      InteropSupport.Details details =
          () ->
              InteropSupport.status(rr)
                  + "\ngobgp-a rib: "
                  + cli(apiA, "-j", "global", "rib", "-a", "ipv4")
                  + "\ngobgp-b rib: "
                  + cli(apiB, "-j", "global", "rib", "-a", "ipv4")
                  + "\ngobgp-a output: "
                  + a.output()
                  + "\ngobgp-b output: "
                  + b.output();
      // GoBGP drops routes with a loopback next hop: originate with documentation addresses.
      await(
          Duration.ofSeconds(15),
          () ->
              cli(
                      apiA,
                      "global",
                      "rib",
                      "-a",
                      "ipv4",
                      "add",
                      "10.222.0.0/24",
                      "nexthop",
                      "192.0.2.22")
                  .isBlank(),
          details);
      await(
          Duration.ofSeconds(15),
          () ->
              cli(
                      apiB,
                      "global",
                      "rib",
                      "-a",
                      "ipv4",
                      "add",
                      "10.223.0.0/24",
                      "nexthop",
                      "192.0.2.23")
                  .isBlank(),
          details);
      await(
          Duration.ofSeconds(30),
          () -> rr.peers().stream().allMatch(p -> p.state() == State.ESTABLISHED),
          details);

      await(
          Duration.ofSeconds(20),
          () -> cli(apiA, "-j", "neighbor", "127.0.2.21", "adj-in").contains("10.223.0.0/24"),
          details);
      await(
          Duration.ofSeconds(20),
          () -> cli(apiB, "-j", "neighbor", "127.0.2.21", "adj-in").contains("10.222.0.0/24"),
          details);
      String atA = cli(apiA, "-j", "neighbor", "127.0.2.21", "adj-in", "10.223.0.0/24");
      assertThat(atA)
          .as("b's route at a: ORIGINATOR_ID b, CLUSTER_LIST ours, next hop b's: %s", atA)
          .contains("{\"type\":9,\"value\":\"127.0.2.23\"}")
          .contains("{\"type\":10,\"value\":[\"" + CLUSTER + "\"]}")
          .contains("\"nexthop\":\"192.0.2.23\"");
      String atB = cli(apiB, "-j", "neighbor", "127.0.2.21", "adj-in", "10.222.0.0/24");
      assertThat(atB)
          .as("a's route at b: %s", atB)
          .contains("{\"type\":9,\"value\":\"127.0.2.22\"}")
          .contains("{\"type\":10,\"value\":[\"" + CLUSTER + "\"]}")
          .contains("\"nexthop\":\"192.0.2.22\"");
      // Each client's own route is not reflected back to it (GoBGP lists the prefix, with no path,
      // after our split-horizon withdrawal).
      assertThat(cli(apiA, "-j", "neighbor", "127.0.2.21", "adj-in"))
          .doesNotContain("\"10.222.0.0/24\":[{");
      // And the reflected route is usable: it is b's best path in its global RIB.
      assertThat(cli(apiB, "-j", "global", "rib", "-a", "ipv4", "10.222.0.0/24"))
          .contains("\"best\":true");
    }
  }
}
