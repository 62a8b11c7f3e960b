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
  static final Path BIRD = Path.of("/usr/sbin/bird");
  private static final Path BIRDC = Path.of("/usr/sbin/birdc");

  @TempDir Path dir;

  static int freePort(String address) throws IOException {
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

  /** Starts BIRD on {@code dir/bird.conf} with its control socket at {@code sock}. */
  static Process startBird(Path dir, Path sock) throws IOException {
    return new ProcessBuilder(
            BIRD.toString(), "-f", "-c", "bird.conf", "-s", sock.toString(), "-P", "bird.pid")
        .directory(dir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("bird.out").toFile())
        .start();
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
          ipv4 { import all; export all; add paths on; };
        }
        """
            .formatted(theirs, ours));
    // ADD-PATH (RFC 7911) as Calico's BIRD configures it: routes come with a path id.
    Path config =
        Files.writeString(
            dir.resolve("speaker.yaml"),
            """
            routerId: 127.0.0.61
            asNumber: 65061
            listen: {address: 127.0.0.61, port: %d}
            peers:
              - {address: 127.0.0.62, port: %d, asNumber: 65062, holdTime: 9, families: [ipv4],
                 import: accept-all, export: accept-all, addPath: true}
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
                // The prefix is a prefix a script can parse; the path id is a field of its own.
                assertThat(v)
                    .extracting(RouteView::prefix, RouteView::asPath, RouteView::peer)
                    .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("10.62.0.0/16", "65062", "127.0.0.62"));
                assertThat(v.getFirst().pathId()).isNotNull().isPositive();
              });
      Cli.Run table = Cli.raw("", "bgp", "routes", "--admin=127.0.0.1:" + admin);
      assertThat(table.out().lines().toList())
          .hasSize(2)
          .satisfies(l -> assertThat(l.get(0)).matches("PREFIX +PATH ID +NEXT HOP .*"))
          .satisfies(
              l ->
                  assertThat(l.get(1))
                      .matches("10\\.62\\.0\\.0/16 +[1-9]\\d* +127\\.0\\.0\\.62 .*"));
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

  static List<RouteView> routes(String admin) throws Exception {
    Cli.Run r = Cli.raw("", "bgp", "routes", admin, "-o", "json");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    return new ObjectMapper().readValue(r.out(), new TypeReference<>() {});
  }

  /**
   * {@code bgp refresh} sends BIRD a ROUTE-REFRESH (BIRD logs receiving it); when BIRD then dies
   * without a NOTIFICATION, its routes are kept as stale (it offered graceful restart) and {@code
   * bgp routes} and {@code bgp peers} say so. Us on 127.0.4.51, BIRD on 127.0.4.52, free ports.
   */
  @Test
  @Timeout(90)
  void refreshReachesBirdAndItsRoutesShowAsStaleAfterItDies() throws Exception {
    if (!Files.isExecutable(BIRD)) {
      if ("true".equals(System.getenv("CI"))) throw new AssertionError(BIRD + " is missing");
      Assumptions.abort(BIRD + " is not installed");
    }
    Path sock = dir.resolve("bird.sock");
    Path birdLog = dir.resolve("bird-trace.log");
    int ours = freePort("127.0.4.51");
    int theirs = freePort("127.0.4.52");
    Files.writeString(
        dir.resolve("bird.conf"),
        """
        log "%s" all;
        router id 127.0.4.52;
        protocol device {}
        protocol static s4 { ipv4; route 10.52.0.0/16 blackhole; }
        protocol bgp netctl {
          local 127.0.4.52 port %d as 65052;
          neighbor 127.0.4.51 port %d as 65051;
          strict bind yes;
          multihop;
          hold time 9;
          connect retry time 1;
          graceful restart on;
          graceful restart time 120;
          debug { packets };
          ipv4 { import all; export all; };
        }
        """
            .formatted(birdLog, theirs, ours));
    Path admin = dir.resolve("admin.sock");
    String adminFlag = "--admin=unix:" + admin;
    Path config =
        Files.writeString(
            dir.resolve("speaker.yaml"),
            """
            routerId: 127.0.4.51
            asNumber: 65051
            listen: {address: 127.0.4.51, port: %d}
            peers:
              - {address: 127.0.4.52, port: %d, asNumber: 65052, holdTime: 9, families: [ipv4],
                 gracefulRestart: 120, import: accept-all, export: accept-all}
            admin: {unixSocket: %s}
            """
                .formatted(ours, theirs, admin));
    Process bird = startBird(dir, sock);
    AtomicReference<Cli.Run> run = new AtomicReference<>();
    Thread speaker =
        Thread.ofPlatform()
            .start(() -> run.set(Cli.raw("", "bgp", "run", "--config", config.toString())));
    try {
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(250))
          .untilAsserted(
              () ->
                  assertThat(routes(adminFlag))
                      .extracting(RouteView::prefix, RouteView::stale)
                      .containsExactly(org.assertj.core.groups.Tuple.tuple("10.52.0.0/16", false)));
      assertThat(Files.readString(birdLog)).doesNotContain("Got ROUTE-REFRESH");

      Cli.Run refresh = Cli.raw("", "bgp", "refresh", adminFlag, "--peer", "127.0.4.52");
      assertThat(refresh.exitCode()).as(refresh.toString()).isZero();
      assertThat(refresh.out()).isEqualTo("route refresh requested from 127.0.4.52 (ipv4)\n");
      await()
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(200))
          .untilAsserted(() -> assertThat(Files.readString(birdLog)).contains("Got ROUTE-REFRESH"));
      Cli.Run unknown = Cli.raw("", "bgp", "refresh", adminFlag, "--peer", "127.0.4.53");
      assertThat(unknown.exitCode()).isEqualTo(ExitCode.ERROR);
      assertThat(unknown.err()).contains("peer 127.0.4.53 is not configured");

      // BIRD dies without a NOTIFICATION: a graceful restart as far as we can tell.
      bird.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      await()
          .atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(250))
          .untilAsserted(
              () -> {
                Cli.Run peers = Cli.raw("", "bgp", "peers", adminFlag);
                assertThat(peers.out())
                    .containsPattern(
                        "127\\.0\\.4\\.52 +ebgp +(?!established)\\S+ .*routes kept as stale");
              });
      assertThat(routes(adminFlag))
          .extracting(RouteView::prefix, RouteView::stale)
          .containsExactly(org.assertj.core.groups.Tuple.tuple("10.52.0.0/16", true));
      List<String> table = Cli.raw("", "bgp", "routes", adminFlag).out().lines().toList();
      assertThat(table.get(0)).endsWith("LARGE COMMUNITIES   STALE");
      assertThat(table.get(1)).startsWith("10.52.0.0/16").endsWith("stale");
      Cli.Run down = Cli.raw("", "bgp", "refresh", adminFlag, "--peer", "127.0.4.52");
      assertThat(down.exitCode()).isEqualTo(ExitCode.ERROR);
      assertThat(down.err()).contains("not ESTABLISHED: cannot send ROUTE-REFRESH");
    } finally {
      speaker.interrupt();
      speaker.join(15_000);
      bird.destroy();
      if (!bird.waitFor(5, TimeUnit.SECONDS)) bird.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
    assertThat(run.get().exitCode()).as(String.valueOf(run.get())).isZero();
  }

  /**
   * A {@code bgp run} whose peer has {@code gracefulRestart} stops (SIGTERM, here an interrupt)
   * without a NOTIFICATION, so BIRD keeps our routes while we are away (RFC 4724 §4.2); the next
   * process, {@code --restarting}, takes them over and BIRD drops only the one it no longer
   * announces. Us on 127.0.4.91, BIRD on 127.0.4.92, free ports.
   */
  @Test
  @Timeout(120)
  void birdKeepsOurRoutesAcrossAGracefulRestartOfBgpRun() throws Exception {
    if (!Files.isExecutable(BIRD)) {
      if ("true".equals(System.getenv("CI"))) throw new AssertionError(BIRD + " is missing");
      Assumptions.abort(BIRD + " is not installed");
    }
    Path sock = dir.resolve("bird.sock");
    int ours = freePort("127.0.4.91");
    int theirs = freePort("127.0.4.92");
    Files.writeString(
        dir.resolve("bird.conf"),
        """
        router id 127.0.4.92;
        protocol device {}
        protocol bgp netctl {
          local 127.0.4.92 port %d as 65092;
          neighbor 127.0.4.91 port %d as 65091;
          strict bind yes;
          multihop;
          hold time 9;
          connect retry time 1;
          graceful restart on;
          ipv4 { import all; export none; };
        }
        """
            .formatted(theirs, ours));
    String speakerYaml =
        """
        routerId: 127.0.4.91
        asNumber: 65091
        listen: {address: 127.0.4.91, port: %d}
        peers:
          - {address: 127.0.4.92, port: %d, asNumber: 65092, holdTime: 9, families: [ipv4],
             gracefulRestart: 120, import: accept-all, export: accept-all}
        admin: {unixSocket: %s}
        originate:
          - {prefix: 10.91.0.0/16}
        """;
    Path first =
        Files.writeString(
            dir.resolve("first.yaml"),
            speakerYaml.formatted(ours, theirs, dir.resolve("a1.sock"))
                + "  - {prefix: 10.91.1.0/24}\n");
    Path second =
        Files.writeString(
            dir.resolve("second.yaml"),
            speakerYaml.formatted(ours, theirs, dir.resolve("a2.sock")));
    Process bird = startBird(dir, sock);
    AtomicReference<Cli.Run> run = new AtomicReference<>();
    AtomicReference<Cli.Run> rerun = new AtomicReference<>();
    Thread speaker =
        Thread.ofPlatform()
            .start(() -> run.set(Cli.raw("", "bgp", "run", "--config", first.toString())));
    Thread restarted = null;
    try {
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(250))
          .untilAsserted(
              () ->
                  assertThat(birdc(sock, "show", "route", "protocol", "netctl"))
                      .contains("10.91.0.0/16")
                      .contains("10.91.1.0/24"));
      speaker.interrupt();
      speaker.join(15_000);
      assertThat(run.get().exitCode()).as(String.valueOf(run.get())).isZero();
      await()
          .atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(250))
          .untilAsserted(
              () ->
                  assertThat(birdc(sock, "show", "protocols", "netctl"))
                      .doesNotContain("Established"));
      assertThat(birdc(sock, "show", "route", "protocol", "netctl"))
          .as("no NOTIFICATION: BIRD keeps our routes, stale, for the restart time")
          .contains("10.91.0.0/16")
          .contains("10.91.1.0/24");

      restarted =
          Thread.ofPlatform()
              .start(
                  () ->
                      rerun.set(
                          Cli.raw(
                              "", "bgp", "run", "--restarting", "--config", second.toString())));
      await()
          .atMost(Duration.ofSeconds(45))
          .pollInterval(Duration.ofMillis(250))
          .untilAsserted(
              () -> {
                assertThat(birdc(sock, "show", "protocols", "netctl")).contains("Established");
                assertThat(birdc(sock, "show", "route", "protocol", "netctl"))
                    .as("our End-of-RIB swept what the new process no longer announces")
                    .contains("10.91.0.0/16")
                    .doesNotContain("10.91.1.0/24");
              });
    } finally {
      speaker.interrupt();
      speaker.join(15_000);
      if (restarted != null) {
        restarted.interrupt();
        restarted.join(15_000);
      }
      bird.destroy();
      if (!bird.waitFor(5, TimeUnit.SECONDS)) bird.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
    assertThat(rerun.get().exitCode()).as(String.valueOf(rerun.get())).isZero();
  }
}
