package dev.netctl.ctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.netctl.ctl.bgp.PeerView;
import dev.netctl.ctl.bgp.RouteView;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two {@code netctl bgp run} speakers in this JVM peer over iBGP on 127.0.0.2 and 127.0.0.3, each
 * originating a prefix; {@code bgp peers} and {@code bgp routes} read them through the admin
 * endpoints.
 */
class BgpCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private final List<Thread> speakers = new java.util.ArrayList<>();

  private static int freePort(String address) throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.ofLiteral(address))) {
      return s.getLocalPort();
    }
  }

  private Thread run(Path config, AtomicReference<Cli.Run> result) {
    Thread t =
        Thread.ofPlatform()
            .name("bgp-run-" + config.getFileName())
            .start(() -> result.set(Cli.raw("", "bgp", "run", "--config", config.toString())));
    speakers.add(t);
    return t;
  }

  private Path config(
      String name, String self, int port, String other, int otherPort, String prefix, int admin)
      throws IOException {
    return Files.writeString(
        dir.resolve(name),
        """
        routerId: %s
        asNumber: 65010
        listen: {address: %s, port: %d}
        peers:
          - {address: %s, port: %d, asNumber: 65010, holdTime: 9}
        originate:
          - {prefix: %s, communities: ["65010:7"], largeCommunities: ["65010:1:2"]}
        admin: {address: 127.0.0.1:%d}
        """
            .formatted(self, self, port, other, otherPort, prefix, admin));
  }

  @AfterEach
  void stopSpeakers() throws InterruptedException {
    for (Thread t : speakers) {
      t.interrupt();
      t.join(15_000);
    }
  }

  @Test
  @Timeout(60)
  void twoSpeakersPeerAndTheQueryVerbsShowSessionsAndRoutes() throws Exception {
    int portA = freePort("127.0.0.2");
    int portB = freePort("127.0.0.3");
    int adminA = freePort("127.0.0.1");
    int adminB = freePort("127.0.0.1");
    String a = "--admin=127.0.0.1:" + adminA;
    String b = "--admin=127.0.0.1:" + adminB;
    AtomicReference<Cli.Run> runA = new AtomicReference<>();
    AtomicReference<Cli.Run> runB = new AtomicReference<>();
    Thread ta =
        run(config("a.yaml", "127.0.0.2", portA, "127.0.0.3", portB, "10.10.0.0/16", adminA), runA);
    Thread tb =
        run(config("b.yaml", "127.0.0.3", portB, "127.0.0.2", portA, "10.20.0.0/16", adminB), runB);

    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .untilAsserted(
            () -> {
              Cli.Run peers = Cli.raw("", "bgp", "peers", a, "-o", "json");
              assertThat(peers.exitCode()).as(peers.toString()).isZero();
              List<PeerView> v = JSON.readValue(peers.out(), new TypeReference<>() {});
              assertThat(v)
                  .singleElement()
                  .satisfies(
                      p -> {
                        assertThat(p.state()).isEqualTo("established");
                        assertThat(p.receivedPrefixes()).isEqualTo(1);
                      });
            });

    Cli.Run table = Cli.raw("", "bgp", "peers", a);
    assertThat(table.exitCode()).as(table.toString()).isZero();
    List<String> lines = table.out().lines().toList();
    assertThat(lines.get(0)).isEqualTo("IPv4 BGP status");
    assertThat(lines.get(1)).matches("PEER ADDRESS +PEER TYPE +STATE +SINCE +INFO");
    assertThat(lines.get(2))
        .matches("127\\.0\\.0\\.3 +ibgp +established +\\S+Z +1 routes received");
    assertThat(lines.subList(3, lines.size()))
        .containsExactly("", "IPv6 BGP status", "No IPv6 peers found.");

    Cli.Run routes = Cli.raw("", "bgp", "routes", a, "--family", "ipv4", "-o", "json");
    assertThat(routes.exitCode()).as(routes.toString()).isZero();
    List<RouteView> received = JSON.readValue(routes.out(), new TypeReference<>() {});
    assertThat(received)
        .containsExactly(
            new RouteView(
                "10.20.0.0/16",
                "ipv4",
                "127.0.0.3",
                "",
                "127.0.0.3",
                "received",
                List.of("65010:7"),
                List.of("65010:1:2")));

    Cli.Run routeTable = Cli.raw("", "bgp", "routes", b, "--peer", "127.0.0.2", "--received");
    assertThat(routeTable.out().lines().toList())
        .hasSize(2)
        .first()
        .asString()
        .matches("PREFIX +NEXT HOP +AS PATH +FROM PEER +COMMUNITIES +LARGE COMMUNITIES");
    assertThat(routeTable.out().lines().toList().get(1))
        .matches("10\\.10\\.0\\.0/16 +127\\.0\\.0\\.2 +127\\.0\\.0\\.2 +65010:7 +65010:1:2");

    Cli.Run advertised = Cli.raw("", "bgp", "routes", b, "--advertised", "-o", "json");
    List<RouteView> adv = JSON.readValue(advertised.out(), new TypeReference<>() {});
    assertThat(adv)
        .extracting(RouteView::prefix, RouteView::peer)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("10.20.0.0/16", "127.0.0.2"));

    Cli.Run v6 = Cli.raw("", "bgp", "routes", a, "--family", "ipv6");
    assertThat(v6.exitCode()).isZero();
    assertThat(v6.err()).contains("No routes found.");

    // Shutdown: both runs return OK and every port they held can be bound again.
    ta.interrupt();
    tb.interrupt();
    ta.join(15_000);
    tb.join(15_000);
    assertThat(runA.get().exitCode()).as(String.valueOf(runA.get())).isZero();
    assertThat(runA.get().out()).contains("listening on 127.0.0.2:" + portA);
    assertThat(runB.get().exitCode()).isZero();
    for (InetSocketAddress held :
        List.of(
            new InetSocketAddress("127.0.0.2", portA),
            new InetSocketAddress("127.0.0.3", portB),
            new InetSocketAddress("127.0.0.1", adminA),
            new InetSocketAddress("127.0.0.1", adminB))) {
      try (ServerSocket s = new ServerSocket()) {
        s.setReuseAddress(true);
        s.bind(held);
      }
    }
    Cli.Run gone = Cli.raw("", "bgp", "peers", a);
    assertThat(gone.exitCode()).isEqualTo(ExitCode.UNAVAILABLE);
    assertThat(gone.err()).contains("BGP admin endpoint 127.0.0.1:" + adminA + " is unreachable");
  }

  @Test
  void badQueryOptionsAreUsageErrors() {
    assertThat(Cli.raw("", "bgp", "routes", "--received", "--advertised").exitCode())
        .isEqualTo(ExitCode.USAGE);
    Cli.Run peer = Cli.raw("", "bgp", "routes", "--peer", "nope");
    assertThat(peer.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(peer.err()).contains("--peer \"nope\" must be an IP address");
    assertThat(Cli.raw("", "bgp", "peers", "--admin", "localhost").exitCode())
        .isEqualTo(ExitCode.USAGE);
  }
}
