package dev.netctl.bgp.speaker;

import dev.netctl.bgp.rib.OutboundProfile;
import dev.netctl.bgp.rib.Peer;
import dev.netctl.bgp.rib.Rib;
import dev.netctl.bgp.rib.RoutePolicy;
import dev.netctl.bgp.rib.UpdateGroup;
import io.netty.channel.EventLoop;
import java.net.InetAddress;
import java.util.concurrent.CompletableFuture;

/**
 * Applies a peer's new policies or route-reflector-client role to its established session without
 * resetting it (soft reconfiguration): the import policy is re-applied to the Adj-RIB-In, which
 * keeps routes as received; a new export policy moves the peer to the update group that exports
 * with it; a new role re-keys the peer's paths in the RIB and moves it likewise. Changes that need
 * a new session are {@link BgpSpeaker#updatePeer}'s. Runs on the speaker's loop; each step is
 * chained after the RIB work already queued for the peer, so it sees the group and joined state
 * that work left.
 */
final class SoftReconfiguration {
  private final Rib rib;
  private final EventLoop loop;
  private final AttachedPeers attached;

  SoftReconfiguration(Rib rib, EventLoop loop, AttachedPeers attached) {
    this.rib = rib;
    this.loop = loop;
    this.attached = attached;
  }

  /**
   * Applies {@code change}, which must not reset the session, to the established session at {@code
   * address}, if any; {@code neighbor} is the new configuration.
   */
  void apply(InetAddress address, NeighborChange change, Neighbor neighbor) {
    AttachedPeer a = attached.get(address);
    if (a == null) {
      return; // not established: attach() takes the new configuration
    }
    if (change.reflectorClient()) {
      // Covers the policies too: the paths are re-imported and the group is chosen anew.
      a.ready = a.tail().thenComposeAsync(v -> changeRole(a, neighbor), loop);
      return;
    }
    if (change.importPolicy()) {
      attached.inOrder(address, () -> rib.addPeer(a.peer, neighbor.importPolicy()));
    }
    if (change.exportPolicy()) {
      a.ready = a.tail().thenComposeAsync(v -> regroup(a, neighbor.exportPolicy()), loop);
    }
  }

  /**
   * The peer's reflector-client role changed: the RIB re-keys its paths to the peer with the new
   * role and moves it to the matching update group, the session staying up; on the loop.
   */
  private CompletableFuture<Void> changeRole(AttachedPeer a, Neighbor neighbor) {
    UpdateGroup from = a.group;
    if (from == null || !attached.current(a)) {
      return CompletableFuture.completedFuture(null);
    }
    Peer before = a.peer;
    Peer now =
        new Peer(
            before.address(),
            before.routerId(),
            before.asn(),
            before.kind(),
            neighbor.routeReflectorClient(),
            before.allowLocalAs());
    UpdateGroup to =
        rib.group(
            profile(from.profile(), neighbor.routeReflectorClient(), neighbor.exportPolicy()));
    // What the old group still holds for the peer goes out while it is a member under its old key,
    // or goes with the move.
    if (a.joined) {
      attached.moving(from, before);
    }
    a.peer = now;
    a.group = to;
    attached.rekey(before, now);
    attached.writer(to);
    return a.joined
        ? rib.changeRole(before, now, neighbor.importPolicy(), from, to)
        : rib.changeRole(before, now, neighbor.importPolicy(), null, null);
  }

  private static OutboundProfile profile(
      OutboundProfile p, boolean reflectorClient, RoutePolicy export) {
    return new OutboundProfile(
        p.kind(),
        reflectorClient,
        p.codec(),
        p.families(),
        export,
        p.ipv4NextHopSelf(),
        p.ipv6NextHopSelf(),
        p.ipv6LinkLocalNextHopSelf());
  }

  /** Moves an attached peer to the update group of its new export policy; on the loop. */
  private CompletableFuture<Void> regroup(AttachedPeer a, RoutePolicy export) {
    UpdateGroup from = a.group;
    if (from == null || !attached.current(a)) {
      return CompletableFuture.completedFuture(null);
    }
    OutboundProfile p = from.profile();
    UpdateGroup to = rib.group(profile(p, p.routeReflectorClient(), export));
    if (to == from) {
      return CompletableFuture.completedFuture(null);
    }
    a.group = to;
    attached.writer(to);
    if (!a.joined) {
      return CompletableFuture.completedFuture(null); // deferring: the join will use the new group
    }
    // What the old group still holds for the peer goes out first (or goes with the move); the
    // move's withdrawals are computed from the Loc-RIB as the old policy exported it.
    attached.moving(from, a.peer);
    return rib.move(from, to, a.peer);
  }
}
