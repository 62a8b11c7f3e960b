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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * ADD-PATH (RFC 7911) end to end. Receive: BIRD (127.0.2.42) with {@code add paths tx} sends two
 * paths for one prefix and our Adj-RIB-In keeps both under their path ids. Send: our speaker
 * (127.0.2.45) reflects two iBGP paths for one prefix, from BIRD sources 127.0.2.46 and .47, to a
 * GoBGP client (127.0.2.48) that offered to receive several paths, and GoBGP holds both.
 */
@Timeout(120)
class AddPathIT {
  static final Set<AddressFamily> V4 = Set.of(AddressFamily.IPV4_UNICAST);

  static Daemon bird(Path dir, String name, String config) throws Exception {
    Path d = Files.createDirectory(dir.resolve(name));
    Files.writeString(d.resolve("bird.conf"), config);
    return Daemon.start(
        name,
        d,
        List.of(
            BirdInteropIT.BIRD,
            "-f",
            "-c",
            "bird.conf",
            "-s",
            d.resolve("bird.sock").toString(),
            "-P",
            "bird.pid"),
        Map.of());
  }

  static String birdc(Path dir, String name, String... command) throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of(BirdInteropIT.BIRDC, "-s", dir.resolve(name).resolve("bird.sock").toString()));
    cmd.addAll(List.of(command));
    return Daemon.run(Duration.ofSeconds(5), cmd);
  }

  /** Our side of a session that offers ADD-PATH receive and/or send for IPv4 unicast. */
  static PeerSpec addPath(PeerSpec spec, boolean receive, boolean send) {
    return new PeerSpec(
        spec.remote(),
        spec.localAddress(),
        spec.config()
            .withFamilies(V4)
            .withOptions(receive ? V4 : Set.of(), send ? V4 : Set.of(), -1, false),
        spec.passive(),
        spec.md5Password(),
        spec.ttlSecurityHops());
  }

  @Test
  void keepsEveryPathBirdSendsForOnePrefix(@TempDir Path dir) throws Exception {
    Daemon.require(BirdInteropIT.BIRD);
    // Two static protocols originate the same prefix, told apart by a community.
    String config =
        """
        router id 127.0.2.42;
        protocol device {}
        protocol static s1 {
          ipv4 { import filter { bgp_community.add((65242, 1)); accept; }; };
          route 10.242.0.0/24 blackhole;
        }
        protocol static s2 {
          ipv4 { import filter { bgp_community.add((65242, 2)); accept; }; };
          route 10.242.0.0/24 blackhole;
        }
        protocol bgp netctl {
          local 127.0.2.42 port 18252 as 65242;
          neighbor 127.0.2.41 port 18251 as 65241;
          strict bind yes;
          multihop;
          hold time 9;
          connect retry time 1;
          ipv4 { add paths tx; import none; export all; };
        }
        """;
    try (BgpSpeaker speaker =
            BgpSpeaker.start(
                65241, new InetSocketAddress(ip("127.0.2.41"), 18251), Transport.best());
        Daemon b = bird(dir, "bird", config)) {
      speaker.addPeer(
          InteropSupport.open(
              addPath(peer("127.0.2.41", 65241, "127.0.2.42", 18252, 65242), true, false)));
      InteropSupport.Details details =
          () ->
              InteropSupport.status(speaker)
                  + "\nbird: "
                  + birdc(dir, "bird", "show", "route", "all")
                  + birdc(dir, "bird", "show", "protocols", "all", "netctl")
                  + "\nbird output: "
                  + b.output();
      await(Duration.ofSeconds(30), () -> state(speaker) == State.ESTABLISHED, details);
      await(Duration.ofSeconds(20), () -> speaker.received(ip("127.0.2.42")).size() == 2, details);
      List<ReceivedRoute> paths = speaker.received(ip("127.0.2.42"));
      assertThat(paths)
          .allMatch(r -> r.nlri().prefix().equals(Prefix.parse("10.242.0.0/24")))
          .extracting(r -> r.nlri().pathId())
          .as("two paths under distinct ids")
          .doesNotHaveDuplicates();
      assertThat(paths)
          .extracting(r -> r.attribute(PathAttribute.Communities.class).orElseThrow())
          .containsExactlyInAnyOrder(
              new PathAttribute.Communities(List.of((65242 << 16) | 1)),
              new PathAttribute.Communities(List.of((65242 << 16) | 2)));

      // Withdrawing one path (by its id) leaves the other.
      birdc(dir, "bird", "disable", "s1");
      await(Duration.ofSeconds(20), () -> speaker.received(ip("127.0.2.42")).size() == 1, details);
      assertThat(
              speaker
                  .received(ip("127.0.2.42"))
                  .getFirst()
                  .attribute(PathAttribute.Communities.class))
          .contains(new PathAttribute.Communities(List.of((65242 << 16) | 2)));
    }
  }

  static String source(String self, int port) {
    return """
        router id %1$s;
        protocol device {}
        protocol static s4 { ipv4; route 10.245.0.0/24 blackhole; }
        protocol bgp netctl {
          local %1$s port %2$d as 65245;
          neighbor 127.0.2.45 port 18255 as 65245;
          strict bind yes;
          hold time 9;
          connect retry time 1;
          # GoBGP ignores loopback next hops: advertise a documentation address per source.
          ipv4 { next hop address 192.0.2.%3$s; import none; export where proto = "s4"; };
        }
        """
        .formatted(self, port, self.substring(self.lastIndexOf('.') + 1));
  }

  static String gobgp(String... args) throws Exception {
    List<String> cmd =
        new ArrayList<>(List.of(GobgpInteropIT.GOBGP, "-u", "127.0.0.1", "-p", "18259"));
    cmd.addAll(List.of(args));
    return Daemon.run(Duration.ofSeconds(5), cmd);
  }

  @Test
  void reflectsEveryPathToAnAddPathClient(@TempDir Path dir) throws Exception {
    Daemon.require(BirdInteropIT.BIRD);
    Daemon.require(GobgpInteropIT.GOBGPD);
    Daemon.require(GobgpInteropIT.GOBGP);
    Path g = Files.createDirectory(dir.resolve("gobgp"));
    Files.writeString(
        g.resolve("gobgpd.toml"),
        """
        [global.config]
          as = 65245
          router-id = "127.0.2.48"
          port = 18258
          local-address-list = ["127.0.2.48"]
        [[neighbors]]
          [neighbors.config]
            neighbor-address = "127.0.2.45"
            peer-as = 65245
          [neighbors.transport.config]
            remote-port = 18255
            local-address = "127.0.2.48"
          [neighbors.timers.config]
            hold-time = 9
            connect-retry = 1
          [[neighbors.afi-safis]]
            [neighbors.afi-safis.config]
              afi-safi-name = "ipv4-unicast"
            [neighbors.afi-safis.add-paths.config]
              receive = true
        """);
    SpeakerConfig config =
        SpeakerConfig.of(
                65245,
                ip("127.0.2.45"),
                new InetSocketAddress(ip("127.0.2.45"), 18255),
                Transport.best())
            .withClusterId(ip("10.245.245.245"));
    try (BgpSpeaker rr = BgpSpeaker.start(config);
        Daemon s1 = bird(dir, "s1", source("127.0.2.46", 18256));
        Daemon s2 = bird(dir, "s2", source("127.0.2.47", 18257));
        Daemon client =
            Daemon.start(
                "gobgpd",
                g,
                List.of(
                    GobgpInteropIT.GOBGPD, "-f", "gobgpd.toml", "--api-hosts", "127.0.0.1:18259"),
                Map.of())) {
      rr.addPeer(Neighbor.of(peer("127.0.2.45", 65245, "127.0.2.46", 18256, 65245)));
      rr.addPeer(Neighbor.of(peer("127.0.2.45", 65245, "127.0.2.47", 18257, 65245)));
      rr.addPeer(
          Neighbor.of(addPath(peer("127.0.2.45", 65245, "127.0.2.48", 18258, 65245), false, true))
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
      birdc(dir, "s1", "disable", "s4");
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
