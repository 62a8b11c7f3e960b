package dev.netctl.bgp.interop;

import static dev.netctl.bgp.interop.InteropSupport.await;
import static dev.netctl.bgp.interop.InteropSupport.ip;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.codec.AddressText;
import dev.netctl.bgp.codec.Prefix;
import dev.netctl.bgp.fsm.PeerConfig;
import dev.netctl.bgp.fsm.RemoteAs;
import dev.netctl.bgp.fsm.State;
import dev.netctl.bgp.rib.RoutePolicy;
import dev.netctl.bgp.session.PeerSpec;
import dev.netctl.bgp.session.Transport;
import dev.netctl.bgp.speaker.BgpSpeaker;
import dev.netctl.bgp.speaker.DynamicRange;
import dev.netctl.bgp.speaker.Neighbor;
import dev.netctl.bgp.speaker.PeerStatus;
import dev.netctl.bgp.speaker.SpeakerConfig;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * FRR bgpds as dynamic neighbours of our range (the BIRD case is {@link BirdDynamicNeighborIT}): a
 * range of limit 1 takes one FRR, refuses the second with Cease/Connection Rejected (RFC 4486)
 * until the first leaves, and drops a connection from outside the range; the session the accepted
 * FRR gets is the template's (hold time, IPv6 next hop, policies). Us 127.0.42.1, FRRs in the range
 * 127.0.42.2 and .3, FRR outside it 127.0.43.2.
 */
@Timeout(150)
class FrrDynamicNeighborIT {
  static final String US = "127.0.42.1";

  /**
   * An FRR client in AS {@code as} at {@code address}, announcing {@code prefix}, dialling our
   * listener; it proposes a hold time of 30 s, so a negotiated 9 s is the template's.
   */
  static String client(String address, long as, int ourPort, String prefix) {
    return client(address, as, US, ourPort, prefix);
  }

  /** {@link #client(String, long, int, String)} dialling us at {@code us}. */
  static String client(String address, long as, String us, int ourPort, String prefix) {
    return """
        frr defaults traditional
        hostname c-%1$s
        log stdout informational
        !
        router bgp %2$d
         bgp router-id %1$s
         bgp log-neighbor-changes
         no bgp ebgp-requires-policy
         no bgp network import-check
         neighbor %3$s remote-as 65420
         neighbor %3$s port %4$d
         neighbor %3$s update-source %1$s
         neighbor %3$s timers 10 30
         neighbor %3$s timers connect 1
         neighbor %3$s disable-connected-check
         address-family ipv4 unicast
          network %5$s
         exit-address-family
         address-family ipv6 unicast
          neighbor %3$s activate
         exit-address-family
        !
        """
        .formatted(address, as, us, ourPort, prefix);
  }

  /** One FRR bgpd in {@code dir/name}, with its vtysh command prefix. */
  record Frr(Daemon daemon, List<String> vtysh) implements AutoCloseable {
    static Frr start(Path dir, String name, String address, String config) throws Exception {
      Path home = Files.createDirectory(dir.resolve(name));
      Path vty = Files.createDirectory(home.resolve("vty"));
      Files.writeString(home.resolve("bgpd.conf"), config);
      Daemon d = FrrInteropIT.startBgpd(home, vty, InteropSupport.freePort(address), address);
      return new Frr(d, List.of(FrrInteropIT.VTYSH, "--vty_socket", vty.toString(), "-c"));
    }

    String show(String command) throws Exception {
      return Daemon.run(Duration.ofSeconds(5), FrrInteropIT.concat(vtysh, command));
    }

    /** FRR's view of its session with us, as JSON. */
    String neighbor() throws Exception {
      return neighbor(US);
    }

    /** FRR's view of its session with us at {@code us}, as JSON. */
    String neighbor(String us) throws Exception {
      return show("show bgp neighbors " + us + " json");
    }

    @Override
    public void close() throws InterruptedException {
      daemon.close();
    }
  }

  @Test
  void aRangeOfLimitOneTakesOneFrrWithTheTemplatesSessionAndRefusesTheRest(@TempDir Path dir)
      throws Exception {
    Daemon.require(FrrInteropIT.BGPD);
    Daemon.require(FrrInteropIT.VTYSH);
    SpeakerConfig config =
        SpeakerConfig.of(65420, ip(US), new InetSocketAddress(ip(US), 0), Transport.best());
    try (BgpSpeaker speaker = BgpSpeaker.start(config)) {
      PeerConfig ebgp =
          PeerConfig.of(65420, ip(US), 65421)
              .withHoldTime(9)
              .withAcceptedAs(RemoteAs.parse("65421-65429"));
      // eBGP: without policies nothing would pass (RFC 8212); IPv6 over IPv4 needs a next hop.
      Neighbor template =
          Neighbor.of(
                  new PeerSpec(
                      new InetSocketAddress(ip("127.0.42.0"), 179), ip(US), ebgp, true, null, 0))
              .withPolicies(RoutePolicy.ACCEPT_ALL, RoutePolicy.ACCEPT_ALL)
              .withIpv6NextHop((Inet6Address) InetAddress.getByName("2001:db8::4201"));
      speaker.addDynamicRange(new DynamicRange("frrs", Prefix.parse("127.0.42.0/28"), template, 1));
      // FRR drops martian (loopback) next hops: a documentation address.
      speaker.originate(Prefix.parse("10.42.0.0/16"), ip("192.0.2.42"), List.of());
      speaker.originate(Prefix.parse("2001:db8:42::/48"), null, List.of());
      int ours = speaker.listenAddress().getPort();

      try (Frr c1 =
          Frr.start(dir, "c1", "127.0.42.2", client("127.0.42.2", 65421, ours, "10.42.2.0/24"))) {
        InteropSupport.Details first =
            () -> InteropSupport.status(speaker) + "\nc1: " + c1.neighbor() + c1.daemon.output();
        await(
            Duration.ofSeconds(40),
            () ->
                c1.show("show bgp ipv6 unicast json").contains("2001:db8:42::/48")
                    && speaker.received(ip("127.0.42.2")).size() == 1,
            first);
        assertThat(c1.neighbor())
            .as("the template's hold time, lower than FRR's 30 s, is the session's")
            .contains("\"bgpTimerHoldTimeMsecs\":9000");
        String v6 = c1.show("show bgp ipv6 unicast 2001:db8:42::/48 json");
        assertThat(v6)
            .as("the template's IPv6 next hop (RFC 2545 §2), never an IPv4-mapped one")
            .contains("\"ip\":\"2001:db8::4201\"")
            .doesNotContain("::ffff:");
        assertThat(c1.show("show bgp ipv4 unicast 10.42.0.0/16 json"))
            .as("the template's export policy let our route out, with our AS (eBGP)")
            .contains("\"string\":\"65420\"");
        PeerStatus accepted = speaker.peers().getFirst();
        assertThat(accepted.notices()).contains("dynamic peer of range frrs (127.0.42.0/28)");
        assertThat(accepted.remoteAs()).isEqualTo(65421);

        try (Frr c2 =
                Frr.start(
                    dir, "c2", "127.0.42.3", client("127.0.42.3", 65422, ours, "10.42.3.0/24"));
            Frr outside =
                Frr.start(
                    dir,
                    "outside",
                    "127.0.43.2",
                    client("127.0.43.2", 65423, ours, "10.43.2.0/24"))) {
          InteropSupport.Details second =
              () ->
                  InteropSupport.status(speaker)
                      + "\nc2: "
                      + c2.neighbor()
                      + c2.daemon.output()
                      + "\noutside: "
                      + outside.neighbor();
          // FRR answers a NOTIFICATION in OpenSent with one of its own (5/1, against RFC 4271
          // §8.2.2, which only goes to Idle), and that is what its neighbour JSON then shows: ours
          // is
          // in its log.
          await(
              Duration.ofSeconds(40),
              () ->
                  c2.daemon
                      .output()
                      .contains(
                          "received from neighbor 127.0.42.1 6/5 (Cease/Connection Rejected)"),
              second);
          assertThat(speaker.peers())
              .as("the range holds one session; an address outside it gets none")
              .extracting(p -> AddressText.of(p.remote().getAddress()))
              .containsExactly("127.0.42.2");
          // The outside FRR's connections were accepted by TCP (it sent OPENs on them) and
          // closed without an OPEN from us.
          await(
              Duration.ofSeconds(20),
              () -> !outside.neighbor().contains("\"opensSent\":0,"),
              second);
          assertThat(outside.neighbor())
              .contains("\"opensRecv\":0,")
              .doesNotContain("\"bgpState\":\"Established\"");
          assertThat(speaker.routes())
              .extracting(e -> e.prefix().toString())
              .doesNotContain("10.42.3.0/24", "10.43.2.0/24");

          // The accepted FRR leaves: its routes go, and the refused one gets in on a retry.
          c1.close();
          await(
              Duration.ofSeconds(60),
              () ->
                  speaker.peers().size() == 1
                      && speaker.peers().getFirst().state() == State.ESTABLISHED
                      && AddressText.of(speaker.peers().getFirst().remote().getAddress())
                          .equals("127.0.42.3")
                      && speaker.received(ip("127.0.42.3")).size() == 1,
              second);
          assertThat(speaker.routes())
              .extracting(e -> e.prefix().toString())
              .doesNotContain("10.42.2.0/24", "10.43.2.0/24");
          assertThat(speaker.peers().getFirst().remoteAs()).isEqualTo(65422);
        }
      }
    }
  }

  /**
   * An FRR client with graceful restart (and the F bit: without zebra FRR would not claim preserved
   * forwarding) crashes: being a dynamic peer does not change RFC 4724 §4.2, its routes are kept,
   * stale, while its session waits for it, and the FRR that comes back finds them and refreshes
   * them. Us 127.0.42.17, FRR 127.0.42.18 in the range 127.0.42.16/28.
   */
  @Test
  void aDynamicFrrThatCrashesIsWaitedForWithItsRoutesKept(@TempDir Path dir) throws Exception {
    Daemon.require(FrrInteropIT.BGPD);
    Daemon.require(FrrInteropIT.VTYSH);
    String us = "127.0.42.17";
    String them = "127.0.42.18";
    SpeakerConfig config =
        SpeakerConfig.of(65420, ip(us), new InetSocketAddress(ip(us), 0), Transport.best());
    try (BgpSpeaker speaker = BgpSpeaker.start(config)) {
      PeerConfig ebgp =
          PeerConfig.of(65420, ip(us), 65421)
              .withHoldTime(9)
              .withFamilies(java.util.Set.of(dev.netctl.bgp.codec.AddressFamily.IPV4_UNICAST))
              .withOptions(java.util.Set.of(), java.util.Set.of(), 120, false);
      Neighbor template =
          Neighbor.of(
                  new PeerSpec(
                      new InetSocketAddress(ip("127.0.42.16"), 179), ip(us), ebgp, true, null, 0))
              .withPolicies(RoutePolicy.ACCEPT_ALL, RoutePolicy.ACCEPT_ALL);
      speaker.addDynamicRange(
          new DynamicRange("frrs", Prefix.parse("127.0.42.16/28"), template, 4));
      int ours = speaker.listenAddress().getPort();
      String conf =
          client(them, 65421, us, ours, "10.42.18.0/24")
              .replace(
                  " bgp log-neighbor-changes\n",
                  """
                   bgp log-neighbor-changes
                   bgp graceful-restart
                   bgp graceful-restart restart-time 120
                   bgp graceful-restart preserve-fw-state
                  """);
      List<dev.netctl.bgp.codec.Prefix> withdrawn =
          new java.util.concurrent.CopyOnWriteArrayList<>();
      speaker.subscribe(
          new dev.netctl.bgp.speaker.RouteListener() {
            @Override
            public void announced(InetAddress peer, List<dev.netctl.bgp.speaker.ReceivedRoute> r) {}

            @Override
            public void withdrawn(InetAddress peer, List<dev.netctl.bgp.codec.Nlri> nlri) {
              nlri.forEach(n -> withdrawn.add(n.prefix()));
            }
          });
      InetAddress frr = ip(them);
      Frr first = Frr.start(dir, "before", them, conf);
      try {
        InteropSupport.Details details =
            () -> InteropSupport.status(speaker) + "\nfrr: " + first.neighbor(us);
        await(
            Duration.ofSeconds(40),
            () ->
                speaker.received(frr).size() == 1
                    && first.neighbor(us).contains("\"gracefulRestart\":\"advertisedAndReceived\""),
            details);
      } finally {
        first.daemon.crash();
      }
      await(
          Duration.ofSeconds(20),
          () ->
              speaker.peers().size() == 1
                  && speaker.peers().getFirst().state() != State.ESTABLISHED
                  && speaker.peers().getFirst().staleRoutes(),
          () -> InteropSupport.status(speaker));
      assertThat(speaker.received(frr))
          .as("kept, stale, while FRR is away")
          .extracting(r -> r.nlri().prefix().toString(), r -> r.stale())
          .containsExactly(org.assertj.core.groups.Tuple.tuple("10.42.18.0/24", true));
      assertThat(speaker.peers().getFirst().notices())
          .contains("dynamic peer of range frrs (127.0.42.16/28)");

      try (Frr second = Frr.start(dir, "after", them, conf)) {
        await(
            Duration.ofSeconds(40),
            () ->
                speaker.peers().size() == 1
                    && speaker.peers().getFirst().state() == State.ESTABLISHED
                    && !speaker.peers().getFirst().staleRoutes()
                    && speaker.received(frr).size() == 1
                    && !speaker.received(frr).getFirst().stale(),
            () -> InteropSupport.status(speaker) + "\nfrr: " + second.neighbor(us));
        assertThat(withdrawn).as("FRR's route was never withdrawn across its crash").isEmpty();
      }
    }
  }
}
