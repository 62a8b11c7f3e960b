package dev.netctl.bgp.rib;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.codec.Prefix;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What a split-off member's backlog keeps: every key up to its cap, past it only withdrawals. */
class BacklogTest {
  private static Prefix v4(int i) {
    return Prefix.ipv4(0x0a000000 | i << 8, 24);
  }

  private static Set<Prefix> keys(Backlog b) {
    Set<Prefix> out = new HashSet<>();
    b.forEach((prefix, pathId, withdrawal) -> out.add(prefix));
    return out;
  }

  @Test
  void belowItsCapEveryKeyIsKeptOnceHoweverOftenItChanged() {
    Backlog b = new Backlog(100);
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < 50; i++) {
        b.mark(v4(i), 0, 0, round % 2 == 1);
      }
    }
    b.mark(Prefix.parse("2001:db8::/48"), 0, 0, false);
    b.mark(v4(1), 0, 7, false);
    assertThat(b.whole()).isFalse();
    assertThat(b.size()).isEqualTo(52);
  }

  @Test
  void pastItsCapOnlyWithdrawalsAreKeptAndTheCatchUpWalksTheWholeTable() {
    Backlog b = new Backlog(64);
    for (int i = 0; i < 10; i++) {
      b.mark(v4(i), 0, 0, true);
    }
    for (int i = 10; i < 100_000; i++) {
      b.mark(v4(i), 0, 0, false);
    }
    b.mark(Prefix.parse("2001:db8::/48"), 0, 0, true);
    b.mark(Prefix.parse("2001:db8:1::/48"), 0, 0, false);

    assertThat(b.whole()).isTrue();
    assertThat(b.size()).as("bounded by the withdrawals, not the announcements").isEqualTo(11);
    assertThat(keys(b)).contains(v4(0), v4(9)).doesNotContain(v4(10), v4(99_999));
    assertThat(b.isEmpty()).isFalse();
  }

  @Test
  void aCancelledCatchUpsBacklogIsTakenBackWithItsMarkersFirst() {
    Backlog older = new Backlog(8);
    for (int i = 0; i < 20; i++) {
      older.mark(v4(i), 0, 0, i == 0);
    }
    older.markers(
        java.util.List.of(),
        java.util.List.of(
            dev.netctl.bgp.codec.BgpMessage.Update.endOfRib(
                dev.netctl.bgp.codec.AddressFamily.IPV4_UNICAST)));
    Backlog newer = new Backlog(8);
    newer.mark(v4(500), 0, 0, false);

    newer.absorbOlder(older);

    assertThat(newer.whole()).isTrue();
    assertThat(keys(newer)).containsExactly(v4(0));
    assertThat(newer.end()).hasSize(1);
  }
}
