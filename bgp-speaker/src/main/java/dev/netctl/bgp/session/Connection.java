package dev.netctl.bgp.session;

import dev.netctl.bgp.codec.BgpMessage;
import dev.netctl.bgp.codec.ConfederationPath;
import dev.netctl.bgp.codec.DecodeResult;
import dev.netctl.bgp.codec.FirstAs;
import dev.netctl.bgp.codec.OwnNextHop;
import dev.netctl.bgp.fsm.Action;
import dev.netctl.bgp.fsm.BgpFsm;
import dev.netctl.bgp.fsm.Event;
import dev.netctl.bgp.fsm.Negotiated;
import dev.netctl.bgp.fsm.PeerConfig;
import dev.netctl.bgp.fsm.State;
import dev.netctl.bgp.fsm.Timer;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One FSM bound to at most one TCP channel at a time, running the FSM's actions on the speaker's
 * event loop. Every callback catches its own failures so no exception escapes a session; a failure
 * closes the channel, which the FSM sees as TcpClosed.
 *
 * <p>The FSM outlives its channels: from Active or Connect, ConnectRetry opens a new one (RFC 4271
 * §8.2.2). Each channel therefore gets its own {@link #newHandler() handler}, since a Netty handler
 * that is not {@code @Sharable} may be added to one pipeline only, ever; and a new attempt drops
 * the one still pending, as the RFC's ConnectRetryTimer_Expires in Connect says.
 */
final class Connection {
  private static final Logger LOG = LoggerFactory.getLogger(Connection.class);

  private final PeerSession peer;
  private final boolean outbound;
  private final BgpFsm fsm;
  private final Map<Timer, ScheduledFuture<?>> timers = new EnumMap<>(Timer.class);
  // The hold timer's deadline; its task is timers' HOLD entry (see HoldDeadline).
  private final HoldDeadline hold = new HoldDeadline();
  private final ArrayDeque<BgpMessage> backlog = new ArrayDeque<>();
  private Channel channel;
  // The outgoing connect still in progress, or null.
  private ChannelFuture attempt;
  private boolean readPaused;
  // Whether the channel's last message is a NOTIFICATION: then it closes as NotificationClose says.
  private boolean notified;
  // The Established connection this inbound one may replace (a graceful restart), or null.
  private Connection replaces;

  Connection(PeerSession peer, boolean outbound) {
    this.peer = peer;
    this.outbound = outbound;
    this.fsm = new BgpFsm(peer.spec().config(), peer.restarting());
  }

  boolean outbound() {
    return outbound;
  }

  /**
   * Marks this connection, accepted while {@code old} was Established, as its possible successor.
   */
  void replaces(Connection old) {
    replaces = old;
  }

  /** The Established connection this one replaces if its OPEN arrives, or null. */
  Connection replaces() {
    return replaces;
  }

  State state() {
    return fsm.state();
  }

  Negotiated negotiated() {
    return fsm.negotiated();
  }

  Channel channel() {
    return channel;
  }

  /** A fresh handler for one channel's pipeline, ending in this connection's FSM. */
  ChannelInboundHandlerAdapter newHandler() {
    return new Events();
  }

  /**
   * Records a new outgoing attempt; one still pending is abandoned and its channel closed (RFC 4271
   * §8.2.2: ConnectRetryTimer_Expires in Connect drops the TCP connection and initiates another).
   */
  /** Whether an outbound connect is still pending: neither connected nor failed yet. */
  boolean attempting() {
    return attempt != null;
  }

  void connecting(ChannelFuture f) {
    dropAttempt();
    attempt = f;
  }

  /**
   * Whether {@code f} is the attempt in progress; if so it is no longer pending. A stale attempt's
   * outcome must not reach the FSM: its failure would move a newer attempt's Connect to Active.
   */
  boolean settles(ChannelFuture f) {
    if (f != attempt) {
      return false;
    }
    attempt = null;
    return true;
  }

  private void dropAttempt() {
    ChannelFuture f = attempt;
    attempt = null;
    if (f != null) {
      f.channel().close();
    }
  }

  /** Binds a connected channel whose pipeline ends with this handler, then tells the FSM. */
  void attach(Channel ch) {
    if (channel != null || fsm.state() == State.IDLE) {
      ch.close();
      return;
    }
    channel = ch;
    handle(new Event.TcpConnected());
  }

  /** Feeds one event and carries out the actions. */
  void handle(Event event) {
    List<Action> actions;
    try {
      actions = fsm.handle(event);
    } catch (RuntimeException e) {
      LOG.error("{}: FSM failed on {}", peer, event, e);
      closeChannel();
      return;
    }
    // By index: no iterator per message received.
    for (int i = 0, n = actions.size(); i < n; i++) {
      Action a = actions.get(i);
      try {
        execute(a);
      } catch (RuntimeException e) {
        LOG.error("{}: action {} failed", peer, a, e);
        closeChannel();
      }
    }
  }

  private void execute(Action action) {
    switch (action) {
      case Action.Connect c -> peer.connect(this);
      case Action.Disconnect d -> closeChannel();
      case Action.Send s -> send(s.message(), true);
      case Action.StartTimer t -> start(t);
      case Action.StopTimer t -> cancel(t.timer());
      case Action.StateChanged s -> {
        if (s.to() == State.OPEN_CONFIRM && channel != null) {
          // Switch codec contexts before the peer's next message is decoded (same thread).
          Negotiated n = fsm.negotiated();
          channel.pipeline().get(MessageCodec.class).send(n.send());
          channel.pipeline().get(BgpFrameDecoder.class).receive(n.receive());
        }
        peer.stateChanged(this, s);
      }
      case Action.SessionUp u -> peer.up(this, u.negotiated());
      case Action.SessionDown d -> peer.down(this, d.reason(), d.notification());
      case Action.Deliver d -> peer.deliver(this, d.message());
    }
  }

  private void start(Action.StartTimer t) {
    if (t.timer() == Timer.HOLD) {
      // Restarted for every message received: a task is scheduled only when none is pending, or
      // the pending one fires too late for the new deadline (see HoldDeadline).
      long nanos = t.delay().toNanos();
      if (hold.restart(System.nanoTime(), nanos)) {
        ScheduledFuture<?> earlier = timers.remove(Timer.HOLD);
        if (earlier != null) {
          earlier.cancel(false);
        }
        scheduleHold(nanos);
      }
      return;
    }
    cancel(t.timer());
    timers.put(
        t.timer(),
        peer.loop()
            .schedule(
                () -> {
                  timers.remove(t.timer());
                  handle(new Event.TimerExpired(t.timer()));
                },
                t.delay().toMillis(),
                TimeUnit.MILLISECONDS));
  }

  /**
   * Schedules the hold timer's task: when it fires, the timer expires, unless a message received
   * meanwhile moved the deadline, and the task is scheduled again for the time left.
   */
  private void scheduleHold(long nanos) {
    timers.put(
        Timer.HOLD,
        peer.loop()
            .schedule(
                () -> {
                  timers.remove(Timer.HOLD);
                  if (!hold.running()) {
                    return;
                  }
                  long left = hold.fired(System.nanoTime());
                  if (left > 0) {
                    scheduleHold(left);
                  } else {
                    handle(new Event.TimerExpired(Timer.HOLD));
                  }
                },
                nanos,
                TimeUnit.NANOSECONDS));
  }

  private void cancel(Timer t) {
    if (t == Timer.HOLD) {
      hold.stop();
    }
    ScheduledFuture<?> f = timers.remove(t);
    if (f != null) {
      f.cancel(false);
    }
  }

  /** Sends now, or queues when the channel is not writable; queued messages go out as it drains. */
  void send(BgpMessage message, boolean urgent) {
    if (channel == null || !channel.isActive()) {
      return;
    }
    if (message instanceof BgpMessage.Notification) {
      notified = true;
    }
    if (urgent || (backlog.isEmpty() && channel.isWritable())) {
      channel.writeAndFlush(message).addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
    } else {
      backlog.add(message);
      drain();
    }
  }

  /** Writes queued messages while the channel accepts them (back-pressure). */
  void drain() {
    if (channel == null) {
      backlog.clear();
      return;
    }
    boolean wrote = false;
    while (!backlog.isEmpty() && channel.isWritable()) {
      channel.write(backlog.poll()).addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
      wrote = true;
    }
    if (wrote) {
      channel.flush();
    }
  }

  /** Messages waiting for the channel to become writable. */
  int backlog() {
    return backlog.size();
  }

  private void closeChannel() {
    dropAttempt();
    backlog.clear();
    Channel ch = channel;
    channel = null;
    if (ch != null && notified) {
      // The peer must parse the NOTIFICATION before it sees our FIN (see NotificationClose).
      peer.closing(NotificationClose.close(ch));
    } else if (ch != null) {
      // Without a NOTIFICATION (a graceful restart's plain close, RFC 4724 §4.2): at once.
      ch.close();
    }
    if (fsm.state() == State.IDLE) {
      for (Timer t : Timer.values()) {
        cancel(t);
      }
    }
  }

  /** Stops (or resumes) reading while the consumer of this peer's UPDATEs is behind. */
  void readPaused(boolean paused) {
    readPaused = paused;
    if (channel != null) {
      channel.config().setAutoRead(!readPaused);
    }
  }

  /** An UPDATE giving our own address as next hop, as a withdrawal (RFC 4271 §6.3). */
  private static Optional<DecodeResult.TreatAsWithdraw> ownNextHop(Channel ch, BgpMessage message) {
    if (message instanceof BgpMessage.Update u
        && ch.localAddress() instanceof InetSocketAddress self
        && ch.remoteAddress() instanceof InetSocketAddress sender) {
      return OwnNextHop.check(u, self.getAddress(), sender.getAddress());
    }
    return Optional.empty();
  }

  /**
   * An UPDATE from an external peer whose AS_PATH has confederation segments (RFC 5065 §5.3), or
   * does not start with the peer's AS when the neighbour enforces the first AS (RFC 4271 §6.3), as
   * a withdrawal (RFC 7606 §7.2).
   */
  private Optional<DecodeResult.TreatAsWithdraw> firstAs(BgpMessage message) {
    PeerConfig config = peer.spec().config();
    Negotiated n;
    if (!(message instanceof BgpMessage.Update u) || (n = fsm.negotiated()) == null) {
      return Optional.empty();
    }
    long peerAs = n.peerAs(config.remoteAs());
    if (peerAs == config.localAs()) {
      return Optional.empty();
    }
    // Confederation segments from an external peer, whatever enforceFirstAs says (RFC 5065 §5.3).
    Optional<DecodeResult.TreatAsWithdraw> confed = ConfederationPath.check(u);
    if (confed.isPresent() || !config.enforceFirstAs()) {
      return confed;
    }
    return FirstAs.check(u, peerAs, n.fourOctetAs());
  }

  /** The per-channel end of the pipeline; it ignores a channel the FSM no longer owns. */
  private final class Events extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (ctx.channel() != channel) {
          return;
        }
        switch ((DecodeResult) msg) {
          case DecodeResult.Decoded d -> {
            // A loop, not forEach: no lambda per message for a list that is nearly always empty.
            List<dev.netctl.bgp.codec.BgpError> discarded = d.discarded();
            for (int i = 0, n = discarded.size(); i < n; i++) {
              peer.attributeError("attribute discarded", discarded.get(i));
            }
            // A next hop that is our own address, or a first AS that is not the peer's: withdrawn.
            var withdrawal = ownNextHop(ctx.channel(), d.message());
            if (withdrawal.isEmpty()) {
              withdrawal = firstAs(d.message());
            }
            if (withdrawal.isPresent()) {
              peer.attributeError("treat-as-withdraw", withdrawal.get().error());
              handle(new Event.Received(withdrawal.get().withdrawal()));
            } else {
              handle(new Event.Received(d.message()));
            }
          }
          case DecodeResult.TreatAsWithdraw w -> {
            peer.attributeError("treat-as-withdraw", w.error());
            handle(new Event.Received(w.withdrawal()));
          }
          case DecodeResult.Failed f -> {
            LOG.warn("{}: malformed message: {}", peer, f.error());
            handle(new Event.DecodeFailed(f.error()));
          }
        }
      } catch (RuntimeException e) {
        LOG.error("{}: failed handling a message", peer, e);
        ctx.close();
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (ctx.channel() == channel) {
        channel = null;
        backlog.clear();
        handle(new Event.TcpClosed());
      }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      // Reading goes on while we cannot write: what a peer's messages make us send it is bounded
      // without that (its update group splits it off and keeps one key per missed prefix), and a
      // peer that stops reading must still get its own routes to the others. Stopping here held a
      // stalled reflector client's announcements back from every other client.
      if (ctx.channel().isWritable()) {
        drain();
        peer.writable(Connection.this);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      // An I/O error is the OS's reason; anything else is a fault worth its class name.
      LOG.info(
          "{}: connection error: {}",
          peer,
          cause instanceof java.io.IOException ? SocketErrorText.of(cause) : cause.toString());
      ctx.close();
    }
  }

  /** Whether the session negotiated RFC 8538's N bit (see {@link BgpFsm#notificationMode}). */
  boolean notificationMode() {
    return fsm.notificationMode();
  }

  @Override
  public String toString() {
    return (outbound ? "out" : "in") + ":" + fsm.state();
  }
}
