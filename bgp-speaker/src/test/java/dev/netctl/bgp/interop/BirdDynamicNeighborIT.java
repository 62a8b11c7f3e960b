package dev.netctl.bgp.interop;

import static dev.netctl.bgp.interop.InteropSupport.await;
import static dev.netctl.bgp.interop.InteropSupport.ip;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.codec.Prefix;
import dev.netctl.bgp.fsm.PeerConfig;
import dev.netctl.bgp.fsm.State;
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
