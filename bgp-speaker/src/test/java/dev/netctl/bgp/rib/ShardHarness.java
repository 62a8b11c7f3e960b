package dev.netctl.bgp.rib;

import dev.netctl.bgp.codec.AddressFamily;
import dev.netctl.bgp.codec.BgpEncoder;
import dev.netctl.bgp.codec.BgpMessage;
import dev.netctl.bgp.codec.BgpMessage.Update;
import dev.netctl.bgp.codec.CodecContext;
import dev.netctl.bgp.codec.Nlri;
import dev.netctl.bgp.codec.PathAttribute;
import dev.netctl.bgp.codec.Prefix;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** One RIB shard driven synchronously, with recorded sink changes and per-member receiver views. */
final class ShardHarness {
  final Map<Peer, RoutePolicy> policies = new ConcurrentHashMap<>();
  final List<RouteSink> sinks = new CopyOnWriteArrayList<>();
  final UpdateGroups groups = new UpdateGroups();
  final List<BestPathChange> changes = new ArrayList<>();
  final RibShard shard;

  /** What each member has been told: prefix#pathId → attributes (with NEXT_HOP / MP next hop). */
  final Map<Peer, Map<Nlri, Received>> views = new HashMap<>();

  /** Every UPDATE each member received, in order. */
  final Map<Peer, List<Update>> inbox = new HashMap<>();

  /** Every message (UPDATEs and route-refresh markers) each member received, in order. */
  final Map<Peer, List<BgpMessage>> messages = new HashMap<>();

  /** Attributes as a receiver sees them. */
  record Received(List<PathAttribute> attributes, InetAddress nextHop) {}

  /** Each peer's received-path and loop counts, as the shard keeps it. */
  final Map<Peer, PeerCounts> received = new ConcurrentHashMap<>();

  /** For a group whose members are never split off. */
  static final UpdateGroup.Resync NO_RESYNC =
      (OneShard)
          (group, round, sync) -> {
            throw new AssertionError("no member of this group was split off");
          };

  /** Catch-ups on a RIB of one shard. */
  interface OneShard extends UpdateGroup.Resync {
    @Override
    default int shards() {
      return 1;
    }

    @Override
    default int shardOf(Prefix prefix) {
      return 0;
    }
  }

  /** Catch-up chunks asked for so far. */
  int chunks;

  ShardHarness(RibConfig config, NextHopResolver resolver) {
    shard =
        new RibShard(
            config,
            resolver,
            policies,
            sinks,
            groups,
            p -> received.computeIfAbsent(p, k -> new PeerCounts()));
    sinks.add(changes::add);
  }

  ShardHarness() {
    this(Fixtures.config(), NextHopResolver.ALL_REACHABLE);
  }

  static OutboundProfile profile(PeerKind kind, boolean client, CodecContext codec) {
    return new OutboundProfile(
        kind,
        client,
        codec,
        Set.of(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST),
        RoutePolicy.ACCEPT_ALL,
        Fixtures.ip("10.255.0.1"),
        Fixtures.ip("2001:db8:ffff::1"),
        null);
  }

  UpdateGroup group(OutboundProfile profile, Peer... members) {
    // A member's catch-up runs on this one shard, synchronously.
    UpdateGroup g =
        new UpdateGroup(
            profile,
            (OneShard)
                (group, round, sync) -> {
                  chunks++;
                  shard.catchUp(group, sync, round, 0);
                });
    groups.add(g);
    for (Peer m : members) {
      join(g, m);
    }
    return g;
  }

  void join(UpdateGroup g, Peer member) {
    shard.sync(g, g.beginSync(member, 1));
  }

  /**
   * Has a split-off member catch up as the session writer does while its channel can take data: a
   * chunk at a time, each delivered before the next is asked for, until it is back on the shared
   * path. Returns the number of drains it took.
   */
  int catchUp(UpdateGroup g, Peer member) {
    for (int drains = 0; drains < 100_000; drains++) {
      if (g.catchUp(member)) {
        return drains;
      }
      drainAll();
    }
    throw new AssertionError(member + " never caught up");
  }

  /**
   * Drains every group and delivers to members, checking the size limit of every message. As with
   * the session writer, a split-off member gets only what is addressed to it alone (its catch-up).
   */
  List<OutboundUpdate> drainAll() {
    List<OutboundUpdate> all = new ArrayList<>();
    for (UpdateGroup g : groups.list()) {
      // Split-off members get nothing until they are put back, as with the session writer.
      Set<Peer> behind = g.detached();
      List<OutboundUpdate> out = g.drain();
      all.addAll(out);
      deliver(g, out, behind);
    }
    return all;
  }

  /** Delivers drained messages of {@code g} to its members; {@code behind} are split off. */
  void deliver(UpdateGroup g, List<OutboundUpdate> out, Set<Peer> behind) {
    CodecContext codec = g.profile().codec();
    for (OutboundUpdate u : out) {
      int size = BgpEncoder.encode(u.message(), codec).length;
      if (!(u.message() instanceof Update update)) {
        for (Peer m : g.members()) {
          if (reaches(u, m, behind)) {
            messages.computeIfAbsent(m, k -> new ArrayList<>()).add(u.message());
          }
        }
        continue;
      }
      if (size > codec.maxMessageSize()) {
        throw new AssertionError("UPDATE of " + size + " octets exceeds " + codec.maxMessageSize());
      }
      for (Peer m : g.members()) {
        if (reaches(u, m, behind)) {
          messages.computeIfAbsent(m, k -> new ArrayList<>()).add(update);
          deliver(m, update);
        }
      }
    }
  }

  private static boolean reaches(OutboundUpdate u, Peer m, Set<Peer> behind) {
    if (behind.contains(m)) {
      return u.audience() instanceof Audience.Only o && o.peer().equals(m);
    }
    return u.audience().includes(m);
  }

  Map<Nlri, Received> view(Peer member) {
    return views.getOrDefault(member, Map.of());
  }

  private void deliver(Peer member, Update u) {
    inbox.computeIfAbsent(member, k -> new ArrayList<>()).add(u);
    Map<Nlri, Received> view = views.computeIfAbsent(member, k -> new HashMap<>());
    for (Nlri n : u.allWithdrawn()) {
      view.remove(n);
    }
    List<PathAttribute> plain = new ArrayList<>();
    InetAddress nextHop = null;
    for (PathAttribute a : u.attributes()) {
      switch (a) {
        case PathAttribute.NextHop nh -> nextHop = nh.address();
        case PathAttribute.MpReach r -> {}
        case PathAttribute.MpUnreach r -> {}
        default -> plain.add(a);
      }
    }
    for (Nlri n : u.nlri()) {
      view.put(n, new Received(plain, nextHop));
    }
    for (PathAttribute a : u.attributes()) {
      if (a instanceof PathAttribute.MpReach r) {
        for (Nlri n : r.nlri()) {
          view.put(n, new Received(plain, r.nextHops().get(0)));
        }
      }
    }
  }

  /** The Loc-RIB best path of a prefix, or null. */
  Route best(Prefix p) {
    return shard.lookup(p).map(RibEntry::best).orElse(null);
  }
}
