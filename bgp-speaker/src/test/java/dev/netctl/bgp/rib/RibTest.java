package dev.netctl.bgp.rib;

import static dev.netctl.bgp.rib.Fixtures.client;
import static dev.netctl.bgp.rib.Fixtures.ebgp;
import static dev.netctl.bgp.rib.Fixtures.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netctl.bgp.codec.AddressFamily;
import dev.netctl.bgp.codec.BgpMessage.Update;
import dev.netctl.bgp.codec.CodecContext;
import dev.netctl.bgp.codec.Nlri;
import dev.netctl.bgp.codec.PathAttribute;
import dev.netctl.bgp.codec.PathAttribute.AsPath;
import dev.netctl.bgp.codec.Prefix;
import dev.netctl.bgp.policy.Match;
import dev.netctl.bgp.policy.Policy;
import dev.netctl.bgp.policy.PrefixList;
import dev.netctl.bgp.policy.Statement;
import dev.netctl.bgp.policy.Verdict;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RibTest {
  private final Rib rib =
      new Rib(
          new RibConfig(Fixtures.LOCAL_AS, Fixtures.ROUTER_ID, null, false, 4, 4),
          NextHopResolver.ALL_REACHABLE);
  private final Peer e1 = ebgp("192.0.2.1", 64512);

  @AfterEach
  void close() {
    rib.close();
  }

  private static List<PathAttribute> basic(long... path) {
    return List.of(new PathAttribute.Origin(PathAttribute.OriginType.IGP), AsPath.sequence(path));
  }

  /** Accepts 10.1.0.0/16 up to /24, rejects everything else. */
  private static Policy onlyTen1() {
    return new Policy(
        "only-10.1",
        List.of(
            new Statement(
                List.of(new Match.PrefixIn(PrefixList.of("l", "10.1.0.0/16 le 24"))),
                List.of(),
                Verdict.ACCEPT)),
        Verdict.REJECT);
  }

  private static Update v4Update(String nextHop, List<PathAttribute> attrs, String... prefixes) {
    List<PathAttribute> list = new ArrayList<>(attrs);
    list.add(new PathAttribute.NextHop(Fixtures.v4(nextHop)));
    return new Update(List.of(), list, java.util.Arrays.stream(prefixes).map(Nlri::of).toList());
  }

  @Test
  void appliesIpv4AndIpv6UpdatesAndWithdrawalsAcrossShards() {
    rib.addPeer(e1, new Policy("all", List.of(), Verdict.ACCEPT)).join();
    String[] prefixes = new String[64];
    for (int i = 0; i < prefixes.length; i++) {
      prefixes[i] = "10.1." + i + ".0/24";
    }
    rib.apply(e1, v4Update("192.0.2.1", basic(64512), prefixes)).join();
    List<PathAttribute> v6 = new ArrayList<>(basic(64512));
    v6.add(
        new PathAttribute.MpReach(
            AddressFamily.IPV6_UNICAST,
            List.of(ip("2001:db8::1"), ip("fe80::1")),
            List.of(Nlri.of("2001:db8:1::/48"))));
    rib.apply(e1, new Update(List.of(), v6, List.of())).join();
    assertThat(rib.prefixCount().join()).isEqualTo(65);
    RibEntry entry = rib.lookup(Prefix.parse("2001:db8:1::/48")).join().orElseThrow();
    assertThat(entry.best().attributes().nextHop()).isEqualTo(ip("2001:db8::1"));
    assertThat(entry.best().attributes().linkLocalNextHop()).isEqualTo(ip("fe80::1"));

    assertThat(rib.receivedCount(e1, AddressFamily.IPV4_UNICAST))
        .as("per-family count, IPv4 (the max-prefix limit holds per family)")
        .isEqualTo(64);
    assertThat(rib.receivedCount(e1, AddressFamily.IPV6_UNICAST)).isEqualTo(1);

    rib.apply(e1, new Update(List.of(Nlri.of("10.1.0.0/24")), List.of(), List.of())).join();
    rib.apply(
            e1,
            new Update(
                List.of(),
                List.of(
                    new PathAttribute.MpUnreach(
                        AddressFamily.IPV6_UNICAST, List.of(Nlri.of("2001:db8:1::/48")))),
                List.of()))
        .join();
    assertThat(rib.prefixCount().join()).isEqualTo(63);
    assertThat(rib.routes(p -> p.equals(Prefix.parse("10.1.5.0/24")), 10).join()).hasSize(1);
    assertThat(rib.routes(p -> true, 10).join()).as("limit").hasSize(10);
    assertThat(rib.adjRibIn(e1, 1000).join()).hasSize(63);
    assertThat(rib.receivedCount(e1, AddressFamily.IPV4_UNICAST)).isEqualTo(63);
    assertThat(rib.receivedCount(e1, AddressFamily.IPV6_UNICAST)).as("IPv6 withdrawn").isZero();
    rib.peerDown(e1).join();
    assertThat(rib.receivedCount(e1, AddressFamily.IPV4_UNICAST)).isZero();
  }

  @Test
  void receivedCountFollowsTheAdjRibInAcrossShardsIncludingRejectedPaths() {
    // Only 10.1/16 is imported, yet every received path counts (RFC 4486 counts what the peer
    // sent).
    Policy onlyTen1 = onlyTen1();
    Peer peer = Fixtures.ibgp("10.0.0.5");
    rib.addPeer(peer, onlyTen1).join();
    String[] prefixes = new String[40];
    for (int i = 0; i < prefixes.length; i++) {
      prefixes[i] = (i % 2 == 0 ? "10.1." : "10.2.") + i + ".0/24";
    }
    rib.apply(peer, v4Update("10.0.0.5", basic(64512), prefixes)).join();
    assertThat(rib.receivedCount(peer)).isEqualTo(40);
    assertThat(rib.prefixCount().join()).isEqualTo(20);
    // A re-announcement replaces; a withdrawal of something never sent changes nothing.
    rib.apply(e1, v4Update("192.0.2.1", basic(64512, 64513), prefixes[0], prefixes[1])).join();
    rib.apply(
            peer,
            new Update(
                List.of(Nlri.of("10.1.0.0/24"), Nlri.of("10.9.9.0/24")), List.of(), List.of()))
        .join();
    assertThat(rib.receivedCount(peer)).isEqualTo(39);
    Peer asClient = Fixtures.client("10.0.0.5");
    rib.changeRole(peer, asClient, onlyTen1, null, null).join();
    assertThat(rib.receivedCount(peer)).isZero();
    assertThat(rib.receivedCount(asClient)).isEqualTo(39);
    rib.peerDown(asClient).join();
    assertThat(rib.receivedCount(asClient)).isZero();
    assertThat(rib.prefixCount().join()).isZero();
  }

  @Test
  void sinksSeeBestPathChangesWithTheMultipathSet() {
    Map<Prefix, BestPathChange> last = new ConcurrentHashMap<>();
    rib.addSink(c -> last.put(c.prefix(), c));
    Peer a = Fixtures.ibgp("10.0.0.1");
    Peer b = Fixtures.ibgp("10.0.0.2");
    rib.addPeer(a, null).join();
    rib.addPeer(b, null).join();
    Prefix p = Prefix.parse("10.244.0.0/26");
    rib.apply(a, v4Update("10.0.0.1", basic(), "10.244.0.0/26")).join();
    rib.apply(b, v4Update("10.0.0.2", basic(), "10.244.0.0/26")).join();
    assertThat(last.get(p).multipath()).extracting(Route::source).containsExactly(a, b);
    rib.peerDown(a).join();
    assertThat(last.get(p).best().source()).isEqualTo(b);
    assertThat(last.get(p).multipath()).hasSize(1);
    rib.peerDown(b).join();
    assertThat(last.get(p).withdrawn()).isTrue();
  }

  @Test
  void changingTheImportPolicyReappliesItToTheAdjRibIn() {
    rib.addPeer(e1, new Policy("all", List.of(), Verdict.ACCEPT)).join();
    rib.apply(e1, v4Update("192.0.2.1", basic(64512), "10.1.0.0/24", "10.2.0.0/24")).join();
    Policy onlyTen1 = onlyTen1();
    rib.addPeer(e1, onlyTen1).join();
    assertThat(rib.routes(p -> true, 10).join())
        .extracting(RibEntry::prefix)
        .containsExactly(Prefix.parse("10.1.0.0/24"));
  }

  @Test
  void nextHopRefreshReselects() {
    Set<InetAddress> down = ConcurrentHashMap.newKeySet();
    try (Rib r =
        new Rib(
            RibConfig.of(Fixtures.LOCAL_AS, Fixtures.ROUTER_ID, 2),
            nh ->
                down.contains(nh)
                    ? NextHopResolver.State.UNREACHABLE
                    : NextHopResolver.State.REACHABLE)) {
      Peer a = Fixtures.ibgp("10.0.0.1");
      Peer b = Fixtures.ibgp("10.0.0.2");
      r.addPeer(a, null).join();
      r.addPeer(b, null).join();
      r.apply(a, v4Update("10.0.0.1", basic(), "10.9.0.0/24")).join();
      r.apply(b, v4Update("10.0.0.2", basic(), "10.9.0.0/24")).join();
      Prefix p = Prefix.parse("10.9.0.0/24");
      assertThat(r.lookup(p).join().orElseThrow().best().source()).isEqualTo(a);
      down.add(ip("10.0.0.1"));
      r.refreshNextHops().join();
      assertThat(r.lookup(p).join().orElseThrow().best().source()).isEqualTo(b);
    }
  }

  @Test
  void aSinkThatThrowsFailsTheWorkButTheGroupsStillHearOfTheChange() throws Exception {
    UpdateGroup g = rib.group(Fixtures.ibgpProfile(true, null));
    Peer source = client("10.0.0.21");
    Peer member = client("10.0.0.22");
    rib.addPeer(source, null).join();
    rib.join(g, member).join();
    g.drain(); // the (empty) table and its End-of-RIB
    rib.addSink(
        change -> {
          throw new IllegalStateException("test: a sink that fails");
        });

    CompletableFuture<Void> applied =
        rib.apply(source, v4Update("10.0.0.21", basic(), "10.244.7.0/26"));

    assertThatThrownBy(applied::join).hasRootCauseMessage("test: a sink that fails");
    List<Nlri> sent = new ArrayList<>();
    Fixtures.drain(g, (peer, update) -> sent.addAll(update.nlri()));
    assertThat(sent)
        .as("the member still gets the route")
        .containsExactly(Nlri.of("10.244.7.0/26"));
  }

  // An iBGP peer at address that has sent 40 /24s: base + 0.0/24 to base + 39.0/24.
  private Peer peerWithForty(String address, String base) {
    Peer peer = Fixtures.ibgp(address);
    rib.addPeer(peer, null).join();
    String[] prefixes = new String[40];
    for (int i = 0; i < prefixes.length; i++) {
      prefixes[i] = base + i + ".0/24";
    }
    rib.apply(peer, v4Update(address, basic(64512), prefixes)).join();
    return peer;
  }

  @Test
  void aRoleChangeWhosePolicyFailsStillMovesEveryPathOffTheOldRole() {
    Peer peer = peerWithForty("10.0.0.6", "10.1.");
    assertThat(rib.prefixCount().join()).isEqualTo(40);
    Peer asClient = Fixtures.client("10.0.0.6");
    RoutePolicy failing =
        (prefix, attributes, context) -> {
          throw new IllegalStateException("test: a policy that fails");
        };

    assertThatThrownBy(() -> rib.changeRole(peer, asClient, failing, null, null).join())
        .hasRootCauseMessage("test: a policy that fails");

    // Not imported under the failing policy, and none left under the old role's key, which no
    // Adj-RIB-In has any more; the Adj-RIB-In keeps all 40 under the new one.
    assertThat(rib.prefixCount().join()).isZero();
    assertThat(rib.receivedCount(asClient)).isEqualTo(40);
    rib.peerDown(asClient).join();
    assertThat(rib.receivedCount(asClient)).isZero();
  }

  @Test
  void aRoleChangeWhoseSinkFailsStillMovesEveryPathOffTheOldRole() {
    Peer peer = peerWithForty("10.0.0.7", "10.2.");
    rib.addSink(
        change -> {
          throw new IllegalStateException("test: a sink that fails");
        });
    Peer asClient = Fixtures.client("10.0.0.7");

    assertThatThrownBy(() -> rib.changeRole(peer, asClient, null, null, null).join())
        .hasRootCauseMessage("test: a sink that fails");

    // Every path moved to the new role: its session's end removes all of them.
    assertThatThrownBy(() -> rib.peerDown(asClient).join())
        .hasRootCauseMessage("test: a sink that fails");
    assertThat(rib.prefixCount().join()).isZero();
  }

  @Test
  void aWithdrawalWhoseSinkThrowsStillLeavesTheAdjRibInAndItsCount() {
    Peer source = client("10.0.0.23");
    rib.addPeer(source, null).join();
    rib.apply(source, v4Update("10.0.0.23", basic(), "10.244.8.0/26", "10.244.9.0/26")).join();
    assertThat(rib.receivedCount(source)).isEqualTo(2);
    rib.addSink(
        change -> {
          throw new IllegalStateException("test: a sink that fails");
        });

    CompletableFuture<Void> withdrawn =
        rib.apply(source, new Update(List.of(Nlri.of("10.244.8.0/26")), List.of(), List.of()));

    assertThatThrownBy(withdrawn::join).hasRootCauseMessage("test: a sink that fails");
    assertThat(rib.receivedCount(source)).as("the withdrawn path is not counted").isEqualTo(1);
    assertThat(rib.adjRibIn(source, 10).join()).hasSize(1);
    assertThat(rib.prefixCount().join()).isEqualTo(1);
  }

  @Test
  void updateGroupsAreSharedByEqualProfilesAndDeliverTheTableThenChanges() throws Exception {
    OutboundProfile profile =
        new OutboundProfile(
            PeerKind.IBGP,
            true,
            CodecContext.FOUR_OCTET,
            Set.of(AddressFamily.IPV4_UNICAST),
            null,
            ip("10.255.0.1"),
            null,
            null);
    UpdateGroup g = rib.group(profile);
    assertThat(rib.group(profile)).as("same profile, same group").isSameAs(g);
    Peer c1 = client("10.0.0.11");
    Peer c2 = client("10.0.0.12");
    rib.addPeer(c1, null).join();
    rib.apply(c1, v4Update("10.0.0.11", basic(), "10.244.1.0/26", "10.244.2.0/26")).join();
    AtomicInteger signals = new AtomicInteger();
    CountDownLatch signalled = new CountDownLatch(1);
    g.onPending(
        () -> {
          signals.incrementAndGet();
          signalled.countDown();
        });
    rib.join(g, c1).join();
    rib.join(g, c2).join();
    assertThat(signalled.await(10, TimeUnit.SECONDS)).isTrue();
    List<OutboundUpdate> out = g.drain();
    List<Update> toC1 = new ArrayList<>();
    List<Update> toC2 = new ArrayList<>();
    for (OutboundUpdate u : out) {
      if (u.audience().includes(c1)) {
        toC1.add(u.update());
      }
      if (u.audience().includes(c2)) {
        toC2.add(u.update());
      }
    }
    assertThat(toC1.stream().flatMap(u -> u.nlri().stream())).as("split horizon").isEmpty();
    assertThat(toC1).anyMatch(u -> u.endOfRibFamily().isPresent());
    // Before End-of-RIB, the whole table, each route once: the changes still pending when the
    // shard took c2's part come out as changes in the same drain, and the part leaves them out.
    int eor = -1;
    for (int i = 0; i < toC2.size() && eor < 0; i++) {
      if (toC2.get(i).endOfRibFamily().equals(java.util.Optional.of(AddressFamily.IPV4_UNICAST))) {
        eor = i;
      }
    }
    assertThat(eor).isPositive();
    assertThat(toC2.subList(0, eor).stream().flatMap(u -> u.nlri().stream()))
        .containsExactlyInAnyOrder(Nlri.of("10.244.1.0/26"), Nlri.of("10.244.2.0/26"));

    rib.apply(c1, new Update(List.of(Nlri.of("10.244.1.0/26")), List.of(), List.of())).join();
    List<OutboundUpdate> next = g.drain();
    assertThat(next).hasSize(1);
    assertThat(next.getFirst().update().withdrawn()).containsExactly(Nlri.of("10.244.1.0/26"));
    // c1 never got its own route back, so only the other members hold it and need the withdrawal.
    assertThat(next.getFirst().audience()).isEqualTo(new Audience.AllExcept(c1));
    rib.peerDown(c2).join();
    assertThat(g.members()).containsExactly(c1);
    assertThat(signals.get()).isPositive();
  }

  /**
   * What a group's writer saw of a one-shard RIB: how often it was signalled, the prefixes of each
   * drain. It drains the moment it is signalled, on the shard thread (a real writer schedules the
   * drain on its loop, which only makes it later): the worst case for a batch, since every drain
   * re-arms the signal, so a shard signalling per change is signalled per change.
   */
  private static final class InstantWriter {
    final UpdateGroup group;
    final AtomicInteger signals = new AtomicInteger();
    final List<List<Prefix>> drains = new java.util.concurrent.CopyOnWriteArrayList<>();

    InstantWriter(UpdateGroup group) {
      this.group = group;
      group.drain(); // the member's initial table and End-of-RIB
      group.onPending(
          () -> {
            signals.incrementAndGet();
            List<Prefix> seen = new ArrayList<>();
            for (OutboundUpdate u : group.drain()) {
              if (u.message() instanceof Update update) {
                update.withdrawn().forEach(n -> seen.add(n.prefix()));
                update.nlri().forEach(n -> seen.add(n.prefix()));
              }
            }
            drains.add(seen);
          });
    }

    List<Prefix> drained() {
      return drains.stream().flatMap(List::stream).toList();
    }
  }

  /** A one-shard RIB with reflector client 10.0.0.11 feeding the group that 10.0.0.12 joined. */
  private static InstantWriter clientGroup(Rib rib, Peer source) {
    Peer member = client("10.0.0.12");
    rib.addPeer(source, null).join();
    rib.addPeer(member, null).join();
    UpdateGroup g = rib.group(Fixtures.ibgpProfile(true, null));
    rib.join(g, member).join();
    return new InstantWriter(g);
  }

  private static Prefix slash26(int i) {
    return Prefix.ipv4(0x0af40000 | i << 6, 26); // 10.244.x.y/26
  }

  @Test
  void aBatchOfUpdatesSignalsEachGroupOnceAtItsEndAndEveryChangeReachesTheDrain() {
    try (Rib one = Fixtures.rib(1)) {
      Peer c1 = client("10.0.0.11");
      InstantWriter writer = clientGroup(one, c1);
      // A read's worth of small UPDATEs, one prefix each: one shard task. Signalled per change,
      // the writer would drain (and send) them one at a time while the shard goes on.
      List<Update> batch = new ArrayList<>();
      List<Prefix> announced = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        announced.add(slash26(i));
        batch.add(v4Update("10.0.0.11", basic(), slash26(i).toString()));
      }
      one.apply(c1, batch).join();
      assertThat(writer.signals).as("one signal for the batch").hasValue(1);
      assertThat(writer.drained())
          .as("every change drained")
          .containsExactlyInAnyOrderElementsOf(announced);

      // The next batch signals again (the drain re-armed it), once, and loses nothing either:
      // withdrawals and announcements alike.
      List<Update> second = new ArrayList<>();
      List<Prefix> changed = new ArrayList<>();
      for (int i = 0; i < 25; i++) {
        changed.add(slash26(i));
        second.add(new Update(List.of(Nlri.of(slash26(i))), List.of(), List.of()));
        changed.add(slash26(100 + i));
        second.add(v4Update("10.0.0.11", basic(), slash26(100 + i).toString()));
      }
      one.apply(c1, second).join();
      assertThat(writer.signals).as("one more signal for the second batch").hasValue(2);
      assertThat(writer.drains.get(1))
          .as("the second batch, all of it")
          .containsExactlyInAnyOrderElementsOf(changed);
    }
  }

  @Test
  void aSingleUpdateSignalsItsGroupAsItsChangesAreMadeNotAtTheEndOfItsTask() {
    try (Rib one = Fixtures.rib(1)) {
      Peer c1 = client("10.0.0.11");
      InstantWriter writer = clientGroup(one, c1);
      // One UPDATE of 50 prefixes, as a fan-out's client sends: nothing to gain from holding the
      // signal, and the writer starts on the first change while the shard makes the rest.
      String[] prefixes = new String[50];
      for (int i = 0; i < prefixes.length; i++) {
        prefixes[i] = slash26(i).toString();
      }
      one.apply(c1, v4Update("10.0.0.11", basic(), prefixes)).join();
      assertThat(writer.signals).as("signalled by the time apply completes").hasPositiveValue();
      assertThat(writer.drains.getFirst())
          .as("the first signal came while the shard was still making the UPDATE's changes")
          .hasSizeLessThan(prefixes.length);
      assertThat(writer.drained())
          .as("every change drained, once")
          .containsExactlyInAnyOrderElementsOf(
              java.util.Arrays.stream(prefixes).map(Prefix::parse).toList());
    }
  }
}
