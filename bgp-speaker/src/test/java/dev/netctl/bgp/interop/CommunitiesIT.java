package dev.netctl.bgp.interop;

import static dev.netctl.bgp.interop.InteropSupport.await;
import static dev.netctl.bgp.interop.InteropSupport.ip;
import static dev.netctl.bgp.interop.InteropSupport.peer;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.codec.PathAttribute;
import dev.netctl.bgp.codec.Prefix;
import dev.netctl.bgp.fsm.State;
import dev.netctl.bgp.policy.Action;
import dev.netctl.bgp.policy.Policy;
import dev.netctl.bgp.policy.Statement;
import dev.netctl.bgp.policy.Verdict;
import dev.netctl.bgp.rib.RoutePolicy;
import dev.netctl.bgp.session.Transport;
import dev.netctl.bgp.speaker.BgpSpeaker;
import dev.netctl.bgp.speaker.Neighbor;
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
 * Communities (RFC 1997) and large communities (RFC 8092) kept end to end: BIRD (127.0.2.72, AS
 * 65272) sends a tagged route through our speaker (127.0.2.71, AS 65271) to GoBGP (127.0.2.73, AS
 * 65273), and the tags of a route we originate reach both daemons.
 */
@Timeout(120)
class CommunitiesIT {
  // Free ports, bound to 0 and released at the start of the test.
  private int gobgpApi;
  private int ourPort;
  private int birdPort;
  private int gobgpPort;

  String gobgp(String... args) throws Exception {
    return GobgpInteropIT.runAt("127.0.0.1", gobgpApi, args);
  }

  @Test
  void communitiesAndLargeCommunitiesCrossOurSpeakerUnchanged(@TempDir Path dir) throws Exception {
    Daemon.require(BirdInteropIT.BIRD);
    Daemon.require(GobgpInteropIT.GOBGPD);
    Daemon.require(GobgpInteropIT.GOBGP);
    gobgpApi = InteropSupport.freePort("127.0.0.1");
    ourPort = InteropSupport.freePort("127.0.2.71");
    birdPort = InteropSupport.freePort("127.0.2.72");
    gobgpPort = InteropSupport.freePort("127.0.2.73");
    String birdConfig =
        BirdConfig.routerId("127.0.2.72")
            .raw(
                """
                protocol static s4 {
                  ipv4 { import filter {
                    bgp_community.add((65272, 7));
                    bgp_large_community.add((65272, 1, 2));
                    accept; }; };
                  route 10.172.0.0/16 blackhole;
                }
                """)
            .bgp("netctl", birdPort, 65272, "127.0.2.71", ourPort, 65271)
            .multihop()
            .channel("ipv4 { import all; export where proto = \"s4\"; };")
            .render();
    Path g = Files.createDirectory(dir.resolve("gobgp"));
    Files.writeString(
        g.resolve("gobgpd.toml"),
        GobgpConfig.global(65273, "127.0.2.73", gobgpPort)
            .neighbor(GobgpConfig.Neighbor.of("127.0.2.71", 65271, ourPort))
            .render());
    // GoBGP ignores loopback next hops: toward it, advertise a documentation address.
    RoutePolicy toGobgp =
        new Policy(
            "to-gobgp",
            List.of(
                new Statement(
                    List.of(), List.of(Action.SetNextHop.to(ip("192.0.2.71"))), Verdict.ACCEPT)),
            Verdict.REJECT);
    try (BgpSpeaker speaker =
            BgpSpeaker.start(
                65271, new InetSocketAddress(ip("127.0.2.71"), ourPort), Transport.best());
        Daemon bird = BirdConfig.start(dir, "bird", birdConfig);
        Daemon gobgpd =
            Daemon.start(
                "gobgpd",
                g,
                List.of(
                    GobgpInteropIT.GOBGPD,
                    "-f",
                    "gobgpd.toml",
                    "--api-hosts",
                    "127.0.0.1:" + gobgpApi),
                Map.of())) {
      speaker.originate(
          Prefix.parse("10.171.0.0/16"),
          null,
          List.of(
              new PathAttribute.Communities(List.of((65271 << 16) | 9)),
              new PathAttribute.LargeCommunities(
                  List.of(new PathAttribute.LargeCommunity(65271, 3, 4)))));
      speaker.addPeer(
          InteropSupport.open(peer("127.0.2.71", 65271, "127.0.2.72", birdPort, 65272)));
      speaker.addPeer(
          Neighbor.of(peer("127.0.2.71", 65271, "127.0.2.73", gobgpPort, 65273))
              .withPolicies(RoutePolicy.ACCEPT_ALL, toGobgp));
      InteropSupport.Details details =
          () ->
              InteropSupport.status(speaker)
                  + "\nbird: "
                  + BirdConfig.netctlRoutes(dir, "bird")
                  + "\ngobgp rib: "
                  + gobgp("-j", "global", "rib", "-a", "ipv4")
                  + "\nbird output: "
                  + bird.output()
                  + "\ngobgpd output: "
                  + gobgpd.output();
      await(
          Duration.ofSeconds(30),
          () -> speaker.peers().stream().allMatch(p -> p.state() == State.ESTABLISHED),
          details);

      // BIRD's tags, through us, at GoBGP.
      List<String> transit = List.of("-j", "global", "rib", "-a", "ipv4", "10.172.0.0/16");
      await(
          Duration.ofSeconds(20),
          () -> gobgp(transit.toArray(String[]::new)).contains("\"best\":true"),
          details);
      String atGobgp = gobgp(transit.toArray(String[]::new));
      assertThat(atGobgp)
          .as("BIRD's route at GoBGP: %s", atGobgp)
          .contains("\"as_paths\":[{\"segment_type\":2,\"num\":2,\"asns\":[65271,65272]}]")
          .contains("{\"type\":8,\"communities\":[" + ((65272L << 16) | 7) + "]}")
          .contains("{\"type\":32,\"value\":[{\"ASN\":65272,\"LocalData1\":1,\"LocalData2\":2}]}");

      // Our tags at GoBGP and at BIRD.
      List<String> own = List.of("-j", "global", "rib", "-a", "ipv4", "10.171.0.0/16");
      await(
          Duration.ofSeconds(20),
          () -> gobgp(own.toArray(String[]::new)).contains("\"best\":true"),
          details);
      assertThat(gobgp(own.toArray(String[]::new)))
          .contains("{\"type\":8,\"communities\":[" + ((65271L << 16) | 9) + "]}")
          .contains("{\"type\":32,\"value\":[{\"ASN\":65271,\"LocalData1\":3,\"LocalData2\":4}]}");
      await(
          Duration.ofSeconds(20),
          () -> BirdConfig.netctlRoutes(dir, "bird").contains("10.171.0.0/16"),
          details);
      assertThat(BirdConfig.netctlRoutes(dir, "bird"))
          .contains("BGP.community: (65271,9)")
          .contains("BGP.large_community: (65271, 3, 4)");
    }
  }
}
