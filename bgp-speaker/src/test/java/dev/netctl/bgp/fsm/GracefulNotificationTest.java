package dev.netctl.bgp.fsm;

import static dev.netctl.bgp.fsm.BgpFsmTest.CONFIG;
import static dev.netctl.bgp.fsm.BgpFsmTest.peerOpen;
import static dev.netctl.bgp.fsm.BgpFsmTest.rx;
import static dev.netctl.bgp.fsm.BgpFsmTest.sent;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.codec.AddressFamily;
import dev.netctl.bgp.codec.BgpMessage.Keepalive;
import dev.netctl.bgp.codec.BgpMessage.Notification;
import dev.netctl.bgp.codec.Capability;
import dev.netctl.bgp.codec.NotificationSubcode;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * RFC 8538 notification mode: with the N bit on both sides, a NOTIFICATION other than Hard Reset
 * keeps routes like a TCP close; the Cease subcodes that mean "forget us" go out as Hard Reset.
 */
class GracefulNotificationTest {
  static final PeerConfig GR = CONFIG.withOptions(Set.of(), Set.of(), 120, false);

  static Capability.GracefulRestart peerGr(boolean n) {
    return new Capability.GracefulRestart(
        false,
        n,
        120,
        List.of(new Capability.GracefulRestartFamily(AddressFamily.IPV4_UNICAST, true)));
  }

  static BgpFsm established(PeerConfig config, boolean peerN) {
    BgpFsm fsm =
        BgpFsmTest.toOpenConfirm(
            config, peerOpen(65002, 30, new Capability.FourOctetAs(65002), peerGr(peerN)));
    fsm.handle(rx(Keepalive.INSTANCE));
    assertThat(fsm.state()).isEqualTo(State.ESTABLISHED);
    return fsm;
  }

  static Action.SessionDown down(List<Action> actions) {
    return actions.stream()
        .filter(a -> a instanceof Action.SessionDown)
        .map(a -> (Action.SessionDown) a)
        .findFirst()
        .orElseThrow();
  }

  @Test
  void ourGracefulRestartCapabilitySetsTheNBit() {
    Capability.GracefulRestart ours =
        OpenNegotiation.localOpen(GR).capability(Capability.GracefulRestart.class).orElseThrow();
    assertThat(ours.gracefulNotification()).isTrue();
  }

  @Test
  void receivedNotificationKeepsRoutesWhenBothSetTheNBit() {
    BgpFsm fsm = established(GR, true);
    assertThat(fsm.notificationMode()).isTrue();
    List<Action> a =
        fsm.handle(rx(Notification.of(NotificationSubcode.OTHER_CONFIGURATION_CHANGE)));
    assertThat(down(a).notification()).as("graceful: routes kept stale").isFalse();
  }

  @Test
  void receivedHardResetEndsGracefulRestart() {
    BgpFsm fsm = established(GR, true);
    List<Action> a =
        fsm.handle(rx(Notification.of(NotificationSubcode.HARD_RESET, new byte[] {6, 3})));
    assertThat(down(a).notification()).as("Hard Reset: routes go").isTrue();
  }

  @Test
  void withoutThePeersNBitEveryNotificationEndsGracefulRestart() {
    BgpFsm fsm = established(GR, false);
    assertThat(fsm.notificationMode()).isFalse();
    List<Action> a =
        fsm.handle(rx(Notification.of(NotificationSubcode.OTHER_CONFIGURATION_CHANGE)));
    assertThat(down(a).notification()).isTrue();
  }

  @Test
  void withoutOurGracefulRestartTheNBitAloneDoesNothing() {
    BgpFsm fsm = established(CONFIG, true);
    assertThat(fsm.notificationMode()).isFalse();
  }

  @Test
  void hardCeaseIsSentAsHardResetCarryingTheReason() {
    BgpFsm fsm = established(GR, true);
    byte[] limit = {0, 1, 1, 0, 0, 0, 5};
    List<Action> a =
        fsm.handle(
            new Event.Stop(Notification.of(NotificationSubcode.MAXIMUM_PREFIXES_REACHED, limit)));
    Notification sent = (Notification) sent(a).getFirst();
    assertThat(sent.code()).isEqualTo(6);
    assertThat(sent.subcode()).as("Cease/Hard Reset").isEqualTo(9);
    // RFC 8538 §3: the data is the original code, subcode and data.
    assertThat(sent.data()).containsExactly(6, 1, 0, 1, 1, 0, 0, 0, 5);
    assertThat(down(a).notification()).isTrue();
  }

  @Test
  void holdTimerExpiryInNotificationModeIsGraceful() {
    BgpFsm fsm = established(GR, true);
    List<Action> a = fsm.handle(new Event.TimerExpired(Timer.HOLD));
    Notification sent = (Notification) sent(a).getFirst();
    assertThat(sent.code()).isEqualTo(4);
    assertThat(down(a).notification()).as("RFC 8538 §4: hold timer expiry keeps routes").isFalse();
  }

  @Test
  void configurationChangeResetIsSentAsIsAndGraceful() {
    BgpFsm fsm = established(GR, true);
    List<Action> a =
        fsm.handle(new Event.Stop(Notification.of(NotificationSubcode.OTHER_CONFIGURATION_CHANGE)));
    assertThat(sent(a))
        .containsExactly(Notification.of(NotificationSubcode.OTHER_CONFIGURATION_CHANGE));
    assertThat(down(a).notification()).isFalse();
  }

  @Test
  void withoutNotificationModeACeaseIsSentUnwrapped() {
    BgpFsm fsm = established(GR, false);
    List<Action> a =
        fsm.handle(new Event.Stop(Notification.of(NotificationSubcode.PEER_DECONFIGURED)));
    assertThat(sent(a)).containsExactly(Notification.of(NotificationSubcode.PEER_DECONFIGURED));
  }
}
