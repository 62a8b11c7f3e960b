package dev.netctl.datastore.lease;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.datastore.Datastore;
import dev.netctl.datastore.Key;
import dev.netctl.datastore.memory.MemoryDatastore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LeaderElectorTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-05T12:00:00Z"));
  private final Datastore store = new MemoryDatastore();
  private final LeaseStore leases = new DatastoreLeaseStore(store, 5_000);

  private LeaderElector elector(String id) {
    return new LeaderElector(
        leases,
        new LeaderElector.Config(
            "controllers",
            id,
            Duration.ofSeconds(15),
            Duration.ofSeconds(10),
            Duration.ofSeconds(2)),
        clock);
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void onlyOneOfTwoContendersLeads() {
    LeaderElector a = elector("a");
    LeaderElector b = elector("b");
    assertThat(a.tryAcquireOrRenew()).isTrue();
    assertThat(b.tryAcquireOrRenew()).isFalse();
    for (int i = 0; i < 20; i++) {
      clock.advance(Duration.ofSeconds(2));
      assertThat(a.tryAcquireOrRenew()).as("round %d: the holder renews", i).isTrue();
      assertThat(b.tryAcquireOrRenew()).as("round %d: a renewed lease is not taken", i).isFalse();
      assertThat(a.isLeader() && b.isLeader()).isFalse();
    }
    assertThat(b.observedHolder()).contains("a");
  }

  @Test
  void aStoppedLeadersLeaseIsTakenOnlyAfterItExpires() {
    LeaderElector a = elector("a");
    LeaderElector b = elector("b");
    a.tryAcquireOrRenew();
    b.tryAcquireOrRenew(); // b first sees a's lease now
    clock.advance(Duration.ofSeconds(14));
    assertThat(b.tryAcquireOrRenew()).as("14 s after b saw it, the lease is still valid").isFalse();
    assertThat(a.isLeader()).as("a stopped renewing 14 s ago: past its renew deadline").isFalse();
    clock.advance(Duration.ofSeconds(1));
    assertThat(b.tryAcquireOrRenew()).as("15 s unchanged: expired, b takes over").isTrue();
    assertThat(a.tryAcquireOrRenew()).as("a comes back and finds b holding it").isFalse();
    assertThat(b.isLeader()).isTrue();
  }

  @Test
  void aReleasedLeaseIsTakenAtTheNextRound() {
    LeaderElector a = elector("a");
    LeaderElector b = elector("b");
    a.tryAcquireOrRenew();
    assertThat(b.tryAcquireOrRenew()).isFalse();
    a.release();
    assertThat(a.isLeader()).isFalse();
    assertThat(b.tryAcquireOrRenew()).isTrue();
  }

  @Test
  void aLeaderThatLosesTheLeaseStopsAtOnce() {
    LeaderElector a = elector("a");
    a.tryAcquireOrRenew();
    // another writer takes the lease behind a's back (an operator, or a contender whose clock ran)
    var stored = leases.read("controllers").orElseThrow();
    leases.update(
        "controllers", new Lease("x", 15, clock.instant(), clock.instant(), 1), stored.revision());
    clock.advance(Duration.ofSeconds(2));
    assertThat(a.tryAcquireOrRenew()).isFalse();
    assertThat(a.isLeader()).as("no grace after losing the lease").isFalse();
  }

  @Test
  void aLeaderCutOffFromTheStoreStopsAtTheRenewDeadline() {
    LeaderElector a = elector("a");
    a.tryAcquireOrRenew();
    // an unreadable lease stands in for a store that does not answer: no renewal succeeds
    var stored = leases.read("controllers").orElseThrow();
    store
        .update(
            new Key("Lease", "controllers"),
            "{".getBytes(StandardCharsets.UTF_8),
            stored.revision())
        .join();
    clock.advance(Duration.ofSeconds(9));
    assertThat(a.tryAcquireOrRenew()).as("within the renew deadline").isTrue();
    clock.advance(Duration.ofSeconds(1));
    assertThat(a.tryAcquireOrRenew()).as("10 s without a renewal").isFalse();
    assertThat(a.isLeader()).isFalse();
  }

  @Test
  void aConfigWhoseDeadlinesDoNotNestIsRefused() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                new LeaderElector.Config(
                    "l",
                    "a",
                    Duration.ofSeconds(10),
                    Duration.ofSeconds(10),
                    Duration.ofSeconds(2)))
        .hasMessageContaining("renewDeadline");
  }

  @Test
  void theLastAnswerOfTheStoreIsKeptAndAFailingStoreDoesNotMoveIt() {
    LeaderElector a = elector("a");
    assertThat(a.storeAnsweredAt()).as("before any round").isEmpty();
    a.tryAcquireOrRenew();
    Instant first = clock.instant();
    assertThat(a.storeAnsweredAt()).contains(first);
    clock.advance(Duration.ofSeconds(2));
    LeaderElector b = elector("b");
    b.tryAcquireOrRenew(); // answered, though b does not lead
    assertThat(b.storeAnsweredAt()).contains(clock.instant());
    store.close(); // every later call fails
    clock.advance(Duration.ofSeconds(2));
    a.tryAcquireOrRenew();
    assertThat(a.storeAnsweredAt()).as("a store that failed did not answer").contains(first);
  }
}
