package dev.netctl.bgp.speaker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.codec.BgpMessage.Update;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;

/**
 * When a batch goes to the RIB: at once behind finished work or behind batches that went at once
 * (the shards keep their order), otherwise only after the work queued before it; and once.
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
  void aBatchNotHandedOffYetIsNotOvertaken() {
    // The first was closed by other work's tail and waits for its loop task.
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
