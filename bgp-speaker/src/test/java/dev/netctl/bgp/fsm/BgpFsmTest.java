package dev.netctl.bgp.fsm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.codec.AddressFamily;
import dev.netctl.bgp.codec.BgpError;
import dev.netctl.bgp.codec.BgpMessage;
import dev.netctl.bgp.codec.BgpMessage.Keepalive;
import dev.netctl.bgp.codec.BgpMessage.Notification;
import dev.netctl.bgp.codec.BgpMessage.Open;
import dev.netctl.bgp.codec.Capability;
import dev.netctl.bgp.codec.CapabilityCode;
import dev.netctl.bgp.codec.NotificationSubcode;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Drives the RFC 4271 §8 FSM with events and checks the actions, without sockets or clocks. */
class BgpFsmTest {
  static final Inet4Address LOCAL_ID = ip("10.0.0.1");
  static final Inet4Address PEER_ID = ip("10.0.0.2");
  static final PeerConfig CONFIG = PeerConfig.of(65001, LOCAL_ID, 65002);

  static Inet4Address ip(String s) {
    try {
      return (Inet4Address) InetAddress.getByName(s);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  static Open peerOpen(long as, int hold, Capability... caps) {
    return new Open(4, as, hold, PEER_ID, List.of(caps));
  }

  static Event.Received rx(BgpMessage m) {
    return new Event.Received(m);
  }

  static List<BgpMessage> sent(List<Action> actions) {
    return actions.stream()
        .filter(a -> a instanceof Action.Send)
        .map(a -> ((Action.Send) a).message())
        .toList();
  }

  /** Runs the FSM to OpenConfirm with the given peer OPEN. */
  static BgpFsm toOpenConfirm(PeerConfig config, Open open) {
    BgpFsm fsm = new BgpFsm(config);
    fsm.handle(new Event.Start(false));
    fsm.handle(new Event.TcpConnected());
    fsm.handle(rx(open));
    assertThat(fsm.state()).isEqualTo(State.OPEN_CONFIRM);
    return fsm;
  }

  @Test
  void activeStartConnectsAndReachesEstablished() {
    BgpFsm fsm = new BgpFsm(CONFIG);
    List<Action> a = fsm.handle(new Event.Start(false));
    assertThat(a)
        .contains(
            new Action.Connect(),
            new Action.StartTimer(Timer.CONNECT_RETRY, Duration.ofSeconds(5)));
    assertThat(fsm.state()).isEqualTo(State.CONNECT);

    a = fsm.handle(new Event.TcpConnected());
    assertThat(sent(a)).containsExactly(OpenNegotiation.localOpen(CONFIG));
    assertThat(a)
        .contains(
            new Action.StopTimer(Timer.CONNECT_RETRY),
            new Action.StartTimer(Timer.HOLD, BgpFsm.LARGE_HOLD));
    assertThat(fsm.state()).isEqualTo(State.OPEN_SENT);

    a = fsm.handle(rx(peerOpen(65002, 30, new Capability.FourOctetAs(65002))));
    assertThat(sent(a)).containsExactly(Keepalive.INSTANCE);
    // Hold time is the smaller of 90 and 30; keepalive a third of it (RFC 4271 §4.2, §10).
    assertThat(a)
        .contains(
            new Action.StartTimer(Timer.HOLD, Duration.ofSeconds(30)),
            new Action.StartTimer(Timer.KEEPALIVE, Duration.ofSeconds(10)));
    assertThat(fsm.state()).isEqualTo(State.OPEN_CONFIRM);

    a = fsm.handle(rx(Keepalive.INSTANCE));
    assertThat(fsm.state()).isEqualTo(State.ESTABLISHED);
    Action.SessionUp up =
        (Action.SessionUp)
            a.stream().filter(x -> x instanceof Action.SessionUp).findFirst().orElseThrow();
    assertThat(up.negotiated().holdTime()).isEqualTo(30);
    assertThat(up.negotiated().fourOctetAs()).isTrue();
    // No multiprotocol capability from the peer: IPv4 unicast only (RFC 4760 §8).
    assertThat(up.negotiated().families()).containsExactly(AddressFamily.IPV4_UNICAST);
  }

  @Test
  void passiveStartWaitsInActive() {
    BgpFsm fsm = new BgpFsm(CONFIG);
    List<Action> a = fsm.handle(new Event.Start(true));
    assertThat(a).doesNotContain(new Action.Connect());
    assertThat(fsm.state()).isEqualTo(State.ACTIVE);
    fsm.handle(new Event.TcpConnected());
    assertThat(fsm.state()).isEqualTo(State.OPEN_SENT);
  }

  @Test
  void failedConnectGoesActiveAndRetriesOnTimer() {
    BgpFsm fsm = new BgpFsm(CONFIG);
    fsm.handle(new Event.Start(false));
    fsm.handle(new Event.TcpConnectionFailed());
    assertThat(fsm.state()).isEqualTo(State.ACTIVE);
    List<Action> a = fsm.handle(new Event.TimerExpired(Timer.CONNECT_RETRY));
    assertThat(a).contains(new Action.Connect());
    assertThat(fsm.state()).isEqualTo(State.CONNECT);
  }

  @Test
  void holdTimeZeroRunsNoTimers() {
    BgpFsm fsm = new BgpFsm(CONFIG);
    fsm.handle(new Event.Start(false));
    fsm.handle(new Event.TcpConnected());
    List<Action> a = fsm.handle(rx(peerOpen(65002, 0)));
    assertThat(a).contains(new Action.StopTimer(Timer.HOLD), new Action.StopTimer(Timer.KEEPALIVE));
    assertThat(a).noneMatch(x -> x instanceof Action.StartTimer);
    assertThat(fsm.negotiated().holdTime()).isZero();
  }

  @Test
  void wrongPeerAsIsBadPeerAs() {
    BgpFsm fsm = new BgpFsm(CONFIG);
    fsm.handle(new Event.Start(false));
    fsm.handle(new Event.TcpConnected());
    List<Action> a = fsm.handle(rx(peerOpen(65009, 90)));
    assertThat(sent(a))
        .containsExactly(
            Notification.of(
                NotificationSubcode.BAD_PEER_AS, new byte[] {(byte) 0xfd, (byte) 0xf1}));
    assertThat(a).contains(new Action.Disconnect());
    assertThat(fsm.state()).isEqualTo(State.IDLE);
  }

  @Test
  void aPeerFromAnyAsOfTheAcceptedSetIsTakenAndOneOutsideIsBadPeerAs() {
    PeerConfig range = CONFIG.withAcceptedAs(RemoteAs.parse("64512-65000,65009"));
    assertThat(toOpenConfirm(range, peerOpen(64700, 90)).negotiated().peerOpen().myAs())
        .isEqualTo(64700);
    assertThat(toOpenConfirm(range, peerOpen(65009, 90)).state()).isEqualTo(State.OPEN_CONFIRM);
    BgpFsm fsm = new BgpFsm(range);
    fsm.handle(new Event.Start(false));
    fsm.handle(new Event.TcpConnected());
    List<Action> a = fsm.handle(rx(peerOpen(65002, 90)));
    assertThat(sent(a))
        .containsExactly(
            Notification.of(
                NotificationSubcode.BAD_PEER_AS, new byte[] {(byte) 0xfd, (byte) 0xea}));
    assertThat(fsm.state()).isEqualTo(State.IDLE);
  }

  @Test
  void externalAcceptsEveryAsButOursAndInternalOnlyOurs() {
    PeerConfig external = CONFIG.withAcceptedAs(RemoteAs.parse("external"));
    assertThat(toOpenConfirm(external, peerOpen(4_200_000_000L, 90)).state())
        .isEqualTo(State.OPEN_CONFIRM);
    BgpFsm ours = new BgpFsm(external);
    ours.handle(new Event.Start(false));
    ours.handle(new Event.TcpConnected());
    assertThat(sent(ours.handle(rx(peerOpen(65001, 90)))))
        .containsExactly(
            Notification.of(
                NotificationSubcode.BAD_PEER_AS, new byte[] {(byte) 0xfd, (byte) 0xe9}));

    PeerConfig internal = CONFIG.withAcceptedAs(RemoteAs.parse("internal"));
    assertThat(toOpenConfirm(internal, peerOpen(65001, 90)).state()).isEqualTo(State.OPEN_CONFIRM);
    BgpFsm other = new BgpFsm(internal);
    other.handle(new Event.Start(false));
    other.handle(new Event.TcpConnected());
    assertThat(sent(other.handle(rx(peerOpen(65002, 90)))))
        .containsExactly(
            Notification.of(
                NotificationSubcode.BAD_PEER_AS, new byte[] {(byte) 0xfd, (byte) 0xea}));
  }

  @Test
  void missingRequiredCapabilityIsUnsupportedCapability() {
    BgpFsm fsm = new BgpFsm(CONFIG.withRequiredCapabilities(Set.of(CapabilityCode.FOUR_OCTET_AS)));
    fsm.handle(new Event.Start(false));
    fsm.handle(new Event.TcpConnected());
    List<Action> a = fsm.handle(rx(peerOpen(65002, 90)));
    assertThat(sent(a))
        .containsExactly(
            Notification.of(NotificationSubcode.UNSUPPORTED_CAPABILITY, new byte[] {65, 0}));
  }

  @Test
  void sameIdentifierOnIbgpIsBadBgpIdentifier() {
    PeerConfig ibgp = PeerConfig.of(65001, LOCAL_ID, 65001);
    BgpFsm fsm = new BgpFsm(ibgp);
    fsm.handle(new Event.Start(false));
    fsm.handle(new Event.TcpConnected());
    List<Action> a = fsm.handle(rx(new Open(4, 65001, 90, LOCAL_ID, List.of())));
    assertThat(sent(a)).containsExactly(Notification.of(NotificationSubcode.BAD_BGP_IDENTIFIER));
  }

  @Test
  void holdTimerExpirySendsHoldTimerExpired() {
    BgpFsm fsm = toOpenConfirm(CONFIG, peerOpen(65002, 90));
    fsm.handle(rx(Keepalive.INSTANCE));
    List<Action> a = fsm.handle(new Event.TimerExpired(Timer.HOLD));
    assertThat(sent(a)).containsExactly(new Notification(4, 0, new byte[0]));
    assertThat(a).contains(new Action.Disconnect()).anyMatch(x -> x instanceof Action.SessionDown);
    assertThat(fsm.state()).isEqualTo(State.IDLE);
  }

  @Test
  void keepaliveTimerSendsKeepaliveAndRestarts() {
    BgpFsm fsm = toOpenConfirm(CONFIG, peerOpen(65002, 9));
    List<Action> a = fsm.handle(new Event.TimerExpired(Timer.KEEPALIVE));
    assertThat(sent(a)).containsExactly(Keepalive.INSTANCE);
    assertThat(a).contains(new Action.StartTimer(Timer.KEEPALIVE, Duration.ofSeconds(3)));
  }

  @Test
  void configuredKeepaliveTimeIsUsedBelowAThirdOfTheHoldTime() {
    BgpFsm fsm = toOpenConfirm(CONFIG.withKeepaliveTime(7), peerOpen(65002, 90));
    List<Action> a = fsm.handle(rx(Keepalive.INSTANCE));
    assertThat(fsm.state()).isEqualTo(State.ESTABLISHED);
    a = fsm.handle(new Event.TimerExpired(Timer.KEEPALIVE));
    assertThat(a).contains(new Action.StartTimer(Timer.KEEPALIVE, Duration.ofSeconds(7)));
  }

  @Test
  void configuredKeepaliveTimeIsCappedAtAThirdOfAShorterNegotiatedHoldTime() {
    // We would send every 20 s, but the peer asked for a 9 s hold time: every 3 s, or it times out.
    BgpFsm fsm = toOpenConfirm(CONFIG.withKeepaliveTime(20), peerOpen(65002, 9));
    List<Action> a = fsm.handle(new Event.TimerExpired(Timer.KEEPALIVE));
    assertThat(sent(a)).containsExactly(Keepalive.INSTANCE);
    assertThat(a).contains(new Action.StartTimer(Timer.KEEPALIVE, Duration.ofSeconds(3)));
  }

  @Test
  void updateInOpenSentIsFsmError() {
    BgpFsm fsm = new BgpFsm(CONFIG);
    fsm.handle(new Event.Start(false));
    fsm.handle(new Event.TcpConnected());
    List<Action> a = fsm.handle(rx(BgpMessage.Update.endOfRib(AddressFamily.IPV4_UNICAST)));
    assertThat(sent(a))
        .containsExactly(Notification.of(NotificationSubcode.FSM_UNEXPECTED_IN_OPEN_SENT));
  }

  @Test
  void openInOpenConfirmIsFsmError() {
    BgpFsm fsm = toOpenConfirm(CONFIG, peerOpen(65002, 90));
    assertThat(sent(fsm.handle(rx(peerOpen(65002, 90)))))
        .containsExactly(Notification.of(NotificationSubcode.FSM_UNEXPECTED_IN_OPEN_CONFIRM));
  }

  @Test
  void updatesAreDeliveredOnlyInEstablished() {
    BgpFsm fsm = toOpenConfirm(CONFIG, peerOpen(65002, 90));
    fsm.handle(rx(Keepalive.INSTANCE));
    BgpMessage.Update u = BgpMessage.Update.endOfRib(AddressFamily.IPV4_UNICAST);
    List<Action> a = fsm.handle(rx(u));
    assertThat(a)
        .contains(new Action.Deliver(u), new Action.StartTimer(Timer.HOLD, Duration.ofSeconds(90)));
  }

  @Test
  void decodeFailureSendsItsNotificationAndCloses() {
    BgpFsm fsm = toOpenConfirm(CONFIG, peerOpen(65002, 90));
    fsm.handle(rx(Keepalive.INSTANCE));
    BgpError e = new BgpError(NotificationSubcode.INVALID_NETWORK_FIELD, new byte[0], "bad prefix");
    List<Action> a = fsm.handle(new Event.DecodeFailed(e));
    assertThat(sent(a)).containsExactly(Notification.of(NotificationSubcode.INVALID_NETWORK_FIELD));
    assertThat(fsm.state()).isEqualTo(State.IDLE);
  }

  @Test
  void stopWithMaxPrefixCeaseInEstablished() {
    BgpFsm fsm = toOpenConfirm(CONFIG, peerOpen(65002, 90));
    fsm.handle(rx(Keepalive.INSTANCE));
    Notification cease = Notification.of(NotificationSubcode.MAXIMUM_PREFIXES_REACHED);
    List<Action> a = fsm.handle(new Event.Stop(cease));
    assertThat(sent(a)).containsExactly(cease);
    assertThat(a).anyMatch(x -> x instanceof Action.SessionDown);
  }

  @Test
  void peerNotificationClosesWithoutReply() {
    BgpFsm fsm = toOpenConfirm(CONFIG, peerOpen(65002, 90));
    List<Action> a = fsm.handle(rx(Notification.of(NotificationSubcode.ADMINISTRATIVE_RESET)));
    assertThat(sent(a)).isEmpty();
    assertThat(fsm.state()).isEqualTo(State.IDLE);
  }

  @Test
  void idleIgnoresEverythingButStart() {
    BgpFsm fsm = new BgpFsm(CONFIG);
    assertThat(fsm.handle(new Event.TcpConnected())).isEmpty();
    assertThat(fsm.handle(rx(Keepalive.INSTANCE))).isEmpty();
    assertThat(fsm.state()).isEqualTo(State.IDLE);
  }

  @Test
  void negotiationIntersectsFamiliesAndAddPath() {
    PeerConfig config =
        CONFIG.withOptions(
            Set.of(AddressFamily.IPV4_UNICAST), Set.of(AddressFamily.IPV6_UNICAST), 120, true);
    Open peer =
        peerOpen(
            65002,
            90,
            new Capability.Multiprotocol(AddressFamily.IPV4_UNICAST),
            new Capability.Multiprotocol(AddressFamily.IPV6_UNICAST),
            new Capability.FourOctetAs(65002),
            new Capability.ExtendedMessage(),
            new Capability.AddPath(
                List.of(
                    new Capability.AddPathFamily(
                        AddressFamily.IPV4_UNICAST, Capability.AddPathMode.SEND),
                    new Capability.AddPathFamily(
                        AddressFamily.IPV6_UNICAST, Capability.AddPathMode.SEND))));
    Negotiated n = OpenNegotiation.negotiate(config, peer).negotiated();
    assertThat(n.families())
        .containsExactlyInAnyOrder(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST);
    assertThat(n.receive().addPath()).containsExactly(AddressFamily.IPV4_UNICAST);
    // The peer only sends paths for IPv6, so we must not send it ADD-PATH NLRI.
    assertThat(n.send().addPath()).isEmpty();
    assertThat(n.receive().extendedMessage()).isTrue();
    assertThat(OpenNegotiation.localOpen(config).capability(Capability.GracefulRestart.class))
        .isPresent();
  }

  @Test
  void addPathIsOfferedOnlyForOfferedFamiliesInAFixedOrder() {
    // An IPv4 session without an IPv6 next hop offers IPv4 unicast only (the speaker narrows the
    // families): its ADD-PATH capability listed IPv6 too, and in a set's iteration order.
    PeerConfig config =
        CONFIG
            .withOptions(
                Set.of(AddressFamily.IPV6_UNICAST, AddressFamily.IPV4_UNICAST),
                Set.of(AddressFamily.IPV6_UNICAST, AddressFamily.IPV4_UNICAST),
                -1,
                false)
            .withFamilies(Set.of(AddressFamily.IPV4_UNICAST));
    assertThat(OpenNegotiation.localOpen(config).capability(Capability.AddPath.class))
        .contains(
            new Capability.AddPath(
                List.of(
                    new Capability.AddPathFamily(
                        AddressFamily.IPV4_UNICAST, Capability.AddPathMode.BOTH))));
    PeerConfig both =
        config.withFamilies(Set.of(AddressFamily.IPV6_UNICAST, AddressFamily.IPV4_UNICAST));
    assertThat(OpenNegotiation.localOpen(both).capability(Capability.AddPath.class).orElseThrow())
        .extracting(a -> a.families().stream().map(Capability.AddPathFamily::family).toList())
        .isEqualTo(List.of(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST));
  }

  private static Action.SessionDown down(List<Action> actions) {
    return actions.stream()
        .filter(a -> a instanceof Action.SessionDown)
        .map(a -> (Action.SessionDown) a)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no SessionDown in " + actions));
  }

  private static BgpFsm established() {
    BgpFsm fsm = toOpenConfirm(CONFIG, peerOpen(65002, 90));
    fsm.handle(rx(Keepalive.INSTANCE));
    assertThat(fsm.state()).isEqualTo(State.ESTABLISHED);
    return fsm;
  }

  @Test
  void sessionDownTellsWhetherANotificationWasExchanged() {
    // RFC 4724 §4.2: only a session that ends without a NOTIFICATION restarts gracefully.
    assertThat(down(established().handle(new Event.TcpClosed())).notification())
        .as("TCP closed")
        .isFalse();
    assertThat(down(established().handle(new Event.TimerExpired(Timer.HOLD))).notification())
        .as("hold timer expiry sends a NOTIFICATION")
        .isTrue();
    assertThat(
            down(established()
                    .handle(rx(Notification.of(NotificationSubcode.ADMINISTRATIVE_RESET))))
                .notification())
        .as("NOTIFICATION received")
        .isTrue();
    assertThat(
            down(established()
                    .handle(
                        new Event.Stop(
                            Notification.of(NotificationSubcode.ADMINISTRATIVE_SHUTDOWN))))
                .notification())
        .as("stopped with a NOTIFICATION")
        .isTrue();
  }

  @Test
  void gracefulRestartCapabilityListsOfferedFamiliesAndTheRestartBits() {
    PeerConfig config = CONFIG.withOptions(Set.of(), Set.of(), 120, false);
    Capability.GracefulRestart normal =
        OpenNegotiation.localOpen(config)
            .capability(Capability.GracefulRestart.class)
            .orElseThrow();
    assertThat(normal.restarting()).isFalse();
    assertThat(normal.restartTimeSeconds()).isEqualTo(120);
    assertThat(normal.families())
        .containsExactly(
            new Capability.GracefulRestartFamily(AddressFamily.IPV4_UNICAST, false),
            new Capability.GracefulRestartFamily(AddressFamily.IPV6_UNICAST, false));

    BgpFsm fsm = new BgpFsm(config, true);
    fsm.handle(new Event.Start(false));
    Open ours = (Open) sent(fsm.handle(new Event.TcpConnected())).getFirst();
    Capability.GracefulRestart restarting =
        ours.capability(Capability.GracefulRestart.class).orElseThrow();
    assertThat(restarting.restarting()).as("Restart State bit").isTrue();
    assertThat(restarting.families())
        .as("Forwarding State bits")
        .containsExactly(
            new Capability.GracefulRestartFamily(AddressFamily.IPV4_UNICAST, true),
            new Capability.GracefulRestartFamily(AddressFamily.IPV6_UNICAST, true));
  }
}
