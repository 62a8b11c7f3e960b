package dev.netctl.bgp.speaker;

import dev.netctl.bgp.codec.AddressFamily;
import dev.netctl.bgp.codec.AddressText;
import dev.netctl.bgp.codec.BgpMessage;
import dev.netctl.bgp.codec.NotificationSubcode;
import dev.netctl.bgp.codec.PathAttribute;
import dev.netctl.bgp.codec.Prefix;
import dev.netctl.bgp.fsm.BgpFsm;
import dev.netctl.bgp.fsm.Negotiated;
import dev.netctl.bgp.fsm.State;
import dev.netctl.bgp.rib.AttributeSet;
import dev.netctl.bgp.rib.Peer;
import dev.netctl.bgp.rib.Rib;
import dev.netctl.bgp.rib.RibConfig;
import dev.netctl.bgp.rib.RibEntry;
import dev.netctl.bgp.rib.UpdateGroup;
import dev.netctl.bgp.session.Admission;
import dev.netctl.bgp.session.BgpListener;
import dev.netctl.bgp.session.PeerSession;
import dev.netctl.bgp.session.PeerSpec;
import dev.netctl.bgp.session.Transport;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A BGP speaker: peers added and removed at runtime, backed by the table layer ({@link Rib}): each
 * peer's UPDATEs feed its Adj-RIB-In and the Loc-RIB's best-path selection, and peers receive the
 * Loc-RIB through shared {@link UpdateGroup}s (iBGP rules, route reflection, policies, RFC 8212).
 *
 * <p>Sessions run on one event loop thread, as BIRD does: no locks, and the codec contexts switch
 * exactly between two messages. The RIB runs on its own shard threads; best-path changes and
 * update-group output come back to the loop. Public methods may be called from any thread; they run
 * on the loop and wait for it (at most 10 s).
 *
 * <p>This class holds the configured peers and the public API; the parts it wires together, all on
 * the loop: {@link SessionEvents} feeds the sessions' messages to the RIB, {@link AttachedPeers}
 * registers established sessions with the RIB and keeps each peer's RIB work in order (with {@link
 * StalePeers} for peers restarting gracefully), {@link SelectionDeferral} holds our tables back
 * while we restart, {@link SoftReconfiguration} applies policy and role changes to running
 * sessions, and {@link BestPaths} reports best paths to route listeners.
 */
public final class BgpSpeaker implements AutoCloseable {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(BgpSpeaker.class);
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final SpeakerConfig config;
  private final long localAs;
  private final Transport transport;
  private final EventLoopGroup group;
  private final EventLoop loop;
  private final Clock clock;
  private final Rib rib;
  private final Map<InetAddress, PeerSession> peers = new LinkedHashMap<>();
  private final Map<InetAddress, Neighbor> neighbors = new HashMap<>();
  private final AttachedPeers attached;
  private final SelectionDeferral deferral;
  private final SessionEvents events;
  private final SoftReconfiguration soft;
  private final BestPaths bestPaths;
  private final DynamicPeers dynamic = new DynamicPeers();
  // Dynamic peers kept after a reset, by address: their periodic look (see watchDynamic).
  private final Map<InetAddress, FaultWatch> faultWatches = new HashMap<>();
  private BgpListener listener; // set once by start(), null when active-only
  private final List<Runnable> sessionWatchers = new java.util.concurrent.CopyOnWriteArrayList<>();
  // Further addresses accepted on, e.g. a dual-stack node's IPv6 address next to its IPv4 one.
  private final List<BgpListener> moreListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

  private BgpSpeaker(SpeakerConfig config, Clock clock) {
    this.config = config;
    this.localAs = config.localAs();
    this.transport = config.transport();
    this.group = transport.newGroup(1);
    this.loop = group.next();
    this.clock = clock;
    this.rib =
        new Rib(
            new RibConfig(
                config.localAs(),
                config.routerId(),
                config.clusterId(),
                false,
                1,
                config.ribShards()),
            Ipv6NextHop.RESOLVER);
    this.bestPaths = new BestPaths(loop);
    rib.addSink(bestPaths);
    this.attached = new AttachedPeers(rib, loop, config.restart().staleTime(), this::holdingTables);
    attached.stale().onNotBack(this::notBack);
    this.deferral = new SelectionDeferral(config.restart(), loop, peers, attached);
    this.events =
        new SessionEvents(
            rib, loop, attached, deferral, neighbors::get, this::ended, this::upOrDown);
    this.soft = new SoftReconfiguration(rib, loop, attached);
  }

  /**
   * Starts a speaker with the router id taken from {@code listen} (127.0.0.1 when it has no IPv4
   * address) and no route reflection.
   *
   * @param localAs our AS
   * @param listen where to accept connections, or null for active-only
   * @param transport epoll or NIO
   */
  public static BgpSpeaker start(long localAs, InetSocketAddress listen, Transport transport)
      throws InterruptedException {
    Inet4Address id =
        listen != null && listen.getAddress() instanceof Inet4Address v4 && !v4.isAnyLocalAddress()
            ? v4
            : (Inet4Address) InetAddress.getLoopbackAddress();
    return start(SpeakerConfig.of(localAs, id, listen, transport));
  }

  /** Starts a speaker. */
  public static BgpSpeaker start(SpeakerConfig config) throws InterruptedException {
    BgpSpeaker s = new BgpSpeaker(config, Clock.systemUTC());
    s.deferral.start();
    if (config.listen() != null) {
      try {
        s.listener =
            BgpListener.bind(s.group, s.transport, config.listen(), s::acceptFrom, Map.of());
      } catch (RuntimeException | InterruptedException e) {
        s.rib.close();
        s.group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        throw e;
      }
    }
    return s;
  }

  /** The start options. */
  public SpeakerConfig config() {
    return config;
  }

  /** The listening address, if any. */
  public InetSocketAddress listenAddress() {
    return listener == null ? null : listener.localAddress();
  }

  /**
   * Accepts connections on another address too (a dual-stack node listens on its IPv4 and its IPv6
   * address; a wildcard would also take the port on addresses that belong to other speakers).
   * Connections there are admitted like those on the main address.
   *
   * @throws IllegalStateException when the speaker has no main listener
   */
  public void listenAlso(InetSocketAddress address) throws InterruptedException {
    if (listener == null) {
      throw new IllegalStateException(
          "listen on "
              + AddressText.of(address)
              + " needs a listening speaker (listen is not set)");
    }
    moreListeners.add(BgpListener.bind(group, transport, address, this::acceptFrom, Map.of()));
    call(
        () -> {
          updateMd5();
          return null;
        });
  }

  /** Every address the speaker accepts connections on. */
  public List<InetSocketAddress> listenAddresses() {
    List<InetSocketAddress> out = new ArrayList<>();
    if (listener != null) {
      out.add(listener.localAddress());
    }
    for (BgpListener l : moreListeners) {
      out.add(l.localAddress());
    }
    return out;
  }

  /**
   * Adds a peer without policies or reflection and starts its session. An eBGP peer added this way
   * exchanges no routes (RFC 8212); use {@link #addPeer(Neighbor)} with policies.
   */
  public void addPeer(PeerSpec spec) {
    addPeer(Neighbor.of(spec));
  }

  private void checkLocalAs(PeerSpec spec) {
    if (spec.config().localAs() != localAs) {
      throw new IllegalArgumentException(
          "peer "
              + AddressText.of(spec.remote())
              + " localAs "
              + spec.config().localAs()
              + " differs from the speaker's AS "
              + localAs);
    }
  }

  /** Adds a peer and starts its session. */
  public void addPeer(Neighbor configured) {
    Neighbor neighbor = withDefaults(configured);
    PeerSpec spec = neighbor.spec();
    checkLocalAs(spec);
    call(
        () -> {
          InetAddress key = spec.remote().getAddress();
          if (dynamic.isMember(key)) {
            // Configuration wins over a range, as in BIRD and FRR: the dynamic session (waiting,
            // kept down, or up) gives the address to the configured peer.
            LOG.info(
                "{}: a configured peer takes over this dynamic peer's address", peers.get(key));
            forget(key, BgpMessage.Notification.of(NotificationSubcode.OTHER_CONFIGURATION_CHANGE));
          }
          if (peers.containsKey(key)) {
            throw new IllegalArgumentException("peer " + AddressText.of(key) + " already exists");
          }
          neighbors.put(key, neighbor);
          startSession(neighbor);
          return null;
        });
  }

  /** The neighbour with the speaker's defaults filled in. */
  private Neighbor withDefaults(Neighbor neighbor) {
    return neighbor.ipv6NextHop() == null && config.ipv6NextHop() != null
        ? neighbor.withIpv6NextHop(config.ipv6NextHop())
        : neighbor;
  }

  /** Starts a configured peer's session; on the loop. */
  private void startSession(Neighbor neighbor) {
    Ipv6NextHop.Session session = Ipv6NextHop.session(neighbor);
    PeerSession p = new PeerSession(session.spec(), loop, transport, events, clock);
    p.configNotice(session.notice());
    p.configNotice(Ipv4NextHop.notice(neighbor));
    peers.put(neighbor.spec().remote().getAddress(), p);
    updateMd5();
    p.restarting(deferral.active());
    p.start();
  }

  /** Stops a peer with Cease/Peer De-configured and forgets it. */
  public void removePeer(InetAddress remote) {
    call(
        () -> {
          forget(remote, BgpMessage.Notification.of(NotificationSubcode.PEER_DECONFIGURED));
          return null;
        });
  }

  /** Stops a peer's session with {@code notification} (or none) and forgets it; on the loop. */
  private void forget(InetAddress remote, BgpMessage.Notification notification) {
    PeerSession p = peers.remove(remote);
    FaultWatch watch = faultWatches.remove(remote);
    if (watch != null) {
      watch.future.cancel(false);
    }
    if (p != null) {
      dynamic.forget(remote);
      updateMd5();
      p.stop(notification);
      attached.deconfigured(remote);
      neighbors.remove(remote);
      deferral.check();
    }
  }

  /**
   * Resets a peer's session with Cease/Administrative Reset and lets it come up again. With RFC
   * 8538 notification mode negotiated, a soft reset keeps routes stale on both sides, as a restart
   * would; {@code hard} sends Cease/Hard Reset instead, so both sides flush. Without notification
   * mode every reset flushes.
   *
   * <p>A dynamic peer kept down for too many prefixes while its range has no free slot is forgotten
   * instead (it holds no slot: started, it would be one over the limit); it connects again as a new
   * peer when the range has room.
   *
   * @return true when the session was reset, false when the peer was forgotten
   * @throws IllegalArgumentException when the peer is not configured
   */
  public boolean resetPeer(InetAddress peer, boolean hard) {
    return call(
        () -> {
          PeerSession p = peers.get(peer);
          if (p == null) {
            throw new IllegalArgumentException(
                "peer " + AddressText.of(peer) + " is not configured");
          }
          DynamicRange range = dynamic.rangeOf(peer);
          if (range != null && p.keptDownUntilReset() && holding(range) >= range.limit()) {
            // It holds no slot, and the range has none free: started, it would be one over.
            LOG.info(
                "{}: reset while dynamic range {} is full: forgotten, it connects again as a new"
                    + " peer when the range has room",
                p,
                range.name());
            forget(peer, null);
            return false;
          }
          BgpMessage.Notification reset =
              BgpMessage.Notification.of(NotificationSubcode.ADMINISTRATIVE_RESET);
          p.stop(hard ? BgpFsm.asHardReset(reset) : reset);
          p.start();
          if (dynamic.isMember(peer)) {
            // Idle -> Active ends no session: without a look it would wait for ever for a peer
            // gone meanwhile (one kept down for too many prefixes, say).
            watchDynamic(peer, p);
          }
          return true;
        });
  }

  /**
   * Accepts peers by address range (see {@link DynamicRange}): a connection from an address in the
   * range that matches no configured peer gets a passive session from the template, forgotten when
   * it ends (unless it restarts gracefully or was reset after a fault: see {@link #ended}). Needs a
   * listening speaker.
   *
   * @throws IllegalArgumentException when a range of that name exists or the template's local AS is
   *     not ours
   * @throws IllegalStateException when the speaker does not listen
   */
  public void addDynamicRange(DynamicRange range) {
    checkLocalAs(range.template().spec());
    if (listener == null) {
      throw new IllegalStateException(
          "dynamic range " + range.name() + " needs a listening speaker (listen is not set)");
    }
    call(
        () -> {
          dynamic.add(range);
          return null;
        });
  }

  /**
   * Removes a range and stops its peers with Cease/Peer De-configured.
   *
   * @throws IllegalArgumentException when no range has that name
   */
  public void removeDynamicRange(String name) {
    call(
        () -> {
          for (InetAddress a : dynamic.remove(name)) {
            forget(a, BgpMessage.Notification.of(NotificationSubcode.PEER_DECONFIGURED));
          }
          return null;
        });
  }

  /** The dynamic ranges, in the order added. */
  public List<DynamicRange> dynamicRanges() {
    return call(dynamic::ranges);
  }

  /**
   * The session for a connection from {@code address}: a configured peer's, a new one when the
   * address is in a dynamic range with room (see {@link #holding}); refused with Cease/Connection
   * Rejected (RFC 4486) when the range is full, and closed when the address is in no range. Called
   * by the listener on the loop.
   */
  private Admission acceptFrom(InetAddress address) {
    PeerSession p = peers.get(address);
    if (p != null || !loop.inEventLoop()) {
      return Admission.of(p);
    }
    DynamicRange range = dynamic.match(address);
    if (range == null) {
      return Admission.of(null);
    }
    if (holding(range) >= range.limit()) {
      return new Admission.Refuse(
          BgpMessage.Notification.of(NotificationSubcode.CONNECTION_REJECTED),
          "dynamic range " + range.name() + " has its limit of " + range.limit() + " peers");
    }
    boundKeptDown(range);
    Neighbor n = withDefaults(range.neighborFor(address));
    neighbors.put(address, n);
    dynamic.accepted(address, range);
    startSession(n);
    PeerSession session = peers.get(address);
    session.configNotice("dynamic peer of range " + range.name() + " (" + range.range() + ")");
    return new Admission.Accept(session);
  }

  /**
   * How many of the range's slots its peers hold: all but those kept down until reset (too many
   * prefixes). Such a peer keeps its session, so that its address is refused rather than taken back
   * to send the same table again, but not a slot a new peer needs; a peer kept down for a while
   * (repeated faults) comes back by itself and keeps its slot.
   */
  private int holding(DynamicRange range) {
    return dynamic.members(range).size() - keptDownUntilReset(range).size();
  }

  /** The range's peers kept down until reset, earliest accepted first. */
  private List<InetAddress> keptDownUntilReset(DynamicRange range) {
    List<InetAddress> down = new ArrayList<>();
    for (InetAddress a : dynamic.members(range)) {
      PeerSession p = peers.get(a);
      if (p != null && p.keptDownUntilReset()) {
        down.add(a);
      }
    }
    return down;
  }

  /**
   * Keeps at most {@code limit} peers kept down until reset per range, so that what they hold stays
   * bounded: past that the earliest accepted is forgotten (it may connect again, as a new peer).
   */
  private void boundKeptDown(DynamicRange range) {
    List<InetAddress> down = keptDownUntilReset(range);
    for (int i = 0; i < down.size() - range.limit(); i++) {
      LOG.info(
          "{}: forgotten: more than {} peers of dynamic range {} are kept down until reset",
          peers.get(down.get(i)),
          range.limit(),
          range.name());
      forget(down.get(i), null);
    }
  }

  /**
   * A session's connection is gone: a dynamic peer is then forgotten, routes and all, unless it
   * restarts gracefully or was reset after a fault of ours. RFC 4724 §4.2 has us keep the routes of
   * a peer that advertised the capability and closed without a NOTIFICATION (or with one, in RFC
   * 8538's notification mode) until it is back or its restart time ends; so its passive session
   * stays, counting toward the range's limit, for it to come back to, and it is forgotten when that
   * time ends ({@link #notBack}). After a fault reset it stays too ({@link #watchDynamic}).
   */
  private void ended(PeerSession p) {
    InetAddress a = p.spec().remote().getAddress();
    // After the callbacks of this transition (the RIB detach among them) have run.
    loop.execute(
        () -> {
          if (peers.get(a) == p && dynamic.isMember(a)) {
            boolean fault = p.faultCounts();
            if (fault) {
              watchDynamic(a, p);
            }
            if (attached.stale().down(a) != null) {
              LOG.info("{}: dynamic peer restarting gracefully, its session waits for it", p);
              return;
            }
            if (fault) {
              LOG.info("{}: dynamic session ended while a fault reset counts, it waits for it", p);
              return;
            }
            LOG.info("{}: dynamic session ended, forgetting the peer", p);
            forget(a, null);
          }
        });
  }

  /**
   * Keeps a dynamic peer reset after a fault of ours (or reset by hand): forgotten, it would come
   * back as a new session with no fault on record, and a fault its every table brings back would
   * reset it on every reconnect instead of keeping it down. Looked at every {@link
   * PeerSession#faultForget()} from then on, whatever its session does meanwhile (up again, kept
   * down, back from its wait): it is forgotten once it waits for the peer (Active, not in the
   * middle of a connection), is not kept down or restarting gracefully, and its fault no longer
   * counts. One watch per address, for its current session, ended by {@link #forget}.
   */
  private void watchDynamic(InetAddress a, PeerSession p) {
    FaultWatch old = faultWatches.get(a);
    if (old != null && old.session == p) {
      return;
    }
    if (old != null) {
      old.future.cancel(false); // a replaced session's
    }
    FaultWatch w = new FaultWatch(a, p);
    long period = PeerSession.faultForget().toMillis();
    w.future = loop.scheduleAtFixedRate(w, period, period, TimeUnit.MILLISECONDS);
    faultWatches.put(a, w);
  }

  /** The periodic look at one dynamic session (see {@link #watchDynamic}); on the loop. */
  private final class FaultWatch implements Runnable {
    final InetAddress address;
    final PeerSession session;
    io.netty.util.concurrent.ScheduledFuture<?> future;

    FaultWatch(InetAddress address, PeerSession session) {
      this.address = address;
      this.session = session;
    }

    @Override
    public void run() {
      if (peers.get(address) != session || !dynamic.isMember(address)) {
        future.cancel(false); // forgotten or replaced meanwhile: not ours any more
        faultWatches.remove(address, this);
      } else if (session.state() == State.ACTIVE
          && !session.keptDown()
          && !session.faultCounts()
          && attached.stale().down(address) == null) {
        LOG.info("{}: dynamic peer not back after its reset, forgetting it", session);
        forget(address, null);
      }
    }
  }

  /** A peer did not come back within its restart time: a dynamic one is forgotten now. */
  private void notBack(InetAddress a) {
    PeerSession p = peers.get(a);
    // A connection from it may be under way (OpenSent, OpenConfirm): it would be a new session.
    if (p != null && dynamic.isMember(a) && p.state() != State.ESTABLISHED) {
      LOG.info("{}: dynamic peer not back within its restart time, forgetting it", p);
      forget(a, null);
    }
  }

  /**
   * Changes a configured peer (found by its address) without disturbing the others. A new import
   * policy is re-applied to the routes the peer sent (the Adj-RIB-In keeps them as received); a new
   * export policy moves the peer to the matching update group, which withdraws what the policy no
   * longer allows and sends what it now allows; a new route-reflector-client role re-keys the
   * peer's paths (their reflection to others follows the role) and moves it likewise: none of these
   * resets the session. Any other change (AS, port, local address, hold time, families, password,
   * TTL security, ADD-PATH, graceful restart) resets only this peer with Cease/Other Configuration
   * Change (RFC 4486) and starts it again with the new settings.
   *
   * @throws IllegalArgumentException when no peer with that address is configured
   */
  public void updatePeer(Neighbor configured) {
    Neighbor neighbor = withDefaults(configured);
    PeerSpec spec = neighbor.spec();
    InetAddress key = spec.remote().getAddress();
    call(
        () -> {
          Neighbor running = neighbors.get(key);
          PeerSession p = peers.get(key);
          if (running == null || p == null) {
            throw new IllegalArgumentException(
                "peer "
                    + AddressText.of(key)
                    + " is not configured: cannot update it (add it with addPeer)");
          }
          checkLocalAs(spec);
          NeighborChange change = NeighborChange.between(running, neighbor);
          neighbors.put(key, neighbor);
          if (change.resetsSession()) {
            p.stop(BgpMessage.Notification.of(NotificationSubcode.OTHER_CONFIGURATION_CHANGE));
            attached.deconfigured(key);
            startSession(neighbor);
            return null;
          }
          soft.apply(key, change, neighbor);
          return null;
        });
  }

  /**
   * Originates (or replaces) a route. ORIGIN IGP is added when absent; AS_PATH, NEXT_HOP and
   * LOCAL_PREF are set per peer on export.
   *
   * @param prefix the prefix
   * @param nextHop next hop to advertise, or null for the session's local address (next-hop self)
   * @param attributes extra attributes (communities, MED, ...)
   */
  public void originate(Prefix prefix, InetAddress nextHop, List<PathAttribute> attributes) {
    if (nextHop != null && prefix.ipv6() != (nextHop instanceof Inet6Address)) {
      throw new IllegalArgumentException(
          "route " + prefix + " next hop " + AddressText.of(nextHop) + " is of another family");
    }
    List<PathAttribute> attrs = new ArrayList<>();
    boolean hasOrigin = false;
    for (PathAttribute a : attributes) {
      switch (a) {
        case PathAttribute.Origin x -> {
          hasOrigin = true;
          attrs.add(x);
        }
        case PathAttribute.AsPath x -> {}
        case PathAttribute.NextHop x -> {}
        case PathAttribute.MpReach x -> {}
        case PathAttribute.MpUnreach x -> {}
        default -> attrs.add(a);
      }
    }
    if (!hasOrigin) {
      attrs.add(new PathAttribute.Origin(PathAttribute.OriginType.IGP));
    }
    attrs.add(PathAttribute.AsPath.EMPTY);
    await(rib.originate(prefix, AttributeSet.of(attrs, nextHop)));
  }

  /** Withdraws an originated route. */
  public void withdraw(Prefix prefix) {
    await(rib.withdrawLocal(prefix));
  }

  /**
   * Registers a listener for best-path changes of routes learned from peers: {@code announced} when
   * a peer's path becomes (or stays, with new attributes) the best, {@code withdrawn} for the peer
   * whose path stopped being the best. It first receives every current best path. Close to
   * unsubscribe.
   */
  public AutoCloseable subscribe(RouteListener l) {
    call(
        () -> {
          bestPaths.add(l, this::routes);
          return null;
        });
    return () -> bestPaths.remove(l);
  }

  /**
   * Calls {@code onChange} on the speaker's event loop (it must be cheap and never block) whenever
   * a peer's session comes up or goes down: for a caller that shows {@link #peers()} or derives
   * readiness from it, since a session can come back with the very routes it had (a graceful
   * restart), so that no route event tells it. Closing the returned handle stops the calls.
   */
  public AutoCloseable watchSessions(Runnable onChange) {
    sessionWatchers.add(onChange);
    return () -> sessionWatchers.remove(onChange);
  }

  private void upOrDown() {
    for (Runnable r : sessionWatchers) {
      try {
        r.run();
      } catch (RuntimeException e) {
        LOG.warn("a session watcher failed", e);
      }
    }
  }

  private void updateMd5() {
    if (listener == null) {
      return;
    }
    Map<InetAddress, String> keys = new HashMap<>();
    peers.forEach(
        (address, p) -> {
          if (p.spec().md5Password() != null) {
            keys.put(address, p.spec().md5Password());
          }
        });
    if (!keys.isEmpty() || transport.isEpoll()) {
      listener.md5(transport, keys);
      for (BgpListener l : moreListeners) {
        l.md5(transport, sameFamily(l, keys));
      }
    }
  }

  // An extra listener is bound to one address of one family; the kernel takes no key of the other.
  private static Map<InetAddress, String> sameFamily(BgpListener l, Map<InetAddress, String> keys) {
    boolean v6 = l.localAddress().getAddress() instanceof Inet6Address;
    Map<InetAddress, String> out = new HashMap<>();
    keys.forEach(
        (a, k) -> {
          if ((a instanceof Inet6Address) == v6) {
            out.put(a, k);
          }
        });
    return out;
  }

  // Paths in the peer's Adj-RIB-In; none while it is not established.
  private int receivedCount(PeerSession p) {
    AttachedPeer a = attached.get(p.spec().remote().getAddress());
    return a == null ? 0 : (int) Math.min(Integer.MAX_VALUE, rib.receivedCount(a.peer));
  }

  private int withheldCount(PeerSession p) {
    AttachedPeer a = attached.get(p.spec().remote().getAddress());
    return a == null || a.group == null ? 0 : a.group.withheld().count();
  }

  private int loopCount(PeerSession p) {
    AttachedPeer a = attached.get(p.spec().remote().getAddress());
    return a == null ? 0 : (int) Math.min(Integer.MAX_VALUE, rib.loopCount(a.peer));
  }

  // The AS the peer presented once established (a dynamic template may accept several), else the
  // configured one.
  private static long remoteAs(PeerSession p) {
    Negotiated n = p.negotiated();
    long configured = p.spec().config().remoteAs();
    return n == null ? configured : n.peerAs(configured);
  }

  /** Status of every peer, in the order added. */
  public List<PeerStatus> peers() {
    return call(
        () ->
            peers.values().stream()
                .map(
                    p ->
                        new PeerStatus(
                            p.spec().remote(),
                            remoteAs(p),
                            remoteAs(p) == localAs,
                            p.state(),
                            p.since(),
                            p.info(),
                            receivedCount(p),
                            loopCount(p),
                            p.lastError(),
                            attached.stale().keeps(p.spec().remote().getAddress()),
                            p.notices(),
                            withheldCount(p)))
                .toList());
  }

  /**
   * Sends a peer our routes of {@code family} again (a soft reset out): its whole Adj-RIB-Out,
   * framed by BoRR/EoRR when enhanced route refresh (RFC 7313) was negotiated, so the peer can drop
   * what it no longer gets. The session stays up.
   *
   * @throws IllegalArgumentException when the peer is not configured or the family was not
   *     negotiated with it
   * @throws IllegalStateException when the session is not Established
   */
  public void resendTo(InetAddress peer, AddressFamily family) {
    call(
        () -> {
          PeerSession p = established(peer, family, "send its routes again");
          AttachedPeer a = attached.get(peer);
          if (a == null) {
            throw new IllegalStateException(
                "peer " + AddressText.of(peer) + " is not yet registered with the RIB: try again");
          }
          events.resend(a, family);
          return null;
        });
  }

  /**
   * The session of a configured peer that is Established with {@code family} negotiated; on the
   * loop.
   *
   * @param what what cannot be done otherwise, for the error
   */
  private PeerSession established(InetAddress peer, AddressFamily family, String what) {
    PeerSession p = peers.get(peer);
    String name = "peer " + AddressText.of(peer);
    if (p == null) {
      throw new IllegalArgumentException(name + " is not configured");
    }
    Negotiated n = p.negotiated();
    if (n == null) {
      throw new IllegalStateException(
          name + " is " + p.state() + ", not ESTABLISHED: cannot " + what);
    }
    if (!n.families().contains(family)) {
      throw new IllegalArgumentException(
          name + " family " + family + " was not negotiated (negotiated: " + n.families() + ")");
    }
    return p;
  }

  /**
   * Asks a peer to send its routes of {@code family} again (RFC 2918 soft reset in): sends a
   * ROUTE-REFRESH. Import policy changes need no refresh (the Adj-RIB-In keeps what was received);
   * this is for a peer whose routes are suspected out of date.
   *
   * @throws IllegalArgumentException when the peer is not configured or the family was not
   *     negotiated with it
   * @throws IllegalStateException when the session is not Established or the peer did not advertise
   *     the route refresh capability
   */
  public void refresh(InetAddress peer, AddressFamily family) {
    call(
        () -> {
          PeerSession p = established(peer, family, "send ROUTE-REFRESH");
          if (!p.negotiated().routeRefresh()) {
            throw new IllegalStateException(
                "peer "
                    + AddressText.of(peer)
                    + " did not advertise the route refresh capability (RFC 2918 §3)");
          }
          p.send(List.of(BgpMessage.RouteRefresh.request(family)));
          return null;
        });
  }

  /**
   * The routes currently received from one peer: its Adj-RIB-In before import policy, without the
   * routes whose AS_PATH holds our AS more often than the peer may send it (loops, never usable:
   * RFC 4271 §9.1.2).
   */
  public List<ReceivedRoute> received(InetAddress peer) {
    // A peer restarting gracefully is not attached, but its stale routes are still there.
    Peer p =
        call(
            () -> {
              AttachedPeer a = attached.get(peer);
              return a != null ? a.peer : attached.stale().down(peer);
            });
    if (p == null) {
      return List.of();
    }
    return await(rib.adjRibIn(p, Integer.MAX_VALUE)).stream()
        .filter(r -> !p.loops(r.attributes().asPathCount(localAs)))
        .map(r -> ReceivedRoute.from(peer, r.prefix(), r.pathId(), r.attributes(), r.stale()))
        .toList();
  }

  /**
   * The update groups in use and the writers kept for them, as {@code {groups, writers}} (tests: a
   * group left without members is retired and its writer dropped).
   */
  int[] updateGroups() {
    return call(() -> new int[] {rib.groups().size(), attached.writerCount()});
  }

  /**
   * What is advertised to one established peer (its Adj-RIB-Out): the Loc-RIB as the peer's update
   * group exports it (iBGP and reflection rules, eBGP rewrites, export policy, split horizon), in
   * no order. Updates still queued for the peer are included. Empty when the peer is not
   * established.
   */
  public List<AdvertisedRoute> advertised(InetAddress peer) {
    AttachedPeer a = call(() -> attached.get(peer));
    UpdateGroup group = a == null ? null : call(() -> a.group);
    if (group == null) {
      return List.of();
    }
    return await(rib.advertised(group, a.peer, Integer.MAX_VALUE)).stream()
        .map(
            r -> {
              ReceivedRoute x =
                  ReceivedRoute.from(peer, r.prefix(), r.pathId(), r.attributes(), false);
              return new AdvertisedRoute(peer, x.nlri(), x.nextHop(), x.attributes());
            })
        .toList();
  }

  /** Every Loc-RIB entry (candidate paths, best, ECMP set), in no order. */
  public List<RibEntry> routes() {
    return await(rib.routes(p -> true, Integer.MAX_VALUE));
  }

  /**
   * The best path of every reachable prefix, in no order; our own routes have the unspecified
   * address as their peer.
   */
  public List<ReceivedRoute> bestRoutes() {
    return routes().stream()
        .filter(e -> e.best() != null)
        .map(e -> ReceivedRoute.from(e.best(), e.prefix()))
        .toList();
  }

  /** Whether peers' initial tables are held back: we restart (RFC 4724 §4.1). */
  private boolean holdingTables() {
    return deferral.active();
  }

  private <T> T await(CompletableFuture<T> f) {
    return waitFor(f, "RIB");
  }

  private <T> T call(Callable<T> task) {
    if (loop.inEventLoop()) {
      try {
        return task.call();
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    return waitFor(loop.submit(task), "speaker loop");
  }

  /** The result of {@code f}, its failure rethrown unchecked; {@code what} names who answers. */
  private static <T> T waitFor(Future<T> f, String what) {
    try {
      return f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted waiting for the " + what, e);
    } catch (TimeoutException e) {
      throw new IllegalStateException(
          what + " did not answer within " + WAIT.toSeconds() + " s", e);
    }
  }

  /** Stops every peer with Cease/Administrative Shutdown, closes the listener, RIB and loop. */
  @Override
  public void close() {
    close(BgpMessage.Notification.of(NotificationSubcode.ADMINISTRATIVE_SHUTDOWN));
  }

  /**
   * Stops for a planned restart: closes every connection without a NOTIFICATION, so peers that
   * support graceful restart keep our routes until we are back (RFC 4724 §4.2; start the next
   * process with {@link RestartOptions#restarting()}), then closes like {@link #close()}.
   */
  public void closeForRestart() {
    close(null);
  }

  private void close(BgpMessage.Notification notification) {
    try {
      call(
          () -> {
            for (PeerSession p : peers.values()) {
              p.stop(notification);
            }
            peers.clear();
            return null;
          });
    } finally {
      if (listener != null) {
        listener.close();
      }
      for (BgpListener l : moreListeners) {
        l.close();
      }
      rib.close();
      group.shutdownGracefully(100, 2_000, TimeUnit.MILLISECONDS).syncUninterruptibly();
    }
  }
}
