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
 * Route refresh (RFC 2918) toward GoBGP: we ask GoBGP for its routes again after its export policy
 * changed (GoBGP applies such a change only to what it sends next). GoBGP's soft reset in re-runs
 * its own Adj-RIB-In and sends no ROUTE-REFRESH, so the other direction is tested with BIRD. Us
 * 127.0.1.21, GoBGP 127.0.1.22 (and its API), on free ports.
 */
@Timeout(120)
class GobgpRouteRefreshIT {
  // Free ports, bound to 0 and released at the start of the test.
  private int ourPort;
  private int gobgpPort;
  private int gobgpApi;

  static final String US = "127.0.1.21";
  static final String THEM = "127.0.1.22";

  List<String> cli(String... args) {
    return GobgpInteropIT.cliAt(THEM, gobgpApi, args);
  }

  String run(String... args) throws Exception {
    return GobgpInteropIT.runAt(THEM, gobgpApi, args);
  }

  /** One counter of GoBGP's "Message statistics" for us: column 1 sent, 2 received. */
  int counter(String row, int column) throws Exception {
    String out = run("neighbor", US);
    Matcher m = Pattern.compile(row + ":\\s+(\\d+)\\s+(\\d+)").matcher(out);
    if (!m.find()) {
      throw new AssertionError("no '" + row + "' row in: " + out);
    }
    return Integer.parseInt(m.group(column));
  }

  static List<String> received(BgpSpeaker s) {
    return s.received(ip(THEM)).stream().map(r -> r.nlri().prefix().toString()).sorted().toList();
  }

  @Test
  void refreshGetsGobgpsTableAgainUnderItsNewExportPolicy(@TempDir Path dir) throws Exception {
    Daemon.require(GobgpInteropIT.GOBGPD);
    Daemon.require(GobgpInteropIT.GOBGP);
    ourPort = InteropSupport.freePort("127.0.1.21");
    gobgpPort = InteropSupport.freePort("127.0.1.22");
    gobgpApi = InteropSupport.freePort("127.0.1.22");
    Files.writeString(
        dir.resolve("gobgpd.toml"),
        GobgpConfig.global(65122, THEM, gobgpPort)
            .raw(
                """
                # Export policy is global in GoBGP (per-neighbour policy is for route-server clients).
                [global.apply-policy.config]
                  export-policy-list = ["hide"]
                  default-export-policy = "accept-route"
                [[defined-sets.prefix-sets]]
                  prefix-set-name = "hidden"
                  [[defined-sets.prefix-sets.prefix-list]]
                    ip-prefix = "10.122.2.0/24"
                [[policy-definitions]]
                  name = "hide"
                  [[policy-definitions.statements]]
                    [policy-definitions.statements.conditions.match-prefix-set]
                      prefix-set = "hidden"
                    [policy-definitions.statements.actions]
                      route-disposition = "reject-route"
                """)
            .neighbor(GobgpConfig.Neighbor.of(US, 65121, ourPort))
            .render());
    try (BgpSpeaker speaker =
            BgpSpeaker.start(65121, new InetSocketAddress(ip(US), ourPort), Transport.best());
        Daemon gobgpd =
            Daemon.start(
                "gobgpd",
                dir,
                List.of(
                    GobgpInteropIT.GOBGPD,
                    "-f",
                    "gobgpd.toml",
                    "--api-hosts",
                    THEM + ":" + gobgpApi),
                Map.of())) {
      InteropSupport.Details details =
          () ->
              InteropSupport.status(speaker)
                  + "\ngobgp neighbor: "
                  + run("neighbor", US)
                  + "\ngobgp adj-out: "
                  + run("neighbor", US, "adj-out")
                  + "\ngobgpd output: "
                  + gobgpd.output();
      await(
          Duration.ofSeconds(15),
          () -> run("global", "rib", "-a", "ipv4", "add", "10.122.1.0/24").isBlank(),
          details);
      run("global", "rib", "-a", "ipv4", "add", "10.122.2.0/24");
      // GoBGP drops an UPDATE whose NEXT_HOP is a loopback address: use a documentation one.
      speaker.originate(Prefix.parse("10.121.0.0/24"), ip("192.0.2.121"), List.of());
      speaker.addPeer(InteropSupport.open(peer(US, 65121, THEM, gobgpPort, 65122)));
      await(Duration.ofSeconds(30), () -> state(speaker) == State.ESTABLISHED, details);
      await(Duration.ofSeconds(20), () -> received(speaker).size() == 1, details);
      assertThat(received(speaker)).containsExactly("10.122.1.0/24");
      await(
          Duration.ofSeconds(20),
          () -> run("global", "rib", "-a", "ipv4").contains("10.121.0.0/24"),
          details);

      // GoBGP's export policy now lets 10.122.2.0/24 through, but it sends nothing on its own.
      String deleted = run("policy", "prefix", "del", "hidden", "10.122.2.0/24");
      assertThat(deleted).as("gobgp policy prefix del").isBlank();
      long quiet = System.nanoTime() + Duration.ofSeconds(2).toNanos();
      while (System.nanoTime() < quiet) {
        assertThat(received(speaker)).as("GoBGP re-sends only when asked").hasSize(1);
        Thread.sleep(200);
      }
      int refreshesBefore = counter("Route Refresh", 2);
      speaker.refresh(ip(THEM), AddressFamily.IPV4_UNICAST);
      await(
          Duration.ofSeconds(20),
          () -> received(speaker).equals(List.of("10.122.1.0/24", "10.122.2.0/24")),
          details);
      assertThat(counter("Route Refresh", 2)).isEqualTo(refreshesBefore + 1);

      assertThat(state(speaker)).isEqualTo(State.ESTABLISHED);
    }
  }
}
