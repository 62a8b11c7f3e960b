package dev.netctl.bgp.interop;

import static dev.netctl.bgp.interop.InteropSupport.await;
import static dev.netctl.bgp.interop.InteropSupport.ip;
import static dev.netctl.bgp.interop.InteropSupport.state;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.codec.Prefix;
import dev.netctl.bgp.fsm.PeerConfig;
import dev.netctl.bgp.fsm.State;
import dev.netctl.bgp.session.PeerSpec;
import dev.netctl.bgp.session.Transport;
import dev.netctl.bgp.speaker.BgpSpeaker;
import dev.netctl.bgp.speaker.ReceivedRoute;
import dev.netctl.bgp.speaker.RestartOptions;
import dev.netctl.bgp.speaker.SpeakerConfig;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Graceful restart (RFC 4724) with BIRD 2 in both roles: BIRD crashes and comes back in recovery
 * mode ({@code bird -R}) while we keep its routes; we restart for a plan while BIRD keeps ours.
 * Addresses 127.0.1.11-14, free ports.
 */
@Timeout(120)
class BirdGracefulRestartIT {
  // Free ports, bound to 0 and released at the start of the test.
  private int ourPort2;
  private int birdPort2;
  private int ourPort1;
  private int birdPort1;

  static final String BIRD = BirdInteropIT.BIRD;
  static final String BIRDC = BirdInteropIT.BIRDC;

  static String birdConf(String self, int port, String peer, int peerPort, String... routes) {
    StringBuilder statics = new StringBuilder();
    for (String r : routes) {
      statics.append(" route ").append(r).append(" blackhole;");
    }
    return """
        router id %s;
        graceful restart wait 15;  # recovery (bird -R) ends after this at the latest
        protocol device {}
        protocol static s4 { ipv4;%s }
        protocol bgp netctl {
          local %s port %d as 65112;
          neighbor %s port %d as 65111;
          strict bind yes;
          multihop;
          hold time 9;
          connect retry time 1;
          graceful restart on;
          graceful restart time 60;  # far longer than the test waits: removal comes from End-of-RIB
          ipv4 { import all; export all; };
        }
        """
        .formatted(self, statics, self, port, peer, peerPort);
  }

  static PeerSpec peer(String local, String remote, int port) {
    PeerConfig config =
        PeerConfig.of(65111, ip(local), 65112)
            .withHoldTime(9)
            .withConnectRetry(Duration.ofSeconds(1))
            .withOptions(Set.of(), Set.of(), 120, false);
    return new PeerSpec(new InetSocketAddress(ip(remote), port), ip(local), config, false, null, 0);
  }

  static Daemon bird(Path dir, String name, boolean recovery) throws Exception {
    List<String> cmd =
        recovery
            ? List.of(BIRD, "-f", "-R", "-c", name + ".conf", "-s", name + ".sock")
            : List.of(BIRD, "-f", "-c", name + ".conf", "-s", name + ".sock");
    return Daemon.start(name, dir, cmd, Map.of());
  }

  /** Prefix → "stale"/"fresh" of the routes the speaker holds from {@code peer}. */
  static Map<String, String> received(BgpSpeaker s, String peer) {
    Map<String, String> out = new TreeMap<>();
    for (ReceivedRoute r : s.received(ip(peer))) {
      out.put(r.nlri().prefix().toString(), r.stale() ? "stale" : "fresh");
    }
    return out;
  }

  @Test
  void birdCrashesAndRestartsWhileWeKeepItsRoutesUntilItsEndOfRib(@TempDir Path dir)
      throws Exception {
    Daemon.require(BIRD);
    String us = "127.0.1.11";
    String them = "127.0.1.12";
    ourPort1 = InteropSupport.freePort("127.0.1.11");
    birdPort1 = InteropSupport.freePort("127.0.1.12");
    Files.writeString(
        dir.resolve("before.conf"),
        birdConf(them, birdPort1, us, ourPort1, "10.112.1.0/24", "10.112.2.0/24"));
    // After the restart BIRD no longer has 10.112.2.0/24.
    Files.writeString(
        dir.resolve("after.conf"), birdConf(them, birdPort1, us, ourPort1, "10.112.1.0/24"));
    try (BgpSpeaker speaker =
        BgpSpeaker.start(65111, new InetSocketAddress(ip(us), ourPort1), Transport.best())) {
      List<Prefix> withdrawn = InteropSupport.withdrawals(speaker);
      speaker.addPeer(InteropSupport.open(peer(us, them, birdPort1)));
      Daemon first = bird(dir, "before", false);
      try {
        InteropSupport.Details details =
            () -> InteropSupport.status(speaker) + "\nbird output: " + first.output();
        await(Duration.ofSeconds(30), () -> received(speaker, them).size() == 2, details);
        assertThat(received(speaker, them)).containsValues("fresh", "fresh");
      } finally {
        first.crash();
      }
      await(
          Duration.ofSeconds(15),
          () -> state(speaker) != State.ESTABLISHED,
          () -> InteropSupport.status(speaker));
      assertThat(received(speaker, them))
          .as("BIRD's routes are kept, marked stale, while it is down")
          .isEqualTo(Map.of("10.112.1.0/24", "stale", "10.112.2.0/24", "stale"));
      assertThat(speaker.bestRoutes())
          .extracting(r -> r.nlri().prefix())
          .contains(Prefix.parse("10.112.2.0/24"));

      try (Daemon second = bird(dir, "after", true)) {
        InteropSupport.Details details =
            () ->
                InteropSupport.status(speaker)
                    + "\nbirdc: "
                    + Daemon.run(
                        Duration.ofSeconds(5),
                        List.of(
                            BIRDC,
                            "-s",
                            dir.resolve("after.sock").toString(),
                            "show",
                            "protocols",
                            "all",
                            "netctl"))
                    + "\nbird output: "
                    + second.output();
        await(
            Duration.ofSeconds(45),
            () -> received(speaker, them).equals(Map.of("10.112.1.0/24", "fresh")),
            details);
        assertThat(speaker.peers().getFirst().staleRoutes()).isFalse();
        assertThat(state(speaker)).isEqualTo(State.ESTABLISHED);
        assertThat(withdrawn)
            .as("the route BIRD kept was never withdrawn across its restart; the other went once")
            .containsExactly(Prefix.parse("10.112.2.0/24"));
      }
    }
  }

  @Test
  void birdKeepsOurRoutesWhileWeRestartAndDropsWhatTheNextProcessNoLongerHas(@TempDir Path dir)
      throws Exception {
    Daemon.require(BIRD);
    Daemon.require(BIRDC);
    String us = "127.0.1.13";
    String them = "127.0.1.14";
    ourPort2 = InteropSupport.freePort("127.0.1.13");
    birdPort2 = InteropSupport.freePort("127.0.1.14");
    Files.writeString(dir.resolve("bird.conf"), birdConf(them, birdPort2, us, ourPort2));
    InetSocketAddress listen = new InetSocketAddress(ip(us), ourPort2);
    List<String> show =
        List.of(
            BIRDC,
            "-s",
            dir.resolve("bird.sock").toString(),
            "show",
            "route",
            "protocol",
            "netctl");
    try (Daemon bird = bird(dir, "bird", false)) {
      BgpSpeaker first = BgpSpeaker.start(65111, listen, Transport.best());
      try {
        first.originate(Prefix.parse("10.113.1.0/24"), null, List.of());
        first.originate(Prefix.parse("10.113.2.0/24"), null, List.of());
        first.addPeer(InteropSupport.open(peer(us, them, birdPort2)));
        await(
            Duration.ofSeconds(30),
            () -> {
              String out = Daemon.run(Duration.ofSeconds(5), show);
              return out.contains("10.113.1.0/24") && out.contains("10.113.2.0/24");
            },
            () -> InteropSupport.status(first) + "\nbird output: " + bird.output());
      } finally {
        first.closeForRestart();
      }
      // BIRD has seen the connection close without a NOTIFICATION and keeps both routes.
      await(
          Duration.ofSeconds(15),
          () ->
              Daemon.run(
                      Duration.ofSeconds(5),
                      List.of(
                          BIRDC,
                          "-s",
                          dir.resolve("bird.sock").toString(),
                          "show",
                          "protocols",
                          "netctl"))
                  .lines()
                  .anyMatch(l -> l.startsWith("netctl") && !l.contains("Established")),
          bird::output);
      String kept = Daemon.run(Duration.ofSeconds(5), show);
      assertThat(kept).contains("10.113.1.0/24").contains("10.113.2.0/24");

      try (BgpSpeaker second =
          BgpSpeaker.start(
              SpeakerConfig.of(65111, ip(us), listen, Transport.best())
                  .withRestart(
                      new RestartOptions(true, Duration.ofSeconds(360), Duration.ofSeconds(30))))) {
        second.originate(Prefix.parse("10.113.1.0/24"), null, List.of());
        second.addPeer(InteropSupport.open(peer(us, them, birdPort2)));
        await(
            Duration.ofSeconds(45),
            () -> {
              String out = Daemon.run(Duration.ofSeconds(5), show);
              return out.contains("10.113.1.0/24") && !out.contains("10.113.2.0/24");
            },
            () ->
                InteropSupport.status(second)
                    + "\nbirdc: "
                    + Daemon.run(Duration.ofSeconds(5), show)
                    + "\nbird output: "
                    + bird.output());
        assertThat(state(second)).isEqualTo(State.ESTABLISHED);
      }
    }
  }
}
