package dev.netctl.bgp.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.netctl.bgp.codec.BgpMessage;
import dev.netctl.bgp.codec.BgpMessage.Notification;
import dev.netctl.bgp.codec.BgpMessage.Open;
import dev.netctl.bgp.codec.Capability;
import dev.netctl.bgp.codec.NotificationSubcode;
import dev.netctl.bgp.codec.WireIo;
import dev.netctl.bgp.fsm.PeerConfig;
import dev.netctl.bgp.fsm.State;
import io.netty.channel.EventLoopGroup;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The outgoing side of a session across connect retries (RFC 4271 §8.2.2): one FSM makes many
 * attempts, each on its own channel, and a retry abandons the attempt still pending.
 */
@Timeout(30)
class ConnectionTest {
  static final String LOCAL = "127.0.1.50";
  static final String REMOTE = "127.0.1.51";
  static final String FILLER = "127.0.1.52";

  private EventLoopGroup group;
  private PeerSession session;
  private final List<String> transitions = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    LeakCheck.install();
  }

  private void startSession(int port) throws Exception {
    Transport transport = Transport.best();
    group = transport.newGroup(1);
    PeerConfig config =
        PeerConfig.of(65001, PeerSessionTest.ip(LOCAL), 65002)
            .withHoldTime(30)
            .withConnectRetry(Duration.ofMillis(200));
    PeerSpec spec =
        PeerSpec.of(
            new InetSocketAddress(PeerSessionTest.ip(REMOTE), port),
            PeerSessionTest.ip(LOCAL),
            config);
    session =
        new PeerSession(
            spec,
            group.next(),
            transport,
            new SessionListener() {
              @Override
              public void stateChanged(PeerSession peer, State from, State to, String reason) {
                transitions.add(from + "->" + to);
              }
            },
            Clock.systemUTC());
    session.loop().submit(session::start).sync();
  }

  @AfterEach
  void stop() throws Exception {
    if (session != null) {
      session
          .loop()
          .submit(() -> session.stop(Notification.of(NotificationSubcode.ADMINISTRATIVE_SHUTDOWN)))
          .sync();
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
    LeakCheck.assertNoLeaks();
  }

  @Test
  void establishesOnceThePeerListensAfterRefusedAttempts() throws Exception {
    // A free port, released again so that nobody listens on it until the server below.
    int port;
    try (ServerSocket probe = new ServerSocket()) {
      probe.bind(new InetSocketAddress(PeerSessionTest.ip(REMOTE), 0));
      port = probe.getLocalPort();
    }
    startSession(port);
    // Nobody listens yet: each attempt is refused, and ConnectRetry starts the next one from the
    // same FSM, on a new channel.
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> transitions.stream().filter("ACTIVE->CONNECT"::equals).count() >= 2);
    try (ServerSocket server = new ServerSocket()) {
      server.bind(new InetSocketAddress(PeerSessionTest.ip(REMOTE), port));
      server.setSoTimeout(10_000);
      try (Socket s = server.accept()) {
        establish(s);
        await().atMost(Duration.ofSeconds(5)).until(() -> session.state() == State.ESTABLISHED);
      }
    }
  }

  @Test
  void retryWhileAnAttemptIsPendingAbandonsItAndStaysInConnect() throws Exception {
    try (ServerSocket server = new ServerSocket()) {
      // A listener whose accept queue is full drops SYNs: connects to it neither succeed nor fail
      // (Linux answers nothing), like a peer that is not up yet behind a firewall.
      server.bind(new InetSocketAddress(PeerSessionTest.ip(REMOTE), 0), 1);
      List<Socket> fillers = new ArrayList<>();
      boolean full = false;
      try {
        for (int i = 0; i < 8 && !full; i++) {
          Socket f = new Socket();
          f.bind(new InetSocketAddress(PeerSessionTest.ip(FILLER), 0));
          try {
            f.connect(server.getLocalSocketAddress(), 300);
            fillers.add(f);
          } catch (SocketTimeoutException e) {
            f.close();
            full = true;
          }
        }
        assertThat(full).as("the listener's accept queue fills up").isTrue();

        startSession(server.getLocalPort());
        // ConnectRetry (200 ms) fires several times while each attempt is still pending (the
        // connect timeout is 5 s): each retry replaces the attempt instead of adding the handler
        // to a second pipeline, and no abandoned attempt's failure moves the FSM to Active.
        Thread.sleep(1_000);
        assertThat(transitions)
            .as("state changes while the peer does not answer")
            .containsExactly("IDLE->CONNECT");
        assertThat(session.state()).isEqualTo(State.CONNECT);
      } finally {
        for (Socket f : fillers) {
          f.close();
        }
      }
      // The peer comes up: drain the queue; the next attempt gets through.
      server.setSoTimeout(10_000);
      Socket speaker = null;
      for (int i = 0; i < 10 && speaker == null; i++) {
        Socket s = server.accept();
        if (s.getInetAddress().equals(PeerSessionTest.ip(LOCAL))) {
          speaker = s;
        } else {
          s.close();
        }
      }
      assertThat(speaker).as("a connection from the speaker").isNotNull();
      try (Socket s = speaker) {
        establish(s);
        await().atMost(Duration.ofSeconds(5)).until(() -> session.state() == State.ESTABLISHED);
      }
      assertThat(transitions).doesNotContain("CONNECT->ACTIVE");
    }
  }

  /**
   * A reset's new connection waits until the peer has read our NOTIFICATION and closed the old one:
   * FRR takes a new connection from a graceful-restart peer it is Established with for a restart,
   * and drops the session before parsing the NOTIFICATION still queued on the old one. The wait for
   * the peer's close is made long here, so only that close can let the new connection go.
   */
  @Test
  void aResetConnectsAgainOnlyOnceThePeerHasClosedTheOldConnection() throws Exception {
    NotificationClose.timeout(Duration.ofMinutes(5));
    try (ServerSocket server = new ServerSocket()) {
      server.bind(new InetSocketAddress(PeerSessionTest.ip(REMOTE), 0));
      server.setSoTimeout(10_000);
      startSession(server.getLocalPort());
      try (Socket old = server.accept()) {
        establish(old);
        await().atMost(Duration.ofSeconds(5)).until(() -> session.state() == State.ESTABLISHED);
        session
            .loop()
            .submit(
                () -> {
                  session.stop(Notification.of(NotificationSubcode.ADMINISTRATIVE_RESET));
                  session.start();
                })
            .sync();
        DataInputStream in = new DataInputStream(old.getInputStream());
        BgpMessage m;
        while ((m = read(in)) instanceof BgpMessage.Keepalive) {
          // a KEEPALIVE may precede it
        }
        assertThat(m).isInstanceOf(Notification.class);
        server.setSoTimeout(500);
        assertThatThrownBy(server::accept)
            .as("no new connection while the reset one is open")
            .isInstanceOf(SocketTimeoutException.class);
      }
      // The old connection closed by the peer: the new one comes.
      server.setSoTimeout(10_000);
      try (Socket fresh = server.accept()) {
        establish(fresh);
        await().atMost(Duration.ofSeconds(5)).until(() -> session.state() == State.ESTABLISHED);
      }
    } finally {
      NotificationClose.timeout(null);
    }
  }

  /** Plays the peer's side of the OPEN exchange on an accepted socket. */
  private static void establish(Socket s) throws Exception {
    s.setSoTimeout(5_000);
    DataInputStream in = new DataInputStream(s.getInputStream());
    assertThat(read(in)).isInstanceOf(Open.class);
    send(
        s,
        new Open(
            4, 65002, 90, PeerSessionTest.ip(REMOTE), List.of(new Capability.FourOctetAs(65002))));
    assertThat(read(in)).isEqualTo(BgpMessage.Keepalive.INSTANCE);
    send(s, BgpMessage.Keepalive.INSTANCE);
  }

  private static void send(Socket s, BgpMessage m) throws IOException {
    WireIo.write(s.getOutputStream(), m);
  }

  private static BgpMessage read(DataInputStream in) throws IOException {
    return WireIo.read(in);
  }
}
