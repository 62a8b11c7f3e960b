package dev.netctl.bgp.interop;

import static dev.netctl.bgp.interop.InteropSupport.await;
import static dev.netctl.bgp.interop.InteropSupport.ip;
import static org.assertj.core.api.Assertions.assertThat;

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
import dev.netctl.bgp.speaker.SpeakerConfig;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two BIRDs connect into our reflector's dynamic range (127.0.3.0/24) with no per-client entry:
 * both become reflector clients and see each other's routes; a BIRD that stops is forgotten and its
 * route withdrawn from the other. Us 127.0.3.1, BIRDs 127.0.3.2 and .3, all on free ports.
 */
@Timeout(90)
class BirdDynamicNeighborIT {
  static final String US = "127.0.3.1";

  static int freePort(String address) throws Exception {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(ip(address), 0));
      return s.getLocalPort();
    }
  }

  static String client(String address, int port, int ourPort, String prefix) {
    return BirdConfig.routerId(address)
        .raw(
            """
            protocol static lo4 { ipv4; route 127.0.0.0/8 via "lo"; }
            protocol static s4 { ipv4; route %s blackhole; }
            """
                .formatted(prefix))
        .bgp("netctl", port, 65300, US, ourPort, 65300)
        .channel("ipv4 { import all; export where proto = \"s4\"; };")
        .render();
  }

  static String ebgpClient(
      String address, int port, long as, String us, int ourPort, String prefix) {
    return BirdConfig.routerId(address)
        .raw(
            """
            protocol static lo4 { ipv4; route 127.0.0.0/8 via "lo"; }
            protocol static s4 { ipv4; route %s blackhole; }
            """
                .formatted(prefix))
        .bgp("netctl", port, as, us, ourPort, 65000)
        .multihop()
        .channel("ipv4 { import all; export where proto = \"s4\"; };")
        .render();
  }

  /**
   * A range whose template accepts AS 65301-65399: BIRDs in AS 65301 and 65302 come up as eBGP
   * peers and get each other's route with our AS and theirs in the path; a BIRD in AS 65500 is
   * refused with OPEN Message Error / Bad Peer AS (RFC 4271 §6.2). Us 127.0.13.1, BIRDs .2-.4.
   */
  @Test
  void peersFromSeveralAsesOfTheAcceptedSetComeUpAndOneOutsideIsBadPeerAs(@TempDir Path dir)
      throws Exception {
    Daemon.require(BirdInteropIT.BIRD);
    String us = "127.0.13.1";
    SpeakerConfig config =
        SpeakerConfig.of(65000, ip(us), new InetSocketAddress(ip(us), 0), Transport.best());
    try (BgpSpeaker speaker = BgpSpeaker.start(config)) {
      PeerConfig ebgp =
          PeerConfig.of(65000, ip(us), 65301)
              .withHoldTime(9)
              .withAcceptedAs(RemoteAs.parse("65301-65399"));
      // eBGP: without policies nothing would pass (RFC 8212).
      Neighbor template =
          Neighbor.of(
                  new PeerSpec(
                      new InetSocketAddress(ip("127.0.13.0"), 179), ip(us), ebgp, true, null, 0))
              .withPolicies(RoutePolicy.ACCEPT_ALL, RoutePolicy.ACCEPT_ALL);
      speaker.addDynamicRange(new DynamicRange("tors", Prefix.parse("127.0.13.0/24"), template, 5));
      int ours = speaker.listenAddress().getPort();
      String c1 = ebgpClient("127.0.13.2", freePort("127.0.13.2"), 65301, us, ours, "10.13.2.0/24");
      String c2 = ebgpClient("127.0.13.3", freePort("127.0.13.3"), 65302, us, ours, "10.13.3.0/24");
      String c3 = ebgpClient("127.0.13.4", freePort("127.0.13.4"), 65500, us, ours, "10.13.4.0/24");
      try (Daemon b1 = BirdConfig.start(dir, "c1", c1);
          Daemon b2 = BirdConfig.start(dir, "c2", c2);
          Daemon b3 = BirdConfig.start(dir, "c3", c3)) {
        InteropSupport.Details details =
            () ->
                InteropSupport.status(speaker)
                    + "\nc1: "
                    + BirdConfig.netctlProtocol(dir, "c1")
                    + BirdConfig.netctlRoutes(dir, "c1")
                    + "\nc3: "
                    + BirdConfig.netctlProtocol(dir, "c3");
        await(
            Duration.ofSeconds(30),
            () ->
                BirdConfig.netctlRoutes(dir, "c1").contains("10.13.3.0/24")
                    && BirdConfig.netctlRoutes(dir, "c2").contains("10.13.2.0/24")
                    && BirdConfig.netctlProtocol(dir, "c3").contains("Bad peer AS"),
            details);
        assertThat(BirdConfig.netctlRoutes(dir, "c1"))
            .as("eBGP: our AS prepended to c2's")
            .contains("BGP.as_path: 65000 65302");
        assertThat(BirdConfig.netctlRoutes(dir, "c2")).contains("BGP.as_path: 65000 65301");
        assertThat(speaker.peers())
            .filteredOn(p -> p.state() == State.ESTABLISHED)
            .extracting(p -> p.remote().getAddress().getHostAddress(), p -> p.remoteAs())
            .containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple("127.0.13.2", 65301L),
                org.assertj.core.groups.Tuple.tuple("127.0.13.3", 65302L));
        assertThat(speaker.peers()).allMatch(p -> !p.internal());
        assertThat(BirdConfig.netctlRoutes(dir, "c1")).doesNotContain("10.13.4.0/24");
      }
    }
  }

  @Test
  void birdClientsConnectIntoARangeAndAreReflected(@TempDir Path dir) throws Exception {
    Daemon.require(BirdInteropIT.BIRD);
    SpeakerConfig config =
        SpeakerConfig.of(65300, ip(US), new InetSocketAddress(ip(US), 0), Transport.best());
    try (BgpSpeaker rr = BgpSpeaker.start(config)) {
      PeerConfig ibgp = PeerConfig.of(65300, ip(US), 65300).withHoldTime(9);
      Neighbor template =
          Neighbor.of(
                  new PeerSpec(
                      new InetSocketAddress(ip("127.0.3.0"), 179), ip(US), ibgp, true, null, 0))
              .asReflectorClient();
      rr.addDynamicRange(new DynamicRange("clients", Prefix.parse("127.0.3.0/24"), template, 5));
      int ours = rr.listenAddress().getPort();
      String c1 = client("127.0.3.2", freePort("127.0.3.2"), ours, "10.3.2.0/24");
      String c2 = client("127.0.3.3", freePort("127.0.3.3"), ours, "10.3.3.0/24");
      try (Daemon b1 = BirdConfig.start(dir, "c1", c1)) {
        Daemon b2 = BirdConfig.start(dir, "c2", c2);
        try {
          InteropSupport.Details details =
              () ->
                  InteropSupport.status(rr)
                      + "\nc1: "
                      + BirdConfig.birdc(dir, "c1", "show", "route", "all")
                      + BirdConfig.netctlProtocol(dir, "c1")
                      + "\nc2: "
                      + BirdConfig.birdc(dir, "c2", "show", "route", "all");
          await(
              Duration.ofSeconds(30),
              () ->
                  rr.peers().size() == 2
                      && rr.peers().stream().allMatch(p -> p.state() == State.ESTABLISHED),
              details);
          assertThat(rr.peers())
              .allSatisfy(
                  p ->
                      assertThat(p.notices())
                          .contains("dynamic peer of range clients (127.0.3.0/24)"));
          await(
              Duration.ofSeconds(20),
              () ->
                  BirdConfig.netctlRoutes(dir, "c1").contains("10.3.3.0/24")
                      && BirdConfig.netctlRoutes(dir, "c2").contains("10.3.2.0/24"),
              details);
          assertThat(BirdConfig.netctlRoutes(dir, "c1"))
              .as("reflected: ORIGINATOR_ID is the other client (RFC 4456)")
              .contains("BGP.originator_id: 127.0.3.3");

          b2.close();
          await(
              Duration.ofSeconds(20),
              () ->
                  rr.peers().size() == 1
                      && !BirdConfig.netctlRoutes(dir, "c1").contains("10.3.3.0/24"),
              details);
        } finally {
          b2.close();
        }
      }
    }
  }
}
