package dev.netctl.bgp.interop;

import static dev.netctl.bgp.interop.InteropSupport.await;
import static dev.netctl.bgp.interop.InteropSupport.ip;
import static dev.netctl.bgp.interop.InteropSupport.peer;
import static dev.netctl.bgp.interop.InteropSupport.state;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.codec.AddressFamily;
import dev.netctl.bgp.codec.PathAttribute;
import dev.netctl.bgp.codec.Prefix;
import dev.netctl.bgp.fsm.State;
import dev.netctl.bgp.session.PeerSpec;
import dev.netctl.bgp.session.Transport;
import dev.netctl.bgp.speaker.BgpSpeaker;
import dev.netctl.bgp.speaker.Neighbor;
import dev.netctl.bgp.speaker.ReceivedRoute;
import dev.netctl.bgp.speaker.SpeakerConfig;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * ADD-PATH (RFC 7911) end to end. Receive: BIRD (127.0.2.42) with {@code add paths tx} and GoBGP
 * (127.0.2.44) with {@code send-max} send two paths for one prefix and our Adj-RIB-In keeps both
 * under their path ids. Send: our speaker (127.0.2.45) reflects two iBGP paths for one prefix, from
 * BIRD sources 127.0.2.46 and .47, to a GoBGP client (127.0.2.48) that offered to receive several
 * paths, and GoBGP holds both.
 */
@Timeout(120)
class AddPathIT {
  // Free ports, bound to 0 and released at the start of the test.
  private int rrPort;
  private int source1;
  private int source2;
  private int clientPort;
  private int clientApi;

  private int ourGobgpSide;
  private int gobgpPort;
  private int gobgpApi;

  private int ourBirdSide;
  private int birdPort;

  static final Set<AddressFamily> V4 = Set.of(AddressFamily.IPV4_UNICAST);
  static final Set<AddressFamily> V4_V6 =
      Set.of(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST);

  /** Our side of a session over {@code families} that offers ADD-PATH receive and/or send. */
  static PeerSpec addPath(
      PeerSpec spec, Set<AddressFamily> families, boolean receive, boolean send) {
    return new PeerSpec(
        spec.remote(),
        spec.localAddress(),
        spec.config()
            .withFamilies(families)
            .withOptions(receive ? families : Set.of(), send ? families : Set.of(), -1, false),
        spec.passive(),
        spec.md5Password(),
        spec.ttlSecurityHops());
  }

  @Test
  void keepsEveryPathBirdSendsForOnePrefix(@TempDir Path dir) throws Exception {
    Daemon.require(BirdInteropIT.BIRD);
    ourBirdSide = InteropSupport.freePort("127.0.2.41");
    birdPort = InteropSupport.freePort("127.0.2.42");
    // Per family, two static protocols originate the same prefix, told apart by a community.
    String config =
        BirdConfig.routerId("127.0.2.42")
            .raw(
                """
                protocol static s1 {
                  ipv4 { import filter { bgp_community.add((65242, 1)); accept; }; };
                  route 10.242.0.0/24 blackhole;
                }
                protocol static s2 {
                  ipv4 { import filter { bgp_community.add((65242, 2)); accept; }; };
                  route 10.242.0.0/24 blackhole;
                }
                protocol static s3 {
                  ipv6 { import filter { bgp_community.add((65242, 3)); accept; }; };
                  route 2001:db8:242::/48 blackhole;
                }
                protocol static s4 {
                  ipv6 { import filter { bgp_community.add((65242, 4)); accept; }; };
                  route 2001:db8:242::/48 blackhole;
                }
                """)
            .bgp("netctl", birdPort, 65242, "127.0.2.41", ourBirdSide, 65241)
            .multihop()
            .channel("ipv4 { add paths tx; import none; export all; };")
            .channel(
                "ipv6 { add paths tx; next hop address 2001:db8::42; import none; export all; };")
            .render();
    try (BgpSpeaker speaker =
            BgpSpeaker.start(
                65241, new InetSocketAddress(ip("127.0.2.41"), ourBirdSide), Transport.best());
        Daemon b = BirdConfig.start(dir, "bird", config)) {
      speaker.addPeer(
          InteropSupport.open(
                  addPath(
                      peer("127.0.2.41", 65241, "127.0.2.42", birdPort, 65242), V4_V6, true, false))
              // RFC 2545: IPv6 over this IPv4 session needs a global IPv6 next hop of ours.
              .withIpv6NextHop(
                  (java.net.Inet6Address) java.net.InetAddress.getByName("2001:db8::41")));
      InteropSupport.Details details =
          () ->
              InteropSupport.status(speaker)
                  + "\nbird: "
                  + BirdConfig.birdc(dir, "bird", "show", "route", "all")
                  + BirdConfig.birdc(dir, "bird", "show", "protocols", "all", "netctl")
                  + "\nbird output: "
                  + b.output();
      await(Duration.ofSeconds(30), () -> state(speaker) == State.ESTABLISHED, details);
      await(Duration.ofSeconds(20), () -> speaker.received(ip("127.0.2.42")).size() == 4, details);
      for (String prefix : List.of("10.242.0.0/24", "2001:db8:242::/48")) {
        List<ReceivedRoute> paths =
            speaker.received(ip("127.0.2.42")).stream()
                .filter(r -> r.nlri().prefix().equals(Prefix.parse(prefix)))
                .toList();
        assertThat(paths)
            .as("paths of %s under distinct ids", prefix)
            .hasSize(2)
            .extracting(r -> r.nlri().pathId())
            .doesNotHaveDuplicates();
      }
      assertThat(communities(speaker)).containsExactlyInAnyOrder(1, 2, 3, 4);

      // Withdrawing one path (by its id) leaves the other, in both families.
      BirdConfig.birdc(dir, "bird", "disable", "s1");
      BirdConfig.birdc(dir, "bird", "disable", "s3");
      await(Duration.ofSeconds(20), () -> speaker.received(ip("127.0.2.42")).size() == 2, details);
      assertThat(communities(speaker)).containsExactlyInAnyOrder(2, 4);
    }
  }

  /** The local parts of the 65242:N communities of the routes received from BIRD. */
  static List<Integer> communities(BgpSpeaker speaker) {
    return speaker.received(ip("127.0.2.42")).stream()
        .map(r -> r.attribute(PathAttribute.Communities.class).orElseThrow().values().getFirst())
        .map(c -> c & 0xffff)
        .toList();
  }

  static String gobgpAt(int api, String... args) throws Exception {
    return GobgpInteropIT.runAt("127.0.0.1", api, args);
  }

  @Test
  void keepsEveryPathGobgpSendsForOnePrefix(@TempDir Path dir) throws Exception {
    Daemon.require(GobgpInteropIT.GOBGPD);
    Daemon.require(GobgpInteropIT.GOBGP);
    ourGobgpSide = InteropSupport.freePort("127.0.2.43");
    gobgpPort = InteropSupport.freePort("127.0.2.44");
    gobgpApi = InteropSupport.freePort("127.0.0.1");
    Files.writeString(
        dir.resolve("gobgpd.toml"),
        GobgpConfig.global(65244, "127.0.2.44", gobgpPort)
            .neighbor(GobgpConfig.Neighbor.of("127.0.2.43", 65243, ourGobgpSide).addPathsSend(4))
            .render());
    try (BgpSpeaker speaker =
            BgpSpeaker.start(
                65243, new InetSocketAddress(ip("127.0.2.43"), ourGobgpSide), Transport.best());
        Daemon gobgpd =
            Daemon.start(
                "gobgpd",
                dir,
                List.of(
                    GobgpInteropIT.GOBGPD,
                    "-f",
                    "gobgpd.toml",
                    "--api-hosts",
                    "127.0.0.1:" + gobgpApi),
                Map.of())) {
      InteropSupport.Details details =
          () ->
              InteropSupport.status(speaker)
                  + "\ngobgp rib: "
                  + gobgpAt(gobgpApi, "-j", "global", "rib", "-a", "ipv4")
                  + "\ngobgp neighbor: "
                  + gobgpAt(gobgpApi, "neighbor", "127.0.2.43")
                  + "\ngobgpd output: "
                  + gobgpd.output();
      // Two local paths for one prefix, told apart by their identifiers (and next hops, which
      // must not be loopback addresses for GoBGP).
      await(
          Duration.ofSeconds(15),
          () ->
              gobgpAt(
                      gobgpApi,
                      "global",
                      "rib",
                      "-a",
                      "ipv4",
                      "add",
                      "10.244.0.0/24",
                      "identifier",
                      "11",
                      "nexthop",
                      "192.0.2.11")
                  .isBlank(),
          details);
      gobgpAt(
          gobgpApi,
          "global",
          "rib",
          "-a",
          "ipv4",
          "add",
          "10.244.0.0/24",
          "identifier",
          "12",
          "nexthop",
          "192.0.2.12");
      speaker.addPeer(
          InteropSupport.open(
              addPath(peer("127.0.2.43", 65243, "127.0.2.44", gobgpPort, 65244), V4, true, false)));
      await(Duration.ofSeconds(30), () -> state(speaker) == State.ESTABLISHED, details);
      await(Duration.ofSeconds(20), () -> speaker.received(ip("127.0.2.44")).size() == 2, details);
      List<ReceivedRoute> paths = speaker.received(ip("127.0.2.44"));
      assertThat(paths)
          .allMatch(r -> r.nlri().prefix().equals(Prefix.parse("10.244.0.0/24")))
          .extracting(r -> r.nlri().pathId())
          .doesNotHaveDuplicates();
      assertThat(paths)
          .extracting(ReceivedRoute::nextHop)
          .containsExactlyInAnyOrder(ip("192.0.2.11"), ip("192.0.2.12"));

      gobgpAt(gobgpApi, "global", "rib", "-a", "ipv4", "del", "10.244.0.0/24", "identifier", "11");
      await(Duration.ofSeconds(20), () -> speaker.received(ip("127.0.2.44")).size() == 1, details);
      assertThat(speaker.received(ip("127.0.2.44")).getFirst().nextHop())
          .isEqualTo(ip("192.0.2.12"));
    }
  }

  String source(String self, int port) {
    return BirdConfig.routerId(self)
        .raw("protocol static s4 { ipv4; route 10.245.0.0/24 blackhole; }\n")
        .bgp("netctl", port, 65245, "127.0.2.45", rrPort, 65245)
        .channel(
            "# GoBGP ignores loopback next hops: advertise a documentation address per source.")
        .channel(
            "ipv4 { next hop address 192.0.2.%s; import none; export where proto = \"s4\"; };"
                .formatted(self.substring(self.lastIndexOf('.') + 1)))
        .render();
  }

  String gobgp(String... args) throws Exception {
    return GobgpInteropIT.runAt("127.0.0.1", clientApi, args);
  }

  @Test
  void reflectsEveryPathToAnAddPathClient(@TempDir Path dir) throws Exception {
    rrPort = InteropSupport.freePort("127.0.2.45");
    source1 = InteropSupport.freePort("127.0.2.46");
    source2 = InteropSupport.freePort("127.0.2.47");
    clientPort = InteropSupport.freePort("127.0.2.48");
    clientApi = InteropSupport.freePort("127.0.0.1");
    Daemon.require(BirdInteropIT.BIRD);
    Daemon.require(GobgpInteropIT.GOBGPD);
    Daemon.require(GobgpInteropIT.GOBGP);
    Path g = Files.createDirectory(dir.resolve("gobgp"));
    Files.writeString(
        g.resolve("gobgpd.toml"),
        GobgpConfig.global(65245, "127.0.2.48", clientPort)
            .neighbor(GobgpConfig.Neighbor.of("127.0.2.45", 65245, rrPort).addPathsReceive())
            .render());
    SpeakerConfig config =
        SpeakerConfig.of(
                65245,
                ip("127.0.2.45"),
                new InetSocketAddress(ip("127.0.2.45"), rrPort),
                Transport.best())
            .withClusterId(ip("10.245.245.245"));
    try (BgpSpeaker rr = BgpSpeaker.start(config);
        Daemon s1 = BirdConfig.start(dir, "s1", source("127.0.2.46", source1));
        Daemon s2 = BirdConfig.start(dir, "s2", source("127.0.2.47", source2));
        Daemon client =
            Daemon.start(
                "gobgpd",
                g,
                List.of(
                    GobgpInteropIT.GOBGPD,
                    "-f",
                    "gobgpd.toml",
                    "--api-hosts",
                    "127.0.0.1:" + clientApi),
                Map.of())) {
      rr.addPeer(Neighbor.of(peer("127.0.2.45", 65245, "127.0.2.46", source1, 65245)));
      rr.addPeer(Neighbor.of(peer("127.0.2.45", 65245, "127.0.2.47", source2, 65245)));
      rr.addPeer(
          Neighbor.of(
                  addPath(
                      peer("127.0.2.45", 65245, "127.0.2.48", clientPort, 65245), V4, false, true))
              .asReflectorClient());
      InteropSupport.Details details =
          () ->
              InteropSupport.status(rr)
                  + "\nloc-rib: "
                  + rr.routes()
                  + "\ngobgp neighbor: "
                  + gobgp("neighbor", "127.0.2.45")
                  + "\ngobgp adj-in: "
                  + gobgp("-j", "neighbor", "127.0.2.45", "adj-in", "-a", "ipv4")
                  + "\ngobgpd output: "
                  + client.output()
                  + "\ns1 output: "
                  + s1.output()
                  + "\ns2 output: "
                  + s2.output();
      await(
          Duration.ofSeconds(30),
          () -> rr.peers().stream().allMatch(p -> p.state() == State.ESTABLISHED),
          details);
      await(
          Duration.ofSeconds(20),
          () -> {
            String in = gobgp("-j", "neighbor", "127.0.2.45", "adj-in", "-a", "ipv4");
            return in.contains("192.0.2.46") && in.contains("192.0.2.47");
          },
          details);
      String in = gobgp("-j", "neighbor", "127.0.2.45", "adj-in", "-a", "ipv4");
      assertThat(in)
          .as("both reflected paths reach the ADD-PATH client: %s", in)
          .contains("\"nexthop\":\"192.0.2.46\"")
          .contains("\"nexthop\":\"192.0.2.47\"")
          .contains("{\"type\":9,\"value\":\"127.0.2.46\"}")
          .contains("{\"type\":9,\"value\":\"127.0.2.47\"}");

      // One source withdraws: only its path disappears at the client.
      BirdConfig.birdc(dir, "s1", "disable", "s4");
      await(
          Duration.ofSeconds(20),
          () ->
              !gobgp("-j", "neighbor", "127.0.2.45", "adj-in", "-a", "ipv4").contains("192.0.2.46"),
          details);
      assertThat(gobgp("-j", "neighbor", "127.0.2.45", "adj-in", "-a", "ipv4"))
          .contains("\"nexthop\":\"192.0.2.47\"");
    }
  }
}
