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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * TCP MD5 signatures (RFC 2385, Netty epoll {@code TCP_MD5SIG}) with BIRD (127.0.2.12) and FRR
 * (127.0.2.14). BIRD connects to our listener (we are passive), we connect to FRR (it is passive),
 * so both the listening and the connecting socket's keys are exercised. With a wrong key on our
 * side the kernel drops every segment, so no session ever comes up; the same peer re-added with the
 * right key establishes and exchanges routes: the key is the only difference between the two halves
 * of each test.
 */
@Timeout(120)
class Md5IT {
  // Free ports, bound to 0 and released at the start of the test.
  private int ourBirdSide;
  private int birdPort;
  private int ourFrrSide;
  private int frrPort;

  static final String KEY = "netctl-md5-key";

  /** How long a wrong key is given to (wrongly) establish: several connect-retry rounds. */
  static final Duration WRONG_KEY_WINDOW = Duration.ofSeconds(8);

  static void requireEpoll() {
    boolean epoll = Transport.best().isEpoll();
    if (!epoll && "true".equals(System.getenv("CI"))) {
      throw new AssertionError("TCP MD5 needs the Netty epoll transport, unavailable here");
    }
    org.junit.jupiter.api.Assumptions.assumeTrue(epoll, "epoll transport unavailable");
  }

  static PeerSpec withKey(
      String local, String remote, int port, long remoteAs, String key, boolean passive) {
    PeerSpec plain = InteropSupport.peer(local, 65210, remote, port, remoteAs);
    return new PeerSpec(plain.remote(), plain.localAddress(), plain.config(), passive, key, 0);
  }

  /**
   * Adds the peer with a wrong key and checks it stays down while the daemon keeps trying, then
   * replaces it with the right key and waits for the daemon's route.
   */
  static void wrongKeyThenRightKey(
      BgpSpeaker speaker,
      boolean passive,
      String local,
      String remote,
      int port,
      long remoteAs,
      String expectedPrefix,
      InteropSupport.Details details)
      throws Exception {
    speaker.addPeer(
        InteropSupport.open(withKey(local, remote, port, remoteAs, "not-" + KEY, passive)));
    long end = System.nanoTime() + WRONG_KEY_WINDOW.toNanos();
    while (System.nanoTime() < end) {
      if (state(speaker) == State.ESTABLISHED) {
        throw new AssertionError(
            "a session with a wrong MD5 key must never establish: " + details.get());
      }
      Thread.sleep(250);
    }
    speaker.removePeer(ip(remote));

    speaker.addPeer(InteropSupport.open(withKey(local, remote, port, remoteAs, KEY, passive)));
    await(Duration.ofSeconds(30), () -> state(speaker) == State.ESTABLISHED, details);
    await(Duration.ofSeconds(20), () -> !speaker.received(ip(remote)).isEmpty(), details);
    assertThat(speaker.received(ip(remote)))
        .extracting(ReceivedRoute::nlri)
        .contains(Nlri.of(expectedPrefix));
  }

  @Test
  void birdSessionNeedsTheRightKey(@TempDir Path dir) throws Exception {
    Daemon.require(BirdInteropIT.BIRD);
    requireEpoll();
    ourBirdSide = InteropSupport.freePort("127.0.2.11");
    birdPort = InteropSupport.freePort("127.0.2.12");
    String config =
        BirdConfig.routerId("127.0.2.12")
            .raw("protocol static s4 { ipv4; route 10.212.0.0/16 blackhole; }\n")
            .bgp("netctl", birdPort, 65212, "127.0.2.11", ourBirdSide, 65210)
            .password(KEY)
            .multihop()
            .channel("ipv4 { import all; export all; };")
            .render();
    try (BgpSpeaker speaker =
            BgpSpeaker.start(
                65210, new InetSocketAddress(ip("127.0.2.11"), ourBirdSide), Transport.best());
        Daemon bird = BirdConfig.start(dir, "bird", config)) {
      InteropSupport.Details details =
          () ->
              InteropSupport.status(speaker)
                  + "\nbirdc: "
                  + BirdConfig.netctlProtocol(dir, "bird")
                  + "\nbird output: "
                  + bird.output();
      // We only listen: BIRD's connections test the keys on our listening socket.
      wrongKeyThenRightKey(
          speaker, true, "127.0.2.11", "127.0.2.12", birdPort, 65212, "10.212.0.0/16", details);
    }
  }

  @Test
  void frrSessionNeedsTheRightKey(@TempDir Path dir) throws Exception {
    Daemon.require(FrrInteropIT.BGPD);
    Daemon.require(FrrInteropIT.VTYSH);
    requireEpoll();
    Path vty = Files.createDirectory(dir.resolve("vty"));
    ourFrrSide = InteropSupport.freePort("127.0.2.13");
    frrPort = InteropSupport.freePort("127.0.2.14");
    Files.writeString(
        dir.resolve("bgpd.conf"),
        """
        frr defaults traditional
        hostname netctl-frr-md5
        !
        router bgp 65214
         bgp router-id 127.0.2.14
         no bgp ebgp-requires-policy
         no bgp network import-check
         neighbor 127.0.2.13 remote-as 65210
         neighbor 127.0.2.13 port %s
         neighbor 127.0.2.13 update-source 127.0.2.14
         neighbor 127.0.2.13 password %s
         neighbor 127.0.2.13 passive
         neighbor 127.0.2.13 timers 3 9
         neighbor 127.0.2.13 timers connect 1
         neighbor 127.0.2.13 disable-connected-check
         address-family ipv4 unicast
          network 10.214.0.0/16
         exit-address-family
        !
        """
            .formatted(ourFrrSide, KEY));
    try (BgpSpeaker speaker =
            BgpSpeaker.start(
                65210, new InetSocketAddress(ip("127.0.2.13"), ourFrrSide), Transport.best());
        Daemon bgpd = FrrInteropIT.startBgpd(dir, vty, frrPort, "127.0.2.14")) {
      InteropSupport.Details details =
          () ->
              InteropSupport.status(speaker)
                  + "\nfrr: "
                  + Daemon.run(
                      Duration.ofSeconds(5),
                      List.of(
                          FrrInteropIT.VTYSH,
                          "--vty_socket",
                          vty.toString(),
                          "-c",
                          "show bgp summary"))
                  + "\nbgpd output: "
                  + bgpd.output();
      // FRR only listens: our connections test the key on our connecting socket.
      wrongKeyThenRightKey(
          speaker, false, "127.0.2.13", "127.0.2.14", frrPort, 65214, "10.214.0.0/16", details);
    }
  }
}
