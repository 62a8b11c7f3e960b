package dev.netctl.ctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.netctl.ctl.bgp.RouteView;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code netctl bgp run} peers over eBGP with BIRD 2 and both sides see the other's prefix. */
class BgpRunBirdTest {
  private static final Path BIRD = Path.of("/usr/sbin/bird");
  private static final Path BIRDC = Path.of("/usr/sbin/birdc");

  @TempDir Path dir;

  private static int freePort(String address) throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.ofLiteral(address))) {
      return s.getLocalPort();
    }
  }

  private static String birdc(Path sock, String... args) throws Exception {
    List<String> cmd = new java.util.ArrayList<>(List.of(BIRDC.toString(), "-s", sock.toString()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    if (!p.waitFor(5, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return "(birdc timed out)";
    }
    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
  }

  @Test
  @Timeout(60)
  void exchangesRoutesWithBird() throws Exception {
    if (!Files.isExecutable(BIRD)) {
      if ("true".equals(System.getenv("CI"))) throw new AssertionError(BIRD + " is missing");
      Assumptions.abort(BIRD + " is not installed");
    }
    int ours = freePort("127.0.0.61");
    int theirs = freePort("127.0.0.62");
    int admin = freePort("127.0.0.1");
    Path sock = dir.resolve("bird.sock");
    Files.writeString(
        dir.resolve("bird.conf"),
        """
        router id 127.0.0.62;
        protocol device {}
        protocol static s4 { ipv4; route 10.62.0.0/16 blackhole; }
        protocol bgp netctl {
          local 127.0.0.62 port %d as 65062;
          neighbor 127.0.0.61 port %d as 65061;
          strict bind yes;
          multihop;
          hold time 9;
          connect retry time 1;
          ipv4 { import all; export all; };
        }
        """
            .formatted(theirs, ours));
    Path config =
        Files.writeString(
            dir.resolve("speaker.yaml"),
            """
            routerId: 127.0.0.61
            asNumber: 65061
            listen: {address: 127.0.0.61, port: %d}
            peers:
              - {address: 127.0.0.62, port: %d, asNumber: 65062, holdTime: 9, families: [ipv4],
                 import: accept-all, export: accept-all}
            originate:
              - {prefix: 10.61.0.0/16, communities: ["65061:5"]}
            admin: {address: 127.0.0.1:%d}
            """
                .formatted(ours, theirs, admin));
    Process bird =
        new ProcessBuilder(
                BIRD.toString(), "-f", "-c", "bird.conf", "-s", sock.toString(), "-P", "bird.pid")
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("bird.log").toFile())
            .start();
    AtomicReference<Cli.Run> run = new AtomicReference<>();
    Thread speaker =
        Thread.ofPlatform()
            .start(() -> run.set(Cli.raw("", "bgp", "run", "--config", config.toString())));
    try {
      ObjectMapper json = new ObjectMapper();
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(250))
          .untilAsserted(
              () -> {
                Cli.Run routes =
                    Cli.raw("", "bgp", "routes", "--admin=127.0.0.1:" + admin, "-o", "json");
                assertThat(routes.exitCode()).as(routes.toString()).isZero();
                List<RouteView> v = json.readValue(routes.out(), new TypeReference<>() {});
                assertThat(v)
                    .extracting(RouteView::prefix, RouteView::asPath, RouteView::peer)
                    .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("10.62.0.0/16", "65062", "127.0.0.62"));
              });
      Cli.Run peers = Cli.raw("", "bgp", "peers", "--admin=127.0.0.1:" + admin);
      assertThat(peers.out()).containsPattern("127\\.0\\.0\\.62 +ebgp +established");
      await()
          .atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(250))
          .untilAsserted(
              () ->
                  assertThat(birdc(sock, "show", "route", "all", "protocol", "netctl"))
                      .contains("10.61.0.0/16")
                      .contains("65061")
                      .contains("(65061,5)"));
    } finally {
      speaker.interrupt();
      speaker.join(15_000);
      bird.destroy();
      if (!bird.waitFor(5, TimeUnit.SECONDS)) bird.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
    assertThat(run.get().exitCode()).as(String.valueOf(run.get())).isZero();
  }
}
