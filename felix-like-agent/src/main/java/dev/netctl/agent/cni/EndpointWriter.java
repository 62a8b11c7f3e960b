package dev.netctl.agent.cni;

import dev.netctl.datastore.client.ResourceClient;
import dev.netctl.datastore.model.WorkloadEndpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Group commit for WorkloadEndpoint creates, as IPAM has for addresses: the endpoints of a burst of
 * ADDs that queue while one commit is on its way go into the next commit together ({@link
 * ResourceClient#createAll}), so 100 pod starts cost a handful of durable writes, not 100. A batch
 * that fails is retried one endpoint at a time, so each ADD gets its own endpoint's outcome.
 */
final class EndpointWriter {

  private record Pending(WorkloadEndpoint endpoint, CompletableFuture<Void> done) {}

  private final ResourceClient client;
  private final int maxBatch;
  private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean draining = new AtomicBoolean();

  EndpointWriter(ResourceClient client) {
    this.client = client;
    this.maxBatch = Math.max(1, Math.min(64, client.datastore().maxOpsPerCommit()));
  }

  /** Creates {@code w}, waiting for the commit that carries it; throws what the create threw. */
  void create(WorkloadEndpoint w) {
    Pending p = new Pending(w, new CompletableFuture<>());
    queue.add(p);
    if (draining.compareAndSet(false, true))
      Thread.ofVirtual().name("cni-endpoints").start(this::drain);
    try {
      p.done().join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) throw r;
      throw e;
    }
  }

  private void drain() {
    while (true) {
      List<Pending> batch = new ArrayList<>();
      for (Pending p; batch.size() < maxBatch && (p = queue.poll()) != null; ) batch.add(p);
      if (batch.isEmpty()) {
        draining.set(false);
        // A create queued after the poll and before the flag cleared found the flag set.
        if (queue.isEmpty() || !draining.compareAndSet(false, true)) return;
        continue;
      }
      write(batch);
    }
  }

  private void write(List<Pending> batch) {
    if (batch.size() > 1) {
      try {
        client.createAll(batch.stream().map(Pending::endpoint).toList());
        batch.forEach(p -> p.done().complete(null));
        return;
      } catch (RuntimeException e) {
        // one of them is refused: find out which, one by one
      }
    }
    for (Pending p : batch) {
      try {
        client.create(p.endpoint());
        p.done().complete(null);
      } catch (RuntimeException e) {
        p.done().completeExceptionally(e);
      }
    }
  }
}
