package dev.netctl.bgp.interop;

import static dev.netctl.bgp.interop.InteropSupport.await;
import static dev.netctl.bgp.interop.InteropSupport.ip;
import static dev.netctl.bgp.interop.InteropSupport.state;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.codec.Nlri;
import dev.netctl.bgp.codec.Prefix;
import dev.netctl.bgp.fsm.State;
import dev.netctl.bgp.session.Transport;
import dev.netctl.bgp.speaker.BgpSpeaker;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Graceful restart for NOTIFICATION (RFC 8538) with GoBGP. Us 127.0.48.1, GoBGP 127.0.48.2. */
@Timeout(120)
class GobgpGracefulNotificationIT {

  /**
   * GoBGP resets its session with Cease/Administrative Reset, soft under the N bit both sides
   * advertised (RFC 8538 §4): we keep its routes, stale and still used, never withdrawn, while it
   * is away.
   */
  @Test
  void gobgpsAdministrativeResetKeepsItsRoutesWithUs(@TempDir Path dir) throws Exception {
    Daemon.require(GobgpInteropIT.GOBGPD);
    Daemon.require(GobgpInteropIT.GOBGP);
    String us = "127.0.48.1";
    String them = "127.0.48.2";
    int ours = InteropSupport.freePort(us);
    int theirs = InteropSupport.freePort(them);
    int api = InteropSupport.freePort("127.0.0.1");
    Files.writeString(
        dir.resolve("gobgpd.toml"),
        GobgpConfig.global(65482, them, theirs)
            .neighbor(GobgpConfig.Neighbor.of(us, 65481, ours).gracefulRestart(120, true))
            .render());
    try (BgpSpeaker speaker =
            BgpSpeaker.start(65481, new InetSocketAddress(ip(us), ours), Transport.best());
        Daemon gobgpd =
            Daemon.start(
                "gobgpd",
                dir,
                List.of(
                    GobgpInteropIT.GOBGPD, "-f", "gobgpd.toml", "--api-hosts", "127.0.0.1:" + api),
                Map.of())) {
      List<Prefix> withdrawn = InteropSupport.withdrawals(speaker);
      InteropSupport.Details details =
          () ->
              InteropSupport.status(speaker)
                  + "\nwithdrawn: "
                  + withdrawn
                  + "\ngobgp neighbor: "
                  + GobgpInteropIT.runAt("127.0.0.1", api, "neighbor", us)
                  + "\ngobgpd output: "
                  + gobgpd.output();
      await(
          Duration.ofSeconds(15),
          () ->
              GobgpInteropIT.runAt(
                      "127.0.0.1", api, "global", "rib", "-a", "ipv4", "add", "10.48.2.0/24")
                  .isBlank(),
          details);
      speaker.addPeer(FrrRestartAndRefreshIT.ours(us, 65481, them, theirs, 65482));
      await(
          Duration.ofSeconds(30),
          () -> state(speaker) == State.ESTABLISHED && speaker.received(ip(them)).size() == 1,
          details);
      assertThat(GobgpInteropIT.runAt("127.0.0.1", api, "neighbor", us))
          .as("both sides set the N bit")
          .contains("Local: restart time 120 sec, notification flag set")
          .contains("Remote: restart time 120 sec, notification flag set");
      Instant before = speaker.peers().getFirst().since();

      GobgpInteropIT.runAt("127.0.0.1", api, "neighbor", us, "reset");
      await(
          Duration.ofSeconds(10),
          () -> speaker.peers().getFirst().since().isAfter(before),
          details);
      // GoBGP stays idle after a reset (it closes our connections for longer than this test
      // waits, whatever its idle-hold-time-after-reset): its route stays with us, stale.
      await(
          Duration.ofSeconds(10),
          () ->
              speaker.peers().getFirst().staleRoutes()
                  && speaker.received(ip(them)).size() == 1
                  && speaker.received(ip(them)).getFirst().stale()
                  && speaker.bestRoutes().stream()
                      .anyMatch(r -> r.nlri().equals(Nlri.of("10.48.2.0/24"))),
          details);
      // gobgpd logs the NOTIFICATION it sent when it gets round to it, which can be after our side
      // has already marked the routes stale: waited for, not read once (5 s was once too short
      // while the machine was busy building). Its JSON line ("sent notification", Code 6,
      // Subcode 4) comes at once; the text form ("subcode 4(administrative reset)", in its
      // peer-down
      // line) came more than 15 s later once, with the JSON line already there.
      await(Duration.ofSeconds(15), () -> sentAdministrativeReset(gobgpd.output()), details);
      assertThat(withdrawn).as("GoBGP's route was kept through its soft reset").isEmpty();
    }
  }

  // Whether gobgpd's log says it sent Cease / Administrative Reset (6/4), in either of its forms.
  private static boolean sentAdministrativeReset(String log) {
    return log.contains("subcode 4(administrative reset)")
        || log.lines()
            .anyMatch(
                l ->
                    l.contains("\"msg\":\"sent notification\"")
                        && l.contains("\"Code\":6,")
                        && l.contains("\"Subcode\":4,"));
  }
}
