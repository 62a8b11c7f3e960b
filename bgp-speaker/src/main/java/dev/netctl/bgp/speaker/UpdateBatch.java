package dev.netctl.bgp.speaker;

import dev.netctl.bgp.codec.BgpMessage.Update;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * One peer's UPDATEs that go to the RIB as one task per shard, and where the batch stands in the
 * peer's queue of RIB work. Touched on the speaker's loop only.
 *
 * <p>A batch goes to the RIB at once when everything queued for the peer before it has finished or
 * is a batch already in the RIB's hands: the shards run their tasks in the order given, and a
 * prefix always maps to the same shard, so the UPDATEs still apply in the order received. The RIB
 * then works on one batch while the loop decodes the next and drains what the previous one changed.
 * Behind other work (registration, a role change, a refresh) it waits until that is done.
 */
final class UpdateBatch {
  final List<Update> updates = new ArrayList<>();
  // Prefixes the UPDATEs carry (withdrawn and announced).
  int prefixes;
  // Completes once the RIB has applied these UPDATEs and everything queued before them.
  final CompletableFuture<Void> done = new CompletableFuture<>();
  // The peer's work queued before this batch, and the batch it belongs to (null when other work).
  // Both dropped once handed off: each batch would otherwise hold the one before it, and a
  // session's batches, every UPDATE it ever sent, would stay reachable from the newest.
  private CompletableFuture<Void> before;
  private UpdateBatch previous;
  // Whether the UPDATEs are in the RIB's hands (its shards' queues), at hand-off or later.
  private boolean submitted;
  private boolean handedOff;

  /**
   * @param before the peer's work queued so far
   * @param previous the batch whose {@link #done} {@code before} is, or null
   */
  UpdateBatch(CompletableFuture<Void> before, UpdateBatch previous) {
    this.before = before;
    this.previous = previous != null && previous.done == before ? previous : null;
  }

  void add(Update update, int prefixCount) {
    updates.add(update);
    prefixes += prefixCount;
  }

  /**
   * Hands the UPDATEs to {@code rib} (once; later calls do nothing): at once when everything queued
   * before them has finished or is a batch already in the RIB's hands, otherwise after that work,
   * on {@code loop}. Behind failed work they are not applied, and the batch fails too, as the work
   * chained on it does.
   */
  void handOff(RibCall rib, Executor loop) {
    if (handedOff) {
      return;
    }
    handedOff = true;
    CompletableFuture<Void> earlier = before;
    boolean failed = earlier.isCompletedExceptionally();
    boolean finished = earlier.isDone() && !failed;
    // A previous batch not yet in the RIB's hands (still waiting for other work) is not overtaken.
    boolean straight = finished || (!failed && previous != null && previous.submitted);
    before = null;
    previous = null;
    CompletableFuture<Void> applied;
    if (straight) {
      CompletableFuture<Void> mine = submit(rib);
      if (finished) {
        applied = mine;
      } else {
        applied = earlier.thenCombine(mine, (x, y) -> null);
        // A failure before this batch fails it at once, not once its own work is done too: a
        // batch handed off meanwhile must see it and not go straight behind it.
        earlier.whenComplete(
            (v, e) -> {
              if (e != null) {
                done.completeExceptionally(e);
              }
            });
      }
    } else {
      applied = earlier.thenComposeAsync(v -> submit(rib), loop);
    }
    applied.whenComplete(
        (v, e) -> {
          if (e == null) {
            done.complete(null);
          } else {
            done.completeExceptionally(e);
          }
        });
  }

  /** Whether this batch still holds the one before it (it must not once handed off). */
  boolean holdsPrevious() {
    return previous != null || before != null;
  }

  // A throw (a closed RIB's executors refuse the task) fails the batch rather than leaving it, and
  // every piece of work chained on it, never done.
  private CompletableFuture<Void> submit(RibCall rib) {
    try {
      CompletableFuture<Void> applied = rib.apply(updates);
      submitted = true;
      return applied;
    } catch (RuntimeException | Error e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** Applies a batch's UPDATEs in the RIB; completes when every shard has. */
  @FunctionalInterface
  interface RibCall {
    CompletableFuture<Void> apply(List<Update> updates);
  }
}
