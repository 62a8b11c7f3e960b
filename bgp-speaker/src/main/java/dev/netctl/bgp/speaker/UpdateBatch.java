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
 * is a batch that also went at once: the shards run their tasks in the order given, and a prefix
 * always maps to the same shard, so the UPDATEs still apply in the order received. The RIB then
 * works on one batch while the loop decodes the next and drains what the previous one changed.
 * Behind other work (registration, a role change, a refresh) it waits until that is done.
 */
final class UpdateBatch {
  final List<Update> updates = new ArrayList<>();
  // Prefixes the UPDATEs carry (withdrawn and announced).
  int prefixes;
  // Completes once the RIB has applied these UPDATEs and everything queued before them.
  final CompletableFuture<Void> done = new CompletableFuture<>();
  // The peer's work queued before this batch, and the batch it belongs to (null when other work).
  private final CompletableFuture<Void> before;
  private final UpdateBatch previous;
  // Whether the UPDATEs went to the RIB when handed off, without waiting for earlier work.
  private boolean straight;
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
   * Hands the UPDATEs to {@code rib} (once; later calls do nothing): at once when nothing
   * unfinished but straight batches is queued before them, otherwise after that work, on {@code
   * loop}.
   */
  void handOff(RibCall rib, Executor loop) {
    if (handedOff) {
      return;
    }
    handedOff = true;
    boolean beforeDone = before.isDone() && !before.isCompletedExceptionally();
    // A previous batch not handed off yet (closed by other work's tail) cannot be overtaken.
    straight = beforeDone || (previous != null && previous.handedOff && previous.straight);
    CompletableFuture<Void> applied;
    if (straight) {
      CompletableFuture<Void> mine = rib.apply(updates);
      applied = beforeDone ? mine : before.thenCombine(mine, (x, y) -> null);
    } else {
      applied = before.thenComposeAsync(v -> rib.apply(updates), loop);
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

  /** Applies a batch's UPDATEs in the RIB; completes when every shard has. */
  @FunctionalInterface
  interface RibCall {
    CompletableFuture<Void> apply(List<Update> updates);
  }
}
