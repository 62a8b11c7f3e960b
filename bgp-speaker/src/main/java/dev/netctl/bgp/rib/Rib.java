package dev.netctl.bgp.rib;

import dev.netctl.bgp.codec.AddressFamily;
import dev.netctl.bgp.codec.BgpMessage.Update;
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
 * End-of-RIB); from then on drain the group as its javadoc describes.
 */
public final class Rib implements AutoCloseable {
  private final RibConfig config;
  private final RibShard[] shards;
  private final ExecutorService[] executors;
  private final Map<Peer, RoutePolicy> importPolicies = new ConcurrentHashMap<>();
  private final List<RouteSink> sinks = new CopyOnWriteArrayList<>();
  private final List<UpdateGroup> groups = new CopyOnWriteArrayList<>();
  private final Map<OutboundProfile, UpdateGroup> groupsByProfile = new ConcurrentHashMap<>();

  /** A RIB with {@code config.shards()} shard threads, using {@code resolver} for next hops. */
  public Rib(RibConfig config, NextHopResolver resolver) {
    this.config = Objects.requireNonNull(config, "config");
    Objects.requireNonNull(resolver, "resolver");
    int n = config.shards();
    shards = new RibShard[n];
    executors = new ExecutorService[n];
    for (int i = 0; i < n; i++) {
      shards[i] = new RibShard(config, resolver, importPolicies, sinks, groups);
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
    List<List<Runnable>> work = new ArrayList<>(shards.length);
    for (int i = 0; i < shards.length; i++) {
      work.add(new ArrayList<>());
    }
    List<Nlri> withdrawn = new ArrayList<>(update.withdrawn());
    update
        .attribute(PathAttribute.MpUnreach.class)
        .filter(u -> unicast(u.family()))
        .ifPresent(u -> withdrawn.addAll(u.withdrawn()));
    for (Nlri n : withdrawn) {
      RibShard s = shardFor(n.prefix());
      work.get(indexFor(n.prefix())).add(() -> s.withdraw(peer, n.prefix(), n.pathId()));
    }
    if (!update.nlri().isEmpty()) {
      AttributeSet attrs =
          AttributeSet.of(
              update.attributes(),
              update
                  .attribute(PathAttribute.NextHop.class)
                  .map(PathAttribute.NextHop::address)
                  .orElse(null));
      for (Nlri n : update.nlri()) {
        RibShard s = shardFor(n.prefix());
        work.get(indexFor(n.prefix())).add(() -> s.announce(peer, n.prefix(), n.pathId(), attrs));
      }
    }
    Optional<PathAttribute.MpReach> mp = update.attribute(PathAttribute.MpReach.class);
    if (mp.isPresent() && unicast(mp.get().family()) && !mp.get().nlri().isEmpty()) {
      List<java.net.InetAddress> hops = mp.get().nextHops();
      AttributeSet attrs =
          AttributeSet.of(
              update.attributes(),
              hops.isEmpty() ? null : hops.get(0),
              hops.size() > 1 ? hops.get(1) : null);
      for (Nlri n : mp.get().nlri()) {
        if (n.prefix().family().equals(mp.get().family())) {
          RibShard s = shardFor(n.prefix());
          work.get(indexFor(n.prefix())).add(() -> s.announce(peer, n.prefix(), n.pathId(), attrs));
        }
      }
    }
    List<CompletableFuture<Void>> futures = new ArrayList<>();
    for (int i = 0; i < shards.length; i++) {
      List<Runnable> batch = work.get(i);
      if (!batch.isEmpty()) {
        futures.add(CompletableFuture.runAsync(() -> batch.forEach(Runnable::run), executors[i]));
      }
    }
    return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new));
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

  /** Drops every route of a peer whose session ended and removes it from its update groups. */
  public CompletableFuture<Void> peerDown(Peer peer) {
    for (UpdateGroup g : groups) {
      g.removeMember(peer);
    }
    return onAllShards(s -> s.peerDown(peer)).thenRun(() -> importPolicies.remove(peer));
  }

  /**
   * A graceful-restart-capable peer's session ended without a NOTIFICATION (RFC 4724 §4.2): it
   * leaves its update groups, its paths in {@code keep} stay in the Adj-RIB-In and Loc-RIB marked
   * stale (still selected and exported), and its other paths are withdrawn. Its import policy stays
   * registered for when it comes back; {@link #peerDown} ends it all.
   */
  public CompletableFuture<Void> peerDownGracefully(Peer peer, Set<AddressFamily> keep) {
    for (UpdateGroup g : groups) {
      g.removeMember(peer);
    }
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

  /** The update group for a profile, created on first use. */
  public UpdateGroup group(OutboundProfile profile) {
    return groupsByProfile.computeIfAbsent(
        profile,
        p -> {
          UpdateGroup g = new UpdateGroup(p);
          groups.add(g);
          return g;
        });
  }

  /** Every update group. */
  public List<UpdateGroup> groups() {
    return List.copyOf(groups);
  }

  /**
   * Makes {@code peer} a member of {@code group} and schedules its initial table: each shard
   * publishes its part to the group, and the group's next drains emit it, then End-of-RIB.
   */
  public CompletableFuture<Void> join(UpdateGroup group, Peer peer) {
    TableSync sync = group.beginSync(peer, shards.length);
    return onAllShards(s -> s.sync(group, sync));
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
    return CompletableFuture.runAsync(() -> task.accept(s), executors[indexFor(prefix)]);
  }

  private CompletableFuture<Void> onAllShards(Consumer<RibShard> task) {
    CompletableFuture<?>[] all = new CompletableFuture<?>[shards.length];
    for (int i = 0; i < shards.length; i++) {
      RibShard s = shards[i];
      all[i] = CompletableFuture.runAsync(() -> task.accept(s), executors[i]);
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
