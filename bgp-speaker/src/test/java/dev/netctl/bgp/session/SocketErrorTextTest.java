package dev.netctl.bgp.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netctl.bgp.codec.BgpMessage.Notification;
import dev.netctl.bgp.codec.NotificationSubcode;
import dev.netctl.bgp.fsm.PeerConfig;
import io.netty.channel.EventLoopGroup;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What a person reads in {@code bgp peers} / {@code node status} when a peer cannot be reached: the
 * operating system's reason, not Netty's syscall annotation with the address in Java's {@code
 * /[0:0:0:0:0:0:0:1]:port} form (addresses are shown in RFC 5952 form everywhere).
 */
class SocketErrorTextTest {

  @ParameterizedTest(name = "{0} over {1}")
  @CsvSource({"127.0.0.1, best", "::1, best", "127.0.0.1, nio", "::1, nio"})
  void aRefusedConnectShowsTheReasonOnly(String address, String transportName) throws Exception {
    Transport transport = transportName.equals("nio") ? Transport.nio() : Transport.best();
    assertThat(firstInfo(transport, InetAddress.getByName(address), Duration.ofSeconds(30), 0))
        .isEqualTo("connect failed: Connection refused");
  }

  @Test
  void anAttemptTheRetryTimerEndsWithoutAnAnswerSaysSo() throws Exception {
    // A peer address that never answers (a firewall dropping SYNs, a host that is down behind a
    // router): played with GTSM toward a closed port, whose RST arrives with TTL 64 and is dropped.
    // The ConnectRetry timer ends each attempt before the connect timeout could report: INFO was
    // empty forever, the state "connect".
    Transport transport = Transport.best();
    Assumptions.assumeTrue(transport.isEpoll(), "GTSM needs epoll");
    assertThat(firstInfo(transport, InetAddress.getByName("127.0.0.1"), Duration.ofSeconds(1), 1))
        .isEqualTo("connect failed: no answer within 1 s");
  }

  /**
   * The first INFO of an active session toward a closed port on {@code ip}, with GTSM of {@code
   * ttlHops} (0: none).
   */
  private static String firstInfo(Transport transport, InetAddress ip, Duration retry, int ttlHops)
      throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, ip)) {
      closed = s.getLocalPort(); // nothing listens there once closed
    }
    EventLoopGroup group = transport.newGroup(1);
    try {
      PeerConfig config =
          PeerConfig.of(65001, (Inet4Address) InetAddress.getByName("127.0.0.1"), 65002)
              .withConnectRetry(retry);
      PeerSpec spec =
          new PeerSpec(new InetSocketAddress(ip, closed), ip, config, false, null, ttlHops);
      PeerSession session =
          new PeerSession(
              spec, group.next(), transport, new SessionListener() {}, Clock.systemUTC());
      session.loop().submit(session::start).sync();
      await().atMost(Duration.ofSeconds(10)).until(() -> !session.info().isEmpty());
      String info = session.info();
      session
          .loop()
          .submit(() -> session.stop(Notification.of(NotificationSubcode.ADMINISTRATIVE_SHUTDOWN)))
          .sync();
      return info;
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "finishConnect(..) failed with error(-111): Connection refused: /[0:0:0:0:0:0:0:1]:41380"
            + " | Connection refused",
        "finishConnect(..) failed: Connection refused: /127.0.0.3:179 | Connection refused",
        "connection timed out after 5000 ms: /192.0.2.1:179 | connection timed out after 5000 ms",
        "recvAddress(..) failed with error(-104): Connection reset by peer"
            + " | Connection reset by peer",
        "Connection refused | Connection refused",
      })
  void nettysAnnotationsAreDropped(String message, String expected) {
    assertThat(SocketErrorText.of(new java.io.IOException(message))).isEqualTo(expected);
  }
}
