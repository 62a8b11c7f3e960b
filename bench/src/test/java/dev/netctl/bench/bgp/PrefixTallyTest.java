package dev.netctl.bench.bgp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PrefixTallyTest {
  private static final long BASE = 10L << 24;

  @Test
  void aPeersOwnRouteSurvivesAWithdrawalFromTheReflector() {
    PrefixTally tally = new PrefixTally(BASE, 26, 3, 3, -1);
    tally.preset(1);
    tally.withdraw(BASE + 64, 26); // the reflector withdraws the client's own prefix toward it
    assertThat(tally.presentCount()).as("own route still held").isEqualTo(1);
    tally.announce(BASE, 26, -1);
    tally.announce(BASE + 128, 26, -1);
    assertThat(tally.completedAtNanos()).as("complete with own + two received").isNotZero();
  }

  @Test
  void aPresetRangeCountsAsHeldAndSurvivesWithdrawals() {
    PrefixTally tally = new PrefixTally(BASE, 24, 10, 10, -1);
    tally.presetRange(2, 6);
    assertThat(tally.presentCount()).isEqualTo(4);
    tally.withdraw(BASE + (3L << 8), 24);
    assertThat(tally.presentCount()).isEqualTo(4);
    for (int i : new int[] {0, 1, 6, 7, 8}) {
      tally.announce(BASE + ((long) i << 8), 24, -1);
    }
    assertThat(tally.completedAtNanos()).isZero();
    tally.announce(BASE + (9L << 8), 24, -1);
    assertThat(tally.completedAtNanos()).isPositive();
  }

  @Test
  void aReceivedRouteIsRemovedByItsWithdrawal() {
    PrefixTally tally = new PrefixTally(BASE, 26, 3, 2, -1);
    tally.announce(BASE, 26, -1);
    tally.announce(BASE + 64, 26, -1);
    assertThat(tally.completedAtNanos()).isNotZero();
    tally.withdraw(BASE, 26);
    assertThat(tally.presentCount()).isEqualTo(1);
    assertThat(tally.completedAtNanos()).as("incomplete again").isZero();
  }
}
