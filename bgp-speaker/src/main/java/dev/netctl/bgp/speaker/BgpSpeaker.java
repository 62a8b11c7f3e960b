package dev.netctl.bgp.speaker;

import dev.netctl.bgp.codec.AddressFamily;
import dev.netctl.bgp.codec.BgpMessage;
import dev.netctl.bgp.codec.BgpMessage.Update;
import dev.netctl.bgp.codec.Nlri;
import dev.netctl.bgp.codec.NotificationSubcode;
import dev.netctl.bgp.codec.PathAttribute;
import dev.netctl.bgp.codec.Prefix;
import dev.netctl.bgp.codec.UpdatePacker;
import dev.netctl.bgp.fsm.Negotiated;
import dev.netctl.bgp.session.BgpListener;
import dev.netctl.bgp.session.PeerSession;
import dev.netctl.bgp.session.PeerSpec;
import dev.netctl.bgp.session.SessionListener;
import dev.netctl.bgp.session.Transport;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A small BGP speaker: peers added and removed at runtime, locally originated routes advertised to
 * every established peer, received routes kept per peer and published to subscribers.
 *
 * <p>Everything runs on one event loop thread, as BIRD does on one thread: no locks, and the codec
 * contexts switch exactly between two messages. Public methods may be called from any thread; they
 * run on the loop and wait for it (at most 10 s).
 */
public final class BgpSpeaker implements AutoCloseable {
  private final long localAs;
  private final Transport transport;
  private final EventLoopGroup group;
  private final EventLoop loop;
  private final Clock clock;
  private final Map<InetAddress, PeerSession> peers = new LinkedHashMap<>();
  private final Map<InetAddress, Map<Nlri, ReceivedRoute>> adjRibIn = new HashMap<>();
  private final Map<Nlri, Origination> originated = new LinkedHashMap<>();
  private final List<RouteListener> listeners = new CopyOnWriteArrayList<>();
  private BgpListener listener;

  private record Origination(InetAddress nextHop, List<PathAttribute> attributes) {}

  private BgpSpeaker(long localAs, Transport transport, Clock clock) {
    this.localAs = localAs;
    this.transport = transport;
    this.group = transport.newGroup(1);
    this.loop = group.next();
    this.clock = clock;
  }

  /**
   * Starts a speaker.
   *
   * @param localAs our AS
   * @param listen where to accept connections, or null for active-only
   * @param transport epoll or NIO
   */
  public static BgpSpeaker start(long localAs, InetSocketAddress listen, Transport transport)
      throws InterruptedException {
    BgpSpeaker s = new BgpSpeaker(localAs, transport, Clock.systemUTC());
    if (listen != null) {
      try {
        s.listener = BgpListener.bind(s.group, transport, listen, a -> s.peers.get(a), Map.of());
      } catch (RuntimeException | InterruptedException e) {
        s.group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        throw e;
      }
    }
    return s;
  }

  /** The listening address, if any. */
  public InetSocketAddress listenAddress() {
    return listener == null ? null : listener.localAddress();
  }

  /** Adds a peer and starts its session. */
  public void addPeer(PeerSpec spec) {
    if (spec.config().localAs() != localAs) {
      throw new IllegalArgumentException(
          "peer "
              + spec.remote()
              + " localAs "
              + spec.config().localAs()
              + " differs from the speaker's AS "
              + localAs);
    }
    call(
        () -> {
          InetAddress key = spec.remote().getAddress();
          if (peers.containsKey(key)) {
            throw new IllegalArgumentException("peer " + key.getHostAddress() + " already exists");
          }
          PeerSession p = new PeerSession(spec, loop, transport, new Sessions(), clock);
          peers.put(key, p);
          updateMd5();
          p.start();
          return null;
        });
  }

  /** Stops a peer with Cease/Peer De-configured and forgets it. */
  public void removePeer(InetAddress remote) {
    call(
        () -> {
          PeerSession p = peers.remove(remote);
          if (p != null) {
            updateMd5();
            p.stop(BgpMessage.Notification.of(NotificationSubcode.PEER_DECONFIGURED));
            dropAdjRibIn(remote);
          }
          return null;
        });
  }

  /**
   * Originates (or replaces) a route. ORIGIN IGP is added when absent; AS_PATH, NEXT_HOP and
   * LOCAL_PREF are set per peer on export.
   *
   * @param prefix the prefix
   * @param nextHop next hop to advertise, or null for the session's local address
   * @param attributes extra attributes (communities, MED, ...)
   */
  public void originate(Prefix prefix, InetAddress nextHop, List<PathAttribute> attributes) {
    Nlri nlri = Nlri.of(prefix);
    Origination o = new Origination(nextHop, List.copyOf(attributes));
    call(
        () -> {
          originated.put(nlri, o);
          for (PeerSession p : peers.values()) {
            Negotiated n = p.negotiated();
            if (n != null && n.families().contains(prefix.family())) {
              p.send(UpdatePacker.announce(List.of(route(p, nlri, o)), n.send()));
            }
          }
          return null;
        });
  }

  /** Withdraws an originated route. */
  public void withdraw(Prefix prefix) {
    Nlri nlri = Nlri.of(prefix);
    call(
        () -> {
          if (originated.remove(nlri) != null) {
            for (PeerSession p : peers.values()) {
              Negotiated n = p.negotiated();
              if (n != null && n.families().contains(prefix.family())) {
                p.send(UpdatePacker.withdraw(List.of(nlri), n.send()));
              }
            }
          }
          return null;
        });
  }

  /** Registers a listener; it first receives every route already known. Close to unsubscribe. */
  public AutoCloseable subscribe(RouteListener l) {
    call(
        () -> {
          listeners.add(l);
          adjRibIn.forEach((peer, rib) -> l.announced(peer, List.copyOf(rib.values())));
          return null;
        });
    return () -> listeners.remove(l);
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
    }
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
                            p.spec().config().remoteAs(),
                            p.spec().config().internal(),
                            p.state(),
                            p.since(),
                            p.info(),
                            adjRibIn.getOrDefault(p.spec().remote().getAddress(), Map.of()).size(),
                            p.lastError()))
                .toList());
  }

  /** The routes currently received from one peer. */
  public List<ReceivedRoute> received(InetAddress peer) {
    return call(() -> List.copyOf(adjRibIn.getOrDefault(peer, Map.of()).values()));
  }

  private UpdatePacker.Route route(PeerSession p, Nlri nlri, Origination o) {
    boolean ibgp = p.spec().config().internal();
    List<PathAttribute> attrs = new ArrayList<>();
    boolean hasOrigin = false;
    for (PathAttribute a : o.attributes()) {
      switch (a) {
        case PathAttribute.Origin x -> {
          hasOrigin = true;
          attrs.add(x);
        }
        case PathAttribute.LocalPref x -> {
          if (ibgp) {
            attrs.add(x);
          }
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
    attrs.add(ibgp ? PathAttribute.AsPath.EMPTY : PathAttribute.AsPath.sequence(localAs));
    if (ibgp && attrs.stream().noneMatch(a -> a instanceof PathAttribute.LocalPref)) {
      attrs.add(new PathAttribute.LocalPref(100));
    }
    InetAddress local = p.spec().localAddress();
    if (nlri.prefix().ipv6()) {
      InetAddress nh = o.nextHop() != null ? o.nextHop() : mapped(local);
      attrs.add(new PathAttribute.MpReach(AddressFamily.IPV6_UNICAST, List.of(nh), List.of()));
    } else {
      InetAddress nh = o.nextHop() != null ? o.nextHop() : local;
      if (!(nh instanceof Inet4Address v4)) {
        throw new IllegalArgumentException(
            "route " + nlri + " next hop " + nh + " must be IPv4 on peer " + p);
      }
      attrs.add(new PathAttribute.NextHop(v4));
    }
    return new UpdatePacker.Route(nlri, attrs);
  }

  /** IPv6 next hop for an IPv4-only session: the IPv4-mapped address (RFC 4291 §2.5.5.2). */
  private static InetAddress mapped(InetAddress local) {
    if (local instanceof Inet6Address) {
      return local;
    }
    byte[] b = new byte[16];
    b[10] = (byte) 0xff;
    b[11] = (byte) 0xff;
    System.arraycopy(local.getAddress(), 0, b, 12, 4);
    try {
      return Inet6Address.getByAddress(null, b, -1);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  private void advertiseAll(PeerSession p, Negotiated n, AddressFamily only) {
    for (AddressFamily f : List.of(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST)) {
      if (!n.families().contains(f) || (only != null && !only.equals(f))) {
        continue;
      }
      List<UpdatePacker.Route> routes = new ArrayList<>();
      originated.forEach(
          (nlri, o) -> {
            if (nlri.prefix().family().equals(f)) {
              routes.add(route(p, nlri, o));
            }
          });
      p.send(UpdatePacker.announce(routes, n.send()));
      p.send(List.of(Update.endOfRib(f)));
    }
  }

  /** From a 2-octet peer: AS_PATH merged with AS4_PATH (RFC 6793 §4.2.3), AS4_PATH dropped. */
  private static Update withRealAsPath(Update u) {
    var as4 = u.attribute(PathAttribute.As4Path.class);
    var path = u.attribute(PathAttribute.AsPath.class);
    if (as4.isEmpty() || path.isEmpty()) {
      return u;
    }
    PathAttribute.AsPath merged = path.get().merge(as4.get());
    List<PathAttribute> attrs = new ArrayList<>();
    for (PathAttribute a : u.attributes()) {
      if (a instanceof PathAttribute.AsPath) {
        attrs.add(merged);
      } else if (!(a instanceof PathAttribute.As4Path)) {
        attrs.add(a);
      }
    }
    return new Update(u.withdrawn(), attrs, u.nlri());
  }

  private boolean containsLocalAs(Update update) {
    return update
        .attribute(PathAttribute.AsPath.class)
        .map(p -> p.segments().stream().anyMatch(s -> s.asns().contains(localAs)))
        .orElse(false);
  }

  private void dropAdjRibIn(InetAddress peer) {
    Map<Nlri, ReceivedRoute> rib = adjRibIn.remove(peer);
    if (rib != null && !rib.isEmpty()) {
      List<Nlri> gone = List.copyOf(rib.keySet());
      listeners.forEach(l -> l.withdrawn(peer, gone));
    }
  }

  /** Session events, all on the loop. */
  private final class Sessions implements SessionListener {
    @Override
    public void established(PeerSession peer, Negotiated negotiated) {
      advertiseAll(peer, negotiated, null);
    }

    @Override
    public void update(PeerSession peer, Update received) {
      Update update = withRealAsPath(received);
      InetAddress address = peer.spec().remote().getAddress();
      Map<Nlri, ReceivedRoute> rib = adjRibIn.computeIfAbsent(address, a -> new HashMap<>());
      List<Nlri> withdrawn = new ArrayList<>();
      for (Nlri n : update.allWithdrawn()) {
        if (rib.remove(n) != null) {
          withdrawn.add(n);
        }
      }
      List<PathAttribute> attrs = new ArrayList<>();
      InetAddress v4NextHop = null;
      InetAddress mpNextHop = null;
      for (PathAttribute a : update.attributes()) {
        switch (a) {
          case PathAttribute.MpReach r ->
              mpNextHop = r.nextHops().isEmpty() ? null : r.nextHops().get(0);
          case PathAttribute.MpUnreach u -> {}
          case PathAttribute.NextHop h -> {
            v4NextHop = h.address();
            attrs.add(h);
          }
          default -> attrs.add(a);
        }
      }
      List<ReceivedRoute> announced = new ArrayList<>();
      if (containsLocalAs(update)) {
        // RFC 4271 §9.1.2: a route whose AS_PATH holds our AS is a loop; drop it (and any earlier
        // version of it) instead of importing.
        for (Nlri n : update.allNlri()) {
          if (rib.remove(n) != null) {
            withdrawn.add(n);
          }
        }
        if (!withdrawn.isEmpty()) {
          listeners.forEach(l -> l.withdrawn(address, withdrawn));
        }
        return;
      }
      for (Nlri n : update.nlri()) {
        announced.add(new ReceivedRoute(address, n, v4NextHop, attrs));
      }
      for (PathAttribute a : update.attributes()) {
        if (a instanceof PathAttribute.MpReach r) {
          for (Nlri n : r.nlri()) {
            announced.add(new ReceivedRoute(address, n, mpNextHop, attrs));
          }
        }
      }
      announced.forEach(r -> rib.put(r.nlri(), r));
      if (!withdrawn.isEmpty()) {
        listeners.forEach(l -> l.withdrawn(address, withdrawn));
      }
      if (!announced.isEmpty()) {
        listeners.forEach(l -> l.announced(address, announced));
      }
    }

    @Override
    public void routeRefresh(PeerSession peer, BgpMessage.RouteRefresh request) {
      Negotiated n = peer.negotiated();
      if (n != null && request.subtype() == 0) {
        advertiseAll(peer, n, request.family());
      }
    }

    @Override
    public void down(PeerSession peer, String reason) {
      dropAdjRibIn(peer.spec().remote().getAddress());
    }
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
    try {
      return loop.submit(task).get(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted waiting for the speaker loop", e);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("speaker loop did not answer within 10 s", e);
    }
  }

  /** Stops every peer with Cease/Administrative Shutdown, closes the listener and the loop. */
  @Override
  public void close() {
    try {
      call(
          () -> {
            for (PeerSession p : peers.values()) {
              p.stop(BgpMessage.Notification.of(NotificationSubcode.ADMINISTRATIVE_SHUTDOWN));
            }
            peers.clear();
            return null;
          });
    } finally {
      if (listener != null) {
        listener.close();
      }
      group.shutdownGracefully(100, 2_000, TimeUnit.MILLISECONDS).syncUninterruptibly();
    }
  }
}
