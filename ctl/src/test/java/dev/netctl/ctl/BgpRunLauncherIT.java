package dev.netctl.ctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netctl.bgp.codec.BgpEncoder;
import dev.netctl.bgp.codec.BgpMessage;
import dev.netctl.bgp.codec.Capability;
import dev.netctl.bgp.codec.CodecContext;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./netctl bgp run} as its own process: serves its admin endpoint until SIGTERM, then its
 * shutdown hook closes the speaker and both ports can be bound again.
 */
@Timeout(120)
class BgpRunLauncherIT {
  @TempDir Path dir;

  private static int freePort(String address) throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.ofLiteral(address))) {
      return s.getLocalPort();
    }
  }

  @Test
  void sigtermClosesTheSpeakerAndFreesItsPorts() throws Exception {
    int bgp = freePort("127.0.0.71");
    int admin = freePort("127.0.0.1");
    Process p = start(71, bgp, admin);
    try {
      String adminOpt = "--admin=127.0.0.1:" + admin;
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(200))
          .untilAsserted(
              () -> {
                assertThat(p.isAlive()).as(() -> read("err")).isTrue();
                Cli.Run peers = Cli.raw("", "bgp", "peers", adminOpt);
                assertThat(peers.exitCode()).as(peers.toString()).isZero();
                assertThat(peers.out()).containsPattern("127\\.0\\.0\\.72 +ebgp +(idle|active)");
              });
      assertThat(read("out")).contains("listening on 127.0.0.71:" + bgp);

      p.destroy(); // SIGTERM
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("exits after SIGTERM").isTrue();
      assertThat(p.exitValue()).as(read("err")).isEqualTo(143);
      for (InetSocketAddress held :
          List.of(
              new InetSocketAddress("127.0.0.71", bgp),
              new InetSocketAddress("127.0.0.1", admin))) {
        try (ServerSocket s = new ServerSocket()) {
          s.setReuseAddress(true);
          s.bind(held);
        }
      }
      assertThat(Cli.raw("", "bgp", "peers", adminOpt).exitCode()).isEqualTo(ExitCode.UNAVAILABLE);
    } finally {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  /**
   * A speaker's session events reach its log (stderr) as a BIRD or GoBGP user expects: here an OPEN
   * from the configured address with the wrong AS, refused with a NOTIFICATION, and the reason. The
   * speaker's own start-up warm-up session (no peer behind it) is not logged.
   */
  @Test
  void sessionEventsAreLoggedWithTheirReason() throws Exception {
    int bgp = freePort("127.0.0.75");
    Process p = start(75, bgp, freePort("127.0.0.1"));
    try {
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> read("out").contains("listening on"));
      byte[] open =
          BgpEncoder.encode(
              new BgpMessage.Open(
                  4,
                  65099,
                  90,
                  (java.net.Inet4Address) InetAddress.ofLiteral("127.0.0.76"),
                  List.of(new Capability.FourOctetAs(65099))),
              CodecContext.FOUR_OCTET);
      try (Socket s = new Socket()) {
        s.bind(new InetSocketAddress("127.0.0.76", 0));
        s.connect(new InetSocketAddress("127.0.0.75", bgp), 5_000);
        s.setSoTimeout(10_000);
        s.getOutputStream().write(open);
        s.getInputStream().readAllBytes(); // its OPEN, the NOTIFICATION, then the close
      }
      await()
          .atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(100))
          .untilAsserted(
              () ->
                  assertThat(read("err"))
                      .containsPattern(
                          "INFO \\S+: peer 127\\.0\\.0\\.76:\\d+ AS65076: OPEN_SENT -> \\w+ \\(peer"
                              + " AS 65099 is not the configured 65076\\)"));
      assertThat(read("err")).as("the warm-up's in-process session").doesNotContain("192.0.2.");
    } finally {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  /**
   * Starts {@code ./netctl bgp run} as 127.0.0.N in AS 650NN, listening on {@code bgp}, with one
   * passive peer 127.0.0.(N+1) in AS 650(NN+1); its stdout and stderr go to "out" and "err".
   */
  private Process start(int n, int bgp, int admin) throws Exception {
    Path config =
        Files.writeString(
            dir.resolve("speaker.yaml"),
            """
            routerId: 127.0.0.%1$d
            asNumber: 650%1$d
            listen: {address: 127.0.0.%1$d, port: %2$d}
            peers: [{address: 127.0.0.%3$d, port: %2$d, asNumber: 650%3$d, passive: true}]
            admin: {address: 127.0.0.1:%4$d}
            """
                .formatted(n, bgp, n + 1, admin));
    Path launcher = Path.of("").toAbsolutePath().getParent().resolve("netctl");
    ProcessBuilder pb =
        new ProcessBuilder(launcher.toString(), "bgp", "run", "--config", config.toString());
    pb.environment().put("NETCTL_NO_BUILD", "1");
    pb.environment().put("XDG_CACHE_HOME", dir.resolve("cache").toString());
    pb.redirectOutput(dir.resolve("out").toFile()).redirectError(dir.resolve("err").toFile());
    return pb.start();
  }

  private String read(String name) {
    try {
      return Files.readString(dir.resolve(name));
    } catch (java.io.IOException e) {
      return "(" + name + " unreadable: " + e.getMessage() + ")";
    }
  }
}
