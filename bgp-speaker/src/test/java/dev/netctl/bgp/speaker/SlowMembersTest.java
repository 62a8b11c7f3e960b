package dev.netctl.bgp.speaker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.rib.Peer;
import dev.netctl.bgp.rib.PeerKind;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * When a group's writer splits a full member off, puts one back, or waits: a member full for less
 * than the threshold holds the group back, past it only itself, and nobody is split off when no one
 * could take data anyway.
 */
class SlowMembersTest {
  private static final long MS = 1_000_000;
  private final SlowMembers slow = new SlowMembers(Duration.ofMillis(50));
  private final Peer a = peer("192.0.2.1");
  private final Peer b = peer("192.0.2.2");
  private final Peer c = peer("192.0.2.3");
  private final List<Peer> roster = List.of(a, b, c);
  // Whether each member can take data; absent = no session.
  private final Map<Peer, Boolean> writable = new HashMap<>(Map.of(a, true, b, true, c, true));

  private static Peer peer(String address) {
    try {
      Inet4Address ip = (Inet4Address) InetAddress.getByName(address);
      return new Peer(ip, ip, 64512, PeerKind.IBGP, true);
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  private SlowMembers.Decision at(long nanos, Set<Peer> away) {
    return slow.decide(roster, away, writable::get, nanos);
  }

  @Test
  void aGroupWhoseMembersAllTakeDataDrainsWithoutSplittingAnyone() {
    assertThat(at(0, Set.of())).isEqualTo(new SlowMembers.Decision(List.of(), List.of(), true, 0));
  }

  @Test
  void aFullMemberHoldsTheGroupUntilTheThresholdThenIsSplitOffAlone() {
    writable.put(c, false);
    SlowMembers.Decision first = at(1_000 * MS, Set.of());
    assertThat(first.drain()).as("the group waits for it at first").isFalse();
    assertThat(first.recheckNanos()).isEqualTo(50 * MS);
    assertThat(at(1_030 * MS, Set.of()).recheckNanos())
        .as("the clock runs from when it was first found full")
        .isEqualTo(20 * MS);

    SlowMembers.Decision past = at(1_050 * MS, Set.of());
    assertThat(past.drain()).isTrue();
    assertThat(past.split()).containsExactly(c);
  }

  @Test
  void aMemberThatDrainsBeforeTheThresholdStartsAFreshClockNextTime() {
    writable.put(c, false);
    at(0, Set.of());
    writable.put(c, true);
    assertThat(at(40 * MS, Set.of()).drain()).isTrue();
    writable.put(c, false);
    SlowMembers.Decision again = at(60 * MS, Set.of());
    assertThat(again.drain()).isFalse();
    assertThat(again.recheckNanos()).isEqualTo(50 * MS);
  }

  @Test
  void whenNoMemberCanTakeDataTheGroupWaitsAndSplitsNobody() {
    writable.replaceAll((p, w) -> false);
    assertThat(at(0, Set.of())).isEqualTo(new SlowMembers.Decision(List.of(), List.of(), false, 0));
    assertThat(at(10_000 * MS, Set.of()).split()).isEmpty();
  }

  @Test
  void aSplitOffMemberIsPutBackOnceItCanTakeDataAndHoldsNobodyWhileFull() {
    writable.put(c, false);
    SlowMembers.Decision stillFull = at(0, Set.of(c));
    assertThat(stillFull.drain()).as("the others are not held back by it").isTrue();
    assertThat(stillFull.back()).isEmpty();

    writable.put(c, true);
    assertThat(at(10 * MS, Set.of(c)).back()).containsExactly(c);
  }

  @Test
  void aMemberWithoutASessionCountsForNothing() {
    writable.remove(c);
    writable.put(b, false);
    writable.put(a, false);
    assertThat(at(0, Set.of()).drain()).isFalse();
    assertThat(at(100 * MS, Set.of()).split()).as("nobody could take data").isEmpty();
  }

  @Test
  void aFullMemberThatStillDrainsIsNotSplitOffAtTheThresholdButIsAfterASecondAlone() {
    writable.put(c, false);
    Map<Peer, Long> pending = new HashMap<>(Map.of(a, 0L, b, 0L, c, 3_000_000L));
    java.util.function.ToLongFunction<Peer> queued = pending::get;
    assertThat(slow.decide(roster, Set.of(), writable::get, queued, 0).drain()).isFalse();
    pending.put(c, 2_900_000L);
    SlowMembers.Decision draining = slow.decide(roster, Set.of(), writable::get, queued, 50 * MS);
    assertThat(draining.split()).as("its queue went down: it reads").isEmpty();
    assertThat(draining.recheckNanos()).isEqualTo(50 * MS);

    SlowMembers.Decision stopped = slow.decide(roster, Set.of(), writable::get, queued, 100 * MS);
    assertThat(stopped.split()).as("no progress for the threshold").containsExactly(c);

    // Two members full and draining for seconds (a load outpacing its readers): nobody goes.
    writable.put(c, true);
    writable.put(a, false);
    writable.put(b, false);
    long t = 1_000 * MS;
    for (long q = 5_000_000; t < 4_000 * MS; t += 50 * MS, q -= 1_000) {
      pending.put(a, q);
      pending.put(b, q);
      assertThat(slow.decide(roster, Set.of(), writable::get, queued, t).split()).isEmpty();
    }
    // Then b alone: a second later it goes, though it still drains.
    writable.put(a, true);
    long alone = t;
    for (long q = 4_000_000; t < alone + 1_000 * MS; t += 50 * MS, q -= 1_000) {
      pending.put(b, q);
      assertThat(slow.decide(roster, Set.of(), writable::get, queued, t).split()).isEmpty();
    }
    pending.put(b, 1L);
    assertThat(slow.decide(roster, Set.of(), writable::get, queued, t).split())
        .as("the only one full for a second, even draining")
        .containsExactly(b);
  }
}
