package dev.netctl.bgp.interop;

import static dev.netctl.bgp.interop.InteropSupport.await;
import static dev.netctl.bgp.interop.InteropSupport.ip;
import static dev.netctl.bgp.interop.InteropSupport.peer;
import static dev.netctl.bgp.interop.InteropSupport.state;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.codec.Nlri;
import dev.netctl.bgp.codec.PathAttribute;
import dev.netctl.bgp.codec.Prefix;
import dev.netctl.bgp.fsm.State;
import dev.netctl.bgp.session.Transport;
import dev.netctl.bgp.speaker.BgpSpeaker;
import dev.netctl.bgp.speaker.ReceivedRoute;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** eBGP between our speaker (127.0.0.53) and GoBGP (127.0.0.54), on free ports. */
@Timeout(90)
class GobgpInteropIT {
  static final String GOBGPD = "/usr/bin/gobgpd";
  static final String GOBGP = "/usr/bin/gobgp";

  /** The gobgp CLI command line for the gobgpd whose API listens on {@code host:api}. */
  static List<String> cliAt(String host, int api, String... args) {
    List<String> cmd = new ArrayList<>(List.of(GOBGP, "-u", host, "-p", Integer.toString(api)));
    cmd.addAll(List.of(args));
    return cmd;
  }

  /** Runs {@link #cliAt} (bounded by 5 s) and returns its output. */
  static String runAt(String host, int api, String... args) throws Exception {
    return Daemon.run(Duration.ofSeconds(5), cliAt(host, api, args));
  }

  // GoBGP's API port, free per run.
  private int api;

  List<String> cli(String... args) {
    return cliAt("127.0.0.1", api, args);
  }

  @Test
  void exchangesRoutesWithGobgpAndSeesWithdrawals(@TempDir Path dir) throws Exception {
    Daemon.require(GOBGPD);
    Daemon.require(GOBGP);
    int ours = InteropSupport.freePort("127.0.0.53");
    int theirs = InteropSupport.freePort("127.0.0.54");
    api = InteropSupport.freePort("127.0.0.1");
    Files.writeString(
        dir.resolve("gobgpd.toml"),
        GobgpConfig.global(65054, "127.0.0.54", theirs)
            .neighbor(
                GobgpConfig.Neighbor.of("127.0.0.53", 65051, ours)
                    .families("ipv4-unicast", "ipv6-unicast"))
            .render());
    try (BgpSpeaker speaker =
            BgpSpeaker.start(
                65051, new InetSocketAddress(ip("127.0.0.53"), ours), Transport.best());
        Daemon gobgpd =
            Daemon.start(
                "gobgpd",
                dir,
                List.of(GOBGPD, "-f", "gobgpd.toml", "--api-hosts", "127.0.0.1:" + api),
                Map.of())) {
      InteropSupport.Details details =
          () ->
              InteropSupport.status(speaker)
                  + "\ngobgp neighbor: "
                  + Daemon.run(Duration.ofSeconds(5), cli("neighbor"))
                  + "\ngobgp rib: "
                  + Daemon.run(Duration.ofSeconds(5), cli("global", "rib", "-a", "ipv4"))
                  + Daemon.run(Duration.ofSeconds(5), cli("global", "rib", "-a", "ipv6"))
                  + "\ngobgpd output: "
                  + gobgpd.output();
      // The API comes up a moment after the process starts.
      await(
          Duration.ofSeconds(15),
          () ->
              Daemon.run(
                      Duration.ofSeconds(5),
                      cli("global", "rib", "-a", "ipv4", "add", "10.54.0.0/16"))
                  .isBlank(),
          details);
      Daemon.run(
          Duration.ofSeconds(5),
          cli("global", "rib", "-a", "ipv4", "add", "10.54.1.0/24", "community", "65054:7"));
      Daemon.run(
          Duration.ofSeconds(5), cli("global", "rib", "-a", "ipv6", "add", "2001:db8:54::/48"));

      // GoBGP treats an UPDATE with a loopback NEXT_HOP as withdraw: use a documentation address.
      speaker.originate(Prefix.parse("10.53.0.0/16"), ip("192.0.2.53"), List.of());
      speaker.originate(Prefix.parse("2001:db8:53::/48"), null, List.of());
      // RFC 2545: IPv6 over this IPv4 session needs a global IPv6 next hop of ours.
      speaker.addPeer(
          InteropSupport.open(peer("127.0.0.53", 65051, "127.0.0.54", theirs, 65054))
              .withIpv6NextHop(
                  (java.net.Inet6Address) java.net.InetAddress.getByName("2001:db8::53")));

      await(Duration.ofSeconds(30), () -> state(speaker) == State.ESTABLISHED, details);
      await(Duration.ofSeconds(20), () -> speaker.received(ip("127.0.0.54")).size() == 3, details);
      List<ReceivedRoute> routes = speaker.received(ip("127.0.0.54"));
      assertThat(routes)
          .extracting(ReceivedRoute::nlri)
          .containsExactlyInAnyOrder(
              Nlri.of("10.54.0.0/16"), Nlri.of("10.54.1.0/24"), Nlri.of("2001:db8:54::/48"));
      ReceivedRoute tagged =
          routes.stream()
              .filter(r -> r.nlri().equals(Nlri.of("10.54.1.0/24")))
              .findFirst()
              .orElseThrow();
      assertThat(tagged.attribute(PathAttribute.Communities.class))
          .contains(new PathAttribute.Communities(List.of((65054 << 16) | 7)));
      assertThat(tagged.attribute(PathAttribute.AsPath.class))
          .contains(PathAttribute.AsPath.sequence(65054));

      await(
          Duration.ofSeconds(20),
          () ->
              Daemon.run(Duration.ofSeconds(5), cli("global", "rib", "-a", "ipv4"))
                      .contains("10.53.0.0/16")
                  && Daemon.run(Duration.ofSeconds(5), cli("global", "rib", "-a", "ipv6"))
                      .contains("2001:db8:53::/48"),
          details);

      // A withdrawal at GoBGP reaches us; one at our side reaches GoBGP.
      Daemon.run(Duration.ofSeconds(5), cli("global", "rib", "-a", "ipv4", "del", "10.54.1.0/24"));
      await(Duration.ofSeconds(20), () -> speaker.received(ip("127.0.0.54")).size() == 2, details);
      speaker.withdraw(Prefix.parse("10.53.0.0/16"));
      await(
          Duration.ofSeconds(20),
          () ->
              !Daemon.run(Duration.ofSeconds(5), cli("global", "rib", "-a", "ipv4"))
                  .contains("10.53.0.0/16"),
          details);
    }
  }
}
