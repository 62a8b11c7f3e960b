package dev.netctl.ctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.netctl.ctl.bgp.PeerView;
import dev.netctl.ctl.bgp.RouteView;
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

/**
 * {@code netctl bgp run} peering with FRR over IPv4 for IPv4 and IPv6 unicast, and what {@code
 * netctl bgp peers} and {@code bgp routes} show of it: FRR without zebra knows no IPv6 address of
 * its own and sends its IPv6 route with the IPv4-mapped next hop {@code ::ffff:127.0.4.82}, which
 * must read as such (RFC 5952 §5; Java's InetAddress turns it into 127.0.4.82) and be named in the
 * peer's notices; our IPv6 route reaches FRR with the configured global next hop. Us 127.0.4.81,
 * FRR 127.0.4.82, free ports.
 */
class BgpRunFrrIT {
  static final Path BGPD = Path.of("/usr/lib/frr/bgpd");
  static final Path VTYSH = Path.of("/usr/bin/vtysh");

  @TempDir Path dir;

  static void require(Path binary) {
    if (!Files.isExecutable(binary)) {
      if ("true".equals(System.getenv("CI"))) throw new AssertionError(binary + " is missing");
      Assumptions.abort(binary + " is not installed");
    }
  }

  private String vtysh(Path vty, String command) throws Exception {
    Process p =
        new ProcessBuilder(VTYSH.toString(), "--vty_socket", vty.toString(), "-c", command)
            .redirectErrorStream(true)
            .start();
    if (!p.waitFor(5, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return "(vtysh timed out)";
    }
    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
  }

  @Test
  @Timeout(90)
  void ipv6OverIpv4WithFrrReadsInRfc5952TextAndTheMappedNextHopIsNamed() throws Exception {
    require(BGPD);
    require(VTYSH);
    int ours = BgpRunBirdTest.freePort("127.0.4.81");
    int theirs = BgpRunBirdTest.freePort("127.0.4.82");
    int admin = BgpRunBirdTest.freePort("127.0.0.1");
    Path vty = Files.createDirectory(dir.resolve("vty"));
    Files.writeString(
        dir.resolve("bgpd.conf"),
        """
        frr defaults traditional
        hostname netctl-frr
        !
        router bgp 65082
         bgp router-id 127.0.4.82
         no bgp ebgp-requires-policy
         no bgp network import-check
         neighbor 127.0.4.81 remote-as 65081
         neighbor 127.0.4.81 port %d
         neighbor 127.0.4.81 update-source 127.0.4.82
         neighbor 127.0.4.81 timers 3 9
         neighbor 127.0.4.81 timers connect 1
         neighbor 127.0.4.81 disable-connected-check
         address-family ipv4 unicast
          network 10.82.0.0/16
         exit-address-family
         address-family ipv6 unicast
          network 2001:db8:82::/48
          neighbor 127.0.4.81 activate
         exit-address-family
        !
        """
            .formatted(ours));
    Path config =
        Files.writeString(
            dir.resolve("speaker.yaml"),
            """
            routerId: 127.0.4.81
            asNumber: 65081
            listen: {address: 127.0.4.81, port: %d}
            peers:
              - {address: 127.0.4.82, port: %d, asNumber: 65082, holdTime: 9,
                 ipv6NextHop: "2001:db8:0:0::81", import: accept-all, export: accept-all}
            originate:
              - {prefix: 10.81.0.0/16, nextHop: 192.0.2.81}
              - {prefix: "2001:db8:81::/48"}
            admin: {address: 127.0.0.1:%d}
            """
                .formatted(ours, theirs, admin));
    Process bgpd =
        new ProcessBuilder(
                BGPD.toString(),
                "-Z",
                "-n",
                "-S",
                "-p",
                Integer.toString(theirs),
                "-l",
                "127.0.4.82",
                "-f",
                dir.resolve("bgpd.conf").toString(),
                "-i",
                dir.resolve("bgpd.pid").toString(),
                "--vty_socket",
                vty.toString())
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("bgpd.log").toFile())
            .start();
    AtomicReference<Cli.Run> run = new AtomicReference<>();
    Thread speaker =
        Thread.ofPlatform()
            .start(() -> run.set(Cli.raw("", "bgp", "run", "--config", config.toString())));
    String at = "--admin=127.0.0.1:" + admin;
    ObjectMapper json = new ObjectMapper();
    try {
      await()
          .atMost(Duration.ofSeconds(40))
          .pollInterval(Duration.ofMillis(250))
          .untilAsserted(
              () -> {
                Cli.Run routes = Cli.raw("", "bgp", "routes", at, "--family", "ipv6", "-o", "json");
                assertThat(routes.exitCode()).as(routes.toString()).isZero();
                List<RouteView> v = json.readValue(routes.out(), new TypeReference<>() {});
                assertThat(v)
                    .extracting(RouteView::prefix, RouteView::nextHop, RouteView::peer)
                    .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(
                            "2001:db8:82::/48", "::ffff:127.0.4.82", "127.0.4.82"));
              });
      Cli.Run table = Cli.raw("", "bgp", "routes", at, "--family", "ipv6");
      assertThat(table.out().lines().toList())
          .as(table.toString())
          .anySatisfy(l -> assertThat(l).matches("2001:db8:82::/48 +::ffff:127\\.0\\.4\\.82 .*"));

      Cli.Run peers = Cli.raw("", "bgp", "peers", at, "-o", "json");
      assertThat(peers.exitCode()).as(peers.toString()).isZero();
      List<PeerView> p = json.readValue(peers.out(), new TypeReference<>() {});
      assertThat(p).hasSize(1);
      assertThat(p.getFirst().address()).isEqualTo("127.0.4.82");
      assertThat(p.getFirst().notices())
          .contains(
              "ipv6 routes with the IPv4-mapped next hop ::ffff:127.0.4.82 are kept but not used");
      assertThat(Cli.raw("", "bgp", "peers", at).out())
          .contains("IPv4-mapped next hop ::ffff:127.0.4.82");

      await()
          .atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(250))
          .untilAsserted(
              () ->
                  assertThat(vtysh(vty, "show bgp ipv6 unicast 2001:db8:81::/48 json"))
                      .contains("\"ip\":\"2001:db8::81\"")
                      .doesNotContain("::ffff:"));
      Cli.Run advertised =
          Cli.raw("", "bgp", "routes", at, "--advertised", "--family", "ipv6", "-o", "json");
      List<RouteView> out = json.readValue(advertised.out(), new TypeReference<>() {});
      assertThat(out)
          .as("the configured next hop, written as RFC 5952 has it (2001:db8:0:0::81 given)")
          .extracting(RouteView::prefix, RouteView::nextHop)
          .containsExactly(org.assertj.core.groups.Tuple.tuple("2001:db8:81::/48", "2001:db8::81"));
    } finally {
      speaker.interrupt();
      speaker.join(15_000);
      bgpd.destroy();
      if (!bgpd.waitFor(5, TimeUnit.SECONDS)) bgpd.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
    assertThat(run.get().exitCode()).as(String.valueOf(run.get())).isZero();
  }
}
