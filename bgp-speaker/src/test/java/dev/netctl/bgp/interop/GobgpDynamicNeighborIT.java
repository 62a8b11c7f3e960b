package dev.netctl.bgp.interop;

import static dev.netctl.bgp.interop.InteropSupport.await;
import static dev.netctl.bgp.interop.InteropSupport.ip;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.codec.AddressFamily;
import dev.netctl.bgp.codec.AddressText;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * GoBGP daemons as dynamic neighbours of our range (BIRD and FRR are {@link BirdDynamicNeighborIT}
 * and {@link FrrDynamicNeighborIT}): a range of limit 1 takes the first GoBGP that dials from it,
 * refuses a second with Cease/Connection Rejected (RFC 4486 §4), and takes the first back after
 * GoBGP's own Administrative Reset (its Cease/4 ends the dynamic session, whose place in the range
 * must be free again). Us 127.0.74.1, GoBGPs 127.0.74.2 and .3.
 */
@Timeout(150)
class GobgpDynamicNeighborIT {
  static final String US = "127.0.74.1";

  /** A GoBGP dialling us from {@code address} in AS {@code as}; back within 1 s of a reset. */
  record Gobgp(Daemon daemon, int api) implements AutoCloseable {
    static Gobgp start(Path dir, String address, long as, int ourPort) throws Exception {
      Path home = Files.createDirectory(dir.resolve(address));
      int api = InteropSupport.freePort("127.0.0.1");
      Files.writeString(
          home.resolve("gobgpd.toml"),
          GobgpConfig.global(as, address, InteropSupport.freePort(address))
              .neighbor(GobgpConfig.Neighbor.of(US, 65740, ourPort).idleHoldAfterReset(1))
              .render());
      Daemon d =
          Daemon.start(
              "gobgpd",
              home,
              List.of(
                  GobgpInteropIT.GOBGPD,
                  "-f",
                  "gobgpd.toml",
                  "--api-hosts",
                  "127.0.0.1:" + api,
                  "--pprof-disable",
                  "-l",
                  "debug"),
              Map.of());
      return new Gobgp(d, api);
    }

    String cli(String... args) throws Exception {
      return GobgpInteropIT.runAt("127.0.0.1", api, args);
    }

    @Override
    public void close() throws InterruptedException {
      daemon.close();
    }
  }

  @Test
  void aGobgpFromTheRangeIsTakenASecondRefusedAndTheFirstBackAfterItsAdministrativeReset(
      @TempDir Path dir) throws Exception {
    Daemon.require(GobgpInteropIT.GOBGPD);
    Daemon.require(GobgpInteropIT.GOBGP);
    SpeakerConfig config =
        SpeakerConfig.of(65740, ip(US), new InetSocketAddress(ip(US), 0), Transport.best());
    try (BgpSpeaker speaker = BgpSpeaker.start(config)) {
      PeerConfig ebgp =
          PeerConfig.of(65740, ip(US), 65741)
              .withHoldTime(9)
              .withFamilies(Set.of(AddressFamily.IPV4_UNICAST))
              .withAcceptedAs(RemoteAs.parse("65741-65749"));
      Neighbor template =
          Neighbor.of(
                  new PeerSpec(
                      new InetSocketAddress(ip("127.0.74.0"), 179), ip(US), ebgp, true, null, 0))
              .withPolicies(RoutePolicy.ACCEPT_ALL, RoutePolicy.ACCEPT_ALL);
      speaker.addDynamicRange(
          new DynamicRange("gobgps", Prefix.parse("127.0.74.0/28"), template, 1));
      // GoBGP drops routes with a loopback next hop: a documentation address.
      speaker.originate(Prefix.parse("10.74.0.0/16"), ip("192.0.2.74"), List.of());
      int ours = speaker.listenAddress().getPort();

      try (Gobgp g1 = Gobgp.start(dir, "127.0.74.2", 65741, ours)) {
        InteropSupport.Details first =
            () ->
                InteropSupport.status(speaker)
                    + "\ng1: "
                    + g1.cli("neighbor")
                    + g1.cli("global", "rib")
                    + g1.daemon.output();
        // The API comes up a moment after the process starts.
        await(
            Duration.ofSeconds(15),
            () -> g1.cli("global", "rib", "add", "10.74.2.0/24").isBlank(),
            first);
        await(
            Duration.ofSeconds(40),
            () ->
                speaker.received(ip("127.0.74.2")).size() == 1
                    && g1.cli("global", "rib").contains("10.74.0.0/16"),
            first);
        assertThat(speaker.peers().getFirst().notices())
            .contains("dynamic peer of range gobgps (127.0.74.0/28)");
        assertThat(speaker.peers().getFirst().remoteAs()).isEqualTo(65741);

        try (Gobgp g2 = Gobgp.start(dir, "127.0.74.3", 65742, ours)) {
          InteropSupport.Details second =
              () -> first.get() + "\ng2: " + g2.cli("neighbor") + g2.daemon.output();
          // Our Cease/Connection Rejected reaches GoBGP in OpenSent, before any OPEN of ours;
          // GoBGP logs no code for it, only its FSM going back to Idle (reason 10, "invalid
          // message": GoBGP expects an OPEN there, where RFC 4271 §8.2.2 takes a NOTIFICATION).
          await(
              Duration.ofSeconds(40),
              () ->
                  g2.daemon
                      .output()
                      .contains("\"new\":\"BGP_FSM_IDLE\",\"old\":\"BGP_FSM_OPENSENT\""),
              second);
          assertThat(g2.daemon.output()).doesNotContain("BGP_FSM_ESTABLISHED");
          assertThat(speaker.peers())
              .as("the range holds one session")
              .extracting(p -> AddressText.of(p.remote().getAddress()))
              .containsExactly("127.0.74.2");
        }

        // GoBGP's Administrative Reset (Cease/4): the dynamic session ends, its routes go, and
        // GoBGP dialling again gets the range's place back.
        var since = speaker.peers().getFirst().since();
        List<Prefix> withdrawn = InteropSupport.withdrawals(speaker);
        assertThat(g1.cli("neighbor", US, "reset")).isBlank();
        await(
            Duration.ofSeconds(40),
            () ->
                withdrawn.contains(Prefix.parse("10.74.2.0/24"))
                    && speaker.peers().size() == 1
                    && speaker.peers().getFirst().state() == State.ESTABLISHED
                    && !speaker.peers().getFirst().since().equals(since)
                    && speaker.received(ip("127.0.74.2")).size() == 1
                    && g1.cli("global", "rib").contains("10.74.0.0/16"),
            first);
      }
    }
  }
}
