package dev.netctl.bgp.rib;

import dev.netctl.bgp.codec.AddressFamily;
import dev.netctl.bgp.codec.BgpMessage.Update;
import dev.netctl.bgp.codec.Ipv4NlriList;
import dev.netctl.bgp.codec.Nlri;
import dev.netctl.bgp.codec.PathAttribute;
import dev.netctl.bgp.codec.Prefix;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The speaker's routing table: per-peer Adj-RIB-In, the Loc-RIB with best-path selection, route
 * sinks, and the update groups that form the Adj-RIB-Out.
 *
 * <p><b>Concurrency.</b> Prefixes are spread over {@link RibConfig#shards()} shards by hash; each
 * shard owns its part of every table and runs on its own single-threaded executor, so UPDATEs for
 * different shards proceed in parallel and no lock is taken on the UPDATE path. Work for one shard
 * runs in submission order, so calls made in order by one session thread (its UPDATEs, then its
 * session-down) take effect in that order for every prefix. Queries run as ordinary tasks on each
 * shard and copy what they return: they interleave with UPDATE processing instead of stopping it,
 * and each shard's answer is consistent in itself.
 *
 * <p><b>Feeding (session layer).</b> After the OPEN exchange: {@link #addPeer} with the import
 * policy; for every received UPDATE, {@link #apply} (in order; the future completes when every
 * shard has processed it, which is the natural point for flow control); on session loss {@link
 * #peerDown}. Locally originated routes use {@link #originate}/{@link #withdrawLocal}.
 *
 * <p><b>Draining.</b> {@link #group} returns the shared {@link UpdateGroup} for a peer's {@link
 * OutboundProfile}; {@link #join} makes the peer a member and schedules its initial table (ended by
 * End-of-RIB); from then on drain the group as its javadoc describes. A group whose last member
 * leaves is retired: the shards stop publishing to it, and what it held goes; joining it again
 * revives it (see {@link UpdateGroups} for why that leaves the new member exact).
 */
public final class Rib implements AutoCloseable {
  private final RibConfig config;
  private final RibShard[] shards;
  private final ExecutorService[] executors;
  private final Map<Peer, RoutePolicy> importPolicies = new ConcurrentHashMap<>();
  private final List<RouteSink> sinks = new CopyOnWriteArrayList<>();
  private final UpdateGroups groups = new UpdateGroups();
  // Each peer's Adj-RIB-In counts, added to by every shard as it stores and drops paths.
  private final Map<Peer, PeerCounts> received = new ConcurrentHashMap<>();

  /** A RIB with {@code config.shards()} shard threads, using {@code resolver} for next hops. */
  public Rib(RibConfig config, NextHopResolver resolver) {
    this.config = Objects.requireNonNull(config, "config");
    Objects.requireNonNull(resolver, "resolver");
    int n = config.shards();
    shards = new RibShard[n];
    executors = new ExecutorService[n];
    for (int i = 0; i < n; i++) {
      shards[i] =
          new RibShard(
              config,
              resolver,
              importPolicies,
              sinks,
              groups,
              p -> received.computeIfAbsent(p, k -> new PeerCounts()));
      String name = "rib-shard-" + i;
      executors[i] =
          Executors.newSingleThreadExecutor(
              r -> Thread.ofPlatform().name(name).daemon().unstarted(r));
    }
  }

  /** The configuration. */
  public RibConfig config() {
    return config;
  }

  /** Subscribes a sink to best-path changes from now on. */
  public void addSink(RouteSink sink) {
    sinks.add(Objects.requireNonNull(sink, "sink"));
  }

  /**
   * Registers an established peer and its import policy (null for none: RFC 8212 then rejects
   * everything from an eBGP peer). Calling it again replaces the policy and re-applies it to the
   * routes already received (soft reconfiguration from the Adj-RIB-In).
   */
  public CompletableFuture<Void> addPeer(Peer peer, RoutePolicy importPolicy) {
    RoutePolicy effective = RoutePolicy.effective(importPolicy, peer.kind() != PeerKind.EBGP);
    RoutePolicy previous = importPolicies.put(peer, effective);
    if (previous == null || previous.equals(effective)) {
      return CompletableFuture.completedFuture(null);
    }
    return onAllShards(s -> s.reimport(peer));
  }

  /**
   * Applies a received UPDATE from {@code peer}: withdrawals (body and MP_UNREACH), then
   * announcements (body with NEXT_HOP, MP_REACH with its next hops). Families other than IPv4 and
   * IPv6 unicast are ignored. Completes when every affected shard has processed it.
   */
  public CompletableFuture<Void> apply(Peer peer, Update update) {
    return apply(peer, List.of(update));
  }

  /**
   * Applies received UPDATEs from {@code peer} in order, as {@link #apply(Peer, Update)} does each,
   * with one task per shard for all of them. Completes when every affected shard has processed
   * them.
   */
  public CompletableFuture<Void> apply(Peer peer, List<Update> updates) {
    // One task per shard with that shard's NLRI, not one per prefix or per UPDATE: an UPDATE
    // carries hundreds of prefixes, and a read delivers hundreds of small UPDATEs.
    @SuppressWarnings("unchecked")
    List<ShardWork>[] work = new List[shards.length];
    for (Update update : updates) {
      split(update, work);
    }
    List<CompletableFuture<Void>> futures = new ArrayList<>();
    for (int i = 0; i < shards.length; i++) {
      List<ShardWork> w = work[i];
      if (w != null) {
        RibShard s = shards[i];
        futures.add(
            CompletableFuture.runAsync(
                () -> {
                  // With several UPDATEs, the groups hear of the changes once the task is done
                  // (see deferSignals). One UPDATE (a fan-out's clients each send one) gains
                  // nothing from it, and its changes went out later: fan-out 1,000 converged about
                  // a tenth slower (docs/benchmarks.md, issue 14 session 10).
                  boolean defer = w.size() > 1;
                  if (defer) {
                    s.deferSignals();
                  }
                  try {
                    for (ShardWork one : w) {
                      one.run(s, peer);
                    }
                  } finally {
                    // Before the task completes: the max-prefix check reads the counts then.
                    s.reportCounts();
                    if (defer) {
                      s.releaseSignals();
                    }
                  }
                },
                executors[i]));
      }
    }
    return futures.size() == 1
        ? futures.getFirst()
        : CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new));
  }

  /** Adds each shard's part of {@code update} to {@code work}. */
  private void split(Update update, List<ShardWork>[] work) {
    // The three attributes this needs, in one pass without an Optional each: this runs on the
    // event loop for every UPDATE received.
    PathAttribute.MpUnreach unreach = null;
    PathAttribute.MpReach mp = null;
    PathAttribute.NextHop nextHop = null;
    List<PathAttribute> attributes = update.attributes();
    for (int i = 0, n = attributes.size(); i < n; i++) {
      PathAttribute a = attributes.get(i);
      if (a instanceof PathAttribute.NextHop h) {
        nextHop = nextHop == null ? h : nextHop;
      } else if (a instanceof PathAttribute.MpReach r) {
        mp = mp == null ? r : mp;
      } else if (a instanceof PathAttribute.MpUnreach u) {
        unreach = unreach == null ? u : unreach;
      }
    }
    List<Nlri> withdrawn = update.withdrawn();
    if (unreach != null && unicast(unreach.family())) {
      withdrawn = new ArrayList<>(withdrawn);
      withdrawn.addAll(unreach.withdrawn());
    }
    List<Nlri> body = update.nlri();
    Attributes bodyAttrs = null;
    if (!body.isEmpty()) {
      bodyAttrs = new Attributes(attributes, nextHop == null ? null : nextHop.address(), null);
    }
    List<Nlri> reach = List.of();
    Attributes mpAttrs = null;
    AddressFamily mpFamily = null;
    if (mp != null && unicast(mp.family()) && !mp.nlri().isEmpty()) {
      List<java.net.InetAddress> hops = mp.nextHops();
      mpAttrs =
          new Attributes(
              attributes,
              hops.isEmpty() ? null : hops.get(0),
              hops.size() > 1 ? hops.get(1) : null);
      reach = mp.nlri();
      mpFamily = mp.family();
    }
    if (withdrawn.isEmpty() && body.isEmpty() && reach.isEmpty()) {
      return; // End-of-RIB, or nothing this RIB keeps
    }
    if (shards.length == 1) {
      // The lists as decoded: copying a thousand NLRI per UPDATE into one shard's lists is waste.
      add(work, 0, new ShardWork(withdrawn, body, reach, bodyAttrs, mpAttrs, mpFamily));
      return;
    }
    ShardWork[] parts = new ShardWork[shards.length];
    for (Nlri n : withdrawn) {
      ShardWork.of(parts, indexFor(n.prefix()), bodyAttrs, mpAttrs, mpFamily).withdrawn.add(n);
    }
    for (Nlri n : body) {
      ShardWork.of(parts, indexFor(n.prefix()), bodyAttrs, mpAttrs, mpFamily).body.add(n);
    }
    for (Nlri n : reach) {
      ShardWork.of(parts, indexFor(n.prefix()), bodyAttrs, mpAttrs, mpFamily).mp.add(n);
    }
    for (int i = 0; i < parts.length; i++) {
      if (parts[i] != null) {
        add(work, i, parts[i]);
      }
    }
  }

  private static void add(List<ShardWork>[] work, int shard, ShardWork w) {
    if (work[shard] == null) {
      work[shard] = new ArrayList<>();
    }
    work[shard].add(w);
  }

  /**
   * The attributes an UPDATE's announcements carry, made an {@link AttributeSet} by the first shard
   * that runs its part, not on the event loop that split it: interning (sorting, hashing, the table
   * lookup) was a tenth of the loop's work per UPDATE of a churn (docs/benchmarks.md, issue 14
   * session 10), and the loop reads every session. Shards racing on it intern the same content, so
   * they get the same canonical set.
   */
  private static final class Attributes {
    private final List<PathAttribute> attributes;
    private final java.net.InetAddress nextHop;
    private final java.net.InetAddress linkLocal;
    private volatile AttributeSet set;

    Attributes(
        List<PathAttribute> attributes,
        java.net.InetAddress nextHop,
        java.net.InetAddress linkLocal) {
      this.attributes = attributes;
      this.nextHop = nextHop;
      this.linkLocal = linkLocal;
    }

    AttributeSet set() {
      AttributeSet s = set;
      if (s == null) {
        s = AttributeSet.of(attributes, nextHop, linkLocal);
        set = s;
      }
      return s;
    }
  }

  /**
   * One shard's part of an UPDATE, with the attributes its announcements carry: withdrawals first,
   * then announcements, as RFC 4271 §9 says.
   */
  private record ShardWork(
      List<Nlri> withdrawn,
      List<Nlri> body,
      List<Nlri> mp,
      Attributes bodyAttrs,
      Attributes mpAttrs,
      AddressFamily family) {

    static ShardWork of(
        ShardWork[] work,
        int shard,
        Attributes bodyAttrs,
        Attributes mpAttrs,
        AddressFamily family) {
      ShardWork w = work[shard];
      if (w == null) {
        w =
            new ShardWork(
                new ArrayList<>(),
                new ArrayList<>(),
                new ArrayList<>(),
                bodyAttrs,
                mpAttrs,
                family);
        work[shard] = w;
      }
      return w;
    }

    void run(RibShard s, Peer peer) {
      if (withdrawn instanceof Ipv4NlriList packed) {
        // As decoded, like announcements: no Nlri, and no Prefix unless the shard needs one (a
        // Prefix per prefix was the shard's largest allocation in a churn).
        for (int i = 0, n = packed.size(); i < n; i++) {
          s.withdraw(peer, packed.packed(i));
        }
      } else {
        for (Nlri n : withdrawn) {
          s.withdraw(peer, n.prefix(), n.pathId());
        }
      }
      AttributeSet bodySet = body.isEmpty() ? null : bodyAttrs.set();
      if (body instanceof Ipv4NlriList packed) {
        // As decoded: no Nlri, and no Prefix unless the shard needs one.
        for (int i = 0, n = packed.size(); i < n; i++) {
          s.announce(peer, packed.packed(i), bodySet);
        }
      } else {
        for (Nlri n : body) {
          s.announce(peer, n.prefix(), n.pathId(), bodySet);
        }
      }
      AttributeSet mpSet = mp.isEmpty() ? null : mpAttrs.set();
      if (mp instanceof Ipv4NlriList packed) {
        // IPv4 in MP_REACH_NLRI (RFC 4760), as decoded; all of another AFI's are ignored below.
        if (family.equals(AddressFamily.IPV4_UNICAST)) {
          for (int i = 0, n = packed.size(); i < n; i++) {
            s.announce(peer, packed.packed(i), mpSet);
          }
        }
        return;
      }
      for (Nlri n : mp) {
        // MP_REACH_NLRI of one AFI may carry another's prefixes only if malformed: ignore those.
        if (n.prefix().family().equals(family)) {
          s.announce(peer, n.prefix(), n.pathId(), mpSet);
        }
      }
    }
  }

  /**
   * Originates a route (e.g. an IPAM block). A null next hop means "ourselves": export sets
   * next-hop self.
   */
  public CompletableFuture<Void> originate(Prefix prefix, AttributeSet attributes) {
    return onShard(prefix, s -> s.announce(Peer.LOCAL, prefix, 0, attributes));
  }

  /** Withdraws a locally originated route. */
  public CompletableFuture<Void> withdrawLocal(Prefix prefix) {
    return onShard(prefix, s -> s.withdraw(Peer.LOCAL, prefix, 0));
  }

  /**
   * Drops every route of a peer whose session ended and removes it from its update groups; a group
   * left without members is retired (see {@link UpdateGroups}).
   */
  public CompletableFuture<Void> peerDown(Peer peer) {
    leaveGroups(peer);
    // Forgotten even when a shard's part failed (its paths still all went, see RibShard.peerDown):
    // its import policy and counters would otherwise stay for good. The failure still shows.
    return onAllShards(s -> s.peerDown(peer)).whenComplete((v, e) -> forget(peer));
  }

  /**
   * A graceful-restart-capable peer's session ended without a NOTIFICATION (RFC 4724 §4.2): it
   * leaves its update groups, its paths in {@code keep} stay in the Adj-RIB-In and Loc-RIB marked
   * stale (still selected and exported), and its other paths are withdrawn. Its import policy stays
   * registered for when it comes back; {@link #peerDown} ends it all.
   */
  public CompletableFuture<Void> peerDownGracefully(Peer peer, Set<AddressFamily> keep) {
    leaveGroups(peer);
    Set<AddressFamily> flush = new HashSet<>(UNICAST);
    flush.removeAll(keep);
    return onAllShards(
        s -> {
          s.markStale(peer, UNICAST);
          s.sweepStale(peer, flush);
        });
  }

  /**
   * Marks every path of {@code peer} in {@code families} stale (RFC 7313 §4 Begin-of-RIB, or a
   * graceful restart): until sent again they stay usable, and {@link #sweepStale} removes the rest.
   */
  public CompletableFuture<Void> markStale(Peer peer, Set<AddressFamily> families) {
    Set<AddressFamily> f = Set.copyOf(families);
    return onAllShards(s -> s.markStale(peer, f));
  }

  /**
   * Withdraws the paths of {@code peer} in {@code families} still stale (End-of-RIB, RFC 4724 §4.2;
   * End-of-RIB refresh, RFC 7313 §4; or the stale timer).
   */
  public CompletableFuture<Void> sweepStale(Peer peer, Set<AddressFamily> families) {
    Set<AddressFamily> f = Set.copyOf(families);
    return onAllShards(s -> s.sweepStale(peer, f));
  }

  /** Number of stale paths kept for {@code peer}. */
  public CompletableFuture<Long> staleCount(Peer peer) {
    return collect(s -> List.of(s.staleCount(peer)), Integer.MAX_VALUE)
        .thenApply(counts -> counts.stream().mapToLong(Integer::longValue).sum());
  }

  /** Re-runs best-path selection after the next-hop resolver's answers changed. */
  public CompletableFuture<Void> refreshNextHops() {
    return onAllShards(RibShard::refreshNextHops);
  }

  private void leaveGroups(Peer peer) {
    for (UpdateGroup g : groups.live()) {
      g.removeMember(peer);
    }
    groups.retireEmpty();
  }

  /**
   * The update group for a profile, created on first use, and again after the last one was retired
   * (left without members). A caller may keep it: {@link #join} and {@link #move} revive a retired
   * group.
   */
  public UpdateGroup group(OutboundProfile profile) {
    return groups.forProfile(profile, p -> new UpdateGroup(p, catchUps));
  }

  /**
   * Catch-ups of members of the groups (see {@link CatchUp}): each shard gets only its own keys,
   * and publishes one chunk of them per request.
   */
  private final UpdateGroup.Resync catchUps =
      new UpdateGroup.Resync() {
        @Override
        public int shards() {
          return shards.length;
        }

        @Override
        public int shardOf(Prefix prefix) {
          return indexFor(prefix);
        }

        @Override
        public void chunk(UpdateGroup group, CatchUp round, TableSync sync) {
          try {
            for (int i = 0; i < shards.length; i++) {
              RibShard s = shards[i];
              int shard = i;
              executors[i].execute(() -> s.catchUp(group, sync, round, shard));
            }
          } catch (RejectedExecutionException e) {
            // The RIB is closing: nobody is caught up any more.
          }
        }
      };

  /** Every update group not retired. */
  public List<UpdateGroup> groups() {
    return groups.list();
  }

  /**
   * Makes {@code peer} a member of {@code group} (reviving it if it was retired) and schedules its
   * initial table: each shard publishes its part to the group, and the group's next drains emit it,
   * then End-of-RIB.
   */
  public CompletableFuture<Void> join(UpdateGroup group, Peer peer) {
    // The shards' tasks are queued after the group is listed and its old state dropped: the order
    // UpdateGroups relies on.
    TableSync sync = groups.admit(group, () -> group.beginSync(peer, shards.length));
    return onAllShards(s -> s.sync(group, sync));
  }

  /**
   * Moves a member of {@code from} to {@code to} without ending its session (its export policy
   * changed): it leaves {@code from}, and {@code to} sends it, per shard and before any later
   * change, withdrawals of what {@code from}'s profile exported and {@code to}'s does not, then the
   * paths {@code to} exports (re-announcing an unchanged path is an implicit replace, RFC 4271
   * §3.1). Other members of either group see nothing.
   */
  public CompletableFuture<Void> move(UpdateGroup from, UpdateGroup to, Peer peer) {
    // The peer leaves `from` only once every shard has cut over: until its shard's move task, a
    // prefix's changes go to `from`, and one withdrawn there before the task (so absent from the
    // task's view of the Loc-RIB) but drained after the peer left would never reach it. Meanwhile
    // `from` notes what it does not send the peer, and `to` sends the current state of those
    // prefixes once all shards have moved.
    from.leave(peer, peer);
    TableSync sync = groups.admit(to, () -> to.beginMove(peer, shards.length));
    OutboundProfile previous = from.profile();
    return onAllShards(s -> s.move(previous, to, sync))
        .thenRun(() -> to.resyncNow(peer, release(from, peer, peer)));
  }

  /**
   * A peer's reflector-client role changed while its session stays up: its paths are re-keyed from
   * {@code before} to {@code now} (the same session with the new role) under {@code importPolicy},
   * so reflection of its routes to others follows the new role, and, when {@code from} is not null,
   * it moves from {@code from} to {@code to} as in {@link #move}, in the same shard task.
   */
  public CompletableFuture<Void> changeRole(
      Peer before, Peer now, RoutePolicy importPolicy, UpdateGroup from, UpdateGroup to) {
    importPolicies.put(now, RoutePolicy.effective(importPolicy, now.kind() != PeerKind.EBGP));
    // Whatever became of the re-keying (a policy or sink that failed on a path still moves every
    // path, then fails the work), the old role is forgotten and a moving member gets its table.
    if (from == null) {
      return onAllShards(s -> s.rekey(before, now)).whenComplete((v, e) -> forget(before));
    }
    from.leave(before, now); // as in move
    TableSync sync = groups.admit(to, () -> to.beginMove(now, shards.length));
    OutboundProfile previous = from.profile();
    return onAllShards(
            s -> {
              try {
                s.rekey(before, now);
              } finally {
                s.move(previous, to, sync); // every shard's part, or the move never completes
              }
            })
        .whenComplete(
            (v, e) -> {
              to.resyncNow(now, release(from, before, now));
              forget(before);
            });
  }

  /**
   * Schedules {@code family}'s table again for a member of {@code group} (answering a
   * ROUTE-REFRESH, RFC 2918 §4), framed by Begin/End-of-Route-Refresh when {@code enhanced} (RFC
   * 7313 §4). Does nothing when {@code peer} is not a member or the group lacks the family.
   */
  public CompletableFuture<Void> refresh(
      UpdateGroup group, Peer peer, AddressFamily family, boolean enhanced) {
    TableSync sync = group.beginRefresh(peer, shards.length, family, enhanced);
    if (sync == null) {
      return CompletableFuture.completedFuture(null);
    }
    return onAllShards(s -> s.sync(group, sync));
  }

  /** The Loc-RIB entry of a prefix. */
  public CompletableFuture<Optional<RibEntry>> lookup(Prefix prefix) {
    return CompletableFuture.supplyAsync(
        () -> shardFor(prefix).lookup(prefix), executors[indexFor(prefix)]);
  }

  /** Loc-RIB entries whose prefix passes {@code filter}, at most {@code limit}, in no order. */
  public CompletableFuture<List<RibEntry>> routes(Predicate<Prefix> filter, int limit) {
    return collect(s -> s.routes(filter, limit), limit);
  }

  /** A peer's Adj-RIB-In as received, at most {@code limit} paths, in no order. */
  public CompletableFuture<List<ReceivedRoute>> adjRibIn(Peer peer, int limit) {
    return collect(s -> s.adjRibIn(peer, limit), limit);
  }

  /**
   * What {@code group} sends (or, with updates still queued, is about to send) to its member {@code
   * peer}: every exported path except those learned from the peer itself, at most {@code limit}, in
   * no order.
   */
  public CompletableFuture<List<AdvertisedPath>> advertised(
      UpdateGroup group, Peer peer, int limit) {
    OutboundProfile profile = group.profile();
    return collect(s -> s.advertised(profile, peer, limit), limit);
  }

  /**
   * The number of paths in {@code peer}'s Adj-RIB-In (the max-prefix count, RFC 4486), stale ones
   * included: exact once the work submitted for the peer has run, and readable from any thread
   * without waiting for it.
   */
  public long receivedCount(Peer peer) {
    PeerCounts counts = received.get(peer);
    return counts == null ? 0 : counts.paths();
  }

  /**
   * Of {@code peer}'s {@link #receivedCount}, the paths of {@code family} (IPv4 or IPv6 unicast,
   * the families the RIB holds): what a max-prefix limit per family compares, as BIRD's import
   * limit per channel and FRR's maximum-prefix per address family do (RFC 4486 §4 names the AFI and
   * SAFI that went over). Readable like it.
   */
  public long receivedCount(Peer peer, AddressFamily family) {
    PeerCounts counts = received.get(peer);
    if (counts == null) {
      return 0;
    }
    return family.equals(AddressFamily.IPV6_UNICAST)
        ? counts.ipv6Paths().sum()
        : family.equals(AddressFamily.IPV4_UNICAST) ? counts.ipv4Paths().sum() : 0;
  }

  /**
   * Of {@code peer}'s {@link #receivedCount}, the paths not used because they looped: our AS in
   * their AS_PATH more often than the peer may send it (RFC 4271 §9.1.2). Readable like it.
   */
  public long loopCount(Peer peer) {
    PeerCounts counts = received.get(peer);
    return counts == null ? 0 : counts.loops().sum();
  }

  /** Number of prefixes in the Loc-RIB. */
  public CompletableFuture<Long> prefixCount() {
    return collect(s -> List.of(s.prefixCount()), Integer.MAX_VALUE)
        .thenApply(counts -> counts.stream().mapToLong(Integer::longValue).sum());
  }

  /** Stops the shard threads after the work already submitted. */
  @Override
  public void close() {
    for (ExecutorService e : executors) {
      e.shutdown();
    }
    for (ExecutorService e : executors) {
      try {
        e.awaitTermination(10, TimeUnit.SECONDS);
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Ends a member's move out of {@code from} (see {@link #move}); the group may be left empty. */
  private Backlog release(UpdateGroup from, Peer peer, Peer renamed) {
    Backlog missed = from.release(peer, renamed);
    groups.retireEmpty();
    return missed;
  }

  // A peer the shards no longer hold paths of (down, or re-keyed to its new role).
  private void forget(Peer peer) {
    importPolicies.remove(peer);
    received.computeIfPresent(peer, (p, c) -> c.empty() ? null : c);
  }

  private <T> CompletableFuture<List<T>> collect(Function<RibShard, List<T>> query, int limit) {
    List<CompletableFuture<List<T>>> parts = new ArrayList<>();
    for (int i = 0; i < shards.length; i++) {
      RibShard s = shards[i];
      parts.add(CompletableFuture.supplyAsync(() -> query.apply(s), executors[i]));
    }
    return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
        .thenApply(
            v -> {
              List<T> out = new ArrayList<>();
              for (CompletableFuture<List<T>> p : parts) {
                for (T t : p.join()) {
                  if (out.size() >= limit) {
                    return out;
                  }
                  out.add(t);
                }
              }
              return out;
            });
  }

  private CompletableFuture<Void> onShard(Prefix prefix, Consumer<RibShard> task) {
    RibShard s = shardFor(prefix);
    return CompletableFuture.runAsync(() -> counted(s, task), executors[indexFor(prefix)]);
  }

  // Runs a task that may change paths, reporting the shard's counts before it completes.
  private static void counted(RibShard s, Consumer<RibShard> task) {
    try {
      task.accept(s);
    } finally {
      s.reportCounts();
    }
  }

  private CompletableFuture<Void> onAllShards(Consumer<RibShard> task) {
    CompletableFuture<?>[] all = new CompletableFuture<?>[shards.length];
    for (int i = 0; i < shards.length; i++) {
      RibShard s = shards[i];
      all[i] = CompletableFuture.runAsync(() -> counted(s, task), executors[i]);
    }
    return CompletableFuture.allOf(all);
  }

  private RibShard shardFor(Prefix prefix) {
    return shards[indexFor(prefix)];
  }

  private int indexFor(Prefix prefix) {
    return Math.floorMod(prefix.hashCode() * 0x9E3779B9, shards.length);
  }

  private static final Set<AddressFamily> UNICAST =
      Set.of(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST);

  // The Loc-RIB is keyed by prefix alone: only unicast families are kept (multicast is unused in
  // a Calico fabric).
  private static boolean unicast(AddressFamily family) {
    return family.equals(AddressFamily.IPV4_UNICAST) || family.equals(AddressFamily.IPV6_UNICAST);
  }
}
