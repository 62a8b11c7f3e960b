package dev.netctl.bgp.interop;

import static dev.netctl.bgp.interop.InteropSupport.await;
import static dev.netctl.bgp.interop.InteropSupport.ip;
import static dev.netctl.bgp.interop.InteropSupport.peer;
import static dev.netctl.bgp.interop.InteropSupport.state;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.codec.AddressFamily;
import dev.netctl.bgp.codec.Prefix;
import dev.netctl.bgp.fsm.State;
import dev.netctl.bgp.session.Transport;
import dev.netctl.bgp.speaker.BgpSpeaker;
import dev.netctl.bgp.speaker.ReceivedRoute;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Enhanced route refresh (RFC 7313) with BIRD 2 both ways. BIRD marks our routes stale at our
 * Begin-of-RR and drops the ones not sent again at End-of-RR, and we do the same with its routes:
 * routes surviving a refresh prove the table was sent again. Us 127.0.1.31, BIRD 127.0.1.32, on
 * free ports.
 */
@Timeout(120)
class BirdRouteRefreshIT {
  static final String US = "127.0.1.31";
  static final String THEM = "127.0.1.32";

  /** The first ("received") column of a BIRD channel statistics row. */
  static int stat(List<String> show, String row) throws Exception {
    String out = Daemon.run(Duration.ofSeconds(5), show);
    Matcher m = Pattern.compile(row + ":\\s+(\\d+)").matcher(out);
    if (!m.find()) {
      throw new AssertionError("no '" + row + "' in: " + out);
    }
    return Integer.parseInt(m.group(1));
  }

  @Test
  void refreshBothWaysWithBird(@TempDir Path dir) throws Exception {
    Daemon.require(BirdInteropIT.BIRD);
    Daemon.require(BirdInteropIT.BIRDC);
    Path sock = dir.resolve("bird.sock");
    int ours = InteropSupport.freePort(US);
    int theirs = InteropSupport.freePort(THEM);
    Files.writeString(
        dir.resolve("bird.conf"),
        """
        router id %2$s;
        protocol device {}
        protocol static s4 { ipv4; route 10.132.1.0/24 blackhole; route 10.132.2.0/24 blackhole; }
        protocol bgp netctl {
          local %2$s port %4$d as 65132;
          neighbor %1$s port %3$d as 65131;
          strict bind yes;
          multihop;
          hold time 9;
          connect retry time 1;
          ipv4 { import all; export all; };
        }
        """
            .formatted(US, THEM, ours, theirs));
    List<String> protocols =
        List.of(BirdInteropIT.BIRDC, "-s", sock.toString(), "show", "protocols", "all", "netctl");
    List<String> routes =
        List.of(BirdInteropIT.BIRDC, "-s", sock.toString(), "show", "route", "protocol", "netctl");
    try (BgpSpeaker speaker =
            BgpSpeaker.start(65131, new InetSocketAddress(ip(US), ours), Transport.best());
        Daemon bird =
            Daemon.start(
                "bird",
                dir,
                List.of(BirdInteropIT.BIRD, "-f", "-c", "bird.conf", "-s", sock.toString()),
                Map.of())) {
      InteropSupport.Details details =
          () ->
              InteropSupport.status(speaker)
                  + "\nbirdc: "
                  + Daemon.run(Duration.ofSeconds(5), protocols)
                  + Daemon.run(Duration.ofSeconds(5), routes)
                  + "\nbird output: "
                  + bird.output();
      speaker.originate(Prefix.parse("10.131.1.0/24"), null, List.of());
      speaker.originate(Prefix.parse("10.131.2.0/24"), null, List.of());
      speaker.addPeer(InteropSupport.open(peer(US, 65131, THEM, theirs, 65132)));
      await(Duration.ofSeconds(30), () -> state(speaker) == State.ESTABLISHED, details);
      await(Duration.ofSeconds(20), () -> speaker.received(ip(THEM)).size() == 2, details);
      await(
          Duration.ofSeconds(20),
          () -> {
            String out = Daemon.run(Duration.ofSeconds(5), routes);
            return out.contains("10.131.1.0/24") && out.contains("10.131.2.0/24");
          },
          details);
      assertThat(Daemon.run(Duration.ofSeconds(5), protocols))
          .as("BIRD negotiated enhanced route refresh")
          .containsIgnoringCase("enhanced refresh");

      // We ask BIRD: it sends its table again inside BoRR/EoRR, and we sweep nothing.
      int exportsBefore = stat(protocols, "Export updates");
      speaker.refresh(ip(THEM), AddressFamily.IPV4_UNICAST);
      await(
          Duration.ofSeconds(20), () -> stat(protocols, "Export updates") > exportsBefore, details);
      await(
          Duration.ofSeconds(20),
          () -> speaker.received(ip(THEM)).stream().noneMatch(ReceivedRoute::stale),
          details);
      assertThat(speaker.received(ip(THEM))).hasSize(2);

      // BIRD asks us ("reload in"): we send our table again inside BoRR/EoRR. Had we not, BIRD
      // would drop our routes at our End-of-RR.
      int importsBefore = stat(protocols, "Import updates");
      Daemon.run(
          Duration.ofSeconds(5),
          List.of(BirdInteropIT.BIRDC, "-s", sock.toString(), "reload", "in", "netctl"));
      await(
          Duration.ofSeconds(20),
          () -> stat(protocols, "Import updates") >= importsBefore + 2,
          details);
      String after = Daemon.run(Duration.ofSeconds(5), routes);
      assertThat(after).contains("10.131.1.0/24").contains("10.131.2.0/24");
      assertThat(state(speaker)).isEqualTo(State.ESTABLISHED);
    }
  }
}
