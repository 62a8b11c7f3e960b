package dev.netctl.bgp.interop;

import static dev.netctl.bgp.interop.InteropSupport.await;
import static dev.netctl.bgp.interop.InteropSupport.ip;
import static dev.netctl.bgp.interop.InteropSupport.peer;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.codec.Nlri;
import dev.netctl.bgp.codec.PathAttribute;
import dev.netctl.bgp.codec.Prefix;
import dev.netctl.bgp.fsm.State;
import dev.netctl.bgp.rib.PeerKind;
import dev.netctl.bgp.rib.RibEntry;
import dev.netctl.bgp.session.Transport;
import dev.netctl.bgp.speaker.BgpSpeaker;
import dev.netctl.bgp.speaker.Neighbor;
import dev.netctl.bgp.speaker.ReceivedRoute;
import dev.netctl.bgp.speaker.SpeakerConfig;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our speaker (127.0.2.32) as a client of BIRD route reflectors, all in AS 65230, on free ports.
 *
 * <pre>
 *   BIRD client c (127.0.2.33) ── rr1 BIRD (127.0.2.31, cluster 10.230.0.1) ── netctl
 *                                    │ (non-client iBGP)                          │
 *                                  rr2 BIRD (127.0.2.34, cluster 10.230.0.2) ─────┘
 * </pre>
 *
 * Routes of c and netctl cross rr1 with ORIGINATOR_ID and CLUSTER_LIST and the next hop untouched.
 * netctl shares rr2's cluster id, so c's route reflected again by rr2 is a cluster loop it must
 * ignore (RFC 4456 §8). rr2 prefers the copy of netctl's own route that came through rr1, and still
 * must not (and does not) send it back to its originator.
 */
@Timeout(120)
class BirdReflectorClientIT {
  static final String C1 = "10.230.0.1";
  static final String C2 = "10.230.0.2";
  // Free ports, bound to 0 and released at the start of the test.
  private int rr1Port;
  private int ourPort;
  private int clientPort;
  private int rr2Port;

  String rr1() {
    return """
      router id 127.0.2.31;
      protocol device {}
      # iBGP next hops resolve recursively: make the loopback peers reachable.
      protocol static lo4 { ipv4; route 127.0.0.0/8 via "lo"; }
      template bgp peers {
        local 127.0.2.31 port %2$d as 65230;
        strict bind yes;
        hold time 9;
        connect retry time 1;
        ipv4 { import all; export all; };
      }
      protocol bgp netctl from peers {
        neighbor 127.0.2.32 port %3$d as 65230;
        rr client;
        rr cluster id %1$s;
      }
      protocol bgp c from peers {
        neighbor 127.0.2.33 port %4$d as 65230;
        rr client;
        rr cluster id %1$s;
      }
      protocol bgp rr2 from peers {
        neighbor 127.0.2.34 port %5$d as 65230;
      }
      """
        .formatted(C1, rr1Port, ourPort, clientPort, rr2Port);
  }

  String rr2() {
    return """
      router id 127.0.2.34;
      protocol device {}
      protocol static lo4 { ipv4; route 127.0.0.0/8 via "lo"; }
      template bgp peers {
        local 127.0.2.34 port %5$d as 65230;
        strict bind yes;
        hold time 9;
        connect retry time 1;
      }
      protocol bgp netctl from peers {
        neighbor 127.0.2.32 port %3$d as 65230;
        rr client;
        rr cluster id %1$s;
        # Prefer the copy reflected by rr1, so it is the one reflected back to netctl.
        ipv4 { import filter { bgp_local_pref = 50; accept; }; export all; };
      }
      protocol bgp rr1 from peers {
        neighbor 127.0.2.31 port %2$d as 65230;
        ipv4 { import all; export all; };
      }
      """
        .formatted(C2, rr1Port, ourPort, clientPort, rr2Port);
  }

  String client() {
    return BirdConfig.routerId("127.0.2.33")
        .raw(
            """
              protocol static lo4 { ipv4; route 127.0.0.0/8 via "lo"; }
              protocol static s4 { ipv4; route 10.233.0.0/24 blackhole; }
              """)
        .bgp("rr1", clientPort, 65230, "127.0.2.31", rr1Port, 65230)
        .channel("ipv4 { import all; export where proto = \"s4\"; };")
        .render();
  }

  static RibEntry locRib(BgpSpeaker speaker, Prefix prefix) {
    return speaker.routes().stream()
        .filter(e -> e.prefix().equals(prefix))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no Loc-RIB entry for " + prefix));
  }

  @Test
  void learnsReflectedRoutesAndDropsLoops(@TempDir Path dir) throws Exception {
    Daemon.require(BirdInteropIT.BIRD);
    rr1Port = InteropSupport.freePort("127.0.2.31");
    ourPort = InteropSupport.freePort("127.0.2.32");
    clientPort = InteropSupport.freePort("127.0.2.33");
    rr2Port = InteropSupport.freePort("127.0.2.34");
    Prefix own = Prefix.parse("10.232.0.0/24");
    Prefix theirs = Prefix.parse("10.233.0.0/24");
    // Our cluster id is rr2's, as in a redundant reflector pair: what rr2 reflects carries it.
    SpeakerConfig config =
        SpeakerConfig.of(
                65230,
                ip("127.0.2.32"),
                new InetSocketAddress(ip("127.0.2.32"), ourPort),
                Transport.best())
            .withClusterId(ip(C2));
    try (BgpSpeaker speaker = BgpSpeaker.start(config);
        Daemon rr1 = BirdConfig.start(dir, "rr1", rr1());
        Daemon rr2 = BirdConfig.start(dir, "rr2", rr2());
        Daemon c = BirdConfig.start(dir, "c", client())) {
      speaker.originate(own, null, List.of());
      speaker.addPeer(Neighbor.of(peer("127.0.2.32", 65230, "127.0.2.31", rr1Port, 65230)));
      speaker.addPeer(Neighbor.of(peer("127.0.2.32", 65230, "127.0.2.34", rr2Port, 65230)));
      InteropSupport.Details details =
          () ->
              InteropSupport.status(speaker)
                  + "\nloc-rib: "
                  + speaker.routes()
                  + "\nrr1: "
                  + BirdConfig.birdc(dir, "rr1", "show", "route", "all")
                  + BirdConfig.birdc(dir, "rr1", "show", "protocols")
                  + "\nrr2: "
                  + BirdConfig.birdc(dir, "rr2", "show", "route", "all")
                  + BirdConfig.birdc(dir, "rr2", "show", "protocols")
                  + "\nc: "
                  + BirdConfig.birdc(dir, "c", "show", "route", "all")
                  + "\nrr1 output: "
                  + rr1.output()
                  + "\nrr2 output: "
                  + rr2.output()
                  + "\nc output: "
                  + c.output();
      await(
          Duration.ofSeconds(30),
          () -> speaker.peers().stream().allMatch(p -> p.state() == State.ESTABLISHED),
          details);

      // c's route, reflected by rr1.
      await(
          Duration.ofSeconds(20),
          () ->
              speaker.received(ip("127.0.2.31")).stream()
                  .anyMatch(r -> r.nlri().prefix().equals(theirs)),
          details);
      ReceivedRoute fromRr1 =
          speaker.received(ip("127.0.2.31")).stream()
              .filter(r -> r.nlri().equals(new Nlri(0, theirs)))
              .findFirst()
              .orElseThrow();
      assertThat(fromRr1.attribute(PathAttribute.OriginatorId.class))
          .contains(new PathAttribute.OriginatorId(ip("127.0.2.33")));
      assertThat(fromRr1.attribute(PathAttribute.ClusterList.class))
          .contains(new PathAttribute.ClusterList(List.of(ip(C1))));
      assertThat(fromRr1.nextHop()).isEqualTo(ip("127.0.2.33"));
      await(
          Duration.ofSeconds(20),
          () ->
              speaker.bestRoutes().stream()
                  .anyMatch(
                      r -> r.nlri().prefix().equals(theirs) && r.peer().equals(ip("127.0.2.31"))),
          details);

      // netctl's route at c, through rr1.
      await(
          Duration.ofSeconds(20),
          () ->
              BirdConfig.birdc(dir, "c", "show", "route", "all", "protocol", "rr1")
                  .contains("10.232.0.0/24"),
          details);
      String atC = BirdConfig.birdc(dir, "c", "show", "route", "all", "protocol", "rr1");
      assertThat(atC)
          .contains("BGP.originator_id: 127.0.2.32")
          .contains("BGP.cluster_list: " + C1)
          .contains("BGP.next_hop: 127.0.2.32");

      // The loop through rr2: c's route comes back from rr2 carrying rr2's cluster id, which we
      // share, so it is received but never enters the Loc-RIB; rr1's copy stays the only path.
      await(
          Duration.ofSeconds(20),
          () ->
              speaker.received(ip("127.0.2.34")).stream()
                  .anyMatch(r -> r.nlri().prefix().equals(theirs)),
          details);
      ReceivedRoute looped =
          speaker.received(ip("127.0.2.34")).stream()
              .filter(r -> r.nlri().prefix().equals(theirs))
              .findFirst()
              .orElseThrow();
      assertThat(looped.attribute(PathAttribute.ClusterList.class))
          .contains(new PathAttribute.ClusterList(List.of(ip(C2), ip(C1))));
      RibEntry entry = locRib(speaker, theirs);
      assertThat(entry.paths())
          .as("a path whose CLUSTER_LIST holds our cluster id is a loop: %s", entry)
          .extracting(r -> r.source().address())
          .containsExactly(ip("127.0.2.31"));

      // Our own route: rr2's best path to it is the copy rr1 reflected (LOCAL_PREF 100 over 50),
      // yet BIRD never reflects it to us, its originator; our Loc-RIB keeps only the local path.
      assertThat(BirdConfig.birdc(dir, "rr2", "show", "route", "all", "10.232.0.0/24"))
          .contains("[rr1 ")
          .contains("BGP.originator_id: 127.0.2.32");
      assertThat(speaker.received(ip("127.0.2.34")))
          .extracting(r -> r.nlri().prefix())
          .doesNotContain(own);
      assertThat(locRib(speaker, own).paths())
          .hasSize(1)
          .allMatch(r -> r.source().kind() == PeerKind.LOCAL);
    }
  }
}
