package dev.netctl.ipam.allocator;

import dev.netctl.datastore.DatastoreException;
import dev.netctl.datastore.Entry;
import dev.netctl.ipam.IpamException;
import dev.netctl.ipam.block.AllocationAttribute;
import dev.netctl.ipam.block.AllocationBlock;
import dev.netctl.ipam.block.Block;
import dev.netctl.ipam.block.Cidr;
import dev.netctl.ipam.store.Backoff;
import dev.netctl.ipam.store.BlockAffinity;
import dev.netctl.ipam.store.BlockEditor;
import dev.netctl.ipam.store.HandleCounts;
import dev.netctl.ipam.store.IpamStore;
import dev.netctl.ipam.store.Versioned;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Group commit for one node. Requests queue up; one drainer at a time takes everything queued,
 * plans all of it against its in-memory copies of the blocks, writes each touched block once with
 * CAS, then the handles. A burst of pod starts thus costs a few block writes instead of one CAS per
 * address.
 *
 * <p>Correctness never rests on the in-memory copies: every block write is a CAS on the revision
 * the plan was made from. When another writer changed the block, the plan's allocations in it are
 * dropped and planned again from the block as it now is.
 */
final class NodeWriter {
  private static final int MAX_ROUNDS = 16;
  private static final int MAX_BATCH = 1024;

  private final String node;
  private final IpamStore store;
  private final IpamEnvironment env;
  private final BlockClaimer claimer;
  private final HandleCounts handles;
  private final BlockEditor editor;
  private final FaultHook hook;
  private final AllocatorStats stats;

  private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean draining = new AtomicBoolean();

  // Touched only by the current drainer; the draining flag orders one drainer after the next.
  private final TreeMap<Cidr, Work> owned = new TreeMap<>();
  private boolean ownedLoaded;

  NodeWriter(
      String node,
      IpamStore store,
      IpamEnvironment env,
      BlockClaimer claimer,
      HandleCounts handles,
      BlockEditor editor,
      FaultHook hook,
      AllocatorStats stats) {
    this.node = node;
    this.store = store;
    this.env = env;
    this.claimer = claimer;
    this.handles = handles;
    this.editor = editor;
    this.hook = hook;
    this.stats = stats;
  }

  /** Queues {@code request}; the future completes when its batch is written (or fails). */
  CompletableFuture<AssignResult> submit(AssignRequest request) {
    Pending p = new Pending(request);
    queue.add(p);
    if (draining.compareAndSet(false, true)) {
      Thread.ofVirtual().name("ipam-" + node).start(this::drain);
    }
    return p.future;
  }

  private void drain() {
    while (true) {
      List<Pending> batch = new ArrayList<>();
      for (Pending p; batch.size() < MAX_BATCH && (p = queue.poll()) != null; ) batch.add(p);
      if (batch.isEmpty()) {
        draining.set(false);
        // A request queued after our last poll but before the flag dropped would be stranded.
        if (queue.isEmpty() || !draining.compareAndSet(false, true)) return;
        continue;
      }
      try {
        process(batch);
      } catch (Throwable t) {
        // A writer that fails mid-batch (or is made to, by a FaultHook) forgets its copies: what
        // it wrote stays in the store for the next drainer and check() to resolve.
        owned.clear();
        ownedLoaded = false;
        for (Pending p : batch) p.future.completeExceptionally(t);
      }
    }
  }

  private void process(List<Pending> batch) {
    stats.batches.increment();
    IpamSettings settings = env.settings();
    List<PoolSpec> allPools = env.pools();
    Optional<Map<String, String>> labels = env.nodeLabels(node);
    List<Pending> live = new ArrayList<>();
    for (Pending p : batch) {
      try {
        if (labels.isEmpty()) throw new IpamException.UnknownNode(node);
        if (p.request.v4Count() > 0) {
          p.v4Pools = Pools.select(allPools, labels.get(), p.request, false);
        }
        if (p.request.v6Count() > 0) {
          p.v6Pools = Pools.select(allPools, labels.get(), p.request, true);
        }
        live.add(p);
      } catch (IpamException e) {
        p.future.completeExceptionally(e);
      }
    }
    if (live.isEmpty()) return;
    loadOwned();
    borrowableView = null;
    for (int round = 1; round <= MAX_ROUNDS; round++) {
      boolean any = false;
      for (Pending p : live) {
        if (p.failure != null || (p.needV4 == 0 && p.needV6 == 0)) continue;
        any = true;
        for (boolean v6 : new boolean[] {false, true}) {
          if (p.failure != null || p.need(v6) == 0) continue;
          fillFromOwned(p, v6);
          if (p.need(v6) > 0) fillByClaiming(p, v6, settings);
          if (p.need(v6) > 0 && !settings.strictAffinity()) {
            if (borrowableView == null) loadBorrowable();
            fillFrom(p, v6, borrowableView.values());
          }
          if (p.need(v6) > 0) fail(p, v6, settings);
        }
      }
      if (!any) break;
      commit();
    }
    List<Pending> done = new ArrayList<>();
    List<Pending> rollback = new ArrayList<>();
    for (Pending p : live) {
      if (p.failure == null && (p.needV4 > 0 || p.needV6 > 0)) {
        p.failure =
            new IpamException.Contention(
                "node \""
                    + node
                    + "\": blocks kept changing under "
                    + MAX_ROUNDS
                    + " write rounds; retry the request");
      }
      if (p.failure == null) done.add(p);
      else if (!p.got.isEmpty()) rollback.add(p);
      else p.future.completeExceptionally(p.failure);
    }
    if (live.stream().anyMatch(p -> !p.got.isEmpty()))
      hook.reached(Step.ASSIGN_BLOCKS_WRITTEN, node);
    for (Pending p : rollback) {
      releaseQuietly(p);
      p.future.completeExceptionally(p.failure);
    }
    borrowableView = null;
    writeHandles(done);
  }

  // Planning

  private void fillFromOwned(Pending p, boolean v6) {
    fillFrom(p, v6, owned.values());
  }

  private void fillFrom(Pending p, boolean v6, Iterable<Work> works) {
    List<PoolSpec> pools = p.pools(v6);
    for (Work w : works) {
      if (p.need(v6) == 0) return;
      if (w.block.cidr().ipv6() != v6 || !Pools.anyContains(pools, w.block.cidr())) continue;
      take(p, w, v6);
    }
  }

  private void fillByClaiming(Pending p, boolean v6, IpamSettings settings) {
    while (p.need(v6) > 0) {
      List<Work> fresh = refreshOwned(p.pools(v6));
      if (fresh.isEmpty()) {
        for (Versioned<AllocationBlock> b : claimer.claim(node, p.pools(v6), settings)) {
          Work w = new Work(b);
          owned.put(w.block.cidr(), w);
          fresh.add(w);
        }
        stats.claims.add(fresh.size());
      }
      if (fresh.isEmpty()) return;
      fillFrom(p, v6, fresh);
    }
  }

  private void take(Pending p, Work w, boolean v6) {
    if (w.block.deleted()) return;
    for (Block.Allocated a : w.block.allocate(p.need(v6), p.attribute)) {
      w.tentative.add(new Tentative(p, a, v6));
      p.addNeed(v6, -1);
    }
  }

  private void fail(Pending p, boolean v6, IpamSettings settings) {
    int wanted = v6 ? p.request.v6Count() : p.request.v4Count();
    int found = wanted - p.need(v6);
    String why =
        settings.strictAffinity()
            ? "strictAffinity forbids borrowing"
            : !settings.autoAllocateBlocks()
                ? "autoAllocateBlocks is off"
                : settings.maxBlocksPerHost() > 0
                    ? "pools full or node at maxBlocksPerHost " + settings.maxBlocksPerHost()
                    : "pools full";
    p.failure =
        new IpamException.PoolExhausted(
            node, v6 ? "IPv6" : "IPv4", wanted, found, why + " in " + names(p.pools(v6)));
    // Take back this request's planned addresses; others in the same blocks keep theirs.
    for (Work w : allWorks()) {
      boolean removed = w.tentative.removeIf(t -> t.pending == p);
      if (!removed) continue;
      if (w.tentative.isEmpty()) {
        w.block = w.committed.copy();
      } else {
        w.block = w.committed.copy();
        for (Tentative t : w.tentative) {
          w.block.allocateAddress(t.allocated.address(), t.pending.attribute);
        }
        // Re-planning changed sequence numbers: refresh what the tentatives expect.
        List<Tentative> redone = new ArrayList<>();
        for (Tentative t : w.tentative) {
          int ordinal = t.allocated.ordinal();
          redone.add(
              new Tentative(
                  t.pending,
                  new Block.Allocated(
                      w.block.cidr(), ordinal, t.allocated.address(), w.block.sequenceAt(ordinal)),
                  t.v6));
        }
        w.tentative.clear();
        w.tentative.addAll(redone);
      }
    }
  }

  private List<Work> allWorks() {
    List<Work> all = new ArrayList<>(owned.values());
    if (borrowableView != null) all.addAll(borrowableView.values());
    return all;
  }

  /** Other nodes' blocks, loaded once per batch when some request has to borrow. */
  private Map<Cidr, Work> borrowableView;

  // Writing

  private void commit() {
    List<Work> dirty = new ArrayList<>();
    for (Work w : allWorks()) if (!w.tentative.isEmpty()) dirty.add(w);
    List<CompletableFuture<Entry>> writes = new ArrayList<>();
    for (Work w : dirty) {
      writes.add(store.updateBlockAsync(w.block.toRecord(), w.revision));
    }
    for (int i = 0; i < dirty.size(); i++) {
      Work w = dirty.get(i);
      stats.blockWrites.increment();
      try {
        Entry e = store.await(writes.get(i));
        Versioned<AllocationBlock> written = IpamStore.decode(e, AllocationBlock.class);
        w.reset(written);
        for (Tentative t : w.tentative) t.pending.got.add(t);
        w.tentative.clear();
      } catch (DatastoreException.Conflict c) {
        stats.conflicts.increment();
        resolve(w, c.current().map(cur -> IpamStore.decode(cur, AllocationBlock.class)));
      } catch (DatastoreException.NotFound nf) {
        resolve(w, Optional.empty());
      } catch (DatastoreException.Unavailable u) {
        resolve(w, Backoff.retryUnavailable(() -> store.block(w.block.cidr())));
      }
    }
  }

  /**
   * A block write did not (visibly) succeed: keep the allocations that are in the stored block
   * anyway (a write reported unavailable that did land — the per-address sequence number and
   * attribute identify them), give the rest back to their requests to plan again.
   */
  private void resolve(Work w, Optional<Versioned<AllocationBlock>> fresh) {
    Block now = fresh.map(f -> Block.of(f.value())).orElse(null);
    for (Tentative t : w.tentative) {
      int o = t.allocated.ordinal();
      boolean landed =
          now != null
              && Long.valueOf(t.allocated.sequenceNumber()).equals(now.sequenceAt(o))
              && t.pending.attribute.equals(now.attributeAt(o));
      if (landed) t.pending.got.add(t);
      else t.pending.addNeed(t.v6, 1);
    }
    w.tentative.clear();
    Cidr cidr = w.block.cidr();
    boolean stillOurs = now != null && !now.deleted() && node.equals(now.affinityNode());
    if (now == null || now.deleted() || (owned.containsKey(cidr) && !stillOurs)) {
      owned.remove(cidr);
      if (borrowableView != null) borrowableView.remove(cidr);
    } else {
      w.reset(fresh.get());
    }
  }

  private void writeHandles(List<Pending> done) {
    Map<String, Map<String, Integer>> deltas = new LinkedHashMap<>();
    for (Pending p : done) {
      Map<String, Integer> d = deltas.computeIfAbsent(p.request.handle(), h -> new TreeMap<>());
      for (Tentative t : p.got) d.merge(t.allocated.block().toString(), 1, Integer::sum);
    }
    Map<String, Throwable> failed = new HashMap<>();
    // One CAS loop per handle, all at once: a batch costs one round trip for its handles.
    try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
      Map<String, Future<?>> futures = new LinkedHashMap<>();
      deltas.forEach((h, d) -> futures.put(h, ex.submit(() -> handles.adjust(h, d))));
      futures.forEach(
          (h, f) -> {
            try {
              f.get();
            } catch (Exception e) {
              failed.put(h, e.getCause() != null ? e.getCause() : e);
            }
          });
    }
    for (Pending p : done) {
      Throwable t = failed.get(p.request.handle());
      if (t == null) {
        p.future.complete(p.result());
      } else {
        releaseQuietly(p);
        p.future.completeExceptionally(t);
      }
    }
  }

  /** Gives back what a failed request got; leftovers are found by check() as handle-less. */
  private void releaseQuietly(Pending p) {
    Map<Cidr, List<Block.Allocated>> byBlock = new HashMap<>();
    for (Tentative t : p.got) {
      byBlock.computeIfAbsent(t.allocated.block(), c -> new ArrayList<>()).add(t.allocated);
    }
    byBlock.forEach(
        (cidr, list) -> {
          try {
            editor.edit(
                cidr,
                b -> {
                  for (Block.Allocated a : list) {
                    b.release(a.ordinal(), a.sequenceNumber(), p.request.handle());
                  }
                  return null;
                });
          } catch (RuntimeException e) {
            // Leave it to check(): the allocation has no handle record and will be reported.
          }
        });
    p.got.clear();
  }

  // Caches

  private void loadOwned() {
    if (ownedLoaded) return;
    owned.clear();
    for (Versioned<BlockAffinity> a : Backoff.retryUnavailable(() -> store.affinities(node))) {
      if (a.value().state() != BlockAffinity.State.CONFIRMED) continue;
      Cidr cidr = Cidr.parse(a.value().cidr());
      Backoff.retryUnavailable(() -> store.block(cidr))
          .filter(b -> node.equals(b.value().affinityNode()) && !b.value().deleted())
          .ifPresent(b -> owned.put(cidr, new Work(b)));
    }
    ownedLoaded = true;
  }

  /** Blocks confirmed for this node that we do not know yet (claimed by another process). */
  private List<Work> refreshOwned(List<PoolSpec> pools) {
    List<Work> fresh = new ArrayList<>();
    for (Versioned<BlockAffinity> a : Backoff.retryUnavailable(() -> store.affinities(node))) {
      Cidr cidr = Cidr.parse(a.value().cidr());
      if (a.value().state() != BlockAffinity.State.CONFIRMED
          || owned.containsKey(cidr)
          || !Pools.anyContains(pools, cidr)) {
        continue;
      }
      Optional<Versioned<AllocationBlock>> b = Backoff.retryUnavailable(() -> store.block(cidr));
      if (b.isPresent()
          && node.equals(b.get().value().affinityNode())
          && !b.get().value().deleted()) {
        Work w = new Work(b.get());
        owned.put(cidr, w);
        if (w.block.free() > 0) fresh.add(w);
      }
    }
    return fresh;
  }

  private void loadBorrowable() {
    Map<Cidr, Work> out = new TreeMap<>();
    for (Versioned<AllocationBlock> b : Backoff.retryUnavailable(store::blocks)) {
      Cidr cidr = Cidr.parse(b.value().cidr());
      if (owned.containsKey(cidr) || b.value().deleted()) continue;
      out.put(cidr, new Work(b));
    }
    borrowableView = out;
  }

  private static String names(List<PoolSpec> pools) {
    return pools.stream().map(PoolSpec::name).toList().toString();
  }

  /** A block as this writer sees it: last written state, revision, and planned changes. */
  private static final class Work {
    long revision;
    Block committed;
    Block block;
    final List<Tentative> tentative = new ArrayList<>();

    Work(Versioned<AllocationBlock> b) {
      reset(b);
    }

    void reset(Versioned<AllocationBlock> b) {
      revision = b.revision();
      committed = Block.of(b.value());
      block = committed.copy();
    }
  }

  private record Tentative(Pending pending, Block.Allocated allocated, boolean v6) {}

  /** One queued request and its progress through the rounds. */
  private static final class Pending {
    final AssignRequest request;
    final AllocationAttribute attribute;
    final CompletableFuture<AssignResult> future = new CompletableFuture<>();
    final List<Tentative> got = new ArrayList<>();
    List<PoolSpec> v4Pools = List.of();
    List<PoolSpec> v6Pools = List.of();
    int needV4;
    int needV6;
    IpamException failure;

    Pending(AssignRequest request) {
      this.request = request;
      this.attribute =
          new AllocationAttribute(
              request.handle(), request.pod(), request.namespace(), request.node());
      this.needV4 = request.v4Count();
      this.needV6 = request.v6Count();
    }

    int need(boolean v6) {
      return v6 ? needV6 : needV4;
    }

    void addNeed(boolean v6, int delta) {
      if (v6) needV6 += delta;
      else needV4 += delta;
    }

    List<PoolSpec> pools(boolean v6) {
      return v6 ? v6Pools : v4Pools;
    }

    AssignResult result() {
      List<AssignedAddress> v4 = new ArrayList<>();
      List<AssignedAddress> v6 = new ArrayList<>();
      for (Tentative t : got) {
        AssignedAddress a =
            new AssignedAddress(
                t.allocated.address(), t.allocated.block(), t.allocated.sequenceNumber());
        (t.v6 ? v6 : v4).add(a);
      }
      return new AssignResult(v4, v6);
    }
  }
}
