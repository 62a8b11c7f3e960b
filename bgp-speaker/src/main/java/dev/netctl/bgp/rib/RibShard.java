package dev.netctl.bgp.rib;

import dev.netctl.bgp.codec.AddressFamily;
import dev.netctl.bgp.codec.Ipv4NlriList;
import dev.netctl.bgp.codec.Prefix;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One shard of the RIB: for the prefixes that hash to it, every peer's Adj-RIB-In, the Loc-RIB with
 * best-path selection; what changes goes out through its {@link ChangePublisher}.
 *
 * <p>Single-threaded by design: {@link Rib} gives each shard its own executor, so the UPDATE path
 * takes no lock; unit tests drive a shard directly and deterministically.
 */
final class RibShard {
  private final RibConfig config;
  private final BestPath bestPath;
  private final Map<Peer, RoutePolicy> importPolicies;
  private final Map<Peer, AdjRibIn> adjIn = new HashMap<>();
  private final LocRib locRib = new LocRib();
  // Paths kept after a graceful restart (RFC 4724 §4.2) or inside an enhanced route refresh (RFC
  // 7313 §4) that the peer has not sent again yet; their attributes sit in the Adj-RIB-In.
  private final Map<Peer, AdjRibIn> stale = new HashMap<>();
  private final ChangePublisher publisher;
  private final Function<Peer, PeerCounts> counters;
  // The import policy last looked up, and for whom: a million prefixes from one peer would
  // otherwise hash the peer a million times (see forgetPolicy).
  private Peer policyPeer;
  private RoutePolicy policy;
  // The last import result, reused while a prefix-independent policy sees the same peer and
  // interned attributes: the prefixes of one UPDATE arrive together.
  private Peer importedPeer;
  private RoutePolicy importedPolicy;
  private AttributeSet importedFrom;
  private AttributeSet imported;
  private boolean importedLoop;
  // Whether the last import rejected the route as a loop (ImportRules.loops), for its counting.
  private boolean lastLoop;
  // The Adj-RIB-In last written to: an UPDATE's prefixes all come from one peer.
  private Peer lastPeer;
  private AdjRibIn lastIn;
  // The Adj-RIB-In whose shared paths are counted but not reported yet (see AdjRibIn.report): at
  // most one, as an UPDATE's prefixes all come from one peer.
  private AdjRibIn unreported;

  /**
   * A shard sharing the peer policies, sinks and groups (concurrent collections owned by {@link
   * Rib}, read here on every change).
   */
  RibShard(
      RibConfig config,
      NextHopResolver resolver,
      Map<Peer, RoutePolicy> importPolicies,
      List<RouteSink> sinks,
      UpdateGroups groups) {
    this(config, resolver, importPolicies, sinks, groups, p -> new PeerCounts());
  }

  /** As above, adding each peer's path and loop counts to {@code counters.apply(peer)}. */
  RibShard(
      RibConfig config,
      NextHopResolver resolver,
      Map<Peer, RoutePolicy> importPolicies,
      List<RouteSink> sinks,
      UpdateGroups groups,
      Function<Peer, PeerCounts> counters) {
    this.counters = counters;
    this.config = config;
    this.bestPath = new BestPath(resolver, config.alwaysCompareMed(), config.maxPaths());
    this.importPolicies = importPolicies;
    this.publisher = new ChangePublisher(config, sinks, groups);
  }

  /** See {@link ChangePublisher#deferSignals}. */
  void deferSignals() {
    publisher.deferSignals();
  }

  /**
   * Adds the paths counted since the last call to their peers' counts (see {@link
   * AdjRibIn#report}). The {@link Rib} calls it at the end of every task that may change paths,
   * before the task completes: whoever waits for the task then reads counts that include it.
   */
  void reportCounts() {
    if (unreported != null) {
      unreported.report();
      unreported = null;
    }
  }

  // Has in's shared counts reported at the next reportCounts, and those of the table before now.
  private void counting(AdjRibIn in) {
    if (in != unreported) {
      reportCounts();
      unreported = in;
    }
  }

  /** See {@link ChangePublisher#releaseSignals}. */
  void releaseSignals() {
    publisher.releaseSignals();
  }

  /** A path received from {@code peer} (or originated, for {@link Peer#LOCAL}). */
  void announce(Peer peer, Prefix prefix, int pathId, AttributeSet received) {
    AdjRibIn in = lastPeer == peer ? lastIn : null;
    if (in == null) {
      in = adjIn.computeIfAbsent(peer, p -> new AdjRibIn(p, counters.apply(p)));
      lastPeer = peer;
      lastIn = in;
    }
    unmarkStale(peer, prefix, pathId);
    AttributeSet imported = imported(peer, prefix, received);
    if (pathId == 0
        && imported == received
        && !prefix.ipv6()
        && announceShared(in, prefix, Ipv4NlriList.pack(prefix), received)) {
      return;
    }
    boolean loop = lastLoop;
    if (in.sharedCount() > 0) {
      locRib.unshare(prefix); // the path goes into the Adj-RIB-In table below
    }
    AttributeSet old = in.put(prefix, pathId, received);
    if (loop) {
      in.looped(1);
    }
    uncountLoop(in, peer, old);
    replacePath(prefix, peer, pathId, imported);
  }

  /**
   * {@link #announce} of path 0 of an IPv4 prefix packed as {@link Ipv4NlriList#pack}, as an UPDATE
   * decodes it: the common case (see {@link #announceShared}) takes no {@link Prefix}; every other
   * one (the first prefix of an attribute set, which the import policy sees; stale marks; several
   * paths) goes the general way with one.
   */
  void announce(Peer peer, long packed, AttributeSet received) {
    AdjRibIn in = lastPeer == peer ? lastIn : null;
    // The import policy's answer without the prefix: the one remembered for this peer and set,
    // which only a prefix-independent policy leaves (see imported).
    if (in == null
        || !stale.isEmpty()
        || !canonical(packed)
        || importedPeer != peer
        || importedFrom != received
        || imported != received
        || importedPolicy != importPolicy(peer)
        || !announceShared(in, null, packed, received)) {
      announce(peer, Ipv4NlriList.unpack(packed), 0, received);
    }
  }

  /**
   * {@link #withdraw} of path 0 of an IPv4 prefix packed as in {@link #announce(Peer, long,
   * AttributeSet)}.
   */
  void withdraw(Peer peer, long packed) {
    AdjRibIn in = lastPeer == peer ? lastIn : adjIn.get(peer);
    if (stale.isEmpty() && canonical(packed)) {
      if (in == null) {
        return;
      }
      if (in.sharedCount() > 0) {
        int slot = locRib.slot(packed);
        if (slot >= 0 && locRib.sharedOwner(slot) == in) {
          withdrawShared(peer, null, packed, slot, in);
          return;
        }
      }
    }
    withdraw(peer, Ipv4NlriList.unpack(packed), 0);
  }

  /**
   * Whether {@code packed} is an IPv4 prefix as {@link Ipv4NlriList#pack} makes it: length at most
   * 32, host bits clear. The decoder only makes such; anything else goes the general way, where
   * {@link Ipv4NlriList#unpack} clears host bits or rejects the length as it always did.
   */
  private static boolean canonical(long packed) {
    int length = (int) (packed & 0xff);
    long address = packed >>> 8;
    return length <= 32 && (address & ~(0xffffffffL << (32 - length) & 0xffffffffL)) == 0;
  }

  /**
   * The common case in one table probe: path 0 of an IPv4 prefix ({@code packed}; {@code prefix}
   * too, or null when none was built) that import policy left as received and that is, or becomes,
   * the prefix's only path. The Loc-RIB's compact entry then stands for the Adj-RIB-In entry too
   * (see {@link AdjRibIn}). Returns false, having changed nothing, for every other case.
   */
  private boolean announceShared(AdjRibIn in, Prefix prefix, long packed, AttributeSet received) {
    if (!in.storesNothing() && in.stores(packed)) {
      return false;
    }
    Peer peer = in.peer();
    int slot = locRib.probe(packed);
    if (slot < 0) {
      if (!bestPath.usable(received)) {
        return false; // kept as a Destination without a best path
      }
      locRib.insertShared(packed, in, received, slot);
      counting(in);
      in.addShared();
      publisher.inserted(prefix, packed, peer, received);
      return true;
    }
    if (locRib.sharedOwner(slot) != in) {
      return false;
    }
    AttributeSet old = locRib.compactAttributes(slot);
    if (old == received) {
      return true; // interned: identical content, nothing changed
    }
    if (!bestPath.usable(received)) {
      return false;
    }
    locRib.setCompact(slot, in, received);
    publisher.replaced(prefix, packed, peer, old, peer, received);
    return true;
  }

  /**
   * The attributes {@code received} enter the Loc-RIB with, or null when rejected; {@link
   * #lastLoop} tells whether the rejection was a loop.
   */
  private AttributeSet imported(Peer peer, Prefix prefix, AttributeSet received) {
    RoutePolicy policy = importPolicy(peer);
    if (peer == importedPeer && policy == importedPolicy && received == importedFrom) {
      lastLoop = importedLoop;
      return imported;
    }
    AttributeSet out = ImportRules.apply(config, peer, policy, prefix, received).orElse(null);
    // Asked again only for a rejected route: the loop check is cheap, and rejections are rare.
    lastLoop = out == null && ImportRules.loops(config, peer, received);
    if (policy.prefixIndependent()) {
      importedPeer = peer;
      importedPolicy = policy;
      importedFrom = received;
      imported = out;
      importedLoop = lastLoop;
    }
    return out;
  }

  // A path that left the Adj-RIB-In (replaced or withdrawn) no longer counts as a loop. Its
  // AS_PATH is looked at only while the table holds loops, so the usual update pays nothing.
  private void uncountLoop(AdjRibIn in, Peer peer, AttributeSet old) {
    if (old != null && in.loops() > 0 && ImportRules.loops(config, peer, old)) {
      in.looped(-1);
    }
  }

  private AdjRibIn dropAdjIn(Peer peer) {
    lastPeer = null;
    lastIn = null;
    return adjIn.remove(peer);
  }

  /** A path withdrawn by {@code peer}. */
  void withdraw(Peer peer, Prefix prefix, int pathId) {
    // The Adj-RIB-In last written to, as in announce: an UPDATE withdraws for one peer.
    AdjRibIn in = lastPeer == peer ? lastIn : adjIn.get(peer);
    unmarkStale(peer, prefix, pathId);
    if (in == null) {
      return;
    }
    if (pathId == 0 && in.sharedCount() > 0 && !prefix.ipv6()) {
      long packed = Ipv4NlriList.pack(prefix);
      int slot = locRib.slot(packed);
      if (slot >= 0 && locRib.sharedOwner(slot) == in) {
        withdrawShared(peer, prefix, packed, slot, in);
        return;
      }
    }
    AttributeSet old = in.remove(prefix, pathId);
    if (old != null) {
      uncountLoop(in, peer, old);
      replacePath(prefix, peer, pathId, null);
      dropIfEmpty(peer, in);
    }
  }

  /**
   * Withdraws the shared entry in {@code slot}, {@code in}'s path (prefix as in announceShared).
   */
  private void withdrawShared(Peer peer, Prefix prefix, long packed, int slot, AdjRibIn in) {
    // Uncounted before the removal is published: the path leaves the table whatever publishing
    // does (a sink that throws), and the count must not stay one high for the session's life.
    counting(in);
    in.removeShared();
    dropIfEmpty(peer, in);
    removeCompact(prefix, packed, slot, peer);
  }

  private void dropIfEmpty(Peer peer, AdjRibIn in) {
    if (in.size() == 0) {
      dropAdjIn(peer);
    }
  }

  /**
   * Removes every path of a peer whose session went down. Every path goes even when publishing
   * one's removal fails (a sink that throws): stopped there, the rest would stay in the Loc-RIB,
   * exported, with no Adj-RIB-In left to find them by. The first failure is rethrown at the end.
   */
  void peerDown(Peer peer) {
    forgetPolicy();
    stale.remove(peer);
    AdjRibIn in = dropAdjIn(peer);
    if (in != null) {
      in.uncount();
      Failures failures = new Failures();
      for (long key : locRib.unshareAll(in, false)) {
        try {
          replacePath(LocRib.prefixOf(key), peer, 0, null);
        } catch (RuntimeException e) {
          failures.add(e);
        }
      }
      in.forEach(
          (prefix, pathId, attrs) -> {
            try {
              replacePath(prefix, peer, pathId, null);
            } catch (RuntimeException e) {
              failures.add(e);
            }
          });
      failures.rethrow();
    }
  }

  /**
   * The first of several failures: the others are dropped, not suppressed in it (a sink failing on
   * every change of a million-route peer would otherwise hold a million exceptions).
   */
  private static final class Failures {
    private RuntimeException first;

    void add(RuntimeException e) {
      if (first == null) {
        first = e;
      }
    }

    void rethrow() {
      if (first != null) {
        throw first;
      }
    }
  }

  /** Visits every path {@code in} holds, shared ones included. */
  private void forEachReceived(AdjRibIn in, AdjRibIn.Visitor visitor) {
    in.forEach(visitor);
    locRib.forEachShared(in, visitor);
  }

  /**
   * Marks every path of {@code peer} in {@code families} stale: they stay in the Adj-RIB-In and
   * Loc-RIB (still selectable and exported) until sent again or swept.
   */
  void markStale(Peer peer, Set<AddressFamily> families) {
    AdjRibIn in = adjIn.get(peer);
    if (in == null) {
      return;
    }
    AdjRibIn marks = stale.computeIfAbsent(peer, p -> new AdjRibIn());
    forEachReceived(
        in,
        (prefix, pathId, attrs) -> {
          if (families.contains(prefix.family())) {
            marks.put(prefix, pathId, attrs);
          }
        });
    if (marks.size() == 0) {
      stale.remove(peer);
    }
  }

  /** Withdraws the paths of {@code peer} in {@code families} that are still stale. */
  void sweepStale(Peer peer, Set<AddressFamily> families) {
    AdjRibIn marks = stale.get(peer);
    if (marks == null) {
      return;
    }
    List<Prefix> prefixes = new ArrayList<>();
    List<Integer> pathIds = new ArrayList<>();
    marks.forEach(
        (prefix, pathId, attrs) -> {
          if (families.contains(prefix.family())) {
            prefixes.add(prefix);
            pathIds.add(pathId);
          }
        });
    // Every stale path goes even when one's withdrawal fails to publish (see peerDown).
    Failures failures = new Failures();
    for (int i = 0; i < prefixes.size(); i++) {
      try {
        withdraw(peer, prefixes.get(i), pathIds.get(i));
      } catch (RuntimeException e) {
        failures.add(e);
      }
    }
    failures.rethrow();
  }

  /** Number of stale paths of {@code peer}. */
  int staleCount(Peer peer) {
    AdjRibIn marks = stale.get(peer);
    return marks == null ? 0 : marks.size();
  }

  private void unmarkStale(Peer peer, Prefix prefix, int pathId) {
    if (stale.isEmpty()) {
      return; // the usual case: nothing restarting
    }
    AdjRibIn marks = stale.get(peer);
    if (marks != null && marks.remove(prefix, pathId) != null && marks.size() == 0) {
      stale.remove(peer);
    }
  }

  /** Re-applies the peer's (changed) import policy to its Adj-RIB-In. */
  void reimport(Peer peer) {
    forgetPolicy();
    AdjRibIn in = adjIn.get(peer);
    if (in == null) {
      return;
    }
    reapply(in, peer, peer);
  }

  /**
   * Moves every path of {@code from} to {@code to}, the same session with another reflector-client
   * role, re-applying the import policy: each prefix is reselected, and only what the role changes
   * (reflection of these paths, RFC 4456 §6) is published.
   */
  void rekey(Peer from, Peer to) {
    forgetPolicy();
    AdjRibIn marks = stale.remove(from);
    if (marks != null) {
      stale.put(to, marks);
    }
    AdjRibIn in = dropAdjIn(from);
    if (in == null) {
      return;
    }
    adjIn.put(to, in);
    locRib.unshareAll(in, true); // before the move: shared slots name the table's peer
    in.moveTo(to, counters.apply(to));
    reapply(in, from, to);
  }

  /**
   * Puts every path of {@code in} back into the Loc-RIB under {@code to}'s current import policy,
   * finding each under {@code from} (the same peer, or its previous role). Every path is moved even
   * when the policy or a sink fails on one: stopped there, the rest would stay under {@code from},
   * a key no Adj-RIB-In has after a role change. A path the policy fails on is not imported. The
   * first failure is rethrown at the end.
   */
  private void reapply(AdjRibIn in, Peer from, Peer to) {
    RoutePolicy policy = importPolicy(to);
    // The new policy may change what was shared: every path goes back to the table first.
    locRib.unshareAll(in, true);
    Failures failures = new Failures();
    in.forEach(
        (prefix, pathId, received) -> {
          AttributeSet imported = null;
          try {
            imported = ImportRules.apply(config, to, policy, prefix, received).orElse(null);
          } catch (RuntimeException e) {
            failures.add(e);
          }
          try {
            replacePath(prefix, from, to, pathId, imported);
          } catch (RuntimeException e) {
            failures.add(e);
          }
        });
    failures.rethrow();
  }

  /** Re-runs best-path selection everywhere after next-hop reachability or costs changed. */
  void refreshNextHops() {
    List<Prefix> prefixes = new ArrayList<>(locRib.size());
    locRib.forEach((prefix, d) -> prefixes.add(prefix));
    for (Prefix prefix : prefixes) {
      Destination d = locRib.get(prefix);
      Route oldBest = d.best();
      List<Route> oldMultipath = d.multipath();
      Route[] paths = d.paths();
      d.set(paths, bestPath.select(Arrays.asList(paths)));
      locRib.put(prefix, d); // d may be a copy of a compact entry
      publisher.publish(prefix, oldBest, oldMultipath, d.best(), d.multipath(), null, null);
    }
  }

  /** Publishes this shard's part of the group's table for a joining member. */
  void sync(UpdateGroup group, TableSync sync) {
    List<UpdatePacker.Entry> entries = new ArrayList<>();
    snapshot(group, sync, entries);
    group.addSyncPart(sync, entries);
  }

  /**
   * Publishes this shard's part of the table for a member moving to {@code group} from a group with
   * profile {@code previous}: withdrawals of the paths only {@code previous} exported, then the new
   * table.
   */
  void move(OutboundProfile previous, UpdateGroup group, TableSync sync) {
    List<UpdatePacker.Entry> entries = new ArrayList<>();
    Peer member = sync.peer();
    Audience audience = new Audience.Only(member);
    OutboundProfile profile = group.profile();
    locRib.forEach(
        (prefix, d) -> {
          AddressFamily family = prefix.family();
          if (!previous.families().contains(family)) {
            return;
          }
          boolean keep = profile.families().contains(family);
          if (previous.addPath(family)) {
            for (Route r : d.paths()) {
              if (publisher.export(previous, prefix, r, member) != null
                  && (!keep || publisher.export(profile, prefix, r, member) == null)) {
                entries.add(new UpdatePacker.Entry(prefix, r.localId(), null, audience));
              }
            }
          } else if (d.best() != null
              && publisher.export(previous, prefix, d.best(), member) != null
              && (!keep
                  || profile.addPath(family)
                  || publisher.export(profile, prefix, d.best(), member) == null)) {
            entries.add(new UpdatePacker.Entry(prefix, 0, null, audience));
          }
        });
    snapshot(group, sync, entries);
    group.addSyncPart(sync, entries);
  }

  /**
   * Publishes this shard's next chunk of {@code round} (see {@link CatchUp}) for its member alone:
   * for each key the path the group exports, or a withdrawal when there is none any more (or it
   * came from the member itself: withdrawing a route it never got from us is harmless); for each
   * walked prefix every path the group exports.
   */
  void catchUp(UpdateGroup group, TableSync sync, CatchUp round, int shard) {
    List<UpdatePacker.Entry> entries = new ArrayList<>();
    Peer member = round.peer();
    Audience audience = new Audience.Only(member);
    OutboundProfile profile = group.profile();
    round
        .part(shard)
        .next(
            round.chunk(),
            locRib,
            round.families(),
            (prefix, pathId, every) -> {
              Destination d = locRib.get(prefix);
              if (every) {
                if (d != null) {
                  exported(profile, prefix, d, member, audience, entries);
                }
                return;
              }
              AttributeSet out = null;
              if (d != null && profile.addPath(prefix.family())) {
                for (Route r : d.paths()) {
                  if (r.localId() == pathId) {
                    out = publisher.export(profile, prefix, r, member);
                  }
                }
              } else if (d != null && d.best() != null) {
                out = publisher.export(profile, prefix, d.best(), member);
              }
              entries.add(new UpdatePacker.Entry(prefix, pathId, out, audience));
            });
    group.addSyncPart(sync, entries);
  }

  private void snapshot(UpdateGroup group, TableSync sync, List<UpdatePacker.Entry> entries) {
    Peer member = sync.peer();
    Audience audience = new Audience.Only(member);
    OutboundProfile profile = group.profile();
    int from = entries.size();
    locRib.forEach(
        (prefix, d) -> {
          AddressFamily family = prefix.family();
          if (profile.families().contains(family) && sync.families().contains(family)) {
            exported(profile, prefix, d, member, audience, entries);
          }
        });
    java.util.Set<Object> offered = sync.offered;
    if (offered != null && (!offered.isEmpty() || group.hasPending())) {
      // An initial table taken while changes arrive. A path this shard offered the group since the
      // member joined reached it in a drain, in its current state (a later change would be
      // pending); one pending now reaches it in a drain at the latest with the last part, before
      // its End-of-RIB (see UpdateGroup.drain). Sent here as well it went out twice.
      entries
          .subList(from, entries.size())
          .removeIf(
              e ->
                  offered.contains(TableSync.key(e.prefix(), e.pathId()))
                      || group.pending(e.prefix(), e.pathId()));
    }
  }

  /** Adds what the group exports to {@code member} for {@code prefix}: each path, or the best. */
  private void exported(
      OutboundProfile profile,
      Prefix prefix,
      Destination d,
      Peer member,
      Audience audience,
      List<UpdatePacker.Entry> entries) {
    if (profile.addPath(prefix.family())) {
      for (Route r : d.paths()) {
        AttributeSet out = publisher.export(profile, prefix, r, member);
        if (out != null) {
          entries.add(new UpdatePacker.Entry(prefix, r.localId(), out, audience));
        }
      }
    } else if (d.best() != null) {
      AttributeSet out = publisher.export(profile, prefix, d.best(), member);
      if (out != null) {
        entries.add(new UpdatePacker.Entry(prefix, 0, out, audience));
      }
    }
  }

  /**
   * What the group sends {@code member} for this shard's prefixes, at most {@code limit}: the same
   * export as {@link #sync}, collected instead of queued.
   */
  List<AdvertisedPath> advertised(OutboundProfile profile, Peer member, int limit) {
    List<AdvertisedPath> out = new ArrayList<>();
    locRib.visit(
        (prefix, d) -> {
          if (!profile.families().contains(prefix.family())) {
            return true;
          }
          if (profile.addPath(prefix.family())) {
            for (Route r : d.paths()) {
              AttributeSet a = publisher.export(profile, prefix, r, member);
              if (a != null && out.size() < limit) {
                out.add(new AdvertisedPath(prefix, r.localId(), a));
              }
            }
          } else if (d.best() != null) {
            AttributeSet a = publisher.export(profile, prefix, d.best(), member);
            if (a != null) {
              out.add(new AdvertisedPath(prefix, 0, a));
            }
          }
          return out.size() < limit;
        });
    return out;
  }

  /** Copies of the Loc-RIB entries whose prefix passes {@code filter}, at most {@code limit}. */
  List<RibEntry> routes(Predicate<Prefix> filter, int limit) {
    List<RibEntry> out = new ArrayList<>();
    if (limit <= 0) {
      return out;
    }
    locRib.visit(
        (prefix, d) -> {
          if (filter.test(prefix)) {
            out.add(entry(prefix, d));
          }
          return out.size() < limit;
        });
    return out;
  }

  /** The Loc-RIB entry of one prefix. */
  Optional<RibEntry> lookup(Prefix prefix) {
    Destination d = locRib.get(prefix);
    return d == null ? Optional.empty() : Optional.of(entry(prefix, d));
  }

  /** Copies of a peer's Adj-RIB-In paths, at most {@code limit}. */
  List<ReceivedRoute> adjRibIn(Peer peer, int limit) {
    List<ReceivedRoute> out = new ArrayList<>();
    AdjRibIn in = adjIn.get(peer);
    AdjRibIn marks = stale.get(peer);
    if (in != null) {
      forEachReceived(
          in,
          (prefix, pathId, attrs) -> {
            if (out.size() < limit) {
              boolean old = marks != null && marks.get(prefix, pathId) != null;
              out.add(new ReceivedRoute(prefix, pathId, attrs, old));
            }
          });
    }
    return out;
  }

  /** Number of prefixes in this shard's Loc-RIB. */
  int prefixCount() {
    return locRib.size();
  }

  private static RibEntry entry(Prefix prefix, Destination d) {
    return new RibEntry(prefix, d.best(), d.multipath(), List.of(d.paths()));
  }

  private RoutePolicy importPolicy(Peer peer) {
    if (peer == policyPeer) {
      return policy;
    }
    RoutePolicy p;
    if (peer.kind() == PeerKind.LOCAL) {
      p = importPolicies.getOrDefault(peer, RoutePolicy.ACCEPT_ALL);
    } else {
      p = RoutePolicy.effective(importPolicies.get(peer), peer.ibgp());
    }
    policyPeer = peer;
    policy = p;
    return p;
  }

  /**
   * Forgets the remembered import policy: the Rib changes a peer's policy only before it calls
   * {@link #reimport} or {@link #rekey}, or between {@link #peerDown} and the peer's next routes.
   */
  private void forgetPolicy() {
    policyPeer = null;
    policy = null;
  }

  /**
   * Puts (attributes non-null) or removes (null) the Loc-RIB path of {@code peer} with {@code
   * pathId}, reselects, and publishes what changed.
   */
  private void replacePath(Prefix prefix, Peer peer, int pathId, AttributeSet attributes) {
    replacePath(prefix, peer, peer, pathId, attributes);
  }

  /** As above, the path found under {@code previous} and put back under {@code peer}. */
  private void replacePath(
      Prefix prefix, Peer previous, Peer peer, int pathId, AttributeSet attributes) {
    if (pathId == 0 && previous == peer && replaceCompact(prefix, peer, attributes)) {
      return;
    }
    Destination d = locRib.get(prefix);
    Route[] old = d == null ? new Route[0] : d.paths();
    int index = -1;
    for (int i = 0; i < old.length; i++) {
      // Identity first: sessions pass the same Peer object, and record equality compares addresses.
      if (old[i].pathId() == pathId
          && (old[i].source() == previous || old[i].source().equals(previous))) {
        index = i;
        break;
      }
    }
    Route removed = index >= 0 ? old[index] : null;
    if (attributes == null && removed == null) {
      return;
    }
    if (removed != null && attributes == removed.attributes() && previous == peer) {
      return; // interned: identical content, nothing changed
    }
    Route added = null;
    Route[] now;
    if (attributes == null) {
      now = new Route[old.length - 1];
      System.arraycopy(old, 0, now, 0, index);
      System.arraycopy(old, index + 1, now, index, old.length - index - 1);
    } else {
      // A replaced path keeps its ADD-PATH id: to receivers it is an implicit withdraw.
      int localId = removed != null ? removed.localId() : freeLocalId(old);
      added = new Route(peer, pathId, attributes, localId);
      if (removed != null) {
        now = old.clone();
        now[index] = added;
      } else {
        now = insertCanonical(old, added);
      }
    }
    Route oldBest = d == null ? null : d.best();
    List<Route> oldMultipath = d == null ? List.of() : d.multipath();
    if (d == null) {
      d = new Destination();
    }
    if (now.length == 0) {
      locRib.remove(prefix);
      d.set(now, BestPath.Selection.NONE);
    } else {
      d.set(now, bestPath.select(Arrays.asList(now)));
      locRib.put(prefix, d);
    }
    publisher.publish(prefix, oldBest, oldMultipath, d.best(), d.multipath(), removed, added);
  }

  /**
   * The common case in one table probe and without a {@link Destination}: an IPv4 prefix that has
   * no path, or only {@code peer}'s path 0, and keeps at most that one usable path (a compact
   * entry, see {@link LocRib}). Returns false, having changed nothing, for the general case.
   */
  private boolean replaceCompact(Prefix prefix, Peer peer, AttributeSet attributes) {
    if (prefix.ipv6()) {
      return false;
    }
    int slot = locRib.slot(prefix);
    if (slot < 0) {
      if (attributes == null) {
        return true; // no path to remove
      }
      if (!bestPath.usable(attributes)) {
        return false; // kept as a Destination without a best path
      }
      locRib.insertCompact(prefix, peer, attributes);
      publisher.inserted(prefix, peer, attributes);
      return true;
    }
    Peer source = locRib.compactSource(slot);
    if (source == null || !(source == peer || source.equals(peer))) {
      return false;
    }
    AttributeSet old = locRib.compactAttributes(slot);
    if (old == attributes) {
      return true; // interned: identical content, nothing changed
    }
    if (attributes != null && !bestPath.usable(attributes)) {
      return false;
    }
    if (attributes == null) {
      removeCompact(prefix, 0, slot, source);
    } else {
      locRib.setCompact(slot, peer, attributes);
      publisher.replaced(prefix, source, old, peer, attributes);
    }
    return true;
  }

  /**
   * Removes the compact (or shared) entry in {@code slot}, {@code source}'s path, and publishes
   * (the prefix given as to {@link ChangePublisher#removed(Prefix, long, Peer, AttributeSet)}).
   */
  private void removeCompact(Prefix prefix, long packed, int slot, Peer source) {
    AttributeSet attributes = locRib.compactAttributes(slot);
    locRib.removeAt(slot);
    publisher.removed(prefix, packed, source, attributes);
  }

  private static int freeLocalId(Route[] paths) {
    int id = 1;
    boolean taken = true;
    while (taken) {
      taken = false;
      for (Route r : paths) {
        if (r.localId() == id) {
          id++;
          taken = true;
          break;
        }
      }
    }
    return id;
  }

  private static Route[] insertCanonical(Route[] old, Route added) {
    Route[] now = new Route[old.length + 1];
    int i = 0;
    while (i < old.length && BestPath.canonicalOrder(old[i], added) < 0) {
      now[i] = old[i];
      i++;
    }
    now[i] = added;
    System.arraycopy(old, i, now, i + 1, old.length - i);
    return now;
  }
}
