package dev.netctl.ipam.gc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.datastore.lease.LeaderElector;
import dev.netctl.datastore.lease.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ControllerHealthTest {
  private static final Duration LEASE = Duration.ofSeconds(15);

  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-06T10:00:00Z"));
  private Optional<Instant> answered = Optional.empty();
  private final ControllerHealth health = new ControllerHealth(clock, LEASE, () -> answered);

  @Test
  void aFreshProcessIsLiveForOneWindowBeforeItsFirstRound() {
    assertThat(health.live()).isTrue();
    clock.advance(LEASE);
    assertThat(health.live()).as("exactly one window after the start").isTrue();
    clock.advance(Duration.ofMillis(1));
    assertThat(health.live()).as("no round in a whole window: the loop is wedged").isFalse();
  }

  @Test
  void eachRoundKeepsItLiveForAnotherWindow() {
    for (int i = 0; i < 5; i++) {
      clock.advance(Duration.ofSeconds(10));
      health.roundDone();
      assertThat(health.live()).isTrue();
    }
    clock.advance(LEASE.plusSeconds(1));
    assertThat(health.live()).isFalse();
    health.roundDone();
    assertThat(health.live()).as("a round again: live again").isTrue();
  }

  @Test
  void readyOnlyWhileTheStoreAnsweredWithinTheWindow() {
    assertThat(health.ready()).as("the store has not answered yet").isFalse();
    answered = Optional.of(clock.instant());
    assertThat(health.ready()).isTrue();
    clock.advance(LEASE.plusSeconds(1));
    health.roundDone();
    assertThat(health.ready()).as("rounds go on but the store stopped answering").isFalse();
    assertThat(health.live()).as("alive all the same: a restart would not help").isTrue();
  }

  @Test
  void theWindowIsALeaseOrARoundAgainstAStoreThatDoesNotAnswerIfLonger() {
    assertThat(window(15, 10, 2)).isEqualTo(Duration.ofSeconds(15));
    assertThat(window(15, 14, 2))
        .as("renew deadline + retry period")
        .isEqualTo(Duration.ofSeconds(16));
  }

  private static Duration window(int lease, int renewDeadline, int retry) {
    return ControllerRunner.healthWindow(
        new LeaderElector.Config(
            "l",
            "a",
            Duration.ofSeconds(lease),
            Duration.ofSeconds(renewDeadline),
            Duration.ofSeconds(retry)));
  }
}
