package dev.netctl.bgp.rib;

import static dev.netctl.bgp.rib.Fixtures.ip;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.codec.AddressFamily;
import dev.netctl.bgp.codec.BgpMessage.Update;
import dev.netctl.bgp.codec.CodecContext;
import dev.netctl.bgp.codec.Nlri;
import dev.netctl.bgp.codec.PathAttribute;
import dev.netctl.bgp.codec.PathAttribute.AsPath;
import dev.netctl.bgp.codec.PathAttribute.OriginType;
import dev.netctl.bgp.codec.Prefix;
import dev.netctl.bgp.policy.Action;
import dev.netctl.bgp.policy.Match;
import dev.netctl.bgp.policy.Policy;
import dev.netctl.bgp.policy.PrefixList;
import dev.netctl.bgp.policy.Statement;
import dev.netctl.bgp.policy.Verdict;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Timeout;

/**
 * Random announce/withdraw/session-down sequences from several peers; after every batch the Loc-RIB
 * (best and ECMP set) must equal a brute-force recomputation from what the peers sent, and what
 * each update-group member was told must equal the export of that best path.
 */
class RibRandomizedTest {
  private static final int MAX_PATHS = 3;
  private static final Map<String, NextHopResolver.State> NEXT_HOPS =
      Map.of(
          "192.0.2.1", new NextHopResolver.State(true, 10),
          "192.0.2.2", new NextHopResolver.State(true, 10),
          "192.0.2.3", new NextHopResolver.State(true, 20),
          "192.0.2.4", NextHopResolver.State.UNREACHABLE);
  private static final NextHopResolver RESOLVER =
      nh -> NEXT_HOPS.getOrDefault(nh.getHostAddress(), NextHopResolver.State.UNREACHABLE);
  private static final int PREFER = 65000 << 16 | 1;

  private final Peer e1 = Fixtures.ebgp("172.16.0.1", 64512);
  private final Peer e2 = Fixtures.ebgp("172.16.0.2", 64513);
  private final Peer eNoPolicy = Fixtures.ebgp("172.16.0.3", 64514);
  private final Peer i1 = Fixtures.ibgp("10.0.0.1");
  private final Peer i2 = Fixtures.ibgp("10.0.0.2");
  private final Peer c1 = Fixtures.client("10.0.0.3");
  private final Peer c2 = Fixtures.client("10.0.0.4");
  private final List<Peer> senders = List.of(e1, e2, eNoPolicy, i1, i2, c1);
  private final Policy importPolicy =
      new Policy(
          "import",
          List.of(
              new Statement(
                  List.of(new Match.PrefixIn(PrefixList.of("bogons", "10.99.0.0/16 le 32"))),
                  List.of(),
                  Verdict.REJECT),
              new Statement(
                  List.of(new Match.CommunityAny(Set.of(PREFER))),
                  List.of(new Action.SetLocalPref(300)),
                  Verdict.ACCEPT)),
          Verdict.ACCEPT);

  private final RibConfig config =
      new RibConfig(Fixtures.LOCAL_AS, Fixtures.ROUTER_ID, Fixtures.CLUSTER_ID, true, MAX_PATHS, 1);

  // Raises i1's routes when switched on mid-run: re-import then changes every path it sent.
  private final Policy raise =
      new Policy(
          "raise",
          List.of(new Statement(List.of(), List.of(new Action.SetLocalPref(150)), Verdict.ACCEPT)),
          Verdict.ACCEPT);
  private boolean i1Raised;

  private record Key(Prefix prefix, int pathId) {}

  /** What every peer currently has announced to us. */
  private final Map<Peer, Map<Key, AttributeSet>> sent = new LinkedHashMap<>();

  private OutboundProfile clientProfile() {
    return Fixtures.ibgpProfile(true, null);
  }

  private OutboundProfile ebgpProfile() {
    return new OutboundProfile(
        PeerKind.EBGP,
        false,
        CodecContext.FOUR_OCTET,
        Set.of(AddressFamily.IPV4_UNICAST),
        RoutePolicy.ACCEPT_ALL,
        ip("172.16.0.254"),
        null,
        null);
  }

  @RepeatedTest(8)
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void singleShardMatchesBruteForce(RepetitionInfo info) {
    long seed = 0xB0B0_0000L + info.getCurrentRepetition();
    SplittableRandom random = new SplittableRandom(seed);
    ShardHarness h = new ShardHarness(config, RESOLVER);
    for (Peer p : List.of(e1, e2, i1, i2, c1)) {
      h.policies.put(p, p.ibgp() ? RoutePolicy.ACCEPT_ALL : importPolicy);
    }
    UpdateGroup clients = h.group(clientProfile(), c1, c2);
    UpdateGroup external = h.group(ebgpProfile(), e1);
    for (int batch = 0; batch < 40; batch++) {
      for (int op = 0; op < 25; op++) {
        step(random, h.shard::announce, h.shard::withdraw, h.shard::peerDown);
      }
      if (random.nextInt(4) == 0) {
        i1Raised = !i1Raised;
        h.policies.put(i1, i1Raised ? raise : RoutePolicy.ACCEPT_ALL);
        h.shard.reimport(i1);
      }
      h.drainAll();
      String where = "seed " + seed + " batch " + batch;
      checkAdjRibIn(where, h);
      Map<Prefix, List<Route>> expected = expectedLocRib();
      Map<Prefix, RibEntry> actual = new HashMap<>();
      for (RibEntry e : h.shard.routes(p -> true, Integer.MAX_VALUE)) {
        if (e.best() != null) {
          actual.put(e.prefix(), e);
        }
      }
      assertThat(actual.keySet())
          .as(where + ": prefixes with a best path")
          .isEqualTo(expected.keySet());
      for (Map.Entry<Prefix, List<Route>> e : expected.entrySet()) {
        RibEntry got = actual.get(e.getKey());
        assertThat(identity(got.best()))
            .as(where + ": best of " + e.getKey())
            .isEqualTo(identity(e.getValue().get(0)));
        assertThat(got.multipath().stream().map(RibRandomizedTest::identity).toList())
            .as(where + ": multipath of " + e.getKey())
            .isEqualTo(e.getValue().stream().map(RibRandomizedTest::identity).toList());
      }
      checkView(where, h, clients, c1, expected);
      checkView(where, h, clients, c2, expected);
      checkView(where, h, external, e1, expected);
    }
  }

  @RepeatedTest(3)
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void shardedRibMatchesBruteForce(RepetitionInfo info) {
    long seed = 0xCAFE_0000L + info.getCurrentRepetition();
    SplittableRandom random = new SplittableRandom(seed);
    RibConfig sharded =
        new RibConfig(
            Fixtures.LOCAL_AS, Fixtures.ROUTER_ID, Fixtures.CLUSTER_ID, true, MAX_PATHS, 4);
    try (Rib rib = new Rib(sharded, RESOLVER)) {
      for (Peer p : List.of(e1, e2, i1, i2, c1)) {
        rib.addPeer(p, p.ibgp() ? null : importPolicy).join();
      }
      for (int batch = 0; batch < 10; batch++) {
        for (int op = 0; op < 60; op++) {
          step(
              random,
              (peer, prefix, pathId, attrs) ->
                  rib.apply(peer, announcement(prefix, pathId, attrs)).join(),
              (peer, prefix, pathId) ->
                  rib.apply(
                          peer, new Update(List.of(new Nlri(pathId, prefix)), List.of(), List.of()))
                      .join(),
              peer -> {
                rib.peerDown(peer).join();
                if (peer != eNoPolicy) {
                  rib.addPeer(peer, peer.ibgp() ? null : importPolicy).join();
                }
              });
        }
        String where = "seed " + seed + " batch " + batch;
        Map<Prefix, List<Route>> expected = expectedLocRib();
        Map<Prefix, Object> actual = new HashMap<>();
        for (RibEntry e : rib.routes(p -> true, Integer.MAX_VALUE).join()) {
          if (e.best() != null) {
            actual.put(
                e.prefix(), e.multipath().stream().map(RibRandomizedTest::identity).toList());
          }
        }
        Map<Prefix, Object> want = new HashMap<>();
        expected.forEach(
            (p, l) -> want.put(p, l.stream().map(RibRandomizedTest::identity).toList()));
        assertThat(actual).as(where).isEqualTo(want);
      }
    }
  }

  interface Announce {
    void run(Peer peer, Prefix prefix, int pathId, AttributeSet attrs);
  }

  interface Withdraw {
    void run(Peer peer, Prefix prefix, int pathId);
  }

  interface Down {
    void run(Peer peer);
  }

  private void step(SplittableRandom random, Announce announce, Withdraw withdraw, Down down) {
    Peer peer = senders.get(random.nextInt(senders.size()));
    Prefix prefix =
        random.nextInt(8) == 0
            ? Prefix.ipv4(0x0a630000 | random.nextInt(4) << 8, 24) // 10.99.x.0/24, rejected
            : Prefix.ipv4(0x0a000000 | random.nextInt(24) << 8, 24);
    // c1 sends several paths per prefix (as with ADD-PATH); the others one.
    int pathId = peer == c1 ? random.nextInt(3) : 0;
    int op = random.nextInt(100);
    Map<Key, AttributeSet> mine = sent.computeIfAbsent(peer, k -> new HashMap<>());
    if (op < 65) {
      AttributeSet attrs = randomAttributes(random, peer);
      mine.put(new Key(prefix, pathId), attrs);
      announce.run(peer, prefix, pathId, attrs);
    } else if (op < 98) {
      mine.remove(new Key(prefix, pathId));
      withdraw.run(peer, prefix, pathId);
    } else {
      mine.clear();
      down.run(peer);
    }
  }

  private static AttributeSet randomAttributes(SplittableRandom random, Peer peer) {
    List<PathAttribute> list = new ArrayList<>();
    list.add(new PathAttribute.Origin(OriginType.values()[random.nextInt(3)]));
    int length = random.nextInt(3);
    long[] path = new long[length + (peer.ibgp() ? 0 : 1)];
    int at = 0;
    if (!peer.ibgp()) {
      path[at++] = peer.asn();
    }
    for (int i = 0; i < length; i++) {
      path[at++] = random.nextInt(10) == 0 ? Fixtures.LOCAL_AS : 64600 + random.nextInt(3);
    }
    list.add(AsPath.sequence(path));
    if (random.nextBoolean()) {
      list.add(new PathAttribute.LocalPref(List.of(50L, 100L, 200L).get(random.nextInt(3))));
    }
    if (random.nextBoolean()) {
      list.add(new PathAttribute.MultiExitDisc(random.nextInt(3) * 10));
    }
    if (random.nextInt(4) == 0) {
      list.add(new PathAttribute.Communities(List.of(PREFER)));
    }
    if (peer.ibgp() && random.nextInt(4) == 0) {
      String id = random.nextInt(5) == 0 ? "10.255.0.1" : "10.7.7." + (1 + random.nextInt(3));
      list.add(new PathAttribute.OriginatorId(Fixtures.v4(id)));
    }
    if (peer.ibgp() && random.nextInt(4) == 0) {
      String id = random.nextInt(5) == 0 ? "10.255.255.1" : "10.8.8." + (1 + random.nextInt(3));
      list.add(new PathAttribute.ClusterList(List.of(Fixtures.v4(id))));
    }
    InetAddress nh = ip("192.0.2." + (1 + random.nextInt(4)));
    return AttributeSet.of(list, nh);
  }

  private static Update announcement(Prefix prefix, int pathId, AttributeSet attrs) {
    List<PathAttribute> list = new ArrayList<>(attrs.attributes());
    list.add(new PathAttribute.NextHop((java.net.Inet4Address) attrs.nextHop()));
    return new Update(List.of(), list, List.of(new Nlri(pathId, prefix)));
  }

  // ---- brute force, written independently of RibShard/BestPath ----

  private Optional<AttributeSet> expectedImport(Peer peer, Prefix prefix, AttributeSet a) {
    if (peer == eNoPolicy) {
      return Optional.empty();
    }
    if (looped(a)) {
      return Optional.empty(); // from an external and an internal peer alike
    }
    if (!peer.ibgp()) {
      List<PathAttribute> kept =
          a.attributes().stream()
              .filter(
                  x ->
                      !(x instanceof PathAttribute.LocalPref
                          || x instanceof PathAttribute.OriginatorId
                          || x instanceof PathAttribute.ClusterList))
              .toList();
      return importPolicy.apply(prefix, AttributeSet.of(kept, a.nextHop()), PolicyContext.NONE);
    }
    boolean ownOriginator =
        a.get(PathAttribute.OriginatorId.class)
            .map(o -> o.id().equals(Fixtures.ROUTER_ID))
            .orElse(false);
    boolean ownCluster = a.clusterList().contains(Fixtures.CLUSTER_ID);
    if (ownOriginator || ownCluster) {
      return Optional.empty();
    }
    return peer == i1 && i1Raised ? raise.apply(prefix, a, PolicyContext.NONE) : Optional.of(a);
  }

  private static boolean looped(AttributeSet a) {
    for (PathAttribute.Segment s : a.asPath().segments()) {
      if (s.asns().contains(Fixtures.LOCAL_AS)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Every peer's Adj-RIB-In, and its received and loop counts, is exactly what it sent and kept.
   */
  private void checkAdjRibIn(String where, ShardHarness h) {
    for (Peer peer : senders) {
      Map<Key, AttributeSet> got = new HashMap<>();
      for (ReceivedRoute r : h.shard.adjRibIn(peer, Integer.MAX_VALUE)) {
        assertThat(got.put(new Key(r.prefix(), r.pathId()), r.attributes()))
            .as(where + ": " + peer + " path listed twice: " + r)
            .isNull();
      }
      Map<Key, AttributeSet> want = sent.getOrDefault(peer, Map.of());
      assertThat(got).as(where + ": Adj-RIB-In of " + peer).isEqualTo(want);
      h.shard.reportCounts(); // as the Rib does at the end of every task
      PeerCounts counts = h.received.get(peer);
      long count = counts != null ? counts.paths() : 0;
      assertThat(count).as(where + ": received count of " + peer).isEqualTo(want.size());
      long ipv4 = counts != null ? counts.ipv4Paths().sum() : 0;
      assertThat(ipv4)
          .as(where + ": IPv4 count of " + peer + " (the per-family max-prefix count)")
          .isEqualTo(want.keySet().stream().filter(k -> !k.prefix().ipv6()).count());
      long loops = counts != null ? counts.loops().sum() : 0;
      assertThat(loops)
          .as(where + ": loop count of " + peer)
          .isEqualTo(want.values().stream().filter(RibRandomizedTest::looped).count());
    }
  }

  private static long routerIdOf(Route r) {
    return r.attributes()
        .get(PathAttribute.OriginatorId.class)
        .map(o -> Integer.toUnsignedLong(java.nio.ByteBuffer.wrap(o.id().getAddress()).getInt()))
        .orElse(
            Integer.toUnsignedLong(
                java.nio.ByteBuffer.wrap(r.source().routerId().getAddress()).getInt()));
  }

  private static final Comparator<Route> UP_TO_IGP =
      Comparator.<Route>comparingLong(
              r -> -(r.attributes().localPref() < 0 ? 100 : r.attributes().localPref()))
          .thenComparingInt(r -> r.attributes().asPath().pathLength())
          .thenComparingInt(r -> r.attributes().origin().ordinal())
          .thenComparingLong(r -> Math.max(0, r.attributes().med()))
          .thenComparingInt(r -> r.source().ibgp() ? 1 : 0)
          .thenComparingLong(r -> RESOLVER.resolve(r.attributes().nextHop()).igpCost());

  private static final Comparator<Route> TIE_BREAK =
      Comparator.comparingLong(RibRandomizedTest::routerIdOf)
          .thenComparingInt(r -> r.attributes().clusterList().size())
          .thenComparing(r -> r.source().address().getHostAddress())
          .thenComparingInt(Route::pathId);

  /** prefix → multipath list (best first) for prefixes with a usable path. */
  private Map<Prefix, List<Route>> expectedLocRib() {
    Map<Prefix, List<Route>> candidates = new HashMap<>();
    sent.forEach(
        (peer, routes) ->
            routes.forEach(
                (key, attrs) ->
                    expectedImport(peer, key.prefix(), attrs)
                        .filter(a -> RESOLVER.resolve(a.nextHop()).reachable())
                        .ifPresent(
                            a ->
                                candidates
                                    .computeIfAbsent(key.prefix(), k -> new ArrayList<>())
                                    .add(new Route(peer, key.pathId(), a, 0)))));
    Map<Prefix, List<Route>> out = new HashMap<>();
    candidates.forEach(
        (prefix, list) -> {
          list.sort(UP_TO_IGP.thenComparing(TIE_BREAK));
          Route best = list.get(0);
          List<Route> equal = new ArrayList<>();
          equal.add(best);
          list.stream()
              .skip(1)
              .filter(r -> UP_TO_IGP.compare(r, best) == 0)
              .sorted(
                  Comparator.<Route, String>comparing(r -> r.source().address().getHostAddress())
                      .thenComparingInt(Route::pathId))
              .limit(MAX_PATHS - 1)
              .forEach(equal::add);
          out.put(prefix, equal);
        });
    return out;
  }

  private static List<Object> identity(Route r) {
    return r == null ? null : List.of(r.source(), r.pathId(), r.attributes());
  }

  private void checkView(
      String where,
      ShardHarness h,
      UpdateGroup group,
      Peer member,
      Map<Prefix, List<Route>> expected) {
    Map<Nlri, AttributeSet> want = new HashMap<>();
    expected.forEach(
        (prefix, routes) -> {
          Route best = routes.get(0);
          if (!best.source().equals(member)) {
            ExportRules.apply(config, group.profile(), prefix, best)
                .ifPresent(a -> want.put(Nlri.of(prefix), a));
          }
        });
    Map<Nlri, AttributeSet> got = new HashMap<>();
    h.view(member).forEach((n, r) -> got.put(n, AttributeSet.of(r.attributes(), r.nextHop())));
    assertThat(got).as(where + ": what " + member + " was told").isEqualTo(want);
  }
}
