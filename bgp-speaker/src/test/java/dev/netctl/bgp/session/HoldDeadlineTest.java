package dev.netctl.bgp.session;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The hold timer's deadline against a hand-moved clock (nanoseconds). */
class HoldDeadlineTest {
  private static final long HOLD = 90_000;

  @Test
  void theFirstStartSchedulesATaskForTheWholeHoldTime() {
    HoldDeadline d = new HoldDeadline();
    assertThat(d.running()).isFalse();
    assertThat(d.restart(1_000, HOLD)).isTrue();
    assertThat(d.running()).isTrue();
  }

  @Test
  void withNothingReceivedTheTimerExpiresWhenItsTaskFires() {
    HoldDeadline d = new HoldDeadline();
    d.restart(1_000, HOLD);
    assertThat(d.fired(1_000 + HOLD)).isZero();
    assertThat(d.running()).isFalse();
  }

  @Test
  void restartsOnlyMoveTheDeadlineAndTheTaskWaitsForTheTimeLeft() {
    HoldDeadline d = new HoldDeadline();
    d.restart(0, HOLD);
    // Messages keep arriving: no new task for any of them.
    for (long t = 10; t <= 60_000; t += 10) {
      assertThat(d.restart(t, HOLD)).isFalse();
    }
    // The task fires at the first deadline: the last message was at 60,000, so 60,000 are left.
    assertThat(d.fired(HOLD)).isEqualTo(60_000);
    assertThat(d.running()).isTrue();
    // Nothing more arrives: the task scheduled for the rest expires it.
    assertThat(d.fired(HOLD + 60_000)).isZero();
    assertThat(d.running()).isFalse();
  }

  @Test
  void aMessageAfterARescheduleMovesTheDeadlineAgain() {
    HoldDeadline d = new HoldDeadline();
    d.restart(0, HOLD);
    d.restart(50_000, HOLD);
    assertThat(d.fired(HOLD)).isEqualTo(50_000); // task now at 140,000
    assertThat(d.restart(100_000, HOLD)).isFalse(); // deadline 190,000, after the task
    assertThat(d.fired(140_000)).isEqualTo(50_000);
    assertThat(d.fired(190_000)).isZero();
  }

  @Test
  void aShorterHoldTimeThanThePendingTaskWaitsForSchedulesAnEarlierTask() {
    HoldDeadline d = new HoldDeadline();
    // The large hold time of OpenSent (4 minutes), then the negotiated one (3 seconds).
    d.restart(0, 240_000);
    assertThat(d.restart(1_000, 3_000)).isTrue();
    assertThat(d.fired(4_000)).isZero();
  }

  @Test
  void aStoppedTimerRestartsWithANewTask() {
    HoldDeadline d = new HoldDeadline();
    d.restart(0, HOLD);
    d.stop();
    assertThat(d.running()).isFalse();
    assertThat(d.restart(10, HOLD)).isTrue();
  }

  @Test
  void timesNearTheWrapOfNanoTimeCompareByDifference() {
    HoldDeadline d = new HoldDeadline();
    long start = Long.MAX_VALUE - 1_000;
    d.restart(start, HOLD); // the deadline wraps past Long.MAX_VALUE
    assertThat(d.restart(start + 500, HOLD)).isFalse();
    assertThat(d.fired(start + HOLD)).isEqualTo(500);
    assertThat(d.fired(start + 500 + HOLD)).isZero();
  }
}
