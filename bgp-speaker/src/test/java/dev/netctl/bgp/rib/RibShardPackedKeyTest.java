package dev.netctl.bgp.rib;

import static dev.netctl.bgp.rib.Fixtures.ip;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.codec.AddressFamily;
import dev.netctl.bgp.codec.BgpMessage.Update;
import dev.netctl.bgp.codec.CodecContext;
import dev.netctl.bgp.codec.Ipv4NlriList;
import dev.netctl.bgp.codec.Nlri;
import dev.netctl.bgp.codec.PathAttribute;
import dev.netctl.bgp.codec.Prefix;
import dev.netctl.bgp.policy.Action;
import dev.netctl.bgp.policy.Match;
import dev.netctl.bgp.policy.Policy;
import dev.netctl.bgp.policy.PrefixList;
import dev.netctl.bgp.policy.Statement;
import dev.netctl.bgp.policy.Verdict;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The shard's packed-key path (path 0 of an IPv4 prefix as decoded, {@link RibShard#announce(Peer,
 * long, AttributeSet)}, {@link RibShard#withdraw(Peer, long)}) against the {@link Prefix} path: the
 * same random sequences, with the cases the packed path hands over to the general one mixed in
 * (several peers per prefix, ADD-PATH ids, IPv6, a prefix-dependent and an attribute-changing
 * import policy, stale marks, unusable next hops, an ADD-PATH group), must leave the same
 * Adj-RIB-In, Loc-RIB, sink changes, and UPDATEs to every member, in the same order.
 */
class RibShardPackedKeyTest {
  private static final NextHopResolver RESOLVER =
      nh ->
          nh.getHostAddress().equals("192.0.2.4")
              ? NextHopResolver.State.UNREACHABLE
              : new NextHopResolver.State(true, 10);

  private final Peer e1 = Fixtures.ebgp("172.16.0.1", 64512);
  private final Peer i1 = Fixtures.ibgp("10.0.0.1");
  private final Peer c1 = Fixtures.client("10.0.0.3");
  private final Peer c2 = Fixtures.client("10.0.0.4");
  private final Peer c3 = Fixtures.client("10.0.0.5");
  private final List<Peer> senders = List.of(e1, i1, c1, c2, Peer.LOCAL);

  // Depends on the prefix: rejects 10.99/16, and raises 10.0.1.0/24.
  private final Policy byPrefix =
      new Policy(
          "by-prefix",
          List.of(
              new Statement(
                  List.of(new Match.PrefixIn(PrefixList.of("bogons", "10.99.0.0/16 le 32"))),
                  List.of(),
                  Verdict.REJECT),
              new Statement(
                  List.of(new Match.PrefixIn(PrefixList.of("raised", "10.0.1.0/24"))),
                  List.of(new Action.SetLocalPref(300)),
                  Verdict.ACCEPT)),
          Verdict.ACCEPT);
  // Changes every path it accepts: the Loc-RIB then cannot share the Adj-RIB-In entry.
  private final Policy raise =
      new Policy(
          "raise",
          List.of(new Statement(List.of(), List.of(new Action.SetLocalPref(150)), Verdict.ACCEPT)),
          Verdict.ACCEPT);

  private final RibConfig config =
      new RibConfig(Fixtures.LOCAL_AS, Fixtures.ROUTER_ID, Fixtures.CLUSTER_ID, true, 2, 1);

  /** A shard and its groups, driven through one of the two paths. */
  private final class Side {
    final ShardHarness h = new ShardHarness(config, RESOLVER);
    final boolean packed;
    final List<UpdateGroup> groups = new ArrayList<>();

    Side(boolean packed, boolean sinkListening) {
      this.packed = packed;
      if (!sinkListening) {
        h.sinks.clear(); // nothing asks for a Prefix: the packed path builds none
      }
      h.policies.put(e1, byPrefix);
      h.policies.put(i1, RoutePolicy.ACCEPT_ALL);
      h.policies.put(c1, RoutePolicy.ACCEPT_ALL);
      h.policies.put(c2, RoutePolicy.ACCEPT_ALL);
      groups.add(h.group(Fixtures.ibgpProfile(true, null), c1, c2));
      groups.add(
          h.group(
              new OutboundProfile(
                  PeerKind.EBGP,
                  false,
                  CodecContext.FOUR_OCTET,
                  Set.of(AddressFamily.IPV4_UNICAST),
                  RoutePolicy.ACCEPT_ALL,
                  ip("172.16.0.254"),
                  null,
                  null),
              e1));
      groups.add(
          h.group(
              ShardHarness.profile(
                  PeerKind.IBGP,
                  true,
                  new CodecContext(true, Set.of(AddressFamily.IPV4_UNICAST), false)),
              c3));
    }

    void announce(Peer peer, Prefix prefix, int pathId, AttributeSet attrs) {
      if (packed && pathId == 0 && !prefix.ipv6()) {
        h.shard.announce(peer, Ipv4NlriList.pack(prefix), attrs);
      } else {
        h.shard.announce(peer, prefix, pathId, attrs);
      }
    }

    void withdraw(Peer peer, Prefix prefix, int pathId) {
      if (packed && pathId == 0 && !prefix.ipv6()) {
        h.shard.withdraw(peer, Ipv4NlriList.pack(prefix));
      } else {
        h.shard.withdraw(peer, prefix, pathId);
      }
    }
  }

  @RepeatedTest(6)
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void packedAndPrefixPathsLeaveTheSameTablesAndSendTheSameUpdates(RepetitionInfo info) {
    int run = info.getCurrentRepetition();
    long seed = 0x5EED_0000L + run;
    // Every other run without a listening sink, so that most changes build no Prefix at all.
    boolean sinkListening = run % 2 == 0;
    Side byPrefix = new Side(false, sinkListening);
    Side byKey = new Side(true, sinkListening);
    SplittableRandom random = new SplittableRandom(seed);
    List<AttributeSet> pool = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      pool.add(attributes(i));
    }
    for (int batch = 0; batch < 60; batch++) {
      // A task of several UPDATEs defers its signals (Rib.apply); a lone one does not.
      boolean defer = random.nextBoolean();
      List<Runnable> ops = new ArrayList<>();
      for (int op = 0; op < 12; op++) {
        ops.addAll(randomOp(random, pool, byPrefix, byKey));
      }
      for (Side side : List.of(byPrefix, byKey)) {
        if (defer) {
          side.h.shard.deferSignals();
        }
      }
      // Interleaved op by op: each op runs on both sides before the next is drawn.
      for (Runnable op : ops) {
        op.run();
      }
      for (Side side : List.of(byPrefix, byKey)) {
        if (defer) {
          side.h.shard.releaseSignals();
        }
        side.h.drainAll();
      }
      compare("seed " + seed + " batch " + batch, byPrefix, byKey);
    }
  }

  /**
   * One random step: mostly an UPDATE's worth of announcements (one peer, one attribute set, as the
   * packed path expects) or withdrawals, each of 1 to 8 prefixes.
   */
  private List<Runnable> randomOp(
      SplittableRandom random, List<AttributeSet> pool, Side byPrefix, Side byKey) {
    Peer peer = senders.get(random.nextInt(senders.size()));
    // c2 sends several paths per prefix (ADD-PATH receive); the others path 0.
    int pathId = peer == c2 && random.nextInt(3) == 0 ? 1 + random.nextInt(2) : 0;
    AttributeSet attrs = pool.get(random.nextInt(pool.size()));
    int op = random.nextInt(100);
    if (op < 92) {
      List<Runnable> update = new ArrayList<>();
      for (int n = 1 + random.nextInt(8); n > 0; n--) {
        Prefix prefix =
            switch (random.nextInt(10)) {
              case 0 -> Prefix.ipv4(0x0a630000 | random.nextInt(4) << 8, 24); // 10.99/16: rejected
              case 1 -> Prefix.ipv6(0x20010db8_00000000L | random.nextInt(4) << 16, 0, 48);
              default -> Prefix.ipv4(0x0a000000 | random.nextInt(16) << 8, 24);
            };
        update.add(
            op < 55
                ? () -> {
                  byPrefix.announce(peer, prefix, pathId, attrs);
                  byKey.announce(peer, prefix, pathId, attrs);
                }
                : () -> {
                  byPrefix.withdraw(peer, prefix, pathId);
                  byKey.withdraw(peer, prefix, pathId);
                });
      }
      return update;
    }
    return List.of(otherOp(random, peer, byPrefix, byKey));
  }

  private Runnable otherOp(SplittableRandom random, Peer peer, Side byPrefix, Side byKey) {
    int op = random.nextInt(8);
    if (op < 2 && peer != Peer.LOCAL) {
      return () -> {
        byPrefix.h.shard.peerDown(peer);
        byKey.h.shard.peerDown(peer);
      };
    }
    if (op < 4) {
      Set<AddressFamily> families =
          random.nextBoolean()
              ? Set.of(AddressFamily.IPV4_UNICAST)
              : Set.of(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST);
      return () -> {
        byPrefix.h.shard.markStale(peer, families);
        byKey.h.shard.markStale(peer, families);
      };
    }
    if (op < 6) {
      return () -> {
        byPrefix.h.shard.sweepStale(peer, Set.of(AddressFamily.IPV4_UNICAST));
        byKey.h.shard.sweepStale(peer, Set.of(AddressFamily.IPV4_UNICAST));
      };
    }
    // i1's policy flips between accepting as received (shared entries) and changing every path.
    RoutePolicy next =
        byPrefix.h.policies.get(i1) == RoutePolicy.ACCEPT_ALL ? raise : RoutePolicy.ACCEPT_ALL;
    return () -> {
      for (Side side : List.of(byPrefix, byKey)) {
        side.h.policies.put(i1, next);
        side.h.shard.reimport(i1);
      }
    };
  }

  private static AttributeSet attributes(int i) {
    List<PathAttribute> list = new ArrayList<>();
    list.add(new PathAttribute.Origin(PathAttribute.OriginType.IGP));
    list.add(PathAttribute.AsPath.sequence(i % 3 == 0 ? new long[] {64512} : new long[0]));
    list.add(new PathAttribute.MultiExitDisc(i * 10L));
    if (i == 5) {
      list.add(new PathAttribute.LocalPref(200));
    }
    // One in six behind an unreachable next hop: kept without a best path.
    return AttributeSet.of(list, ip("192.0.2." + (1 + i % 4)));
  }

  private void compare(String where, Side a, Side b) {
    assertThat(b.h.changes).as(where + ": sink changes").isEqualTo(a.h.changes);
    assertThat(routes(b)).as(where + ": Loc-RIB").isEqualTo(routes(a));
    for (Peer peer : senders) {
      assertThat(new HashSet<>(b.h.shard.adjRibIn(peer, Integer.MAX_VALUE)))
          .as(where + ": Adj-RIB-In of " + peer)
          .isEqualTo(new HashSet<>(a.h.shard.adjRibIn(peer, Integer.MAX_VALUE)));
      assertThat(b.h.shard.staleCount(peer))
          .as(where + ": stale paths of " + peer)
          .isEqualTo(a.h.shard.staleCount(peer));
      assertThat(count(b, peer)).as(where + ": count of " + peer).isEqualTo(count(a, peer));
    }
    for (Peer member : List.of(c1, c2, c3, e1)) {
      assertThat(b.h.inbox.getOrDefault(member, List.of()))
          .as(where + ": UPDATEs to " + member)
          .isEqualTo(a.h.inbox.getOrDefault(member, List.of()));
    }
  }

  private static List<RibEntry> routes(Side s) {
    List<RibEntry> out = new ArrayList<>(s.h.shard.routes(p -> true, Integer.MAX_VALUE));
    out.sort(Comparator.comparing(e -> e.prefix().toString()));
    return out;
  }

  private static long count(Side s, Peer peer) {
    s.h.shard.reportCounts(); // as the Rib does at the end of every task
    PeerCounts c = s.h.received.get(peer);
    return c == null ? 0 : c.paths() * 1_000_000 + c.loops().sum();
  }

  @Test
  void anUpdateDecodedPackedAndOneOfPlainNlriLeaveTheSameLocRib() {
    AttributeSet attrs = attributes(1);
    List<PathAttribute> wire = new ArrayList<>(attrs.attributes());
    wire.add(new PathAttribute.NextHop((java.net.Inet4Address) attrs.nextHop()));
    List<Prefix> prefixes = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      prefixes.add(Prefix.ipv4(0x10000000 | i << 8, 24));
    }
    try (Rib packed = Fixtures.rib(1);
        Rib plain = Fixtures.rib(1)) {
      for (Rib rib : List.of(packed, plain)) {
        rib.addPeer(i1, null).join();
      }
      Ipv4NlriList.Builder announce = new Ipv4NlriList.Builder();
      for (Prefix p : prefixes) {
        announce.add(Ipv4NlriList.pack(p));
      }
      // Host bits set: the decoder never packs such a value, but a prefix is its network.
      announce.add(0x10_00_63_07L << 8 | 24);
      packed.apply(i1, new Update(List.of(), wire, announce.build())).join();
      List<Nlri> nlri = new ArrayList<>(prefixes.stream().map(p -> new Nlri(0, p)).toList());
      nlri.add(new Nlri(0, Prefix.parse("16.0.99.0/24")));
      plain.apply(i1, new Update(List.of(), wire, nlri)).join();
      assertThat(routes(packed)).hasSize(21).isEqualTo(routes(plain));

      Ipv4NlriList.Builder withdraw = new Ipv4NlriList.Builder();
      for (int i = 0; i < 10; i++) {
        withdraw.add(Ipv4NlriList.pack(prefixes.get(i)));
      }
      packed.apply(i1, new Update(withdraw.build(), List.of(), List.of())).join();
      plain.apply(i1, new Update(nlri.subList(0, 10), List.of(), List.of())).join();
      assertThat(routes(packed)).hasSize(11).isEqualTo(routes(plain));
    }
  }

  private static List<RibEntry> routes(Rib rib) {
    List<RibEntry> out = new ArrayList<>(rib.routes(p -> true, Integer.MAX_VALUE).join());
    out.sort(Comparator.comparing(e -> e.prefix().toString()));
    return out;
  }

  @Test
  void groupsListedWhileATaskDefersAreEachSignalledOnceAtItsEnd() {
    AtomicInteger[] signals = new AtomicInteger[4];
    UpdateGroup[] made = new UpdateGroup[4];
    UpdateGroups groups = new UpdateGroups();
    ChangePublisher publisher = new ChangePublisher(Fixtures.config(), List.of(), groups);
    AttributeSet x = Fixtures.attrs("10.0.0.3").build();
    for (int i = 0; i < made.length; i++) {
      AtomicInteger n = new AtomicInteger();
      signals[i] = n;
      made[i] =
          new UpdateGroup(
              new OutboundProfile(
                  PeerKind.IBGP,
                  true,
                  CodecContext.FOUR_OCTET,
                  Set.of(AddressFamily.IPV4_UNICAST),
                  RoutePolicy.ACCEPT_ALL,
                  ip("10.255.0." + (1 + i)),
                  null,
                  null),
              ShardHarness.NO_RESYNC);
      made[i].beginSync(c2, 0);
      made[i].onPending(n::incrementAndGet);
      made[i].drain();
      n.set(0); // whatever registration itself signalled
    }
    groups.add(made[0]);
    groups.add(made[1]);
    publisher.deferSignals();
    try {
      for (int i = 0; i < 30; i++) {
        if (i == 10) {
          groups.add(made[2]); // the live array changes mid-task
        }
        if (i == 20) {
          groups.add(made[3]);
        }
        publisher.inserted(null, Ipv4NlriList.pack(Prefix.ipv4(0x0a000000 | i << 8, 24)), c1, x);
      }
      for (AtomicInteger n : signals) {
        assertThat(n).as("no signal while the task runs").hasValue(0);
      }
    } finally {
      publisher.releaseSignals();
    }
    for (int i = 0; i < made.length; i++) {
      assertThat(signals[i]).as("group " + i + " signalled once").hasValue(1);
      assertThat(made[i].drain())
          .flatExtracting(u -> u.update().nlri())
          .hasSize(i == 0 || i == 1 ? 30 : i == 2 ? 20 : 10);
    }
    // The next task starts with no group marked as offered.
    publisher.deferSignals();
    publisher.inserted(null, Ipv4NlriList.pack(Prefix.parse("10.1.0.0/24")), c1, x);
    publisher.releaseSignals();
    for (AtomicInteger n : signals) {
      assertThat(n).as("signalled again after the next task").hasValue(2);
    }
  }
}
