package dev.netctl.bgp.rib;

import static dev.netctl.bgp.rib.Fixtures.attrs;
import static dev.netctl.bgp.rib.Fixtures.client;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.codec.AddressFamily;
import dev.netctl.bgp.codec.BgpMessage;
import dev.netctl.bgp.codec.BgpMessage.Update;
import dev.netctl.bgp.codec.CodecContext;
import dev.netctl.bgp.codec.Nlri;
import dev.netctl.bgp.codec.Prefix;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A member split off its update group (its channel backed up) misses drains, and when put back ends
 * with exactly the table it would hold had it kept up: what changed while it was away at its
 * current state, what was withdrawn withdrawn, each key once however often it flapped.
 */
class UpdateGroupSlowMemberTest {
  private final ShardHarness h = new ShardHarness();
  private final Peer source = Fixtures.ibgp("10.0.0.1");
  private final Peer fast = client("10.0.0.11");
  private final Peer other = client("10.0.0.12");
  private final Peer slow = client("10.0.0.13");
  private final UpdateGroup g =
      h.group(ShardHarness.profile(PeerKind.IBGP, true, CodecContext.FOUR_OCTET));

  private static Prefix v4(int i) {
    return Prefix.ipv4(0x0a000000 | i << 8, 24);
  }

  private static Prefix v6(int i) {
    return Prefix.parse("2001:db8:" + Integer.toHexString(i) + "::/48");
  }

  private static AttributeSet med(long med) {
    return attrs("10.0.0.1").med(med).build();
  }

  @Test
  void aMemberPutBackHoldsExactlyTheCurrentTableIncludingWhatWasWithdrawnWhileItWasAway() {
    for (int i = 0; i < 100; i++) {
      h.shard.announce(source, v4(i), 0, med(1));
    }
    h.shard.announce(source, v6(1), 0, attrs("2001:db8::1").build());
    h.shard.announce(source, v6(2), 0, attrs("2001:db8::1").build());
    h.join(g, fast);
    h.join(g, other);
    h.join(g, slow);
    h.drainAll();
    assertThat(h.view(slow)).hasSize(102).isEqualTo(h.view(fast));

    g.detach(slow);
    assertThat(g.detached()).containsExactly(slow);
    for (int i = 0; i < 30; i++) {
      h.shard.withdraw(source, v4(i), 0);
    }
    for (int i = 30; i < 60; i++) {
      h.shard.announce(source, v4(i), 0, med(2));
    }
    h.drainAll();
    for (int i = 100; i < 150; i++) {
      h.shard.announce(source, v4(i), 0, med(3));
    }
    // Came and went while the member was away: it must never hear of it.
    h.shard.announce(source, v4(150), 0, med(3));
    h.drainAll();
    h.shard.withdraw(source, v4(150), 0);
    h.shard.withdraw(source, v6(2), 0);
    // The slow member's own route: reflected to the others, never back to it.
    h.shard.announce(slow, v4(200), 0, attrs("10.0.0.13").build());
    h.drainAll();

    assertThat(h.view(fast)).as("the others were not held back").hasSize(100 - 30 + 50 + 1 + 1);
    assertThat(h.view(other)).isEqualTo(h.view(fast));
    assertThat(h.view(slow)).as("nothing reached the member while it was split off").hasSize(102);

    h.catchUp(g, slow);
    assertThat(g.detached()).isEmpty();
    h.drainAll();

    Map<Nlri, ShardHarness.Received> expected = new HashMap<>(h.view(fast));
    expected.remove(new Nlri(0, v4(200)));
    assertThat(h.view(slow)).isEqualTo(expected);
    assertThat(h.view(slow))
        .doesNotContainKeys(new Nlri(0, v4(0)), new Nlri(0, v4(29)), new Nlri(0, v4(150)))
        .doesNotContainKey(new Nlri(0, v6(2)))
        .containsKeys(new Nlri(0, v4(149)), new Nlri(0, v6(1)));

    // Back on the synchronous path: the next change reaches it with the others.
    h.shard.withdraw(source, v4(99), 0);
    h.drainAll();
    assertThat(h.view(slow)).doesNotContainKey(new Nlri(0, v4(99)));
  }

  @Test
  void aPrefixThatFlappedWhileTheMemberWasAwayIsSentToItOnceAtItsLastState() {
    h.join(g, fast);
    h.join(g, slow);
    h.drainAll();
    g.detach(slow);
    for (int round = 1; round <= 10; round++) {
      h.shard.announce(source, v4(7), 0, med(round));
      h.drainAll();
      h.shard.withdraw(source, v4(7), 0);
      h.drainAll();
    }
    h.shard.announce(source, v4(7), 0, med(42));
    h.drainAll();
    int before = h.inbox.getOrDefault(slow, List.of()).size();

    h.catchUp(g, slow);
    h.drainAll();

    List<Update> caughtUp = h.inbox.get(slow).subList(before, h.inbox.get(slow).size());
    long mentions =
        caughtUp.stream()
            .flatMap(u -> java.util.stream.Stream.concat(u.nlri().stream(), u.withdrawn().stream()))
            .filter(n -> n.prefix().equals(v4(7)))
            .count();
    assertThat(mentions).as("one announcement of the flapping prefix").isEqualTo(1);
    assertThat(h.view(slow).get(new Nlri(0, v4(7))))
        .isEqualTo(h.view(fast).get(new Nlri(0, v4(7))));
  }

  /** Keyed (the default cap), and past a cap of 4 with chunks of 7: the whole table walked. */
  @ParameterizedTest
  @CsvSource({"65536, 8192", "4, 7"})
  void aMemberSplitOffBeforeItsInitialTableGetsTheTableThenOneEndOfRib(int cap, int chunk) {
    g.backlogCap(cap);
    g.catchUpChunk(chunk);
    for (int i = 0; i < 60; i++) {
      h.shard.announce(source, v4(i), 0, med(1));
    }
    h.join(g, fast);
    h.drainAll();
    h.join(g, slow);
    g.detach(slow);
    h.drainAll();
    h.shard.withdraw(source, v4(3), 0);
    h.drainAll();
    assertThat(h.messages.getOrDefault(slow, List.of())).isEmpty();

    h.catchUp(g, slow);
    h.drainAll();

    List<BgpMessage> got = h.messages.get(slow);
    assertThat(h.view(slow)).hasSize(59).isEqualTo(h.view(fast));
    long endOfRib =
        got.stream().filter(m -> m instanceof Update u && u.endOfRibFamily().isPresent()).count();
    assertThat(endOfRib).as("one End-of-RIB per family").isEqualTo(2);
    assertThat(got.getLast())
        .as("End-of-RIB follows the table")
        .matches(m -> m instanceof Update u && u.endOfRibFamily().isPresent());
    assertThat(got.subList(got.size() - 2, got.size()))
        .extracting(m -> ((Update) m).endOfRibFamily().orElseThrow())
        .containsExactlyInAnyOrder(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST);
  }

  /** What {@code slow} should hold: what {@code fast} holds, but {@code slow}'s own routes. */
  private Map<Nlri, ShardHarness.Received> expectedFor(Prefix... ownRoutes) {
    Map<Nlri, ShardHarness.Received> expected = new HashMap<>(h.view(fast));
    for (Prefix p : ownRoutes) {
      expected.remove(new Nlri(0, p));
    }
    return expected;
  }

  /** Prefixes (announced or withdrawn) in what a drain addressed to {@code member} alone. */
  private static int prefixesTo(Peer member, List<OutboundUpdate> out) {
    int n = 0;
    for (OutboundUpdate u : out) {
      if (u.audience() instanceof Audience.Only o
          && o.peer().equals(member)
          && u.message() instanceof Update up) {
        n += up.allNlri().size() + up.allWithdrawn().size();
      }
    }
    return n;
  }

  private long endsOfRib(Peer member) {
    return h.messages.getOrDefault(member, List.of()).stream()
        .filter(m -> m instanceof Update u && u.endOfRibFamily().isPresent())
        .count();
  }

  @Test
  void pastItsCapABacklogKeepsOnlyWithdrawalsAndTheCatchUpWalksTheTableInChunksToExactlyIt() {
    g.backlogCap(16);
    g.catchUpChunk(25);
    for (int i = 0; i < 100; i++) {
      h.shard.announce(source, v4(i), 0, med(1));
    }
    h.shard.announce(source, v6(1), 0, attrs("2001:db8::1").build());
    h.shard.announce(source, v6(2), 0, attrs("2001:db8::1").build());
    h.join(g, fast);
    h.join(g, slow);
    h.drainAll();
    assertThat(h.view(slow)).hasSize(102);

    g.detach(slow);
    for (int i = 100; i < 400; i++) {
      h.shard.announce(source, v4(i), 0, med(2));
    }
    h.drainAll();
    for (int i = 0; i < 20; i++) {
      h.shard.withdraw(source, v4(i), 0);
    }
    // A prefix flapping, drained at every step, ends announced with new attributes; another ends
    // withdrawn; one is re-announced with changed attributes.
    for (int round = 0; round < 5; round++) {
      h.shard.withdraw(source, v4(50), 0);
      h.drainAll();
      h.shard.announce(source, v4(50), 0, med(10 + round));
      h.shard.announce(source, v4(70), 0, med(10 + round));
      h.drainAll();
      h.shard.withdraw(source, v4(70), 0);
      h.drainAll();
    }
    h.shard.announce(source, v4(60), 0, med(7));
    h.shard.withdraw(source, v6(2), 0);
    h.shard.announce(slow, v4(500), 0, attrs("10.0.0.13").build());
    h.drainAll();
    assertThat(g.backlogSize(slow))
        .as("over its cap the backlog holds only the 23 keys withdrawn, not the 300+ announced")
        .isLessThanOrEqualTo(23)
        .isPositive();
    assertThat(h.view(slow)).as("nothing reached it while split off").hasSize(102);

    int chunksBefore = h.chunks;
    int table = h.view(fast).size();
    int drains = 0;
    while (!g.catchUp(slow)) {
      List<OutboundUpdate> out = h.drainAll();
      assertThat(prefixesTo(slow, out)).as("one chunk at a time").isLessThanOrEqualTo(25);
      assertThat(drains++).isLessThan(1000);
    }

    assertThat(h.chunks - chunksBefore)
        .as("the table in chunks")
        .isGreaterThanOrEqualTo(table / 25);
    assertThat(h.view(slow)).isEqualTo(expectedFor(v4(500)));
    assertThat(h.view(slow))
        .doesNotContainKeys(new Nlri(0, v4(0)), new Nlri(0, v4(19)), new Nlri(0, v4(70)))
        .doesNotContainKey(new Nlri(0, v6(2)))
        .containsKeys(new Nlri(0, v4(399)), new Nlri(0, v6(1)));
    assertThat(h.view(slow).get(new Nlri(0, v4(50))))
        .isEqualTo(h.view(fast).get(new Nlri(0, v4(50))));
    assertThat(h.view(slow).get(new Nlri(0, v4(60))).attributes())
        .contains(new dev.netctl.bgp.codec.PathAttribute.MultiExitDisc(7));
    assertThat(endsOfRib(slow)).as("its initial table was ended once, not again").isEqualTo(2);

    h.shard.withdraw(source, v4(399), 0);
    h.drainAll();
    assertThat(h.view(slow)).as("back on the shared path").isEqualTo(expectedFor(v4(500)));
  }

  @Test
  void changesWhileTheCatchUpIsUnderWayReachTheMemberInALaterRound() {
    g.backlogCap(8);
    g.catchUpChunk(10);
    h.join(g, fast);
    h.join(g, slow);
    h.drainAll();
    g.detach(slow);
    for (int i = 0; i < 200; i++) {
      h.shard.announce(source, v4(i), 0, med(1));
    }
    h.drainAll();

    assertThat(g.catchUp(slow)).isFalse();
    h.drainAll();
    assertThat(g.catchUp(slow)).isFalse();
    h.drainAll();
    Map<Nlri, ShardHarness.Received> partway = h.view(slow);
    List<Prefix> sent =
        java.util.stream.IntStream.range(0, 200)
            .mapToObj(UpdateGroupSlowMemberTest::v4)
            .filter(p -> partway.containsKey(new Nlri(0, p)))
            .toList();
    List<Prefix> notYet =
        java.util.stream.IntStream.range(0, 200)
            .mapToObj(UpdateGroupSlowMemberTest::v4)
            .filter(p -> !partway.containsKey(new Nlri(0, p)))
            .toList();
    assertThat(sent).as("part of the table so far").hasSizeBetween(1, 40);
    // Behind the walk: one withdrawn, one changed; ahead of it: one withdrawn.
    h.shard.withdraw(source, sent.get(0), 0);
    h.shard.announce(source, sent.get(1), 0, med(99));
    h.shard.withdraw(source, notYet.get(0), 0);
    h.shard.announce(source, v4(300), 0, med(5));
    h.drainAll();

    h.catchUp(g, slow);

    assertThat(h.view(slow)).hasSize(200 - 2 + 1).isEqualTo(expectedFor());
    assertThat(h.view(slow).get(new Nlri(0, sent.get(1))).attributes())
        .contains(new dev.netctl.bgp.codec.PathAttribute.MultiExitDisc(99));
  }

  @Test
  void aMemberSplitOffWhileADrainWasBeingWrittenGetsWhatItMissedOfItThenOneEndOfRib() {
    for (int i = 0; i < 300; i++) {
      h.shard.announce(source, v4(i), 0, med(1));
    }
    h.join(g, fast);
    h.drainAll();
    g.catchUpChunk(40);
    // Its initial table and a later change come in one drain; the writer gets the first UPDATE out
    // to the member, then splits it off and drops the rest for it.
    h.join(g, slow);
    h.shard.announce(source, v4(400), 0, med(4));
    List<OutboundUpdate> out = g.drain();
    assertThat(out).as("table, two End-of-RIBs, the change").hasSizeGreaterThanOrEqualTo(4);
    int half = 1;
    h.deliver(g, out.subList(0, half), java.util.Set.of());
    g.detach(slow);
    g.missed(slow, out.subList(half, out.size()));
    List<OutboundUpdate> rest = new java.util.ArrayList<>();
    for (OutboundUpdate u : out.subList(half, out.size())) {
      if (!(u.audience() instanceof Audience.Only o && o.peer().equals(slow))) {
        rest.add(u);
      }
    }
    h.deliver(g, rest, java.util.Set.of(slow));
    assertThat(endsOfRib(slow)).as("the End-of-RIB was in what it missed").isZero();
    h.shard.withdraw(source, v4(5), 0);
    h.drainAll();

    h.catchUp(g, slow);

    assertThat(h.view(slow)).hasSize(300).isEqualTo(expectedFor());
    assertThat(endsOfRib(slow)).as("one End-of-RIB per family").isEqualTo(2);
    List<BgpMessage> got = h.messages.get(slow);
    assertThat(got.subList(got.size() - 2, got.size()))
        .as("after the table")
        .allMatch(m -> m instanceof Update u && u.endOfRibFamily().isPresent());
  }

  @Test
  void aSessionThatEndsAsItsCatchUpStartsLeavesNothingBehindForTheNextSessionOfThePeer()
      throws InterruptedException {
    for (int i = 0; i < 50; i++) {
      h.shard.announce(source, v4(i), 0, med(1));
    }
    // The session ends on another thread just as the catch-up has checked the member is there
    // (the round's sharding is asked for right after those checks).
    AtomicReference<Runnable> afterChecks = new AtomicReference<>(() -> {});
    UpdateGroup racy =
        new UpdateGroup(
            ShardHarness.profile(PeerKind.IBGP, true, CodecContext.FOUR_OCTET),
            new ShardHarness.OneShard() {
              @Override
              public int shards() {
                afterChecks.getAndSet(() -> {}).run();
                return 1;
              }

              @Override
              public void chunk(UpdateGroup group, CatchUp round, TableSync sync) {
                h.shard.catchUp(group, sync, round, 0);
              }
            });
    h.groups.add(racy);
    h.join(racy, fast);
    h.join(racy, slow);
    h.drainAll();
    racy.detach(slow);
    h.shard.announce(source, v4(60), 0, med(2));
    h.drainAll();
    Thread down = new Thread(() -> racy.removeMember(slow), "session-down");
    afterChecks.set(
        () -> {
          down.start();
          awaitBlockedOrDone(down);
        });

    assertThat(racy.catchUp(slow)).isFalse();
    down.join(10_000);
    assertThat(down.isAlive()).isFalse();
    h.drainAll();

    // The same neighbour connects again: a new session, which holds nothing yet.
    h.views.remove(slow);
    h.messages.remove(slow);
    h.join(racy, slow);
    h.drainAll();

    assertThat(racy.detached()).as("the new session is on the shared path").isEmpty();
    assertThat(h.view(slow)).hasSize(51).isEqualTo(expectedFor());
    assertThat(endsOfRib(slow)).as("one End-of-RIB per family").isEqualTo(2);
  }

  /** Waits until {@code t} ran to its end or waits for a monitor (bounded). */
  private static void awaitBlockedOrDone(Thread t) {
    for (int i = 0; i < 10_000; i++) {
      Thread.State state = t.getState();
      if (state == Thread.State.BLOCKED || state == Thread.State.TERMINATED) {
        return;
      }
      Thread.onSpinWait();
      try {
        Thread.sleep(1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
    throw new AssertionError(t + " neither ended nor waited for the group");
  }
}
