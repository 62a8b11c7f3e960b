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
import dev.netctl.bgp.session.PeerSpec;
import dev.netctl.bgp.session.Transport;
import dev.netctl.bgp.speaker.BgpSpeaker;
import dev.netctl.bgp.speaker.ReceivedRoute;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Four-octet AS numbers (RFC 6793) with real daemons: our speaker in AS 4200000001 peers eBGP with
 * BIRD (127.0.2.2, AS 4200000002) and GoBGP (127.0.2.4, AS 4200000004), both of which speak 4-octet
 * AS, and with ExaBGP (127.0.2.7, AS 65007) told to disable the capability, which sees us as
 * AS_TRANS and must get our real path in AS4_PATH.
 */
@Timeout(90)
class FourOctetAsIT {
  // Free ports, bound to 0 and released at the start of the test.
  private int ourExaSide;
  private int exaPort;
  private int ourGobgpSide;
  private int gobgpPort;
  private int gobgpApi;
  private int ourBirdSide;
  private int birdPort;

  static final long LOCAL_AS = 4_200_000_001L;

  @Test
  void exchangesRoutesWithBirdUsingFourOctetAsns(@TempDir Path dir) throws Exception {
    Daemon.require(BirdInteropIT.BIRD);
    ourBirdSide = InteropSupport.freePort("127.0.2.1");
    birdPort = InteropSupport.freePort("127.0.2.2");
    String config =
        BirdConfig.routerId("127.0.2.2")
            .raw("protocol static s4 { ipv4; route 10.202.0.0/16 blackhole; }\n")
            .bgp("netctl", birdPort, 4200000002L, "127.0.2.1", ourBirdSide, 4200000001L)
            .multihop()
            .channel("ipv4 { import all; export all; };")
            .render();
    try (BgpSpeaker speaker =
            BgpSpeaker.start(
                LOCAL_AS, new InetSocketAddress(ip("127.0.2.1"), ourBirdSide), Transport.best());
        Daemon bird = BirdConfig.start(dir, "bird", config)) {
      speaker.originate(Prefix.parse("10.201.0.0/16"), null, List.of());
      speaker.addPeer(
          InteropSupport.open(peer("127.0.2.1", LOCAL_AS, "127.0.2.2", birdPort, 4_200_000_002L)));
      InteropSupport.Details details =
          () ->
              InteropSupport.status(speaker)
                  + "\nbirdc: "
                  + BirdConfig.netctlRoutes(dir, "bird")
                  + "\nbird output: "
                  + bird.output();
      await(Duration.ofSeconds(30), () -> state(speaker) == State.ESTABLISHED, details);
      await(Duration.ofSeconds(20), () -> speaker.received(ip("127.0.2.2")).size() == 1, details);
      ReceivedRoute route = speaker.received(ip("127.0.2.2")).getFirst();
      assertThat(route.nlri()).isEqualTo(Nlri.of("10.202.0.0/16"));
      assertThat(route.attribute(PathAttribute.AsPath.class))
          .as("BIRD's 4-octet AS arrives unchanged over a 4-octet session")
          .contains(PathAttribute.AsPath.sequence(4_200_000_002L));
      assertThat(route.attribute(PathAttribute.As4Path.class)).isEmpty();

      await(
          Duration.ofSeconds(20),
          () -> BirdConfig.netctlRoutes(dir, "bird").contains("10.201.0.0/16"),
          details);
      assertThat(BirdConfig.netctlRoutes(dir, "bird"))
          .as("BIRD sees our 4-octet AS in AS_PATH")
          .contains("BGP.as_path: 4200000001")
          .doesNotContain("23456");
    }
  }

  List<String> gobgp(String... args) {
    return GobgpInteropIT.cliAt("127.0.0.1", gobgpApi, args);
  }

  @Test
  void exchangesRoutesWithGobgpUsingFourOctetAsns(@TempDir Path dir) throws Exception {
    Daemon.require(GobgpInteropIT.GOBGPD);
    Daemon.require(GobgpInteropIT.GOBGP);
    ourGobgpSide = InteropSupport.freePort("127.0.2.3");
    gobgpPort = InteropSupport.freePort("127.0.2.4");
    gobgpApi = InteropSupport.freePort("127.0.0.1");
    Files.writeString(
        dir.resolve("gobgpd.toml"),
        GobgpConfig.global(4200000004L, "127.0.2.4", gobgpPort)
            .neighbor(GobgpConfig.Neighbor.of("127.0.2.3", 4200000001L, ourGobgpSide))
            .render());
    try (BgpSpeaker speaker =
            BgpSpeaker.start(
                LOCAL_AS, new InetSocketAddress(ip("127.0.2.3"), ourGobgpSide), Transport.best());
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
                  + "\ngobgp neighbor: "
                  + Daemon.run(Duration.ofSeconds(5), gobgp("neighbor"))
                  + "\ngobgp rib: "
                  + Daemon.run(Duration.ofSeconds(5), gobgp("global", "rib", "-a", "ipv4"))
                  + "\ngobgpd output: "
                  + gobgpd.output();
      await(
          Duration.ofSeconds(15),
          () ->
              Daemon.run(
                      Duration.ofSeconds(5),
                      gobgp("global", "rib", "-a", "ipv4", "add", "10.204.0.0/16"))
                  .isBlank(),
          details);
      // GoBGP treats a loopback NEXT_HOP as withdraw: advertise a documentation address.
      speaker.originate(Prefix.parse("10.203.0.0/16"), ip("192.0.2.3"), List.of());
      speaker.addPeer(
          InteropSupport.open(peer("127.0.2.3", LOCAL_AS, "127.0.2.4", gobgpPort, 4_200_000_004L)));

      await(Duration.ofSeconds(30), () -> state(speaker) == State.ESTABLISHED, details);
      await(Duration.ofSeconds(20), () -> speaker.received(ip("127.0.2.4")).size() == 1, details);
      ReceivedRoute route = speaker.received(ip("127.0.2.4")).getFirst();
      assertThat(route.nlri()).isEqualTo(Nlri.of("10.204.0.0/16"));
      assertThat(route.attribute(PathAttribute.AsPath.class))
          .contains(PathAttribute.AsPath.sequence(4_200_000_004L));

      List<String> rib = gobgp("-j", "global", "rib", "-a", "ipv4", "10.203.0.0/16");
      await(
          Duration.ofSeconds(20),
          () -> Daemon.run(Duration.ofSeconds(5), rib).contains("10.203.0.0/16"),
          details);
      assertThat(Daemon.run(Duration.ofSeconds(5), rib))
          .as("GoBGP's AS_PATH of our route holds our 4-octet AS")
          .contains("\"asns\":[4200000001]");
    }
  }

  /**
   * Toward a peer without the 4-octet capability we appear as AS_TRANS; what the peer receives
   * carries the real path in AS4_PATH, and a path it sends with AS_TRANS plus AS4_PATH is rebuilt
   * (RFC 6793 §4.2.3).
   */
  @Test
  void talksToATwoOctetPeerThroughAsTransAndAs4Path(@TempDir Path dir) throws Exception {
    Daemon.require(ExabgpInteropIT.EXABGP);
    ourExaSide = InteropSupport.freePort("127.0.2.6");
    exaPort = InteropSupport.freePort("127.0.2.7");
    Path received = dir.resolve("received.json");
    // The process appends every UPDATE ExaBGP receives, as JSON, to received.json.
    Files.writeString(
        dir.resolve("exabgp.conf"),
        """
        process recorder {
          run /bin/sh -c "cat >> %s";
          encoder json;
        }
        neighbor 127.0.2.6 {
          router-id 127.0.2.7;
          local-address 127.0.2.7;
          local-as 65007;
          peer-as 23456;
          hold-time 9;
          family { ipv4 unicast; }
          capability { asn4 disable; }
          api { processes [ recorder ]; receive { parsed; update; } }
          static {
            # Without asn4 ExaBGP itself sends AS_PATH [65007 23456] plus AS4_PATH.
            route 10.207.0.0/16 next-hop 192.0.2.7 as-path [ 65007 4200000099 ];
            route 10.207.1.0/24 next-hop 192.0.2.7 as-path [ 65007 ];
          }
        }
        """
            .formatted(received));
    Map<String, String> env =
        Map.of(
            "exabgp.tcp.port", Integer.toString(ourExaSide),
            "exabgp.tcp.bind", "",
            "exabgp.daemon.user", "root",
            "exabgp.log.destination", "stdout",
            "exabgp.api.cli", "false");
    try (BgpSpeaker speaker =
        BgpSpeaker.start(
            LOCAL_AS, new InetSocketAddress(ip("127.0.2.6"), ourExaSide), Transport.best())) {
      speaker.originate(Prefix.parse("10.206.0.0/16"), ip("192.0.2.6"), List.of());
      PeerSpec spec = peer("127.0.2.6", LOCAL_AS, "127.0.2.7", exaPort, 65007);
      speaker.addPeer(
          InteropSupport.open(
              new PeerSpec(spec.remote(), spec.localAddress(), spec.config(), true, null, 0)));
      try (Daemon exabgp =
          Daemon.start(
              "exabgp",
              dir,
              List.of(ExabgpInteropIT.EXABGP, dir.resolve("exabgp.conf").toString()),
              env)) {
        InteropSupport.Details details =
            () ->
                InteropSupport.status(speaker)
                    + "\nexabgp received: "
                    + (Files.exists(received) ? Files.readString(received) : "")
                    + "\nexabgp output: "
                    + exabgp.output();
        await(Duration.ofSeconds(30), () -> state(speaker) == State.ESTABLISHED, details);
        await(Duration.ofSeconds(20), () -> speaker.received(ip("127.0.2.7")).size() == 2, details);
        ReceivedRoute rebuilt =
            speaker.received(ip("127.0.2.7")).stream()
                .filter(r -> r.nlri().equals(Nlri.of("10.207.0.0/16")))
                .findFirst()
                .orElseThrow();
        assertThat(rebuilt.attribute(PathAttribute.AsPath.class))
            .as("AS_TRANS replaced by the ASN from AS4_PATH")
            .contains(PathAttribute.AsPath.sequence(65007, 4_200_000_099L));
        assertThat(rebuilt.attribute(PathAttribute.As4Path.class)).isEmpty();

        await(
            Duration.ofSeconds(20),
            () -> Files.exists(received) && Files.readString(received).contains("10.206.0.0/16"),
            details);
        String json = Files.readString(received);
        // ExaBGP accepted our OPEN only because its My AS field held AS_TRANS (peer-as 23456).
        assertThat(json).contains("\"peer\": 23456");
        // Its 2-octet AS_PATH can only hold AS_TRANS: ExaBGP rebuilt 4200000001 from our AS4_PATH.
        assertThat(json)
            .as("a 2-octet peer rebuilds our real AS from AS4_PATH")
            .contains("\"as-path\": [ 4200000001 ]");
      }
    }
  }
}
