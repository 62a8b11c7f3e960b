package dev.netctl.bgp.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netctl.bgp.codec.BgpEncoder;
import dev.netctl.bgp.codec.BgpMessage;
import dev.netctl.bgp.codec.BgpMessage.Notification;
import dev.netctl.bgp.codec.BgpMessage.Open;
import dev.netctl.bgp.codec.Capability;
import dev.netctl.bgp.codec.CodecContext;
import dev.netctl.bgp.codec.NotificationSubcode;
import dev.netctl.bgp.codec.WireIo;
import dev.netctl.bgp.fsm.PeerConfig;
import dev.netctl.bgp.fsm.State;
import io.netty.channel.EventLoopGroup;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A connection collision (RFC 4271 §6.8) played by hand: our session has connected out to a
 * scripted peer and is in OpenSent when the same peer connects in with its OPEN. Which connection
 * survives is decided by the BGP identifiers, and when they are equal, as RFC 6286 §2.3 allows
 * between ASes, by the AS numbers: the connection initiated by the speaker with the larger AS
 * stays. Both sides must pick the same one, or each closes the connection the other kept.
 */
@Timeout(30)
class CollisionTest {
  static final String LOCAL = "127.0.0.45";
  static final String REMOTE = "127.0.0.46";

  static Inet4Address ip(String s) throws Exception {
    return (Inet4Address) InetAddress.getByName(s);
  }

  @ParameterizedTest(name = "ours {0} AS{1}, theirs {2} AS{3}: our {4} connection stays")
  @CsvSource({
    "127.0.0.45, 65001, 127.0.0.46, 65002, inbound", // their identifier is higher
    "127.0.0.47, 65001, 127.0.0.46, 65002, outbound", // ours is higher
    "127.0.0.45, 65009, 127.0.0.45, 65001, outbound", // equal: our AS is larger
    "127.0.0.45, 65001, 127.0.0.45, 65009, inbound", // equal: their AS is larger
  })
  void theSameConnectionSurvivesOnBothSides(
      String ourId, long ourAs, String theirId, long theirAs, String survivor) throws Exception {
    Transport transport = Transport.best();
    EventLoopGroup group = transport.newGroup(1);
    try (ServerSocket server = new ServerSocket(0, 1, ip(REMOTE))) {
      PeerConfig config =
          PeerConfig.of(ourAs, ip(ourId), theirAs)
              .withHoldTime(30)
              .withConnectRetry(Duration.ofSeconds(30));
      PeerSpec spec =
          new PeerSpec(
              new InetSocketAddress(ip(REMOTE), server.getLocalPort()),
              ip(LOCAL),
              config,
              false,
              null,
              0);
      PeerSession session =
          new PeerSession(
              spec, group.next(), transport, new SessionListener() {}, Clock.systemUTC());
      BgpListener listener =
          BgpListener.bind(
              group,
              transport,
              new InetSocketAddress(ip(LOCAL), 0),
              a -> Admission.of(a.equals(spec.remote().getAddress()) ? session : null),
              Map.of());
      Open theirOpen =
          new Open(4, theirAs, 90, ip(theirId), List.of(new Capability.FourOctetAs(theirAs)));
      try (Socket out = new Socket()) {
        session.loop().submit(session::start).sync();
        server.setSoTimeout(5000);
        try (Socket outbound = server.accept();
            Socket inbound = new Socket()) {
          outbound.setSoTimeout(5000);
          DataInputStream fromOutbound = new DataInputStream(outbound.getInputStream());
          assertThat(WireIo.read(fromOutbound)).isInstanceOf(Open.class); // ours: OpenSent

          inbound.bind(new InetSocketAddress(ip(REMOTE), 0));
          inbound.connect(listener.localAddress(), 2000);
          inbound.setSoTimeout(5000);
          DataInputStream fromInbound = new DataInputStream(inbound.getInputStream());
          send(inbound, theirOpen);
          assertThat(WireIo.read(fromInbound)).isInstanceOf(Open.class);

          // The loser gets Cease / Connection Collision Resolution; the other one goes on.
          Socket winner = survivor.equals("inbound") ? inbound : outbound;
          DataInputStream winnerIn = survivor.equals("inbound") ? fromInbound : fromOutbound;
          DataInputStream loserIn = survivor.equals("inbound") ? fromOutbound : fromInbound;
          if (winner == outbound) {
            send(outbound, theirOpen);
          }
          assertThat(notification(loserIn).errorSubcode())
              .isEqualTo(NotificationSubcode.CONNECTION_COLLISION_RESOLUTION);
          assertThat(WireIo.read(winnerIn)).isEqualTo(BgpMessage.Keepalive.INSTANCE);
          send(winner, BgpMessage.Keepalive.INSTANCE);
          await().atMost(Duration.ofSeconds(5)).until(() -> session.state() == State.ESTABLISHED);
        } finally {
          session
              .loop()
              .submit(
                  () -> session.stop(Notification.of(NotificationSubcode.ADMINISTRATIVE_SHUTDOWN)))
              .sync();
          listener.close();
        }
      }
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
  }

  private static void send(Socket s, BgpMessage m) throws IOException {
    s.getOutputStream().write(BgpEncoder.encode(m, CodecContext.FOUR_OCTET));
    s.getOutputStream().flush();
  }

  /** Reads until a NOTIFICATION, skipping KEEPALIVEs. */
  private static Notification notification(DataInputStream in) throws IOException {
    for (int i = 0; i < 5; i++) {
      if (WireIo.read(in) instanceof Notification n) {
        return n;
      }
    }
    throw new AssertionError("no NOTIFICATION within 5 messages");
  }
}
