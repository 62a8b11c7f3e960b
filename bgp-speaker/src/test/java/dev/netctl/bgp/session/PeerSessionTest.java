package dev.netctl.bgp.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
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
import java.io.EOFException;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

/**
 * A real {@link PeerSession} on Netty against a hand-driven socket playing the peer, so each test
 * controls the exact bytes the session receives.
 */
@Timeout(30)
class PeerSessionTest {
  static final String LOCAL = "127.0.0.41";
  static final String REMOTE = "127.0.0.42";
  // The listener's free port, bound to 0 in start().
  static volatile int port;

  private EventLoopGroup group;
  private BgpListener listener;
  private PeerSession session;
  private final List<String> events = new CopyOnWriteArrayList<>();
  // The session's clock: the system's, moved on by hand where a test needs time to pass.
  private final SteppedClock clock = new SteppedClock();

  /** The system clock plus an offset a test moves on. */
  static final class SteppedClock extends Clock {
    private volatile Duration offset = Duration.ZERO;

    void advance(Duration d) {
      offset = offset.plus(d);
    }

    @Override
    public java.time.ZoneId getZone() {
      return java.time.ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      throw new UnsupportedOperationException();
    }

    @Override
    public java.time.Instant instant() {
      return Clock.systemUTC().instant().plus(offset);
    }
  }

  static Inet4Address ip(String s) throws Exception {
    return (Inet4Address) InetAddress.getByName(s);
  }

  @BeforeEach
  void start(TestInfo test) throws Exception {
    LeakCheck.install();
    Transport transport = Transport.best();
    group = transport.newGroup(1);
    // The hold timer's own test runs with the smallest hold time allowed (RFC 4271 §4.2).
    int hold = test.getTestMethod().orElseThrow().getName().startsWith("holdTimer") ? 3 : 30;
    PeerConfig config = PeerConfig.of(65001, ip(LOCAL), 65002).withHoldTime(hold);
    PeerSpec spec =
        new PeerSpec(new InetSocketAddress(ip(REMOTE), 179), ip(LOCAL), config, true, null, 0);
    session =
        new PeerSession(
            spec,
            group.next(),
            transport,
            new SessionListener() {
              @Override
              public void update(PeerSession peer, BgpMessage.Update update) {
                events.add("update " + update.allNlri() + " withdrawn " + update.allWithdrawn());
              }

              @Override
              public void down(PeerSession peer, String reason) {
                events.add("down " + reason);
              }
            },
            clock);
    session.loop().submit(session::start).sync();
    listener =
        BgpListener.bind(
            group,
            transport,
            new InetSocketAddress(ip(LOCAL), 0),
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

  /** A scripted peer on a plain socket. */
  static final class RawPeer implements AutoCloseable {
    final Socket socket = new Socket();
    DataInputStream in;

    RawPeer() throws Exception {
      socket.bind(new InetSocketAddress(ip(REMOTE), 0));
      socket.connect(new InetSocketAddress(ip(LOCAL), port), 2000);
      socket.setSoTimeout(5000);
      in = new DataInputStream(socket.getInputStream());
    }

    void send(BgpMessage m) throws IOException {
      sendRaw(BgpEncoder.encode(m, CodecContext.FOUR_OCTET));
    }

    void sendRaw(byte[] b) throws IOException {
      socket.getOutputStream().write(b);
      socket.getOutputStream().flush();
    }

    BgpMessage read() throws IOException {
      return WireIo.read(in);
    }

    /** Reads until a NOTIFICATION, skipping KEEPALIVEs. */
    Notification readNotification() throws IOException {
      for (int i = 0; i < 10; i++) {
        BgpMessage m = read();
        if (m instanceof Notification n) {
          return n;
        }
      }
      throw new AssertionError("no NOTIFICATION within 10 messages");
    }

    boolean closedByPeer() {
      try {
        return in.read() == -1;
      } catch (EOFException e) {
        return true;
      } catch (IOException e) {
        return true;
      }
    }

    /** Runs the OPEN exchange to Established. */
    void establish() throws Exception {
      Open theirs = (Open) read();
      assertThat(theirs.myAs()).isEqualTo(65001);
      send(new Open(4, 65002, 90, ip(REMOTE), List.of(new Capability.FourOctetAs(65002))));
      assertThat(read()).isEqualTo(BgpMessage.Keepalive.INSTANCE);
      send(BgpMessage.Keepalive.INSTANCE);
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  @Test
  void establishesAndNegotiatesTheSmallerHoldTime() throws Exception {
    try (RawPeer peer = new RawPeer()) {
      peer.establish();
      await().atMost(Duration.ofSeconds(5)).until(() -> session.state() == State.ESTABLISHED);
      assertThat(session.loop().submit(() -> session.negotiated().holdTime()).get()).isEqualTo(30);
    }
  }

  @Test
  void invalidNetworkFieldGetsNotificationThenClose() throws Exception {
    try (RawPeer peer = new RawPeer()) {
      peer.establish();
      // UPDATE whose NLRI claims /33 (RFC 4271 §6.3 Invalid Network Field).
      peer.sendRaw(
          HexFormat.of()
              .parseHex(
                  "ffffffffffffffffffffffffffffffff"
                      + "001c"
                      + "02"
                      + "0000"
                      + "0000"
                      + "21 0a000000".replace(" ", "")));
      Notification n = peer.readNotification();
      assertThat(n.errorSubcode()).isEqualTo(NotificationSubcode.INVALID_NETWORK_FIELD);
      assertThat(peer.closedByPeer()).isTrue();
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> events.stream().anyMatch(e -> e.startsWith("down")));
    }
  }

  // Brings the session up with the raw peer, stops it with an Administrative Reset, and checks the
  // peer read that NOTIFICATION.
  private void establishAndReset(RawPeer peer) throws Exception {
    peer.establish();
    await().atMost(Duration.ofSeconds(5)).until(() -> session.state() == State.ESTABLISHED);
    session
        .loop()
        .submit(() -> session.stop(Notification.of(NotificationSubcode.ADMINISTRATIVE_RESET)))
        .sync();
    assertThat(peer.readNotification().errorSubcode())
        .isEqualTo(NotificationSubcode.ADMINISTRATIVE_RESET);
  }

  /**
   * Our FIN must not overtake the NOTIFICATION in the peer's processing (FRR's I/O thread may read
   * both at once and its main thread act on the close first): the connection stays open after the
   * NOTIFICATION until the peer closes it, while our FSM is down at once. The wait is made long
   * here, so only the peer's close can end it.
   */
  @Test
  void afterANotificationWeCloseOnlyOnceThePeerHasClosed() throws Exception {
    NotificationClose.timeout(Duration.ofMinutes(5));
    try (RawPeer peer = new RawPeer()) {
      establishAndReset(peer);
      assertThat(session.state()).as("our FSM does not wait for the peer").isEqualTo(State.IDLE);
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> events.stream().anyMatch(e -> e.startsWith("down")));
      peer.socket.setSoTimeout(300);
      assertThatThrownBy(() -> peer.in.read())
          .as("no FIN right behind the NOTIFICATION, while the peer has not closed")
          .isInstanceOf(java.net.SocketTimeoutException.class);
      // What the peer sends meanwhile is dropped unread, not taken for a new session's message.
      peer.send(BgpMessage.Keepalive.INSTANCE);
      peer.socket.shutdownOutput();
      peer.socket.setSoTimeout(5000);
      assertThat(peer.in.read()).as("our close follows the peer's").isEqualTo(-1);
    } finally {
      NotificationClose.timeout(null);
    }
  }

  /** A peer that keeps the connection open after our NOTIFICATION is closed on after a while. */
  @Test
  void afterANotificationAPeerThatNeverClosesIsClosedOnAnyway() throws Exception {
    NotificationClose.timeout(Duration.ofMillis(200));
    try (RawPeer peer = new RawPeer()) {
      establishAndReset(peer);
      assertThat(peer.closedByPeer()).isTrue();
    } finally {
      NotificationClose.timeout(null);
    }
  }

  @Test
  void badMarkerInOpenSentGetsConnectionNotSynchronized() throws Exception {
    try (RawPeer peer = new RawPeer()) {
      peer.read(); // our OPEN
      peer.sendRaw(HexFormat.of().parseHex("ffffffffffffffffffffffffffff0000" + "0013" + "04"));
      assertThat(peer.readNotification().errorSubcode())
          .isEqualTo(NotificationSubcode.CONNECTION_NOT_SYNCHRONIZED);
      assertThat(peer.closedByPeer()).isTrue();
    }
  }

  @Test
  void oversizedLengthIsBadMessageLengthWithTheField() throws Exception {
    try (RawPeer peer = new RawPeer()) {
      peer.establish();
      peer.sendRaw(HexFormat.of().parseHex("ffffffffffffffffffffffffffffffff" + "2000" + "02"));
      Notification n = peer.readNotification();
      assertThat(n.errorSubcode()).isEqualTo(NotificationSubcode.BAD_MESSAGE_LENGTH);
      assertThat(n.data()).isEqualTo(new byte[] {0x20, 0x00});
    }
  }

  @Test
  void wrongPeerAsGetsBadPeerAs() throws Exception {
    try (RawPeer peer = new RawPeer()) {
      peer.read();
      peer.send(new Open(4, 65009, 90, ip(REMOTE), List.of()));
      Notification n = peer.readNotification();
      assertThat(n.errorSubcode()).isEqualTo(NotificationSubcode.BAD_PEER_AS);
      assertThat(peer.closedByPeer()).isTrue();
    }
  }

  /**
   * Every UPDATE restarts the hold timer like a KEEPALIVE (RFC 4271 §4.4, §6.5), and silence for
   * the hold time expires it. The session restarts it by moving a deadline, not by rescheduling a
   * task per message (see {@link HoldDeadline}): both sides of that, on the wire, with a 3 s hold
   * time.
   */
  @Test
  void holdTimerRestartsOnUpdatesAloneAndExpiresOnSilence() throws Exception {
    try (RawPeer peer = new RawPeer()) {
      peer.establish();
      await().atMost(Duration.ofSeconds(5)).until(() -> session.state() == State.ESTABLISHED);
      assertThat(session.loop().submit(() -> session.negotiated().holdTime()).get()).isEqualTo(3);
      // UPDATEs only, no KEEPALIVE, for one and a half hold times.
      byte[] update =
          HexFormat.of()
              .parseHex(
                  "ffffffffffffffffffffffffffffffff"
                      + "002d" // length 45
                      + "02" // UPDATE
                      + "0000" // no withdrawn routes
                      + "0014" // 20 octets of attributes
                      + "40010100" // ORIGIN IGP
                      + "400206020100" // AS_PATH AS_SEQUENCE [65002]
                      + "00fdea"
                      + "4003040a000001" // NEXT_HOP 10.0.0.1
                      + "080a"); // NLRI 10.0.0.0/8
      long begin = System.nanoTime();
      int sent = 0;
      while (System.nanoTime() - begin < TimeUnit.MILLISECONDS.toNanos(4_500)) {
        peer.sendRaw(update);
        sent++;
        Thread.sleep(200);
      }
      int total = sent;
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> events.stream().filter(e -> e.startsWith("update")).count() == total);
      assertThat(events)
          .as("nothing but UPDATEs while they stream")
          .allMatch(e -> e.startsWith("update"));
      assertThat(session.state()).isEqualTo(State.ESTABLISHED);
      // Silence: Hold Timer Expired (RFC 4271 §6.5, code 4).
      // Our KEEPALIVEs (one a second) come first.
      peer.socket.setSoTimeout(10_000);
      Notification expired = null;
      for (int i = 0; i < 30 && expired == null; i++) {
        if (peer.read() instanceof Notification n) {
          expired = n;
        }
      }
      assertThat(expired).as("a NOTIFICATION after the hold time of silence").isNotNull();
      assertThat(expired.code()).isEqualTo(4);
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> events.stream().anyMatch(e -> e.startsWith("down hold timer expired")));
    }
  }

  @Test
  void treatAsWithdrawKeepsTheSessionUp() throws Exception {
    try (RawPeer peer = new RawPeer()) {
      peer.establish();
      await().atMost(Duration.ofSeconds(5)).until(() -> session.state() == State.ESTABLISHED);
      // ORIGIN value 9 is invalid: RFC 7606 treat-as-withdraw, no NOTIFICATION.
      peer.sendRaw(
          HexFormat.of()
              .parseHex(
                  "ffffffffffffffffffffffffffffffff"
                      + "002d"
                      + "02"
                      + "0000"
                      + "0014"
                      + "40010109"
                      + "400206020100"
                      + "00fdea"
                      + "4003040a000001"
                      + "080a"));
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> events.contains("update [] withdrawn [10.0.0.0/8]"));
      peer.send(BgpMessage.Keepalive.INSTANCE);
      assertThat(session.state()).isEqualTo(State.ESTABLISHED);
    }
  }

  @Test
  void confederationSegmentsFromAnExternalPeerAreTreatAsWithdraw() throws Exception {
    // RFC 5065 §5.3: an AS_PATH with confederation segments from a peer outside our confederation
    // (we have none) is malformed, "treat-as-withdraw" (RFC 7606); kept, it passed the peer's
    // confederation-internal path on to every other AS.
    try (RawPeer peer = new RawPeer()) {
      peer.establish();
      await().atMost(Duration.ofSeconds(5)).until(() -> session.state() == State.ESTABLISHED);
      peer.send(
          new BgpMessage.Update(
              List.of(),
              List.of(
                  new dev.netctl.bgp.codec.PathAttribute.Origin(
                      dev.netctl.bgp.codec.PathAttribute.OriginType.IGP),
                  new dev.netctl.bgp.codec.PathAttribute.AsPath(
                      List.of(
                          new dev.netctl.bgp.codec.PathAttribute.Segment(
                              dev.netctl.bgp.codec.PathAttribute.SegmentType.AS_CONFED_SEQUENCE,
                              List.of(65010L)),
                          new dev.netctl.bgp.codec.PathAttribute.Segment(
                              dev.netctl.bgp.codec.PathAttribute.SegmentType.AS_SEQUENCE,
                              List.of(65002L)))),
                  new dev.netctl.bgp.codec.PathAttribute.NextHop(ip("10.0.0.1"))),
              List.of(dev.netctl.bgp.codec.Nlri.of("10.0.0.0/8"))));
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> events.contains("update [] withdrawn [10.0.0.0/8]"));
      assertThat(session.lastError())
          .startsWith("treat-as-withdraw: MALFORMED_AS_PATH(3/11)")
          .contains("confederation");
      peer.send(BgpMessage.Keepalive.INSTANCE);
      assertThat(session.state()).isEqualTo(State.ESTABLISHED);
    }
  }

  /**
   * A fault reset counts against the session for {@link PeerSession#faultForget()}: a second fault
   * within it keeps the session down for a while (and says so among the notices), after which it
   * takes the peer again; a further fault keeps it down twice as long. One later than that window
   * is a first fault again. Started by hand, nothing is held against it.
   */
  @Test
  void repeatedFaultsKeepTheSessionDownForAGrowingWhileAndAreForgottenAfterAWhile()
      throws Exception {
    PeerSession.faultTimes(null, Duration.ofSeconds(2));
    try {
      // A first fault; the second comes after it was forgotten: a first one again.
      assertThat(faultResetKeepsDown()).isFalse();
      await().atMost(Duration.ofSeconds(5)).until(() -> session.state() == State.ACTIVE);
      clock.advance(PeerSession.faultForget().plusSeconds(1));
      assertThat(faultResetKeepsDown()).isFalse();
      await().atMost(Duration.ofSeconds(5)).until(() -> session.state() == State.ACTIVE);

      // Within the window: kept down, then back by itself once the wait is over.
      assertThat(faultResetKeepsDown()).isTrue();
      assertThat(session.keptDown()).isTrue();
      assertThat(session.notices())
          .isEqualTo("kept down for 2 s: the RIB failed on this peer's routes 2 times in a row");
      await().atMost(Duration.ofSeconds(5)).until(() -> session.state() == State.ACTIVE);
      assertThat(session.notices()).isEmpty();

      // The fault again: twice as long.
      assertThat(faultResetKeepsDown()).isTrue();
      assertThat(session.notices())
          .startsWith("kept down for 4 s: the RIB failed on this peer's routes 3 times");

      // Started again by hand: nothing is held against it any more.
      session.loop().submit(session::start).sync();
      assertThat(session.keptDown()).isFalse();
      assertThat(session.notices()).isEmpty();
      assertThat(session.loop().submit(session::faultCounts).get()).isFalse();
    } finally {
      PeerSession.faultTimes(null, null);
    }
  }

  @Test
  void theWaitAfterRepeatedFaultsDoublesUpToFiveMinutes() {
    assertThat(
            java.util.stream.IntStream.rangeClosed(2, 7)
                .mapToObj(n -> PeerSession.faultWait(n).toSeconds())
                .toList())
        .containsExactly(60L, 120L, 240L, 300L, 300L, 300L);
  }

  // Establishes with a new peer, resets the session after a fault, checks the peer read the
  // Cease, and returns whether the session is kept down.
  private boolean faultResetKeepsDown() throws Exception {
    try (RawPeer peer = new RawPeer()) {
      peer.establish();
      await().atMost(Duration.ofSeconds(5)).until(() -> session.state() == State.ESTABLISHED);
      boolean down =
          session
              .loop()
              .submit(
                  () ->
                      session.resetAfterFault(
                          Notification.of(NotificationSubcode.OUT_OF_RESOURCES)))
              .get();
      assertThat(peer.readNotification().errorSubcode())
          .isEqualTo(NotificationSubcode.OUT_OF_RESOURCES);
      return down;
    }
  }

  @Test
  void sessionNoticesEndWithTheSessionAndConfigNoticesStay() throws Exception {
    session.loop().submit(() -> session.configNotice("ipv6 unicast not offered")).sync();
    try (RawPeer peer = new RawPeer()) {
      peer.establish();
      await().atMost(Duration.ofSeconds(5)).until(() -> session.state() == State.ESTABLISHED);
      session.notice("split off");
      assertThat(session.notices()).isEqualTo("ipv6 unicast not offered; split off");
    }
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> events.stream().anyMatch(e -> e.startsWith("down")));
    // What the gone session did no longer holds; what the configuration makes the peer do does.
    assertThat(session.notices()).isEqualTo("ipv6 unicast not offered");
  }

  @Test
  void slowReaderMakesTheSessionQueueAndThenDrainInOrder() throws Exception {
    // PARANOID records a stack trace on every buffer access; 8 MB of encoding would take minutes.
    // This one test samples leaks instead.
    io.netty.util.ResourceLeakDetector.Level level = io.netty.util.ResourceLeakDetector.getLevel();
    io.netty.util.ResourceLeakDetector.setLevel(io.netty.util.ResourceLeakDetector.Level.SIMPLE);
    try (RawPeer peer = new RawPeer()) {
      peer.establish();
      await().atMost(Duration.ofSeconds(5)).until(() -> session.state() == State.ESTABLISHED);
      List<dev.netctl.bgp.codec.Nlri> nlri = new java.util.ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        nlri.add(
            dev.netctl.bgp.codec.Nlri.of(
                dev.netctl.bgp.codec.Prefix.ipv4(0x0a000000 | (i << 8), 24)));
      }
      List<BgpMessage.Update> updates = new java.util.ArrayList<>();
      for (int i = 0; i < 2000; i++) {
        // Each UPDATE withdraws 1000 prefixes (about 4 KB), tagged by its first prefix's index.
        updates.add(new BgpMessage.Update(nlri.subList(i % 2, 1000), List.of(), List.of()));
      }
      // The peer reads nothing yet: 8 MB cannot fit the socket buffers, so the session must
      // hold the rest back instead of writing into an unbounded outbound buffer.
      int backlog =
          session
              .loop()
              .submit(
                  () -> {
                    session.send(updates);
                    return session.backlog();
                  })
              .get();
      assertThat(backlog).as("messages held back while the channel is not writable").isPositive();
      int seen = 0;
      while (seen < updates.size()) {
        BgpMessage m = peer.read();
        if (m instanceof BgpMessage.Update u) {
          assertThat(u.withdrawn().size())
              .as("order of update %d", seen)
              .isEqualTo(1000 - seen % 2);
          seen++;
        }
      }
      assertThat(session.loop().submit(session::backlog).get()).isZero();
      assertThat(session.state()).isEqualTo(State.ESTABLISHED);
    } finally {
      io.netty.util.ResourceLeakDetector.setLevel(level);
    }
  }

  @Test
  void unknownRemoteAddressIsRefused() throws Exception {
    try (Socket s = new Socket()) {
      s.bind(new InetSocketAddress(ip("127.0.0.43"), 0));
      s.connect(new InetSocketAddress(ip(LOCAL), port), 2000);
      s.setSoTimeout(5000);
      assertThat(s.getInputStream().read()).isEqualTo(-1);
    }
  }

  /** What an operator reads at the default level (the rest is debug). */
  @Test
  void upDownAndFailedOpensAreNotableTheStepsOfAConnectionAreNot() {
    assertThat(PeerSession.notable(State.OPEN_CONFIRM, State.ESTABLISHED)).isTrue();
    assertThat(PeerSession.notable(State.ESTABLISHED, State.IDLE)).isTrue();
    assertThat(PeerSession.notable(State.ESTABLISHED, State.ACTIVE)).isTrue();
    assertThat(PeerSession.notable(State.OPEN_SENT, State.ACTIVE)).as("a bad OPEN").isTrue();
    assertThat(PeerSession.notable(State.OPEN_CONFIRM, State.IDLE)).as("a NOTIFICATION").isTrue();
    assertThat(PeerSession.notable(State.IDLE, State.CONNECT)).isFalse();
    assertThat(PeerSession.notable(State.CONNECT, State.ACTIVE)).as("each failed retry").isFalse();
    assertThat(PeerSession.notable(State.ACTIVE, State.OPEN_SENT)).isFalse();
    assertThat(PeerSession.notable(State.OPEN_SENT, State.OPEN_CONFIRM)).isFalse();
  }
}
