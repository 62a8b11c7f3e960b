package dev.netctl.bgp.fsm;

import dev.netctl.bgp.codec.BgpMessage;
import dev.netctl.bgp.codec.BgpMessage.Keepalive;
import dev.netctl.bgp.codec.BgpMessage.Notification;
import dev.netctl.bgp.codec.BgpMessage.Open;
import dev.netctl.bgp.codec.NotificationSubcode;
import dev.netctl.bgp.fsm.Action.Connect;
import dev.netctl.bgp.fsm.Action.Disconnect;
import dev.netctl.bgp.fsm.Action.Send;
import dev.netctl.bgp.fsm.Action.StartTimer;
import dev.netctl.bgp.fsm.Action.StopTimer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The RFC 4271 §8 state machine for one connection, free of sockets and clocks: {@link
 * #handle(Event)} takes an event and returns the actions the host must carry out, in order. Timers
 * are actions too, so tests drive expiry by feeding {@link Event.TimerExpired}.
 *
 * <p>One instance serves one TCP connection from start to Idle; a host that wants to reconnect
 * after Idle starts a new instance. During a connection collision (§6.8) the host runs two
 * instances and stops the loser with {@link Event.Stop}.
 *
 * <p>Not thread-safe: the host calls it from one thread (the channel's event loop).
 */
public final class BgpFsm {
  /** Hold timer while waiting for the peer's OPEN (RFC 4271 §8.2.2 suggests 4 minutes). */
  public static final Duration LARGE_HOLD = Duration.ofMinutes(4);

  private final PeerConfig config;
  private final boolean restarting;
  private State state = State.IDLE;
  private Negotiated negotiated;
  // The hold timer's restart for the negotiated hold time, made once (see restartHold).
  private StartTimer holdRestart;
  private List<Action> out = new ArrayList<>();

  /** An FSM in Idle for {@code config}. */
  public BgpFsm(PeerConfig config) {
    this(config, false);
  }

  /**
   * An FSM in Idle for {@code config}; {@code restarting} sets the Restart State bit and the
   * forwarding-preserved bits of our graceful-restart capability (RFC 4724 §3).
   */
  public BgpFsm(PeerConfig config, boolean restarting) {
    this.config = Objects.requireNonNull(config, "config");
    this.restarting = restarting;
  }

  /** The current state. */
  public State state() {
    return state;
  }

  /** What was negotiated, once past OpenSent; else null. */
  public Negotiated negotiated() {
    return negotiated;
  }

  /** The peer config. */
  public PeerConfig config() {
    return config;
  }

  /** Feeds one event and returns the actions to carry out. */
  public List<Action> handle(Event event) {
    out = new ArrayList<>();
    switch (state) {
      case IDLE -> idle(event);
      case CONNECT, ACTIVE -> connecting(event);
      case OPEN_SENT -> openSent(event);
      case OPEN_CONFIRM -> openConfirm(event);
      case ESTABLISHED -> established(event);
    }
    return out;
  }

  private void idle(Event event) {
    // RFC 4271 §8.2.2: in Idle every event but a start is ignored.
    if (event instanceof Event.Start start) {
      out.add(new StartTimer(Timer.CONNECT_RETRY, config.connectRetry()));
      if (start.passive()) {
        move(State.ACTIVE, "passive start");
      } else {
        out.add(new Connect());
        move(State.CONNECT, "start");
      }
    }
  }

  private void connecting(Event event) {
    if (event instanceof Event.TcpConnected) {
      out.add(new StopTimer(Timer.CONNECT_RETRY));
      out.add(new Send(OpenNegotiation.localOpen(config, restarting)));
      out.add(new StartTimer(Timer.HOLD, LARGE_HOLD));
      move(State.OPEN_SENT, "TCP connected");
    } else if (event instanceof Event.TcpConnectionFailed) {
      if (state == State.CONNECT) {
        out.add(new StartTimer(Timer.CONNECT_RETRY, config.connectRetry()));
        move(State.ACTIVE, "connection attempt failed");
      }
    } else if (event instanceof Event.TimerExpired t) {
      if (t.timer() == Timer.CONNECT_RETRY) {
        out.add(new StartTimer(Timer.CONNECT_RETRY, config.connectRetry()));
        out.add(new Connect());
        move(State.CONNECT, "connect retry");
      }
    } else if (event instanceof Event.Stop) {
      toIdle(null, "stopped");
    } else if (!(event instanceof Event.Start)) {
      toIdle(null, "unexpected " + describe(event) + " without a connection");
    }
  }

  private void openSent(Event event) {
    if (!(event instanceof Event.Received received)) {
      common(event);
      return;
    }
    switch (received.message()) {
      case Open open -> {
        OpenNegotiation.Result r = OpenNegotiation.negotiate(config, open);
        if (r.error() != null) {
          toIdle(r.error().toNotification(), r.error().reason());
          return;
        }
        negotiated = r.negotiated();
        out.add(new Send(Keepalive.INSTANCE));
        startHoldAndKeepalive();
        move(State.OPEN_CONFIRM, "OPEN received");
      }
      case Notification n -> toIdle(null, "peer sent " + n);
      default ->
          toIdle(
              Notification.of(NotificationSubcode.FSM_UNEXPECTED_IN_OPEN_SENT),
              "unexpected " + describe(event) + " in OpenSent");
    }
  }

  private void openConfirm(Event event) {
    if (!(event instanceof Event.Received received)) {
      common(event);
      return;
    }
    switch (received.message()) {
      case Keepalive k -> {
        restartHold();
        move(State.ESTABLISHED, "KEEPALIVE received");
        out.add(new Action.SessionUp(negotiated));
      }
      case Notification n -> toIdle(null, "peer sent " + n);
      default ->
          toIdle(
              Notification.of(NotificationSubcode.FSM_UNEXPECTED_IN_OPEN_CONFIRM),
              "unexpected " + describe(event) + " in OpenConfirm");
    }
  }

  private void established(Event event) {
    if (!(event instanceof Event.Received received)) {
      common(event);
      return;
    }
    switch (received.message()) {
      case Keepalive k -> restartHold();
      case BgpMessage.Update u -> {
        restartHold();
        out.add(new Action.Deliver(u));
      }
      case BgpMessage.RouteRefresh r -> {
        restartHold();
        out.add(new Action.Deliver(r));
      }
      // RFC 8538 §4: in notification mode only a Hard Reset ends graceful restart's protection.
      case Notification n -> toIdle(null, "peer sent " + n, !notificationMode() || hardReset(n));
      case Open o ->
          toIdle(
              Notification.of(NotificationSubcode.FSM_UNEXPECTED_IN_ESTABLISHED),
              "unexpected OPEN in Established");
    }
  }

  /** Non-message events handled alike in OpenSent, OpenConfirm and Established. */
  private void common(Event event) {
    switch (event) {
      case Event.TimerExpired t -> {
        if (t.timer() == Timer.HOLD) {
          toIdle(new Notification(4, 0, new byte[0]), "hold timer expired");
        } else if (t.timer() == Timer.KEEPALIVE && state != State.OPEN_SENT) {
          out.add(new Send(Keepalive.INSTANCE));
          out.add(new StartTimer(Timer.KEEPALIVE, keepaliveInterval()));
        }
      }
      case Event.Stop s ->
          toIdle(
              s.notification(),
              s.notification() == null ? "stopped" : "stopped: " + s.notification());
      case Event.DecodeFailed f -> toIdle(f.error().toNotification(), f.error().reason());
      case Event.TcpClosed c -> toIdle(null, "connection closed by peer");
      case Event.TcpConnectionFailed c -> toIdle(null, "connection failed");
      case Event.TcpConnected c -> {}
      case Event.Start s -> {}
      case Event.Received r -> throw new IllegalStateException("messages are handled per state");
    }
  }

  private void startHoldAndKeepalive() {
    if (negotiated.holdTime() == 0) {
      out.add(new StopTimer(Timer.HOLD));
      out.add(new StopTimer(Timer.KEEPALIVE));
      return;
    }
    out.add(new StartTimer(Timer.HOLD, Duration.ofSeconds(negotiated.holdTime())));
    out.add(new StartTimer(Timer.KEEPALIVE, keepaliveInterval()));
  }

  private void restartHold() {
    if (negotiated.holdTime() > 0) {
      // One action for the session (a record, immutable): every message received restarts the
      // hold timer, and this was a StartTimer and a Duration per message.
      if (holdRestart == null || holdRestart.delay().getSeconds() != negotiated.holdTime()) {
        holdRestart = new StartTimer(Timer.HOLD, Duration.ofSeconds(negotiated.holdTime()));
      }
      out.add(holdRestart);
    }
  }

  private Duration keepaliveInterval() {
    return Duration.ofSeconds(Math.max(1, config.keepaliveSeconds(negotiated.holdTime())));
  }

  private void toIdle(Notification notification, String reason) {
    if (notification != null && state == State.ESTABLISHED && notificationMode()) {
      // RFC 8538 §5: the Cease subcodes that mean "forget my routes" go out as a Hard Reset; any
      // other NOTIFICATION leaves the routes stale on both sides, as a TCP close would.
      boolean hard = hardReset(notification) || HARD_CEASES.contains(notification.subcode());
      toIdle(hard ? asHardReset(notification) : notification, reason, hard);
      return;
    }
    toIdle(notification, reason, notification != null);
  }

  // RFC 8538 §5's table: Maximum Number of Prefixes Reached, Administrative Shutdown, Peer
  // De-configured. Administrative Reset is left to the caller (it sends HARD_RESET itself).
  private static final java.util.Set<Integer> HARD_CEASES = java.util.Set.of(1, 2, 3);

  /**
   * Whether both sides advertised graceful restart with the N bit (RFC 8538 §2): then a
   * NOTIFICATION other than Hard Reset keeps the routes as stale.
   */
  public boolean notificationMode() {
    return negotiated != null
        && config.gracefulRestartSeconds() >= 0
        && negotiated
            .peerOpen()
            .capability(dev.netctl.bgp.codec.Capability.GracefulRestart.class)
            .map(dev.netctl.bgp.codec.Capability.GracefulRestart::gracefulNotification)
            .orElse(false);
  }

  private static boolean hardReset(Notification n) {
    return n.code() == 6 && n.subcode() == 9;
  }

  /** Cease/Hard Reset carrying {@code n} as its reason (RFC 8538 §3), or {@code n} if it is one. */
  public static Notification asHardReset(Notification n) {
    if (hardReset(n)) {
      return n;
    }
    byte[] data = new byte[2 + n.data().length];
    data[0] = (byte) n.code();
    data[1] = (byte) n.subcode();
    System.arraycopy(n.data(), 0, data, 2, n.data().length);
    return Notification.of(NotificationSubcode.HARD_RESET, data);
  }

  private void toIdle(Notification notification, String reason, boolean notified) {
    boolean wasEstablished = state == State.ESTABLISHED;
    if (notification != null && state.compareTo(State.OPEN_SENT) >= 0) {
      out.add(new Send(notification));
    }
    for (Timer t : Timer.values()) {
      out.add(new StopTimer(t));
    }
    out.add(new Disconnect());
    move(State.IDLE, reason);
    if (wasEstablished) {
      out.add(new Action.SessionDown(reason, notified));
    }
  }

  private void move(State to, String reason) {
    State from = state;
    state = to;
    out.add(new Action.StateChanged(from, to, reason));
  }

  private static String describe(Event event) {
    return event instanceof Event.Received r
        ? r.message().getClass().getSimpleName().toUpperCase(java.util.Locale.ROOT)
        : event.getClass().getSimpleName();
  }
}
