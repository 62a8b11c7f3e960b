package dev.netctl.bgp.session;

import dev.netctl.bgp.codec.AddressFamily;
import dev.netctl.bgp.codec.AddressText;
import dev.netctl.bgp.codec.BgpMessage;
import dev.netctl.bgp.codec.BgpMessage.Notification;
import dev.netctl.bgp.codec.NotificationSubcode;
import dev.netctl.bgp.fsm.Action;
import dev.netctl.bgp.fsm.BgpFsm;
import dev.netctl.bgp.fsm.Event;
import dev.netctl.bgp.fsm.Negotiated;
import dev.netctl.bgp.fsm.State;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One configured peer: its connections (two during a collision, RFC 4271 §6.8), reconnection, the
 * prefix limit, and the status a user sees. All methods run on the speaker's event loop; callers on
 * other threads go through {@link #loop()}.
 */
public final class PeerSession implements GroupOutput {
  private static final Logger LOG = LoggerFactory.getLogger(PeerSession.class);

  private final PeerSpec spec;
  private final EventLoop loop;
  private final Transport transport;
  private final SessionListener listener;
  private final Clock clock;
  private final List<Connection> connections = new ArrayList<>();
  // Compact: a route reflector's peer may announce a million prefixes.
  private Connection established;
  private boolean enabled;
  // Fault resets in a row (see resetAfterFault): since the session was started by hand, and not
  // forgotten; and when the last one was, or when the session came back from its wait after one.
  // On the loop.
  private int faultResets;
  private Instant lastFault;
  // Why the session is kept down (for a while after faults in a row, until started again by hand
  // after too many prefixes), or null: Idle with the last NOTIFICATION alone does not say whether
  // anything will bring it back.
  private volatile String keptDown;
  // Whether keptDown is for too many prefixes: until started again by hand, not for a while.
  private volatile boolean downUntilReset;

  // The automatic start again of a session kept down after faults (see resetAfterFault), or null.
  private ScheduledFuture<?> faultRestart;

  // How long a fault reset counts against the session, as BIRD's "error forget time" (300 s by
  // default), from the fault or from the session's start again after it: a fault later than this is
  // a first one again, so two faults months apart do not keep a peer down. And how long a session
  // is kept down after its second fault in a row, doubled for each further one up to five times
  // that, as BIRD's "error wait time" (60, 300 s): a node agent, which has no manual reset, gets
  // its
  // peer back once the fault may have gone; a fault that stays costs a table per five minutes, not
  // one per reconnect. Both settable for tests.
  private static final java.time.Duration FORGET = java.time.Duration.ofMinutes(5);
  private static final java.time.Duration FIRST_WAIT = java.time.Duration.ofSeconds(60);
  private static volatile java.time.Duration faultForget = FORGET;
  private static volatile java.time.Duration faultWait = FIRST_WAIT;

  /** How long a fault reset counts against a session (see {@link #resetAfterFault}). */
  public static java.time.Duration faultForget() {
    return faultForget;
  }

  /**
   * Sets how long a fault counts and the first wait after a repeated one, for tests; null restores
   * 300 and 60 s.
   */
  public static void faultTimes(java.time.Duration forget, java.time.Duration firstWait) {
    faultForget = forget == null ? FORGET : forget;
    faultWait = firstWait == null ? FIRST_WAIT : firstWait;
  }

  // The wait after the n-th fault in a row (n >= 2): 60, 120, 240, then 300 s.
  static java.time.Duration faultWait(int n) {
    java.time.Duration first = faultWait;
    java.time.Duration most = first.multipliedBy(5);
    java.time.Duration wait = first.multipliedBy(1L << Math.min(n - 2, 3));
    return wait.compareTo(most) > 0 ? most : wait;
  }

  private ScheduledFuture<?> restart;
  private boolean restarting;
  // The last connection closed after our NOTIFICATION, until the peer has read it and closed too
  // (see NotificationClose), or null.
  private ChannelFuture closing;
  private volatile State state = State.IDLE;
  private volatile Instant since;
  private volatile String info = "";
  private volatile String lastError = "";
  // Kinds of attribute error logged at warning level in the current session (on the loop).
  private final java.util.Set<String> loggedErrors = new java.util.HashSet<>();
  // Few and fixed (one per kind of deviation): sets, so a repeated one is kept once. Two kinds:
  // what the configuration makes the peer do holds for as long as the configuration does; what a
  // session did (was split off, sent an unusable next hop) describes that session and ends with it.
  private final java.util.Set<String> configNotices =
      new java.util.concurrent.CopyOnWriteArraySet<>();
  private final java.util.Set<String> sessionNotices =
      new java.util.concurrent.CopyOnWriteArraySet<>();

  /** A peer in Idle; {@link #start()} begins connecting. */
  public PeerSession(
      PeerSpec spec, EventLoop loop, Transport transport, SessionListener listener, Clock clock) {
    this.spec = Objects.requireNonNull(spec, "spec");
    this.loop = Objects.requireNonNull(loop, "loop");
    this.transport = Objects.requireNonNull(transport, "transport");
    this.listener = Objects.requireNonNull(listener, "listener");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.since = clock.instant();
  }

  // Set for sessions without a real peer behind them: their state changes are not logged.
  private volatile boolean quiet;

  /** Stops logging this session's state changes (for in-process sessions). */
  void quiet() {
    quiet = true;
  }

  /** The peer's spec. */
  public PeerSpec spec() {
    return spec;
  }

  /** The event loop all of this peer's work runs on. */
  public EventLoop loop() {
    return loop;
  }

  /** The most advanced state of any connection (Idle when stopped). */
  public State state() {
    return state;
  }

  /** When {@link #state()} last changed. */
  public Instant since() {
    return since;
  }

  /** The last reason for a state change, e.g. an error or the NOTIFICATION received. */
  public String info() {
    return info;
  }

  /**
   * The last RFC 7606 error of the current session handled without a reset (treat-as-withdraw,
   * discard), or empty.
   */
  public String lastError() {
    return lastError;
  }

  /**
   * Records what the configuration makes this peer do differently (a family not offered, a dynamic
   * peer's range): kept across sessions, for as long as this peer's configuration. Empty text is
   * ignored.
   */
  public void configNotice(String text) {
    if (!text.isEmpty()) {
      configNotices.add(text);
    }
  }

  /**
   * Records what the current session does differently (split off its update group, an unusable next
   * hop the peer sent): dropped when the session ends. Empty text is ignored.
   */
  @Override
  public void notice(String text) {
    if (!text.isEmpty()) {
      sessionNotices.add(text);
    }
  }

  /** Drops a {@link #notice} of the current session that no longer holds. */
  @Override
  public void clearNotice(String text) {
    sessionNotices.remove(text);
  }

  /**
   * Why the session is kept down if it is, then configuration and session notices, {@code ";
   * "}-separated, or empty.
   */
  public String notices() {
    List<String> all = new ArrayList<>();
    String down = keptDown;
    if (down != null) {
      all.add(down);
    }
    all.addAll(configNotices);
    all.addAll(sessionNotices);
    return String.join("; ", all);
  }

  void attributeError(String handling, dev.netctl.bgp.codec.BgpError error) {
    lastError = handling + ": " + error;
    // A peer that sends one bad attribute sends it with every UPDATE of its table: each kind is
    // logged once per session (bgp peers keeps showing the last one), the repeats at debug level.
    if (firstOfKind(handling, error)) {
      LOG.warn(
          "{}: {}: {} (more of this kind in this session are logged at debug level only)",
          this,
          handling,
          error);
    } else {
      LOG.debug("{}: {}: {}", this, handling, error);
    }
  }

  /** Whether this session has not had an attribute error of this kind yet (and now has). */
  boolean firstOfKind(String handling, dev.netctl.bgp.codec.BgpError error) {
    return loggedErrors.add(handling + " " + error.subcode());
  }

  /** What the established connection negotiated, or null. */
  public Negotiated negotiated() {
    return established == null ? null : established.negotiated();
  }

  /** Whether new connections announce that we are restarting (RFC 4724 §3 Restart State). */
  public boolean restarting() {
    return restarting;
  }

  /** Sets whether OPENs from now on carry the Restart State and Forwarding State bits. */
  public void restarting(boolean value) {
    restarting = value;
  }

  /** Begins connecting (or waiting, if passive). */
  public void start() {
    faultResets = 0;
    lastFault = null;
    begin();
  }

  // Enabled again: connects, or waits for the peer.
  private void begin() {
    enabled = true;
    keptDown = null;
    downUntilReset = false;
    cancelFaultRestart();
    if (!spec.passive() && connections.isEmpty()) {
      startOutbound();
    } else if (connections.isEmpty()) {
      publish(State.ACTIVE, "waiting for the peer to connect");
    }
  }

  private void cancelFaultRestart() {
    if (faultRestart != null) {
      faultRestart.cancel(false);
      faultRestart = null;
    }
  }

  // A session kept down ends every connection, not only the established one: a graceful-restart
  // peer's replacing connection, accepted before, would otherwise still come up.
  private void stopOthers(Connection established, Notification notification) {
    for (Connection other : List.copyOf(connections)) {
      if (other != established) {
        other.handle(new Event.Stop(notification));
      }
    }
  }

  // The wait after a repeated fault is over: on again, the faults still counting from now.
  private void resumeAfterFault() {
    faultRestart = null;
    if (!enabled && keptDown != null) {
      lastFault = clock.instant();
      begin();
    }
  }

  /**
   * Closes every connection with {@code notification} (or, when null, without a NOTIFICATION, so a
   * graceful-restart peer keeps our routes) and stays down.
   */
  public void stop(Notification notification) {
    enabled = false;
    cancelFaultRestart();
    if (restart != null) {
      restart.cancel(false);
      restart = null;
    }
    for (Connection c : List.copyOf(connections)) {
      c.handle(new Event.Stop(notification));
    }
    publish(State.IDLE, "stopped");
  }

  /** Queues messages (UPDATEs) to the established connection, honouring back-pressure. */
  public boolean send(List<? extends BgpMessage> messages) {
    if (established == null) {
      return false;
    }
    messages.forEach(m -> established.send(m, false));
    return true;
  }

  /**
   * Writes an already encoded message (the caller gives up its reference) to the established
   * channel without flushing, bypassing the message queue: for update groups that encode once and
   * write the same bytes to many peers. The caller checks {@link #writable()} first and calls
   * {@link #flush()} after a batch. Returns false (and releases the buffer) without a session.
   */
  @Override
  public boolean writeEncoded(io.netty.buffer.ByteBuf encoded) {
    Channel ch = established == null ? null : established.channel();
    if (ch == null || !ch.isActive()) {
      encoded.release();
      return false;
    }
    // The void promise: no promise object per write (a reflector writes to every member), and a
    // failure still reaches exceptionCaught, which closes the connection.
    ch.write(encoded, ch.voidPromise());
    return true;
  }

  /**
   * Stops reading from the established connection (TCP then pushes back on the peer) or resumes:
   * for the consumer of UPDATEs to bound what is decoded but not yet processed.
   */
  public void pauseReading(boolean paused) {
    if (established != null) {
      established.readPaused(paused);
    }
  }

  /** Flushes what {@link #writeEncoded} wrote. */
  @Override
  public void flush() {
    Channel ch = established == null ? null : established.channel();
    if (ch != null) {
      ch.flush();
    }
  }

  void writable(Connection c) {
    if (c == established) {
      listener.writable(this);
    }
  }

  /** Messages waiting for the established channel to drain. */
  public int backlog() {
    return established == null ? 0 : established.backlog();
  }

  /**
   * Bytes written to the established channel and not yet taken by its socket: going down while the
   * channel is full means the peer is reading.
   */
  @Override
  public long pendingBytes() {
    Channel ch = established == null ? null : established.channel();
    io.netty.channel.ChannelOutboundBuffer out = ch == null ? null : ch.unsafe().outboundBuffer();
    return out == null ? 0 : out.totalPendingWriteBytes();
  }

  /** Whether the established channel can take more data now. */
  @Override
  public boolean writable() {
    return established != null
        && established.channel() != null
        && established.channel().isWritable();
  }

  /**
   * Notes a connection closing after our NOTIFICATION: a new one waits for it (see startOutbound).
   */
  void closing(ChannelFuture closed) {
    closing = closed;
  }

  private void startOutbound() {
    ChannelFuture pending = closing;
    if (pending != null && !pending.isDone()) {
      // A reset's new connection waits until the peer has read our NOTIFICATION and closed the old
      // one (or NotificationClose gave up on it): FRR takes a connection from a graceful-restart
      // peer it is still Established with for that peer restarting, and drops the session as
      // closed, the NOTIFICATION unread (RFC 4724 §4.2; its bgp_accept).
      publish(State.ACTIVE, "waiting for the peer to close the connection we reset");
      pending.addListener(
          f -> {
            if (!loop.isShuttingDown()) {
              loop.execute(
                  () -> {
                    if (enabled && connections.isEmpty()) {
                      startOutbound();
                    }
                  });
            }
          });
      return;
    }
    closing = null;
    Connection c = new Connection(this, true);
    connections.add(c);
    c.handle(new Event.Start(false));
  }

  /** Opens a TCP connection for {@code c} (the FSM's Connect action). */
  void connect(Connection c) {
    if (c.attempting()) {
      // The ConnectRetry timer ends an attempt nothing answered (RFC 4271 §8.2.2: SYNs dropped by
      // a firewall, a host down behind a router) before the connect timeout can report: say so,
      // or INFO stays empty while the state reads "connect" forever.
      info = "connect failed: no answer within " + spec.config().connectRetry().toSeconds() + " s";
    }
    Bootstrap b =
        new Bootstrap()
            .group(loop)
            .channel(transport.socketChannel())
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5_000)
            .option(ChannelOption.TCP_NODELAY, true)
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    pipeline(ch, c);
                  }
                });
    if (spec.md5Password() != null) {
      transport.md5(
          b,
          Map.of(
              spec.remote().getAddress(), spec.md5Password().getBytes(StandardCharsets.US_ASCII)));
    }
    transport.minTtl(b, spec.remote().getAddress(), spec.ttlSecurityHops());
    transport.sessionOptions(b);
    ChannelFuture f = b.connect(spec.remote(), new InetSocketAddress(spec.localAddress(), 0));
    // Before the listener: a connect failing at once completes the future inside connect().
    c.connecting(f);
    f.addListener(
        done -> {
          if (!c.settles(f)) {
            // Abandoned for a newer attempt (or the FSM left Connect): its channel is closed.
            f.channel().close();
            return;
          }
          if (done.isSuccess()) {
            c.attach(f.channel());
          } else {
            LOG.debug("{}: connect failed: {}", this, done.cause().toString());
            info = "connect failed: " + SocketErrorText.of(done.cause());
            c.handle(new Event.TcpConnectionFailed());
          }
        });
  }

  static void pipeline(Channel ch, Connection c) {
    ch.pipeline().addLast(new BgpFrameDecoder(), new MessageCodec(), c.newHandler());
  }

  /** A connection from the peer arrived (called by the listener on this loop). */
  void accept(Channel ch) {
    if (!enabled) {
      ch.close();
      return;
    }
    // RFC 4724 §4.2: a graceful-restart peer connecting again may have restarted; its OPEN on the
    // new connection says so (resolveCollision). The connection alone does not: when both sides
    // dial at once, the side that accepts first abandons its own connect, which may still reach
    // us after our session is up, and ending the session for it flapped a healthy mesh pair.
    boolean mayRestart = established != null && established.negotiated().gracefulRestart();
    if (established != null && !mayRestart) {
      // RFC 4271 §6.8: a new connection collides with an Established one and loses.
      BgpListener.refuse(ch, Notification.of(NotificationSubcode.CONNECTION_COLLISION_RESOLUTION));
      return;
    }
    // Active state accepting a connection (RFC 4271 §8.2.2): drop our pending attempt.
    for (Connection c : List.copyOf(connections)) {
      if (c.channel() == null && (c.state() == State.CONNECT || c.state() == State.ACTIVE)) {
        c.handle(
            new Event.Stop(Notification.of(NotificationSubcode.CONNECTION_COLLISION_RESOLUTION)));
      }
    }
    transport.minTtl(ch, spec.remote().getAddress(), spec.ttlSecurityHops());
    Connection c = new Connection(this, false);
    if (mayRestart) {
      c.replaces(established);
    }
    connections.add(c);
    pipeline(ch, c);
    c.handle(new Event.Start(true));
    c.attach(ch);
  }

  void stateChanged(Connection c, Action.StateChanged change) {
    if (change.to() == State.OPEN_CONFIRM) {
      resolveCollision(c);
    }
    if (change.to() == State.IDLE) {
      connections.remove(c);
      if (c == established) {
        established = null;
      }
      if (established == null) {
        // A second connection that ends beside a live session says nothing about the session.
        info = change.reason();
      }
      if (enabled && connections.isEmpty()) {
        scheduleRestart();
      }
    }
    State best = State.IDLE;
    for (Connection other : connections) {
      if (other.state().compareTo(best) > 0) {
        best = other.state();
      }
    }
    if (best == State.IDLE && enabled) {
      best = State.ACTIVE;
    }
    publish(best, change.reason());
  }

  private void publish(State to, String reason) {
    State from = state;
    if (from != to) {
      state = to;
      since = clock.instant();
      if (!quiet && notable(from, to)) {
        LOG.info("{}: {} -> {} ({})", this, from, to, reason);
      } else if (!quiet) {
        LOG.debug("{}: {} -> {} ({})", this, from, to, reason);
      }
      listener.stateChanged(this, from, to, reason);
    }
  }

  /**
   * What an operator reads at the default level: a session coming up or going down, and an OPEN
   * exchange that failed (a NOTIFICATION, a wrong AS); as GoBGP's "Peer Up"/"Peer Down". The steps
   * of a connection and the failed connects of an unreachable peer, repeated every retry, are
   * debug.
   */
  static boolean notable(State from, State to) {
    boolean opening = from == State.OPEN_SENT || from == State.OPEN_CONFIRM;
    return to == State.ESTABLISHED
        || from == State.ESTABLISHED
        || (opening && to != State.OPEN_CONFIRM && to != State.ESTABLISHED);
  }

  private void scheduleRestart() {
    if (spec.passive()) {
      return;
    }
    long delay = spec.config().connectRetry().toMillis();
    restart =
        loop.schedule(
            () -> {
              restart = null;
              if (enabled && connections.isEmpty()) {
                startOutbound();
              }
            },
            delay,
            TimeUnit.MILLISECONDS);
  }

  /**
   * RFC 4271 §6.8: when two connections to one peer have both seen OPENs, keep the one initiated by
   * the speaker with the higher BGP identifier (with equal ones, the larger AS: RFC 6286 §2.3) and
   * close the other with Cease/7.
   */
  private void resolveCollision(Connection fresh) {
    long remoteId = unsigned(fresh.negotiated().peerOpen().bgpId().getAddress());
    long localId = unsigned(spec.config().localId().getAddress());
    for (Connection other : List.copyOf(connections)) {
      if (other == fresh || other.channel() == null) {
        continue;
      }
      Connection loser;
      if (other.state() == State.ESTABLISHED && fresh.replaces() == other) {
        // The graceful-restart peer opened a connection after this session came up: it restarted
        // (RFC 4724 §4.2); the old session is over as if its TCP connection had closed.
        LOG.info("{}: OPEN on a new connection while Established: the peer restarted", this);
        other.handle(new Event.TcpClosed());
        continue;
      } else if (other.state() == State.ESTABLISHED) {
        loser = fresh;
      } else if (other.state() == State.OPEN_SENT || other.state() == State.OPEN_CONFIRM) {
        // RFC 6286 §2.3: identifiers may be equal between ASes; then the connection initiated by
        // the speaker with the larger AS stays. Keeping the inbound one regardless made both sides
        // close the connection the other kept whenever our AS was the larger.
        boolean keepOutbound =
            localId != remoteId
                ? localId > remoteId
                : spec.config().localAs() > fresh.negotiated().peerOpen().myAs();
        loser = fresh.outbound() == keepOutbound ? other : fresh;
      } else {
        continue;
      }
      LOG.info(
          "{}: connection collision, closing the {} one",
          this,
          loser.outbound() ? "outbound" : "inbound");
      loser.handle(
          new Event.Stop(Notification.of(NotificationSubcode.CONNECTION_COLLISION_RESOLUTION)));
      if (loser == fresh) {
        return;
      }
    }
  }

  private static long unsigned(byte[] b) {
    return ((b[0] & 0xffL) << 24) | ((b[1] & 0xffL) << 16) | ((b[2] & 0xffL) << 8) | (b[3] & 0xffL);
  }

  void up(Connection c, Negotiated negotiated) {
    established = c;
    info = "";
    lastError = ""; // an earlier session's malformed UPDATE says nothing about this one
    loggedErrors.clear();
    for (Connection other : List.copyOf(connections)) {
      if (other != c && other.channel() == null) {
        other.handle(
            new Event.Stop(Notification.of(NotificationSubcode.CONNECTION_COLLISION_RESOLUTION)));
      }
    }
    listener.established(this, negotiated);
  }

  void down(Connection c, String reason, boolean notification) {
    // Before the listener: what it does next (a new session, a forgotten peer) starts clean.
    sessionNotices.clear();
    listener.down(this, reason, notification);
  }

  void deliver(Connection c, BgpMessage message) {
    if (c != established) {
      return;
    }
    switch (message) {
      case BgpMessage.Update u -> listener.update(this, u);
      case BgpMessage.RouteRefresh r -> listener.routeRefresh(this, r);
      default -> LOG.warn("{}: unexpected delivery {}", this, message);
    }
  }

  /**
   * Ends the established connection with {@code notification} after a local fault (the RIB could
   * not apply the peer's routes). The first time since the session was started, it connects (or
   * waits for the peer) again, so the peer sends its routes afresh; the second time in a row it
   * stays down for a minute, and each time after for twice as long up to five minutes (or until
   * started again by hand), rather than flapping on a fault that every table brings back. A fault
   * more than {@link #faultForget} after the last (or after the session came back from its wait)
   * counts as a first one. Returns whether it stays down; false too when no connection is
   * established (nothing is done).
   */
  public boolean resetAfterFault(Notification notification) {
    Connection c = established;
    if (c == null) {
      return false;
    }
    Instant now = clock.instant();
    if (lastFault != null && now.isAfter(lastFault.plus(faultForget))) {
      faultResets = 0;
    }
    lastFault = now;
    boolean down = ++faultResets >= 2;
    if (down) {
      enabled = false;
      java.time.Duration wait = faultWait(faultResets);
      downUntilReset = false;
      keptDown =
          "kept down for "
              + (wait.toMillis() % 1000 == 0 ? wait.toSeconds() + " s" : wait.toMillis() + " ms")
              + ": the RIB failed on this peer's routes "
              + faultResets
              + " times in a row";
      cancelFaultRestart();
      faultRestart = loop.schedule(this::resumeAfterFault, wait.toMillis(), TimeUnit.MILLISECONDS);
      // With RFC 8538's N bit a plain Cease would keep the routes as stale for a session that
      // does not come back, until the restart time ran out: a Hard Reset (§3) drops them.
      if (c.notificationMode()) {
        notification = BgpFsm.asHardReset(notification);
      }
      stopOthers(c, notification);
    }
    c.handle(new Event.Stop(notification));
    return down;
  }

  /**
   * The peer has sent more than {@code limit} prefixes of {@code f} (counted by the table it
   * feeds): ends the session with Cease / Maximum Number of Prefixes Reached (RFC 4486 §4, data:
   * that AFI, SAFI and the limit) and keeps it down until restarted by hand, as BIRD and FRR do,
   * instead of flapping.
   */
  public void maxPrefixesExceeded(AddressFamily f, long limit) {
    Connection c = established;
    if (c == null) {
      return;
    }
    byte[] data = {
      0,
      (byte) f.afi().code(),
      (byte) f.safi().code(),
      (byte) (limit >>> 24),
      (byte) (limit >>> 16),
      (byte) (limit >>> 8),
      (byte) limit
    };
    enabled = false;
    keptDown = "kept down until reset: more than " + limit + " " + f.text() + " prefixes";
    downUntilReset = true;
    cancelFaultRestart(); // a fault's wait must not bring it back
    Notification cease = Notification.of(NotificationSubcode.MAXIMUM_PREFIXES_REACHED, data);
    stopOthers(c, cease);
    c.handle(new Event.Stop(cease));
  }

  /**
   * Whether a fault reset of this session still counts (see {@link #resetAfterFault}): the next
   * within {@link #faultForget} keeps it down. On the loop.
   */
  public boolean faultCounts() {
    return faultResets > 0 && !clock.instant().isAfter(lastFault.plus(faultForget));
  }

  /**
   * Whether the session is kept down, for a while after repeated faults or until started again by
   * hand after too many prefixes (see {@link #notices}).
   */
  public boolean keptDown() {
    return keptDown != null;
  }

  /** Whether the session is kept down until started again by hand (too many prefixes). */
  public boolean keptDownUntilReset() {
    return keptDown != null && downUntilReset;
  }

  @Override
  public String toString() {
    // [fd00::2]:179, not fd00::2:179 (RFC 5952 §6): these lines reach the log.
    return "peer " + AddressText.of(spec.remote()) + " AS" + spec.config().remoteAs();
  }
}
