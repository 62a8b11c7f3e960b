package dev.netctl.bgp.interop;

import static dev.netctl.bgp.interop.InteropSupport.await;
import static dev.netctl.bgp.interop.InteropSupport.ip;
import static dev.netctl.bgp.interop.InteropSupport.state;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.codec.Nlri;
import dev.netctl.bgp.fsm.State;
import dev.netctl.bgp.session.PeerSpec;
import dev.netctl.bgp.session.Transport;
import dev.netctl.bgp.speaker.BgpSpeaker;
import dev.netctl.bgp.speaker.ReceivedRoute;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * GTSM (RFC 5082) against BIRD's {@code ttl security}: both sides send with TTL 255 and accept only
 * 255 (one hop), with us dialling and with BIRD dialling (our listener's SYN-ACK must go out with
 * TTL 255 too, or BIRD drops it); and a BIRD without it (TTL 64) never gets a session. Us
 * 127.0.65.1, BIRD 127.0.65.2.
 */
@Timeout(120)
class BirdTtlSecurityIT {
  static final String US = "127.0.65.1";
  static final String BIRD = "127.0.65.2";

  @ParameterizedTest(name = "we are passive: {0}")
  @ValueSource(booleans = {false, true})
  void aSessionWithGtsmOnBothSidesComesUp(boolean passive, @TempDir Path dir) throws Exception {
    Daemon.require(BirdInteropIT.BIRD);
    Md5IT.requireEpoll();
    int birdPort = InteropSupport.freePort(BIRD);
    try (BgpSpeaker speaker =
        BgpSpeaker.start(65065, new InetSocketAddress(ip(US), 0), Transport.best())) {
      PeerSpec plain = InteropSupport.peer(US, 65065, BIRD, birdPort, 65066);
      speaker.addPeer(
          InteropSupport.open(
              new PeerSpec(
                  plain.remote(), plain.localAddress(), plain.config(), passive, null, 1)));
      String conf =
          BirdConfig.routerId(BIRD)
              .raw("protocol static s4 { ipv4; route 10.66.0.0/16 blackhole; }\n")
              .bgp("netctl", birdPort, 65066, US, speaker.listenAddress().getPort(), 65065)
              .channel("multihop 1;")
              .channel("ttl security yes;")
              .channel(passive ? "" : "passive yes;")
              .channel("ipv4 { import all; export all; };")
              .render();
      try (Daemon bird = BirdConfig.start(dir, "bird", conf)) {
        InteropSupport.Details details =
            () ->
                InteropSupport.status(speaker)
                    + "\nbird: "
                    + BirdConfig.netctlProtocol(dir, "bird")
                    + bird.output();
        await(Duration.ofSeconds(30), () -> state(speaker) == State.ESTABLISHED, details);
        await(Duration.ofSeconds(20), () -> !speaker.received(ip(BIRD)).isEmpty(), details);
        assertThat(speaker.received(ip(BIRD)))
            .extracting(ReceivedRoute::nlri)
            .containsExactly(Nlri.of("10.66.0.0/16"));
      }
    }
  }

  @Test
  void aBirdWithoutGtsmNeverGetsASession(@TempDir Path dir) throws Exception {
    Daemon.require(BirdInteropIT.BIRD);
    Md5IT.requireEpoll();
    int birdPort = InteropSupport.freePort(BIRD);
    try (BgpSpeaker speaker =
        BgpSpeaker.start(65065, new InetSocketAddress(ip(US), 0), Transport.best())) {
      PeerSpec plain = InteropSupport.peer(US, 65065, BIRD, birdPort, 65066);
      speaker.addPeer(
          InteropSupport.open(
              new PeerSpec(plain.remote(), plain.localAddress(), plain.config(), false, null, 1)));
      String conf =
          BirdConfig.routerId(BIRD)
              .bgp("netctl", birdPort, 65066, US, speaker.listenAddress().getPort(), 65065)
              .multihop()
              .channel("ipv4 { import all; export all; };")
              .render();
      try (Daemon bird = BirdConfig.start(dir, "bird", conf)) {
        long end = System.nanoTime() + Duration.ofSeconds(8).toNanos();
        while (System.nanoTime() < end) {
          assertThat(state(speaker))
              .as("BIRD sends with TTL 64: GTSM drops it")
              .isNotEqualTo(State.ESTABLISHED);
          Thread.sleep(250);
        }
        assertThat(BirdConfig.netctlProtocol(dir, "bird")).doesNotContain("Established");
      }
    }
  }
}
