package dev.netctl.ctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netctl.ctl.bgp.RouteView;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code netctl bgp reset} against a running {@code netctl bgp run} peered with BIRD 2, whose
 * packet log shows what it received: a soft reset out sends our table again inside BoRR/EoRR (BIRD
 * offers enhanced route refresh), a soft reset in sends a ROUTE-REFRESH, and a reset closes the
 * session with Cease/Administrative Reset and the session comes back with its routes. Us on
 * 127.0.4.71, BIRD on 127.0.4.72, free ports.
 */
class BgpResetCommandTest {

  @TempDir Path dir;

  private static int count(Path log, String what) throws IOException {
    Matcher m = Pattern.compile(Pattern.quote(what)).matcher(Files.readString(log));
    int n = 0;
    while (m.find()) n++;
    return n;
  }

  @Test
  @Timeout(90)
  void resetsAndSoftResetsBirdThroughTheAdminEndpoint() throws Exception {
    if (!Files.isExecutable(BgpRunBirdTest.BIRD)) {
      if ("true".equals(System.getenv("CI")))
        throw new AssertionError(BgpRunBirdTest.BIRD + " is missing");
      Assumptions.abort(BgpRunBirdTest.BIRD + " is not installed");
    }
    Path sock = dir.resolve("bird.sock");
    Path log = dir.resolve("bird-trace.log");
    int ours = BgpRunBirdTest.freePort("127.0.4.71");
    int theirs = BgpRunBirdTest.freePort("127.0.4.72");
    Files.writeString(
        dir.resolve("bird.conf"),
        """
        log "%s" all;
        router id 127.0.4.72;
        protocol device {}
        protocol static s4 { ipv4; route 10.72.0.0/16 blackhole; }
        protocol bgp netctl {
          local 127.0.4.72 port %d as 65072;
          neighbor 127.0.4.71 port %d as 65071;
          strict bind yes;
          multihop;
          hold time 9;
          connect retry time 1;
          debug { packets, states };
          ipv4 { import all; export all; };
        }
        """
            .formatted(log, theirs, ours));
    Path admin = dir.resolve("admin.sock");
    String adminFlag = "--admin=unix:" + admin;
    Path config =
        Files.writeString(
            dir.resolve("speaker.yaml"),
            """
            routerId: 127.0.4.71
            asNumber: 65071
            listen: {address: 127.0.4.71, port: %d}
            peers:
              - {address: 127.0.4.72, port: %d, asNumber: 65072, holdTime: 9, families: [ipv4],
                 import: accept-all, export: accept-all}
            originate:
              - {prefix: 10.71.0.0/16}
            admin: {unixSocket: %s}
            """
                .formatted(ours, theirs, admin));
    Process bird = BgpRunBirdTest.startBird(dir, sock);
    AtomicReference<Cli.Run> run = new AtomicReference<>();
    Thread speaker =
        Thread.ofPlatform()
            .start(() -> run.set(Cli.raw("", "bgp", "run", "--config", config.toString())));
    try {
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(250))
          .untilAsserted(
              () -> {
                assertThat(BgpRunBirdTest.routes(adminFlag))
                    .extracting(RouteView::prefix)
                    .containsExactly("10.72.0.0/16");
                assertThat(count(log, "Got UPDATE")).isPositive();
              });
      int opens = count(log, "Got OPEN");
      assertThat(count(log, "Got BEGIN-OF-RR")).isZero();

      // Soft out: our table again, framed for BIRD to drop what it no longer gets.
      Cli.Run out = Cli.raw("", "bgp", "reset", "127.0.4.72", "--soft", "out", adminFlag);
      assertThat(out.exitCode()).as(out.toString()).isZero();
      assertThat(out.out()).isEqualTo("routes sent again to 127.0.4.72 (ipv4)\n");
      await()
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(200))
          .untilAsserted(() -> assertThat(count(log, "Got END-OF-RR")).isEqualTo(1));
      assertThat(count(log, "Got BEGIN-OF-RR")).isEqualTo(1);
      assertThat(count(log, "Got ROUTE-REFRESH")).isZero();

      // Soft in: a ROUTE-REFRESH, the session stays up.
      Cli.Run in = Cli.raw("", "bgp", "reset", "127.0.4.72", "--soft", "in", adminFlag);
      assertThat(in.exitCode()).as(in.toString()).isZero();
      assertThat(in.out()).isEqualTo("route refresh requested from 127.0.4.72 (ipv4)\n");
      await()
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(200))
          .untilAsserted(() -> assertThat(count(log, "Got ROUTE-REFRESH")).isEqualTo(1));
      assertThat(count(log, "Got OPEN")).isEqualTo(opens);

      // Hard: Cease/Administrative Reset, then a new session with the routes back.
      Cli.Run reset = Cli.raw("", "bgp", "reset", "127.0.4.72", adminFlag);
      assertThat(reset.exitCode()).as(reset.toString()).isZero();
      assertThat(reset.out())
          .isEqualTo(
              "reset of 127.0.4.72: session closed with Cease/Administrative Reset, reconnecting\n");
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(250))
          .untilAsserted(
              () -> {
                assertThat(Files.readString(log)).contains("Received: Administrative reset");
                assertThat(count(log, "Got OPEN")).isGreaterThan(opens);
                Cli.Run peers = Cli.raw("", "bgp", "peers", adminFlag);
                assertThat(peers.out()).containsPattern("127\\.0\\.4\\.72 +ebgp +established");
                assertThat(BgpRunBirdTest.routes(adminFlag))
                    .extracting(RouteView::prefix)
                    .containsExactly("10.72.0.0/16");
              });

      Cli.Run unknown = Cli.raw("", "bgp", "reset", "127.0.4.73", adminFlag);
      assertThat(unknown.exitCode()).isEqualTo(ExitCode.ERROR);
      assertThat(unknown.err()).contains("peer 127.0.4.73 is not configured");
      Cli.Run badSoft = Cli.raw("", "bgp", "reset", "127.0.4.72", "--soft", "sideways", adminFlag);
      assertThat(badSoft.exitCode()).isEqualTo(ExitCode.USAGE);
      assertThat(badSoft.err()).contains("--soft").contains("sideways");
      Cli.Run notAnAddress = Cli.raw("", "bgp", "reset", "router-7", adminFlag);
      assertThat(notAnAddress.exitCode()).isEqualTo(ExitCode.USAGE);
      assertThat(notAnAddress.err()).contains("PEER \"router-7\" must be an IP address");
    } finally {
      speaker.interrupt();
      speaker.join(15_000);
      bird.destroy();
      if (!bird.waitFor(5, TimeUnit.SECONDS)) bird.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
    assertThat(run.get().exitCode()).as(String.valueOf(run.get())).isZero();
  }
}
