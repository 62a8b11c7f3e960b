package dev.netctl.bgp.interop;

import static dev.netctl.bgp.interop.InteropSupport.await;
import static dev.netctl.bgp.interop.InteropSupport.ip;
import static dev.netctl.bgp.interop.InteropSupport.state;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.codec.Nlri;
import dev.netctl.bgp.codec.Prefix;
import dev.netctl.bgp.fsm.PeerConfig;
import dev.netctl.bgp.fsm.State;
import dev.netctl.bgp.session.PeerSpec;
import dev.netctl.bgp.session.Transport;
import dev.netctl.bgp.speaker.BgpSpeaker;
import dev.netctl.bgp.speaker.Neighbor;
import dev.netctl.bgp.speaker.ReceivedRoute;
import dev.netctl.bgp.speaker.SpeakerConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * IPv4 routes over an IPv6 session with FRR 8.4 bgpd and with GoBGP, as {@link BirdIpv4OverIpv6IT}
 * does with BIRD: eBGP on {@code ::1}, each side on its own port. Without extended next hop (RFC
 * 8950, which we do not offer) NEXT_HOP is an IPv4 address (RFC 4271 §5.1.3): the peer sends the
 * one it is configured with, we send our {@code ipv4NextHop}, and without one our IPv4 route is not
 * sent and our notice says why. Next hops are documentation addresses: FRR and GoBGP take loopback
 * ones for martians.
 */
@Timeout(90)
class Ipv4OverIpv6IT {
  private static final InetAddress V6 = InetAddress.ofLiteral("::1");
  private static final Prefix OURS = Prefix.parse("10.61.0.0/16");

  /** Our speaker on {@code ::1} (router id {@code id}, AS 65061), originating 10.61.0.0/16. */
  private static BgpSpeaker speaker(String id) throws Exception {
    BgpSpeaker s =
        BgpSpeaker.start(
            SpeakerConfig.of(65061, ip(id), new InetSocketAddress(V6, 0), Transport.best()));
    s.originate(OURS, null, List.of());
    return s;
  }

  /** Our eBGP side toward {@code ::1 port} in AS {@code as}, without an IPv4 next hop yet. */
  private static Neighbor toward(String id, int port, long as) {
    PeerConfig config =
        PeerConfig.of(65061, ip(id), as).withHoldTime(9).withConnectRetry(Duration.ofSeconds(1));
    return InteropSupport.open(
        new PeerSpec(new InetSocketAddress(V6, port), V6, config, false, null, 0));
  }

  /**
   * What both peers must show: the session comes up, their route arrives with their IPv4 next hop
   * and is best; ours is not sent until we have an IPv4 next hop, then the peer's view of it
   * ({@code theirView}) shows it arrived with that next hop and best ({@code best}).
   */
  private static void exchange(
      BgpSpeaker speaker,
      Neighbor plain,
      String theirPrefix,
      String theirNextHop,
      String ourNextHop,
      Callable<String> theirView,
      Predicate<String> best,
      InteropSupport.Details details)
      throws Exception {
    speaker.addPeer(plain);
    await(Duration.ofSeconds(30), () -> state(speaker) == State.ESTABLISHED, details);
    await(Duration.ofSeconds(20), () -> speaker.received(V6).size() == 1, details);
    ReceivedRoute theirs = speaker.received(V6).getFirst();
    assertThat(theirs.nlri()).isEqualTo(Nlri.of(theirPrefix));
    assertThat(theirs.nextHop()).isEqualTo(ip(theirNextHop));
    await(
        Duration.ofSeconds(10),
        () -> speaker.bestRoutes().stream().anyMatch(r -> r.nlri().equals(theirs.nlri())),
        details);
    // Ours needs us as next hop, and the session has no IPv4 address of ours: not sent, and said.
    assertThat(speaker.peers().getFirst().notices())
        .contains("ipv4 routes that need this speaker as next hop are not sent");
    assertThat(speaker.advertised(V6)).as("%s", details.get()).isEmpty();
    assertThat(theirView.call()).doesNotContain(OURS.toString());

    // With an IPv4 next hop (the session resets: it changes every IPv4 route's NEXT_HOP).
    speaker.updatePeer(plain.withIpv4NextHop(ip(ourNextHop)));
    await(Duration.ofSeconds(30), () -> best.test(theirView.call()), details);
    assertThat(speaker.peers().getFirst().notices())
        .doesNotContain("ipv4 routes that need this speaker as next hop");
  }

  /**
   * FRR (AS 65063, router id 127.0.0.63) sends 10.63.0.0/16 with next hop 192.0.2.63, set by its
   * route map out: without zebra it knows no IPv4 address of its own and, like us without {@code
   * ipv4NextHop}, sends no IPv4 route at all. Ours arrives valid, accessible and best there.
   */
  @Test
  void ipv4RoutesCrossAnIpv6SessionWithFrr(@TempDir Path dir) throws Exception {
    Daemon.require(FrrInteropIT.BGPD);
    Daemon.require(FrrInteropIT.VTYSH);
    Path vty = Files.createDirectory(dir.resolve("vty"));
    int frrPort = InteropSupport.freePort("::1");
    try (BgpSpeaker speaker = speaker("127.0.0.61")) {
      Files.writeString(
          dir.resolve("bgpd.conf"),
          """
          frr defaults traditional
          hostname netctl-frr
          log stdout informational
          !
          route-map NH4 permit 10
           set ip next-hop 192.0.2.63
          !
          router bgp 65063
           bgp router-id 127.0.0.63
           no bgp ebgp-requires-policy
           no bgp network import-check
           neighbor ::1 remote-as 65061
           neighbor ::1 port %d
           neighbor ::1 update-source ::1
           neighbor ::1 timers 3 9
           neighbor ::1 timers connect 1
           neighbor ::1 disable-connected-check
           address-family ipv4 unicast
            network 10.63.0.0/16
            neighbor ::1 activate
            neighbor ::1 route-map NH4 out
           exit-address-family
          !
          """
              .formatted(speaker.listenAddress().getPort()));
      try (Daemon bgpd = FrrInteropIT.startBgpd(dir, vty, frrPort, "::1")) {
        FrrRestartAndRefreshIT.Frr frr = FrrRestartAndRefreshIT.vtysh(bgpd, vty);
        Callable<String> view = () -> frr.show("show bgp ipv4 unicast " + OURS + " json");
        InteropSupport.Details details =
            () ->
                InteropSupport.status(speaker)
                    + "\nfrr: "
                    + frr.show("show bgp summary")
                    + view.call()
                    + "\nbgpd output: "
                    + bgpd.output();
        exchange(
            speaker,
            toward("127.0.0.61", frrPort, 65063),
            "10.63.0.0/16",
            "192.0.2.63",
            "192.0.2.61",
            view,
            // FRR computes its best path after the route is shown ("processScheduled"): wait.
            json ->
                json.contains("\"ip\":\"192.0.2.61\"")
                    && json.contains("\"valid\":true")
                    && json.contains("\"overall\":true"),
            details);
        String ours = view.call();
        assertThat(ours).as(ours).contains("\"accessible\":true");
      }
    }
  }

  /**
   * GoBGP (AS 65064, router id 127.0.0.64) sends 10.64.0.0/16 with the next hop it was added with,
   * 192.0.2.64 (having no IPv4 address on the session it cannot set itself); ours arrives with
   * 192.0.2.65 and is best there.
   */
  @Test
  void ipv4RoutesCrossAnIpv6SessionWithGobgp(@TempDir Path dir) throws Exception {
    Daemon.require(GobgpInteropIT.GOBGPD);
    Daemon.require(GobgpInteropIT.GOBGP);
    int theirs = InteropSupport.freePort("::1");
    int api = InteropSupport.freePort("127.0.0.1");
    try (BgpSpeaker speaker = speaker("127.0.0.65")) {
      Files.writeString(
          dir.resolve("gobgpd.toml"),
          GobgpConfig.global(65064, "::1", theirs)
              .routerId("127.0.0.64")
              .neighbor(GobgpConfig.Neighbor.of("::1", 65061, speaker.listenAddress().getPort()))
              .render());
      try (Daemon gobgpd =
          Daemon.start(
              "gobgpd",
              dir,
              List.of(
                  GobgpInteropIT.GOBGPD, "-f", "gobgpd.toml", "--api-hosts", "127.0.0.1:" + api),
              Map.of())) {
        Callable<String> view =
            () -> GobgpInteropIT.runAt("127.0.0.1", api, "global", "rib", "-a", "ipv4");
        InteropSupport.Details details =
            () ->
                InteropSupport.status(speaker)
                    + "\ngobgp neighbor: "
                    + GobgpInteropIT.runAt("127.0.0.1", api, "neighbor", "::1")
                    + "\ngobgp rib: "
                    + view.call()
                    + "\ngobgpd output: "
                    + gobgpd.output();
        await(
            Duration.ofSeconds(15),
            () ->
                GobgpInteropIT.runAt(
                        "127.0.0.1",
                        api,
                        "global",
                        "rib",
                        "-a",
                        "ipv4",
                        "add",
                        "10.64.0.0/16",
                        "nexthop",
                        "192.0.2.64")
                    .isBlank(),
            details);
        exchange(
            speaker,
            toward("127.0.0.65", theirs, 65064),
            "10.64.0.0/16",
            "192.0.2.64",
            "192.0.2.65",
            view,
            // "*>": valid and best, then prefix, next hop and AS path.
            Pattern.compile("(?m)^\\*>\\s+10\\.61\\.0\\.0/16\\s+192\\.0\\.2\\.65\\s+65061\\s")
                .asPredicate(),
            details);
      }
    }
  }
}
