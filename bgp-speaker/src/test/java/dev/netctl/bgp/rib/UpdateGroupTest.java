package dev.netctl.bgp.rib;

import static dev.netctl.bgp.rib.Fixtures.attrs;
import static dev.netctl.bgp.rib.Fixtures.client;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.codec.AddressFamily;
import dev.netctl.bgp.codec.BgpEncoder;
import dev.netctl.bgp.codec.BgpMessage;
import dev.netctl.bgp.codec.BgpMessage.Update;
import dev.netctl.bgp.codec.CodecContext;
import dev.netctl.bgp.codec.Nlri;
import dev.netctl.bgp.codec.PathAttribute;
import dev.netctl.bgp.codec.Prefix;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class UpdateGroupTest {
  private final ShardHarness h = new ShardHarness();
  private final Peer c1 = client("10.0.0.11");
  private final Peer c2 = client("10.0.0.12");
  private final Peer c3 = client("10.0.0.13");

  /** An empty group of reflector clients, outside any RIB. */
  private static UpdateGroup clientGroup() {
    return new UpdateGroup(
        ShardHarness.profile(PeerKind.IBGP, true, CodecContext.FOUR_OCTET), ShardHarness.NO_RESYNC);
  }

  private static Prefix v4(int i) {
    return Prefix.ipv4(0x0a000000 | i << 8, 24);
  }

  @Test
  void aListenerThatThrowsIsSignalledAgainByTheNextChange() {
    UpdateGroup g = clientGroup();
    g.beginSync(c1, 0);
    java.util.concurrent.atomic.AtomicInteger signals =
        new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicBoolean broken =
        new java.util.concurrent.atomic.AtomicBoolean();
    g.onPending(
        () -> {
          signals.incrementAndGet();
          if (broken.get()) throw new IllegalStateException("listener broke");
        });
    g.drain();
    signals.set(0); // whatever registration itself signalled
    AttributeSet a = attrs("10.0.0.1").build();
    Peer source = Fixtures.ibgp("10.0.0.1");
    broken.set(true);
    RuntimeException thrown = null;
    try {
      g.offer(v4(1), 0, a, source);
    } catch (RuntimeException e) {
      thrown = e;
    }
    assertThat(thrown).as("the failure reaches the caller").hasMessage("listener broke");
    broken.set(false);
    g.offer(v4(2), 0, a, source);
    assertThat(signals).as("the change after the failure signals again").hasValue(2);
    assertThat(g.drain()).flatExtracting(u -> u.update().nlri()).hasSize(2);
    g.offer(v4(3), 0, a, source);
    assertThat(signals).as("and so does the first change after that drain").hasValue(3);
  }

  @Test
  void packsEveryPrefixExactlyOnceGroupedByAttributesWithinTheSizeLimit() {
    int sets = 7;
    int prefixes = 3000;
    List<AttributeSet> attrSets = new ArrayList<>();
    for (int s = 0; s < sets; s++) {
      // Different sizes, one large, so messages hold different numbers of NLRI.
      Integer[] communities = new Integer[s == 3 ? 200 : s + 1];
      for (int i = 0; i < communities.length; i++) {
        communities[i] = 65000 << 16 | (s * 1000 + i);
      }
      attrSets.add(attrs("10.0.0.1").communities(communities).build());
    }
    Peer source = Fixtures.ibgp("10.0.0.1");
    Map<Prefix, AttributeSet> expected = new HashMap<>();
    for (int i = 0; i < prefixes; i++) {
      AttributeSet a = attrSets.get(i % sets);
      h.shard.announce(source, v4(i), 0, a);
      expected.put(v4(i), a);
    }
    UpdateGroup g = h.group(ShardHarness.profile(PeerKind.IBGP, true, CodecContext.FOUR_OCTET), c1);
    List<OutboundUpdate> out = h.drainAll();

    Map<Prefix, Integer> seen = new HashMap<>();
    Map<List<PathAttribute>, List<Update>> byAttributes = new HashMap<>();
    int eor = 0;
    for (OutboundUpdate u : out) {
      assertThat(BgpEncoder.encode(u.update(), CodecContext.FOUR_OCTET).length)
          .as("message size")
          .isLessThanOrEqualTo(CodecContext.MAX_MESSAGE_SIZE);
      if (u.update().endOfRibFamily().isPresent()) {
        eor++;
        continue;
      }
      for (Nlri n : u.update().nlri()) {
        seen.merge(n.prefix(), 1, Integer::sum);
      }
      byAttributes.computeIfAbsent(u.update().attributes(), k -> new ArrayList<>()).add(u.update());
    }
    assertThat(seen.keySet()).isEqualTo(expected.keySet());
    assertThat(seen.values()).as("every prefix exactly once").containsOnly(1);
    assertThat(byAttributes).as("one message series per attribute set").hasSize(sets);
    for (List<Update> series : byAttributes.values()) {
      // Every message but the last of a series must be full: one more NLRI would not fit.
      for (Update u : series.subList(0, series.size() - 1)) {
        List<Nlri> more = new ArrayList<>(u.nlri());
        more.add(Nlri.of("10.255.255.0/24"));
        Update bigger = new Update(u.withdrawn(), u.attributes(), more);
        assertThat(BgpEncoder.encode(bigger, CodecContext.FOUR_OCTET).length)
            .as("a non-final message was not filled")
            .isGreaterThan(CodecContext.MAX_MESSAGE_SIZE);
      }
    }
    assertThat(eor).as("End-of-RIB for IPv4 and IPv6").isEqualTo(2);
    assertThat(g.hasPending()).isFalse();
  }

  @Test
  void extendedMessagesHoldMoreNlri() {
    Peer source = Fixtures.ibgp("10.0.0.1");
    AttributeSet a = attrs("10.0.0.1").build();
    for (int i = 0; i < 3000; i++) {
      h.shard.announce(source, v4(i), 0, a);
    }
    CodecContext ext = new CodecContext(true, Set.of(), true);
    h.group(ShardHarness.profile(PeerKind.IBGP, true, ext), c1);
    List<OutboundUpdate> out = h.drainAll();
    long announcements = out.stream().filter(u -> !u.update().nlri().isEmpty()).count();
    assertThat(announcements)
        .as("3000 /24s (4 bytes each) fit one 65535-byte message")
        .isEqualTo(1);
  }

  /**
   * A member joins while routes arrive from another peer: between its join and its shard taking the
   * initial table, changes are drained to it as to every member. Those the table would repeat (sent
   * already, in their current state) go out once; one still pending when the table is taken stays
   * in the table (its drain may come after End-of-RIB); every route ends in its final state.
   */
  @Test
  void aRouteChangedWhileAMemberJoinsGoesToItOnce() {
    Peer source = Fixtures.ibgp("10.0.0.1");
    Peer c2 = client("10.0.0.12");
    h.shard.announce(source, v4(1), 0, attrs("10.0.0.1").build());
    UpdateGroup g = h.group(ShardHarness.profile(PeerKind.IBGP, true, CodecContext.FOUR_OCTET), c1);
    h.drainAll();
    // c2 is a member from here on; its shard takes its table only after more changes.
    TableSync sync = g.beginSync(c2, 1);
    h.shard.announce(source, v4(2), 0, attrs("10.0.0.1").build());
    h.shard.announce(source, v4(1), 0, attrs("10.0.0.2").build());
    h.drainAll(); // v4(2) and the new v4(1) reach c2 as changes
    h.shard.announce(source, v4(3), 0, attrs("10.0.0.1").build()); // pending when taken
    h.shard.sync(g, sync);
    h.drainAll();
    Map<Nlri, Integer> announced = new HashMap<>();
    for (Update u : h.inbox.get(c2)) {
      u.nlri().forEach(n -> announced.merge(n, 1, Integer::sum));
    }
    assertThat(announced)
        .as("each route announced to the joining member once")
        .containsOnly(
            Map.entry(Nlri.of(v4(1)), 1),
            Map.entry(Nlri.of(v4(2)), 1),
            Map.entry(Nlri.of(v4(3)), 1));
    assertThat(h.view(c2))
        .isEqualTo(h.view(c1))
        .containsOnlyKeys(Nlri.of(v4(1)), Nlri.of(v4(2)), Nlri.of(v4(3)));
    assertThat(h.view(c2).get(Nlri.of(v4(1))).nextHop()).isEqualTo(Fixtures.ip("10.0.0.2"));
    List<Update> inbox = h.inbox.get(c2);
    int eor = 0;
    while (inbox.get(eor).endOfRibFamily().isEmpty()) {
      eor++;
    }
    assertThat(inbox.subList(0, eor).stream().flatMap(u -> u.nlri().stream()))
        .as("the route pending when the table was taken comes before End-of-RIB")
        .contains(Nlri.of(v4(3)));
    // Later changes are noted no more: the table is taken.
    assertThat(g.joining()).isEmpty();
  }

  @Test
  void aHeldChangeIsPendingUntilDrainedWhereverItIsHeld() {
    UpdateGroup g = clientGroup();
    g.beginSync(c1, 0);
    g.drain();
    AttributeSet a = attrs("10.0.0.1").build();
    Peer source = Fixtures.ibgp("10.0.0.1");
    // With a source an IPv4 change is held by its packed key; without one (a withdrawal offered
    // as such) in the map of other keys, whose stripe comes from the prefix's own hash: for most
    // prefixes another stripe than the packed key's.
    for (int i = 1; i <= 64; i++) {
      g.offer(v4(i), 0, a, source);
      g.offer(v4(100 + i), 0, null, null);
    }
    for (int i = 1; i <= 64; i++) {
      assertThat(g.pending(v4(i), 0)).as("held by its packed key: %s", v4(i)).isTrue();
      assertThat(g.pending(v4(100 + i), 0)).as("held without a source: %s", v4(100 + i)).isTrue();
    }
    assertThat(g.pending(v4(250), 0)).isFalse();
    g.drain();
    assertThat(g.pending(v4(1), 0)).as("drained").isFalse();
    assertThat(g.pending(v4(101), 0)).as("drained").isFalse();
  }

  @Test
  void joiningMemberGetsTableThenEndOfRibThenChanges() {
    Peer source = Fixtures.ibgp("10.0.0.1");
    h.shard.announce(source, v4(1), 0, attrs("10.0.0.1").build());
    UpdateGroup g = h.group(ShardHarness.profile(PeerKind.IBGP, true, CodecContext.FOUR_OCTET), c1);
    h.shard.announce(source, v4(2), 0, attrs("10.0.0.1").build());
    h.drainAll();
    List<Update> inbox = h.inbox.get(c1);
    int firstEor = -1;
    for (int i = 0; i < inbox.size(); i++) {
      if (inbox.get(i).endOfRibFamily().isPresent()) {
        firstEor = i;
        break;
      }
    }
    assertThat(firstEor).isPositive();
    assertThat(inbox.subList(0, firstEor).stream().flatMap(u -> u.nlri().stream()))
        .as("snapshot before End-of-RIB")
        .contains(Nlri.of(v4(1)));
    assertThat(h.view(c1)).containsKeys(Nlri.of(v4(1)), Nlri.of(v4(2)));
    assertThat(g.members()).containsExactly(c1);
  }

  @Test
  void splitHorizonWithoutAddPathWithdrawsFromTheSourceAndReannouncesWhenTheBestMoves() {
    h.group(ShardHarness.profile(PeerKind.IBGP, true, CodecContext.FOUR_OCTET), c1, c2, c3);
    h.drainAll();
    Prefix p = v4(9);
    Nlri n = Nlri.of(p);
    h.shard.announce(c3, p, 0, attrs("10.0.0.13").build());
    h.drainAll();
    assertThat(h.view(c1)).containsKey(n);
    // c1's path becomes best (lower router id): c1 must lose c3's path, c2 and c3 get c1's.
    h.shard.announce(c1, p, 0, attrs("10.0.0.11").build());
    h.drainAll();
    assertThat(h.view(c1)).as("source gets a withdrawal").doesNotContainKey(n);
    assertThat(h.view(c2).get(n).nextHop()).isEqualTo(Fixtures.ip("10.0.0.11"));
    assertThat(h.view(c3).get(n).nextHop()).isEqualTo(Fixtures.ip("10.0.0.11"));
    // c1 withdraws: everyone, c1 included, is back on c3's path (except c3 itself).
    h.shard.withdraw(c1, p, 0);
    h.drainAll();
    assertThat(h.view(c1).get(n).nextHop()).isEqualTo(Fixtures.ip("10.0.0.13"));
    assertThat(h.view(c2).get(n).nextHop()).isEqualTo(Fixtures.ip("10.0.0.13"));
    assertThat(h.view(c3)).doesNotContainKey(n);
    h.shard.withdraw(c3, p, 0);
    h.drainAll();
    for (Peer m : List.of(c1, c2, c3)) {
      assertThat(h.view(m)).as("withdrawn at %s", m).doesNotContainKey(n);
    }
  }

  @Test
  void aSourceThatNeverHeldAnEarlierRouteGetsNoWithdrawalBack() {
    h.group(ShardHarness.profile(PeerKind.IBGP, true, CodecContext.FOUR_OCTET), c1, c2, c3);
    h.drainAll();
    // A first announcement (the reflector fan-out): nothing was advertised before.
    h.shard.announce(c1, v4(1), 0, attrs("10.0.0.11").build());
    List<OutboundUpdate> out = h.drainAll();
    assertThat(out).hasSize(1);
    assertThat(out.getFirst().audience()).isEqualTo(new Audience.AllExcept(c1));
    // c1 withdraws its own route: only c2 and c3 held it.
    h.shard.withdraw(c1, v4(1), 0);
    out = h.drainAll();
    assertThat(out).hasSize(1);
    assertThat(out.getFirst().audience()).isEqualTo(new Audience.AllExcept(c1));
  }

  @Test
  void aCoalescedChangeStillWithdrawsWhatTheFirstOneReplaced() {
    h.group(ShardHarness.profile(PeerKind.IBGP, true, CodecContext.FOUR_OCTET), c1, c2, c3);
    h.drainAll();
    Prefix p = v4(2);
    Nlri n = Nlri.of(p);
    h.shard.announce(c3, p, 0, attrs("10.0.0.13").build());
    h.drainAll();
    assertThat(h.view(c1)).containsKey(n);
    // Undrained: c3 withdraws (c1 and c2 must lose c3's path), then c1 announces its own.
    h.shard.withdraw(c3, p, 0);
    h.shard.announce(c1, p, 0, attrs("10.0.0.11").build());
    h.drainAll();
    assertThat(h.view(c1)).as("c1 still holding c3's path").doesNotContainKey(n);
    assertThat(h.view(c2).get(n).nextHop()).isEqualTo(Fixtures.ip("10.0.0.11"));
    assertThat(h.view(c3).get(n).nextHop()).isEqualTo(Fixtures.ip("10.0.0.11"));
  }

  @Test
  void changesBetweenDrainsCoalesceToTheLatestState() {
    h.group(ShardHarness.profile(PeerKind.IBGP, true, CodecContext.FOUR_OCTET), c1);
    h.drainAll();
    Peer source = Fixtures.ibgp("10.0.0.1");
    for (int i = 0; i < 10; i++) {
      h.shard.announce(source, v4(1), 0, attrs("10.0.0.1").med(i).build());
    }
    List<OutboundUpdate> out = h.drainAll();
    assertThat(out).hasSize(1);
    assertThat(h.view(c1).get(Nlri.of(v4(1))).attributes())
        .contains(new PathAttribute.MultiExitDisc(9));
  }

  @Test
  void addPathSendsEveryPathWithItsOwnIdExceptToItsSource() {
    CodecContext addPath = new CodecContext(true, Set.of(AddressFamily.IPV4_UNICAST), false);
    h.group(ShardHarness.profile(PeerKind.IBGP, true, addPath), c1, c2);
    h.drainAll();
    Prefix p = v4(5);
    h.shard.announce(c1, p, 0, attrs("10.0.0.11").build());
    h.shard.announce(c3, p, 0, attrs("10.0.0.13").build());
    Peer other = Fixtures.ibgp("10.0.0.40");
    h.shard.announce(other, p, 0, attrs("10.0.0.40").build());
    h.drainAll();
    Set<Integer> idsAtC2 = new HashSet<>();
    h.view(c2).keySet().forEach(n -> idsAtC2.add(n.pathId()));
    assertThat(idsAtC2).as("three paths, three ids").hasSize(3).doesNotContain(0);
    assertThat(h.view(c1)).as("c1 gets the other two paths").hasSize(2);
    assertThat(h.view(c1).values()).noneMatch(r -> r.nextHop().equals(Fixtures.ip("10.0.0.11")));
    h.shard.withdraw(c3, p, 0);
    h.drainAll();
    assertThat(h.view(c2)).hasSize(2);
    assertThat(h.view(c1)).hasSize(1);
  }

  @Test
  void ipv6RoutesTravelInMpReachAndMpUnreach() {
    h.group(ShardHarness.profile(PeerKind.IBGP, true, CodecContext.FOUR_OCTET), c1);
    h.drainAll();
    Prefix p = Prefix.parse("2001:db8:1::/48");
    Peer source = Fixtures.ibgp("10.0.0.1");
    h.shard.announce(source, p, 0, attrs("2001:db8::1").build());
    List<OutboundUpdate> out = h.drainAll();
    assertThat(out.get(0).update().attribute(PathAttribute.MpReach.class)).isPresent();
    assertThat(h.view(c1).get(Nlri.of(p)).nextHop()).isEqualTo(Fixtures.ip("2001:db8::1"));
    h.shard.withdraw(source, p, 0);
    out = h.drainAll();
    assertThat(out.get(0).update().attribute(PathAttribute.MpUnreach.class)).isPresent();
    assertThat(h.view(c1)).isEmpty();
  }

  @Test
  void aSnapshotFromAnEarlierJoinOfTheSamePeerIsDropped() {
    Peer source = Fixtures.ibgp("10.0.0.1");
    h.shard.announce(source, v4(1), 0, attrs("10.0.0.1").build());
    UpdateGroup g = clientGroup();
    h.groups.add(g);
    // First session: one of two snapshot parts arrives, then the session flaps and rejoins.
    h.shard.sync(g, g.beginSync(c1, 2));
    g.removeMember(c1);
    var second = g.beginSync(c1, 1);
    List<OutboundUpdate> out = g.drain();
    assertThat(out).as("the stale part neither delivers nor counts").isEmpty();
    h.shard.sync(g, second);
    out = g.drain();
    assertThat(out.stream().filter(u -> u.update().endOfRibFamily().isPresent())).hasSize(2);
    assertThat(out.stream().flatMap(u -> u.update().nlri().stream()))
        .containsExactly(Nlri.of(v4(1)));
  }

  private static Prefix v6(int i) {
    return Prefix.parse("2001:db8:" + Integer.toHexString(i) + "::/48");
  }

  private static long endOfRibs(List<BgpMessage> inbox) {
    return inbox.stream()
        .filter(m -> m instanceof Update u && u.endOfRibFamily().isPresent())
        .count();
  }

  @Test
  void emptyTableStillGetsExactlyOneEndOfRibPerFamily() {
    UpdateGroup g = h.group(ShardHarness.profile(PeerKind.IBGP, true, CodecContext.FOUR_OCTET), c1);
    h.drainAll();
    h.drainAll();
    List<BgpMessage> inbox = h.messages.get(c1);
    assertThat(inbox)
        .as("an empty table is just the markers, once, for each family")
        .containsExactlyInAnyOrder(
            Update.endOfRib(AddressFamily.IPV4_UNICAST),
            Update.endOfRib(AddressFamily.IPV6_UNICAST));
    // A later change is a plain UPDATE, never another End-of-RIB.
    h.shard.announce(Fixtures.ibgp("10.0.0.1"), v4(1), 0, attrs("10.0.0.1").build());
    h.drainAll();
    assertThat(endOfRibs(h.messages.get(c1))).isEqualTo(2);
    assertThat(g.members()).containsExactly(c1);
  }

  @Test
  void refreshResendsOneFamilyToOneMemberWithoutEndOfRib() {
    Peer source = Fixtures.ibgp("10.0.0.1");
    h.shard.announce(source, v4(1), 0, attrs("10.0.0.1").build());
    h.shard.announce(source, v6(1), 0, attrs("2001:db8::1").build());
    UpdateGroup g =
        h.group(ShardHarness.profile(PeerKind.IBGP, true, CodecContext.FOUR_OCTET), c1, c2);
    h.drainAll();
    h.messages.clear();

    h.shard.sync(g, g.beginRefresh(c1, 1, AddressFamily.IPV4_UNICAST, false));
    h.drainAll();

    assertThat(h.messages.get(c2)).as("other members get nothing").isNull();
    List<BgpMessage> inbox = h.messages.get(c1);
    assertThat(inbox).hasSize(1);
    assertThat(((Update) inbox.getFirst()).nlri()).containsExactly(Nlri.of(v4(1)));
  }

  @Test
  void enhancedRefreshIsFramedByBeginAndEndOfRouteRefresh() {
    Peer source = Fixtures.ibgp("10.0.0.1");
    h.shard.announce(source, v4(1), 0, attrs("10.0.0.1").build());
    h.shard.announce(source, v6(1), 0, attrs("2001:db8::1").build());
    UpdateGroup g = h.group(ShardHarness.profile(PeerKind.IBGP, true, CodecContext.FOUR_OCTET), c1);
    h.drainAll();
    h.messages.clear();

    TableSync sync = g.beginRefresh(c1, 2, AddressFamily.IPV6_UNICAST, true);
    h.shard.sync(g, sync);
    h.drainAll();
    assertThat(h.messages.get(c1))
        .as("the first part is preceded by BoRR, but EoRR waits for the last part")
        .first()
        .isEqualTo(new BgpMessage.RouteRefresh(AddressFamily.IPV6_UNICAST, 1));
    assertThat(h.messages.get(c1))
        .doesNotContain(new BgpMessage.RouteRefresh(AddressFamily.IPV6_UNICAST, 2));
    h.shard.sync(g, sync); // the second shard's (here: the same) part
    h.drainAll();
    List<BgpMessage> inbox = h.messages.get(c1);
    assertThat(inbox.getLast())
        .isEqualTo(new BgpMessage.RouteRefresh(AddressFamily.IPV6_UNICAST, 2));
    assertThat(inbox.stream().filter(m -> m instanceof BgpMessage.RouteRefresh)).hasSize(2);
    assertThat(inbox.stream().filter(m -> m instanceof Update).map(m -> (Update) m))
        .allSatisfy(
            u ->
                assertThat(u.attribute(PathAttribute.MpReach.class))
                    .as("only IPv6 is sent again")
                    .hasValueSatisfying(
                        r -> assertThat(r.family()).isEqualTo(AddressFamily.IPV6_UNICAST)));
  }

  @Test
  void refreshDuringTheInitialDumpKeepsTheDumpAndItsEndOfRib() {
    Peer source = Fixtures.ibgp("10.0.0.1");
    h.shard.announce(source, v4(1), 0, attrs("10.0.0.1").build());
    UpdateGroup g = clientGroup();
    h.groups.add(g);
    TableSync initial = g.beginSync(c1, 2);
    h.shard.sync(g, initial);
    h.shard.sync(g, g.beginRefresh(c1, 1, AddressFamily.IPV4_UNICAST, false));
    h.drainAll();
    assertThat(endOfRibs(h.messages.get(c1))).as("initial dump still incomplete").isZero();
    h.shard.sync(g, initial);
    h.drainAll();
    assertThat(endOfRibs(h.messages.get(c1))).isEqualTo(2);
  }

  @Test
  void refreshOfANonMemberOrAbsentFamilyIsNothing() {
    UpdateGroup g = h.group(ShardHarness.profile(PeerKind.IBGP, true, CodecContext.FOUR_OCTET), c1);
    assertThat(g.beginRefresh(c2, 1, AddressFamily.IPV4_UNICAST, true)).isNull();
    assertThat(g.beginRefresh(c1, 1, AddressFamily.of(1, 128), true)).isNull();
  }

  @Test
  void theRosterIsOneObjectUntilTheMembershipChanges() {
    UpdateGroup g = clientGroup();
    assertThat(g.roster()).isEmpty();
    g.beginSync(c1, 1);
    List<Peer> first = g.roster();
    assertThat(first).containsExactly(c1);
    assertThat(g.roster()).isSameAs(first);
    g.beginSync(c2, 1);
    List<Peer> second = g.roster();
    assertThat(second).containsExactlyInAnyOrder(c1, c2);
    assertThat(g.roster()).isSameAs(second);
    g.removeMember(c1);
    assertThat(g.roster()).containsExactly(c2).isNotSameAs(second);
  }

  /**
   * The keys of one stripe must reach every part of that stripe's index, however large it grows:
   * the stripe is picked from bits a probe never uses. With bits 16-18, as until session 19, the
   * keys of one stripe all had the same bit 17, so at 2^18 index slots (a table load's burst) half
   * the index was never a home slot.
   */
  @Test
  void aStripesKeysSpreadOverAnIndexOfAnySize() {
    int mask = (1 << 29) - 1; // the largest index a stripe's table probes with
    long[] inHalf = new long[2];
    int inStripe = 0;
    for (int i = 0; i < 200_000; i++) {
      int hash = PrefixTable.mix(PrefixTable.pack(Prefix.ipv4(0x0a000000 + (i << 8), 24)));
      if (UpdateGroup.stripeIndex(hash) == 3) {
        inStripe++;
        inHalf[(hash & mask) >>> 17 & 1]++;
        assertThat(UpdateGroup.stripeIndex(hash & mask)).isZero();
      }
    }
    assertThat(inStripe).isBetween(20_000, 30_000);
    assertThat(inHalf[0]).isBetween(inStripe * 4L / 10, inStripe * 6L / 10);
  }
}
