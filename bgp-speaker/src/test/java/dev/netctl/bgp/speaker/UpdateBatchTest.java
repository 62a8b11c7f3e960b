package dev.netctl.bgp.speaker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.codec.BgpMessage.Update;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

/**
 * When a batch goes to the RIB: at once behind finished work or behind batches already in the RIB's
 * hands (the shards keep their order), otherwise only after the work queued before it; once; never
 * behind failed work; and without holding on to the batches before it.
 */
class UpdateBatchTest {
  // The RIB: records which batch it was given, in order, and lets the test finish each.
  private final List<UpdateBatch> applied = new ArrayList<>();
  private final List<CompletableFuture<Void>> running = new ArrayList<>();
  // The loop: runs tasks when the test says so.
  private final Queue<Runnable> loopTasks = new ArrayDeque<>();
  private final Executor loop = loopTasks::add;

  @Test
  void behindFinishedWorkTheBatchGoesAtOnce() {
    UpdateBatch batch = batch(CompletableFuture.completedFuture(null), null);

    handOff(batch);

    assertThat(applied).containsExactly(batch);
    assertThat(batch.done).isNotDone();
    running.getFirst().complete(null);
    assertThat(batch.done).isCompleted();
  }

  @Test
  void behindABatchStillInTheRibTheNextGoesAtOnceAndFinishesAfterIt() {
    UpdateBatch first = batch(CompletableFuture.completedFuture(null), null);
    handOff(first);
    UpdateBatch second = batch(first.done, first);

    handOff(second);

    assertThat(applied).as("both in the RIB's hands").containsExactly(first, second);
    running.get(1).complete(null);
    assertThat(second.done).as("the first is not done yet").isNotDone();
    running.get(0).complete(null);
    assertThat(first.done).isCompleted();
    assertThat(second.done).isCompleted();
  }

  @Test
  void behindOtherUnfinishedWorkTheBatchWaitsForIt() {
    CompletableFuture<Void> registration = new CompletableFuture<>();
    UpdateBatch batch = batch(registration, null);

    handOff(batch);
    assertThat(applied).isEmpty();

    registration.complete(null);
    runLoop();
    assertThat(applied).containsExactly(batch);
    running.getFirst().complete(null);
    assertThat(batch.done).isCompleted();
  }

  @Test
  void behindABatchThatWaitsTheNextWaitsToo() {
    CompletableFuture<Void> registration = new CompletableFuture<>();
    UpdateBatch first = batch(registration, null);
    handOff(first);
    UpdateBatch second = batch(first.done, first);

    handOff(second);
    assertThat(applied).as("going at once would overtake the first").isEmpty();

    registration.complete(null);
    runLoop();
    assertThat(applied).containsExactly(first);
    running.getFirst().complete(null);
    runLoop();
    assertThat(applied).containsExactly(first, second);
  }

  @Test
  void behindABatchThatWaitedAndIsNowInTheRibTheNextGoesAtOnce() {
    CompletableFuture<Void> registration = new CompletableFuture<>();
    UpdateBatch first = batch(registration, null);
    handOff(first);
    registration.complete(null);
    runLoop();
    assertThat(applied).containsExactly(first);
    UpdateBatch second = batch(first.done, first);

    handOff(second);

    assertThat(applied).as("the first is in the shards' queues").containsExactly(first, second);
  }

  @Test
  void aBatchNotHandedOffYetIsNotOvertaken() {
    // Defensive: every caller that closes a batch early chains work after it today, so a batch
    // never directly follows one that is not handed off; if one did, it must still wait.
    UpdateBatch first = batch(CompletableFuture.completedFuture(null), null);
    UpdateBatch second = batch(first.done, first);

    handOff(second);
    assertThat(applied).isEmpty();

    handOff(first);
    running.getFirst().complete(null);
    runLoop();
    assertThat(applied).containsExactly(first, second);
  }

  @Test
  void aBatchGoesOnceHowEverOftenItIsHandedOff() {
    UpdateBatch batch = batch(CompletableFuture.completedFuture(null), null);

    handOff(batch);
    handOff(batch);

    assertThat(applied).containsExactly(batch);
  }

  @Test
  void behindAFailedBatchTheNextIsNotAppliedAndFails() {
    UpdateBatch first = batch(CompletableFuture.completedFuture(null), null);
    handOff(first);
    running.getFirst().completeExceptionally(new IllegalStateException("a shard task threw"));
    UpdateBatch second = batch(first.done, first);

    handOff(second);
    runLoop();

    assertThat(applied).containsExactly(first);
    assertThat(second.done).isCompletedExceptionally();
  }

  @Test
  void aFailureTwoBatchesBackStopsTheNextWhileTheOneBetweenStillRuns() {
    UpdateBatch first = batch(CompletableFuture.completedFuture(null), null);
    handOff(first);
    UpdateBatch second = batch(first.done, first);
    handOff(second);
    running.getFirst().completeExceptionally(new IllegalStateException("a shard task threw"));
    UpdateBatch third = batch(second.done, second);

    handOff(third);
    runLoop();

    assertThat(second.done)
        .as("failed with the first, its own work still running")
        .isCompletedExceptionally();
    assertThat(applied).containsExactly(first, second);
    assertThat(third.done).isCompletedExceptionally();
  }

  @Test
  void aRibThatRefusesTheBatchFailsItRatherThanLeavingItUndone() {
    UpdateBatch batch = batch(CompletableFuture.completedFuture(null), null);

    batch.handOff(
        updates -> {
          throw new RejectedExecutionException("the RIB is closed");
        },
        loop);
    UpdateBatch next = batch(batch.done, batch);
    handOff(next);
    runLoop();

    assertThat(batch.done).isCompletedExceptionally();
    assertThat(applied).as("nothing goes behind the refused batch").isEmpty();
    assertThat(next.done).isCompletedExceptionally();
  }

  @Test
  void handedOffABatchLetsGoOfTheOneBeforeIt() {
    // Otherwise each batch holds the previous one, and the newest every UPDATE the session sent.
    UpdateBatch first = batch(CompletableFuture.completedFuture(null), null);
    handOff(first);
    UpdateBatch second = batch(first.done, first);
    assertThat(second.holdsPrevious()).isTrue();

    handOff(second);

    assertThat(second.holdsPrevious()).isFalse();
    assertThat(first.holdsPrevious()).isFalse();
  }

  @Test
  void behindFailedWorkTheBatchIsNotAppliedAndFails() {
    UpdateBatch batch = batch(CompletableFuture.failedFuture(new IllegalStateException()), null);

    handOff(batch);
    runLoop();

    assertThat(applied).isEmpty();
    assertThat(batch.done).isCompletedExceptionally();
  }

  private UpdateBatch batch(CompletableFuture<Void> before, UpdateBatch previous) {
    UpdateBatch b = new UpdateBatch(before, previous);
    b.add(new Update(List.of(), List.of(), List.of()), 0);
    return b;
  }

  private void handOff(UpdateBatch batch) {
    batch.handOff(
        updates -> {
          applied.add(batch);
          CompletableFuture<Void> f = new CompletableFuture<>();
          running.add(f);
          return f;
        },
        loop);
  }

  private void runLoop() {
    for (int i = 0; i < 100 && !loopTasks.isEmpty(); i++) {
      loopTasks.poll().run();
    }
  }
}
