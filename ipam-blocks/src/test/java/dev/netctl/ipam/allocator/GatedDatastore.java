package dev.netctl.ipam.allocator;

import dev.netctl.datastore.Datastore;
import dev.netctl.datastore.Entry;
import dev.netctl.datastore.ForwardingDatastore;
import dev.netctl.datastore.Key;
import dev.netctl.datastore.Write;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A datastore whose block updates wait at a gate until the test opens it, so a test can hold one
 * write in flight while more requests queue up behind it. Counts every write call, and commits (a
 * commit updating a block counts as a block update and waits at the gate too).
 */
final class GatedDatastore extends ForwardingDatastore {
  final CountDownLatch gate = new CountDownLatch(1);
  final CountDownLatch firstBlockUpdate = new CountDownLatch(1);
  final AtomicInteger writes = new AtomicInteger();
  final AtomicInteger blockUpdates = new AtomicInteger();
  final AtomicInteger commits = new AtomicInteger();

  private final int maxOpsPerCommit;

  GatedDatastore(Datastore inner) {
    this(inner, inner.maxOpsPerCommit());
  }

  /**
   * A store that claims to take at most {@code maxOpsPerCommit} writes per commit: 1 plays a
   * backend without multi-key transactions (the planned Kubernetes one).
   */
  GatedDatastore(Datastore inner, int maxOpsPerCommit) {
    super(inner);
    this.maxOpsPerCommit = maxOpsPerCommit;
  }

  @Override
  public CompletableFuture<Entry> create(Key key, byte[] value) {
    writes.incrementAndGet();
    return inner.create(key, value);
  }

  @Override
  public CompletableFuture<Entry> update(Key key, byte[] value, long expectedRevision) {
    writes.incrementAndGet();
    if (!key.kind().equals("IPAMBlock")) return inner.update(key, value, expectedRevision);
    blockUpdates.incrementAndGet();
    firstBlockUpdate.countDown();
    return CompletableFuture.supplyAsync(
            () -> {
              try {
                gate.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              return null;
            })
        .thenCompose(x -> inner.update(key, value, expectedRevision));
  }

  @Override
  public CompletableFuture<Long> delete(Key key, long expectedRevision) {
    writes.incrementAndGet();
    return inner.delete(key, expectedRevision);
  }

  @Override
  public CompletableFuture<List<Long>> commit(List<Write> writes) {
    if (writes.size() > maxOpsPerCommit) {
      throw new IllegalArgumentException(writes.size() + " writes > " + maxOpsPerCommit);
    }
    this.writes.incrementAndGet();
    commits.incrementAndGet();
    if (writes.stream()
        .noneMatch(w -> w instanceof Write.Update && w.key().kind().equals("IPAMBlock"))) {
      return inner.commit(writes);
    }
    blockUpdates.incrementAndGet();
    firstBlockUpdate.countDown();
    return CompletableFuture.supplyAsync(
            () -> {
              try {
                gate.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              return null;
            })
        .thenCompose(x -> inner.commit(writes));
  }

  @Override
  public int maxOpsPerCommit() {
    return maxOpsPerCommit;
  }
}
