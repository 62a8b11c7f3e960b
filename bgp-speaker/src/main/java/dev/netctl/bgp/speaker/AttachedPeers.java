package dev.netctl.bgp.speaker;

import dev.netctl.bgp.codec.AddressFamily;
import dev.netctl.bgp.codec.AddressText;
import dev.netctl.bgp.fsm.Negotiated;
import dev.netctl.bgp.rib.OutboundProfile;
import dev.netctl.bgp.rib.Peer;
import dev.netctl.bgp.rib.PeerKind;
import dev.netctl.bgp.rib.Rib;
import dev.netctl.bgp.rib.UpdateGroup;
import dev.netctl.bgp.session.PeerSession;
import io.netty.channel.EventLoop;
import java.net.InetAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The established sessions as the RIB knows them: registers a session's peer with the RIB and its
 * update group when it comes up, takes its routes out (or keeps them stale, through {@link
 * StalePeers}) when it goes down, and keeps each peer's RIB work in order. Runs on the speaker's
 * loop; the RIB answers on its own threads, so each step that touches this state is chained back
 * onto the loop.
 */
final class AttachedPeers {
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(AttachedPeers.class);

  static final Set<AddressFamily> UNICAST =
      Set.of(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST);

  private final Rib rib;
  private final EventLoop loop;
  private final StalePeers stalePeers;
  private final BooleanSupplier holdingTables;
  private final Map<InetAddress, AttachedPeer> attached = new HashMap<>();
  // RIB cleanup of sessions that went down, per address, until it is done: a session coming back
  // at the address waits for it.
  private final Map<InetAddress, CompletableFuture<Void>> leaving = new HashMap<>();
  // Shared with the GroupWriters: the channel of every update-group member.
  private final Map<Peer, PeerSession> sessions = new HashMap<>();
  private final Map<UpdateGroup, GroupWriter> writers = new HashMap<>();

  /**
   * @param staleTime how long a peer back from a graceful restart may keep stale routes
   * @param holdingTables whether peers' initial tables are held back (we are restarting, RFC 4724
   *     §4.1); asked when a new peer is registered
   */
  AttachedPeers(Rib rib, EventLoop loop, Duration staleTime, BooleanSupplier holdingTables) {
    this.rib = rib;
    this.loop = loop;
    this.holdingTables = holdingTables;
    this.stalePeers = new StalePeers(rib, loop, staleTime, this::inOrder);
  }

  /** The peers whose routes are kept through their graceful restart. */
  StalePeers stale() {
    return stalePeers;
  }

  /** The established session at an address, or null. */
  AttachedPeer get(InetAddress address) {
    return attached.get(address);
  }

  /** Whether {@code a} is still the session at its address (it may have gone down since). */
  boolean current(AttachedPeer a) {
    return attached.get(a.peer.address()) == a;
  }

  /**
   * The writer of an update group, made on first use and again when the group comes back after
   * being retired: a writer forgets itself when its group is (see {@link GroupWriter}), so a
   * speaker going through many export profiles keeps writers only for those in use.
   */
  GroupWriter writer(UpdateGroup group) {
    return writers.computeIfAbsent(
        group, g -> new GroupWriter(g, loop, sessions, w -> writers.remove(g, w)));
  }

  /** Number of writers kept (tests). */
  int writerCount() {
    return writers.size();
  }

  /** Writes what the group holds now if its members can take it (see {@link GroupWriter}). */
  void drain(UpdateGroup group) {
    if (writers.get(group) instanceof GroupWriter w) {
      w.drain();
    }
  }

  /**
   * Before {@code peer} moves out of {@code group}: what the group still holds for it goes out now
   * if its members can take it, and what its writer cannot write now goes with the move (see {@link
   * GroupWriter#moving}).
   */
  void moving(UpdateGroup group, Peer peer) {
    if (writers.get(group) instanceof GroupWriter w) {
      w.drain();
      w.moving(peer);
    }
  }

  /** The peer's RIB identity changed (reflector-client role): its channel follows. */
  void rekey(Peer before, Peer now) {
    PeerSession session = sessions.remove(before);
    if (session != null) {
      sessions.put(now, session);
    }
  }

  /** Registers an established session with the RIB and joins its update group. */
  void attach(PeerSession session, Negotiated n, Neighbor neighbor) {
    InetAddress address = session.spec().remote().getAddress();
    // The AS the peer presented, which a dynamic peer's template may leave open (RFC 4271 §6.2).
    long remoteAs = n.peerAs(session.spec().config().remoteAs());
    boolean internal = remoteAs == session.spec().config().localAs();
    Peer peer =
        new Peer(
            address,
            n.peerOpen().bgpId(),
            remoteAs,
            internal ? PeerKind.IBGP : PeerKind.EBGP,
            neighbor.routeReflectorClient(),
            session.spec().config().allowLocalAs());
    Set<AddressFamily> families = new HashSet<>(n.families());
    families.retainAll(UNICAST);
    OutboundProfile profile =
        new OutboundProfile(
            peer.kind(),
            peer.routeReflectorClient(),
            n.send(),
            families,
            neighbor.exportPolicy(),
            Ipv4NextHop.self(neighbor),
            Ipv6NextHop.self(neighbor),
            null);
    AttachedPeer a = new AttachedPeer(peer, n, families);
    attached.put(address, a);
    // A flapping session's RIB cleanup must finish before the equal Peer registers again.
    CompletableFuture<Void> before =
        stalePeers.reestablished(
            address,
            peer,
            n,
            leaving.getOrDefault(address, CompletableFuture.completedFuture(null)));
    // After the previous session's cleanup, even a failed one: a new session that never
    // registered would take UPDATEs that go nowhere.
    a.ready =
        before
            .exceptionally(e -> null)
            .thenComposeAsync(
                v -> {
                  if (!current(a)) {
                    return CompletableFuture.completedFuture(null);
                  }
                  sessions.put(peer, session);
                  CompletableFuture<Void> registered = rib.addPeer(peer, neighbor.importPolicy());
                  a.group = rib.group(profile);
                  writer(a.group);
                  if (!holdingTables.getAsBoolean()) {
                    a.joined = true;
                    rib.join(a.group, peer);
                  }
                  return registered;
                },
                loop);
  }

  /** Sends every registered peer still waiting for it its initial table: our restart is over. */
  void joinAll() {
    for (AttachedPeer a : attached.values()) {
      a.ready =
          a.tail()
              .thenComposeAsync(
                  v -> {
                    if (a.group == null || a.joined || !current(a)) {
                      return CompletableFuture.completedFuture(null);
                    }
                    a.joined = true;
                    // The group may have been retired while the peer waited: its writer is gone.
                    writer(a.group);
                    return rib.join(a.group, a.peer);
                  },
                  loop);
    }
  }

  /** Runs RIB work for one peer after everything already queued for it. */
  void inOrder(InetAddress address, Supplier<CompletableFuture<Void>> work) {
    AttachedPeer a = attached.get(address);
    if (a != null) {
      a.ready = a.tail().thenCompose(v -> work.get());
      return;
    }
    // After the session's cleanup, failed or not: a restart timer's or a de-configuration's
    // peerDown skipped there would leave stale routes for good.
    leave(
        address,
        leaving
            .getOrDefault(address, CompletableFuture.completedFuture(null))
            .exceptionally(e -> null)
            .thenCompose(v -> work.get()));
  }

  /**
   * Forgets an established session: its routes leave the RIB, or stay as stale when the peer
   * restarts gracefully ({@code notification} false and the capability negotiated).
   */
  void detach(InetAddress address, boolean notification) {
    AttachedPeer a = attached.remove(address);
    if (a == null) {
      return;
    }
    Set<AddressFamily> keep = stalePeers.lost(address, a.peer, a.negotiated, notification);
    sessions.remove(a.peer);
    if (a.group != null && writers.get(a.group) instanceof GroupWriter w) {
      // The group may have been waiting for this member's channel to drain.
      w.schedule();
    }
    // Whatever became of the work queued for the session (a batch the RIB failed to apply fails
    // everything after it), its routes leave: skipped, they would stay in the RIB and be
    // advertised for a session that is gone.
    leave(
        address,
        a.tail()
            .exceptionally(e -> null)
            .thenCompose(
                v -> keep == null ? rib.peerDown(a.peer) : rib.peerDownGracefully(a.peer, keep)));
  }

  /** The peer is de-configured (its session stopped with a NOTIFICATION): every route goes. */
  void deconfigured(InetAddress address) {
    detach(address, true);
    Peer stale = stalePeers.forget(address);
    if (stale != null) {
      inOrder(address, () -> rib.peerDown(stale));
    }
  }

  private void leave(InetAddress address, CompletableFuture<Void> work) {
    leaving.put(address, work);
    work.whenCompleteAsync(
        (v, e) -> {
          leaving.remove(address, work);
          if (e != null) {
            LOG.error(
                "peer {}: the RIB failed while cleaning up after it", AddressText.of(address), e);
          }
        },
        loop);
  }
}
