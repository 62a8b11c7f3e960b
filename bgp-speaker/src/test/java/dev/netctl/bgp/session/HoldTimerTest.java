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
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The hold timer on a real session (RFC 4271 §4.4, §6.5): every UPDATE received restarts it, like a
 * KEEPALIVE, and it expires once the peer sends nothing for the hold time. The session restarts it
 * by moving a deadline, not by rescheduling a task per message (see {@link HoldDeadline}), so this
 * checks both sides of that on the wire with the smallest hold time allowed, 3 seconds.
 */
@Timeout(30)
class HoldTimerTest {
  static final String LOCAL = "127.0.0.45";
  static final String REMOTE = "127.0.0.46";
  private static final int HOLD_SECONDS = 3;
  // ORIGIN IGP, AS_PATH [65002], NEXT_HOP 10.0.0.1, NLRI 10.0.0.0/8 (RFC 4271 §4.3).
  private static final byte[] UPDATE =
      HexFormat.of()
          .parseHex(
              "ffffffffffffffffffffffffffffffff"
                  + "002d"
                  + "02"
                  + "0000"
                  + "0014"
                  + "40010100"
                  + "400206020100"
                  + "00fdea"
                  + "4003040a000001"
                  + "080a");

  private EventLoopGroup group;
  private BgpListener listener;
  private PeerSession session;
  private int port;
  private final List<String> downs = new CopyOnWriteArrayList<>();
  private final AtomicInteger updates = new AtomicInteger();

  @BeforeEach
  void start() throws Exception {
    LeakCheck.install();
    Transport transport = Transport.best();
    group = transport.newGroup(1);
    PeerConfig config =
        PeerConfig.of(65001, PeerSessionTest.ip(LOCAL), 65002).withHoldTime(HOLD_SECONDS);
    PeerSpec spec =
        new PeerSpec(
            new InetSocketAddress(PeerSessionTest.ip(REMOTE), 179),
            PeerSessionTest.ip(LOCAL),
            config,
            true,
            null,
            0);
    session =
        new PeerSession(
            spec,
            group.next(),
            transport,
            new SessionListener() {
              @Override
              public void update(PeerSession peer, BgpMessage.Update update) {
                updates.incrementAndGet();
              }

              @Override
              public void down(PeerSession peer, String reason) {
                downs.add(reason);
              }
            },
            Clock.systemUTC());
    session.loop().submit(session::start).sync();
    listener =
        BgpListener.bind(
            group,
            transport,
            new InetSocketAddress(PeerSessionTest.ip(LOCAL), 0),
            a -> Admission.of(a.equals(spec.remote().getAddress()) ? session : null),
            Map.of());
    port = listener.localAddress().getPort();
  }

  @AfterEach
  void stop() throws Exception {
    session
        .loop()
        .submit(() -> session.stop(Notification.of(NotificationSubcode.ADMINISTRATIVE_SHUTDOWN)))
        .sync();
    listener.close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    LeakCheck.assertNoLeaks();
  }

  @Test
  void updatesAloneKeepTheSessionUpAndSilenceExpiresTheHoldTimer() throws Exception {
    try (Socket s = new Socket()) {
      s.bind(new InetSocketAddress(PeerSessionTest.ip(REMOTE), 0));
      s.connect(new InetSocketAddress(PeerSessionTest.ip(LOCAL), port), 2000);
      s.setSoTimeout(10_000);
      DataInputStream in = new DataInputStream(s.getInputStream());
      assertThat(WireIo.read(in)).isInstanceOf(Open.class);
      send(
          s,
          new Open(
              4,
              65002,
              90,
              PeerSessionTest.ip(REMOTE),
              List.of(new Capability.FourOctetAs(65002))));
      assertThat(WireIo.read(in)).isEqualTo(BgpMessage.Keepalive.INSTANCE);
      send(s, BgpMessage.Keepalive.INSTANCE);
      await().atMost(Duration.ofSeconds(5)).until(() -> session.state() == State.ESTABLISHED);
      assertThat(session.loop().submit(() -> session.negotiated().holdTime()).get())
          .isEqualTo(HOLD_SECONDS);

      // UPDATEs only, no KEEPALIVE, for half again the hold time: each restarts the timer.
      long streamNanos = TimeUnit.MILLISECONDS.toNanos(HOLD_SECONDS * 1500L);
      long begin = System.nanoTime();
      int sent = 0;
      while (System.nanoTime() - begin < streamNanos) {
        s.getOutputStream().write(UPDATE);
        s.getOutputStream().flush();
        sent++;
        Thread.sleep(200);
      }
      int total = sent;
      await().atMost(Duration.ofSeconds(5)).until(() -> updates.get() == total);
      assertThat(downs).as("session ends while UPDATEs stream").isEmpty();
      assertThat(session.state()).isEqualTo(State.ESTABLISHED);

      // Silence: the hold timer expires with its NOTIFICATION (RFC 4271 §6.5: code 4).
      Notification expired = null;
      for (int i = 0; i < 20 && expired == null; i++) {
        if (WireIo.read(in) instanceof Notification n) {
          expired = n;
        }
      }
      assertThat(expired).as("a NOTIFICATION after the hold time of silence").isNotNull();
      assertThat(expired.code()).isEqualTo(4);
      await().atMost(Duration.ofSeconds(5)).until(() -> !downs.isEmpty());
      assertThat(downs.getFirst()).contains("hold timer expired");
    }
  }

  private static void send(Socket s, BgpMessage m) throws Exception {
    s.getOutputStream().write(BgpEncoder.encode(m, CodecContext.FOUR_OCTET));
    s.getOutputStream().flush();
  }
}
