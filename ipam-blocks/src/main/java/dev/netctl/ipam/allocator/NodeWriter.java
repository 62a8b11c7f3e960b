package dev.netctl.ipam.allocator;

import dev.netctl.datastore.DatastoreException;
import dev.netctl.datastore.Entry;
import dev.netctl.datastore.Key;
import dev.netctl.datastore.Write;
import dev.netctl.ipam.IpamException;
import dev.netctl.ipam.block.AllocationBlock;
import dev.netctl.ipam.block.Block;
import dev.netctl.ipam.block.Cidr;
import dev.netctl.ipam.block.Reservations;
import dev.netctl.ipam.store.AffinityRelease;
import dev.netctl.ipam.store.Backoff;
import dev.netctl.ipam.store.BlockAffinity;
import dev.netctl.ipam.store.BlockEditor;
import dev.netctl.ipam.store.HandleCounts;
import dev.netctl.ipam.store.IpamStore;
import dev.netctl.ipam.store.Versioned;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Group commit for one node. Assignments and releases queue up; one drainer at a time takes
 * everything queued, plans all of it against its in-memory copies of the blocks, and writes each
 * touched block once, in one datastore commit with the handle records of the addresses it assigns
 * and frees there. A burst of pod starts and stops thus costs a few transactions instead of two per
 * address, and no crash leaves an allocation without its handle record.
 *
 * <p>A commit carries the block and up to {@link IpamStore#maxOpsPerCommit()} - 1 handle writes;
 * the handles beyond that (only blocks of more than 127 addresses get there) and all of them on a
 * datastore without multi-key commits ({@code maxOpsPerCommit() == 1}) are written afterwards, one
 * CAS loop each, as before: that window is what {@code check} repairs.
 *
 * <p>Correctness never rests on the in-memory copies: every block write is a CAS on the revision
 * the plan was made from. When another writer changed the block, the plan's changes to it are
 * dropped and planned again from the block as it now is.
 */
final class NodeWriter {
  private static final int MAX_ROUNDS = 32;
  private static final int MAX_BATCH = 1024;

  /** What the queue holds. */
  sealed interface Queued permits PendingAssign, PendingRelease {}

  private final String node;
  private final IpamStore store;
  private final IpamEnvironment env;
  private final BlockClaimer claimer;
  private final HandleCounts handles;
  private final BlockEditor editor;
  private final FaultHook hook;
  private final AllocatorStats stats;

  private final HandleLedger ledger;

  /** Planned addresses and releases whose handle counts went into their block's commit. */
  private final Set<Object> counted = Collections.newSetFromMap(new IdentityHashMap<>());

  private final ConcurrentLinkedQueue<Queued> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean draining = new AtomicBoolean();

  // Touched only by the current drainer; the draining flag orders one drainer after the next.
  private final TreeMap<Cidr, BlockWork> owned = new TreeMap<>();
  private boolean ownedLoaded;

  /** Other nodes' blocks this batch touches; all of them once some request had to borrow. */
  private final TreeMap<Cidr, BlockWork> others = new TreeMap<>();

  private boolean othersListed;

  /** What IPReservations keep out, read once per batch that assigns. */
  private Reservations reservations = Reservations.NONE;

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
    this.ledger = new HandleLedger(store);
  }

  /** Queues {@code request}; the future completes when its batch is written (or fails). */
  CompletableFuture<AssignResult> submit(AssignRequest request) {
    PendingAssign p = new PendingAssign(request);
    enqueue(p);
    return p.future;
  }

  /** Queues a release in one of this node's blocks, to be written with the node's next batch. */
  CompletableFuture<PendingRelease.Outcome> submit(PendingRelease release) {
    enqueue(release);
    return release.future;
  }

  private void enqueue(Queued q) {
    queue.add(q);
    if (draining.compareAndSet(false, true)) {
      Thread.ofVirtual().name("ipam-" + node).start(this::drain);
    }
  }

  private void drain() {
    while (true) {
      List<Queued> batch = new ArrayList<>();
      for (Queued q; batch.size() < MAX_BATCH && (q = queue.poll()) != null; ) batch.add(q);
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
        for (Queued q : batch) {
          switch (q) {
            case PendingAssign p -> p.future.completeExceptionally(t);
            case PendingRelease r -> r.future.completeExceptionally(t);
          }
        }
      } finally {
        others.clear();
        othersListed = false;
        ledger.clear();
        counted.clear();
      }
    }
  }

  private void process(List<Queued> batch) {
    stats.batches.increment();
    List<PendingAssign> assigns = new ArrayList<>();
    List<PendingRelease> releases = new ArrayList<>();
    for (Queued q : batch) {
      switch (q) {
        case PendingAssign p -> assigns.add(p);
        case PendingRelease r -> releases.add(r);
      }
    }
    IpamSettings settings = env.settings();
    List<PendingAssign> live = validate(assigns);
    reservations = live.isEmpty() ? Reservations.NONE : env.reservations();
    loadOwned();
    List<PendingRelease> toPlace = releases;
    List<PendingRelease> released = new ArrayList<>();
    for (int round = 1; round <= MAX_ROUNDS; round++) {
      for (PendingRelease r : toPlace) place(r, released);
      boolean any = false;
      for (PendingAssign p : live) {
        if (p.failure != null || p.satisfied()) continue;
        any = true;
        for (boolean v6 : new boolean[] {false, true}) {
          if (p.failure != null || p.need(v6) == 0) continue;
          fillFrom(p, v6, owned.values());
          if (p.need(v6) > 0) fillByClaiming(p, v6, settings);
          if (p.need(v6) > 0 && !settings.strictAffinity()) {
            listOthers();
            fillFrom(p, v6, borrowOrder());
          }
          if (p.need(v6) > 0) fail(p, v6, settings);
        }
      }
      long lost = stats.conflicts.sum();
      toPlace = commit(released);
      if (!any && toPlace.isEmpty()) break;
      if (stats.conflicts.sum() != lost) {
        // Lost a race with another writer of the same block: step aside for a moment so the
        // two do not keep colliding in lockstep.
        jitter(round);
      }
    }
    for (PendingRelease r : toPlace) {
      r.future.completeExceptionally(contention());
    }
    List<PendingAssign> done = new ArrayList<>();
    List<PendingAssign> rollback = new ArrayList<>();
    for (PendingAssign p : live) {
      if (p.failure == null && !p.satisfied()) p.failure = contention();
      if (p.failure == null) done.add(p);
      else if (!p.got.isEmpty()) rollback.add(p);
      else p.future.completeExceptionally(p.failure);
    }
    if (live.stream().anyMatch(p -> !p.got.isEmpty())) {
      hook.reached(Step.ASSIGN_BLOCKS_WRITTEN, node);
    }
    if (!released.isEmpty()) hook.reached(Step.RELEASE_BLOCKS_WRITTEN, node);
    for (PendingAssign p : rollback) {
      releaseQuietly(p);
      p.future.completeExceptionally(p.failure);
    }
    writeHandles(done, released);
  }

  private IpamException contention() {
    return new IpamException.Contention(
        "node \""
            + node
            + "\": blocks kept changing under "
            + MAX_ROUNDS
            + " write rounds; retry the request");
  }

  private List<PendingAssign> validate(List<PendingAssign> assigns) {
    List<PendingAssign> live = new ArrayList<>();
    if (assigns.isEmpty()) return live;
    List<PoolSpec> allPools = env.pools();
    Optional<Map<String, String>> labels = env.nodeLabels(node);
    for (PendingAssign p : assigns) {
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
    return live;
  }

  // Planning

  private void place(PendingRelease r, List<PendingRelease> released) {
    BlockWork w = owned.get(r.block);
    if (w == null) w = others.get(r.block);
    if (w == null) {
      Optional<Versioned<AllocationBlock>> b = Backoff.retryUnavailable(() -> store.block(r.block));
      if (b.isEmpty()) {
        // No block, nothing allocated in it: an empty outcome, nothing to write.
        r.outcome = PendingRelease.Outcome.NONE;
        released.add(r);
        return;
      }
      w = new BlockWork(b.get());
      others.put(r.block, w);
    }
    if (!r.applyTo(w.block)) {
      // Nothing to free in our copy, but the copy may be older than the caller's knowledge
      // (the address may have been assigned through another writer): look at the store.
      Optional<Versioned<AllocationBlock>> b = Backoff.retryUnavailable(() -> store.block(r.block));
      if (b.isPresent() && b.get().revision() != w.revision) {
        w.reset(b.get());
        for (PendingRelease earlier : w.releases) earlier.applyTo(w.block);
        r.applyTo(w.block);
      }
    }
    if (!r.outcome.released().isEmpty()) {
      w.releases.add(r);
    } else {
      released.add(r); // nothing to free (stale or already free): done without a write
    }
  }

  private void fillFrom(PendingAssign p, boolean v6, Iterable<BlockWork> works) {
    List<PoolSpec> pools = p.pools(v6);
    for (BlockWork w : works) {
      if (p.need(v6) == 0) return;
      if (w.block.cidr().ipv6() != v6 || !Pools.anyContains(pools, w.block.cidr())) continue;
      for (Block.Allocated a :
          w.block.allocate(p.need(v6), p.attribute, w.reserved(reservations))) {
        w.planned.add(new PendingAssign.Planned(p, a, v6));
        p.addNeed(v6, -1);
      }
    }
  }

  private void fillByClaiming(PendingAssign p, boolean v6, IpamSettings settings) {
    while (p.need(v6) > 0) {
      List<BlockWork> fresh = refreshOwned(p.pools(v6));
      if (fresh.isEmpty()) {
        for (Versioned<AllocationBlock> b :
            claimer.claim(node, p.pools(v6), settings, reservations)) {
          BlockWork w = new BlockWork(b);
          Cidr cidr = w.block.cidr();
          others.remove(cidr);
          owned.put(cidr, w);
          fresh.add(w);
          p.claimed.add(cidr);
        }
        stats.claims.add(fresh.size());
      }
      if (fresh.isEmpty()) return;
      fillFrom(p, v6, fresh);
    }
  }

  private void fail(PendingAssign p, boolean v6, IpamSettings settings) {
    int wanted = v6 ? p.request.v6Count() : p.request.v4Count();
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
            node,
            v6 ? "IPv6" : "IPv4",
            wanted,
            wanted - p.need(v6),
            why + " in " + p.pools(v6).stream().map(PoolSpec::name).toList() + reservedNote(p, v6));
    // Take back this request's planned addresses; others in the same blocks keep theirs.
    for (BlockWork w : allWorks()) {
      if (w.planned.stream().anyMatch(t -> t.pending() == p)) w.replanWithout(p);
    }
    unclaim(p);
  }

  /** How much of the request's pools IPReservations keep out, when any: the likely reason. */
  private String reservedNote(PendingAssign p, boolean v6) {
    if (reservations.isEmpty()) return "";
    BigInteger reserved = BigInteger.ZERO;
    BigInteger total = BigInteger.ZERO;
    for (PoolSpec pool : p.pools(v6)) {
      reserved = reserved.add(reservations.countIn(pool.cidr()));
      total = total.add(pool.cidr().size());
    }
    if (reserved.signum() == 0) return "";
    return "; IPReservations keep " + reserved + " of their " + total + " addresses out";
  }

  /**
   * Gives back the blocks a failed request claimed that nothing uses: otherwise one oversized
   * request keeps every block it walked through, and under strictAffinity other nodes get nothing
   * from the pool. Best effort: a block that cannot be given back stays this node's, as before.
   */
  private void unclaim(PendingAssign p) {
    for (Cidr cidr : p.claimed) {
      BlockWork w = owned.get(cidr);
      if (w == null || w.dirty() || !w.committed.isEmpty()) continue;
      try {
        Backoff.retryUnavailable(() -> store.affinity(node, cidr))
            .ifPresent(a -> AffinityRelease.release(store, editor, a, false));
        owned.remove(cidr);
      } catch (IpamException | DatastoreException e) {
        // Someone allocated in it meanwhile, or the store went away: keep it.
      }
    }
    p.claimed.clear();
  }

  /**
   * Other nodes' blocks in an order that starts at a random place, so borrowing nodes spread over
   * the blocks with room instead of all piling onto the first one.
   */
  private List<BlockWork> borrowOrder() {
    List<BlockWork> all = new ArrayList<>(others.values());
    if (all.isEmpty()) return all;
    int start = java.util.concurrent.ThreadLocalRandom.current().nextInt(all.size());
    List<BlockWork> out = new ArrayList<>(all.subList(start, all.size()));
    out.addAll(all.subList(0, start));
    return out;
  }

  private static void jitter(int round) {
    try {
      Thread.sleep(java.util.concurrent.ThreadLocalRandom.current().nextLong(1, 2L + 2L * round));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private List<BlockWork> allWorks() {
    List<BlockWork> all = new ArrayList<>(owned.values());
    all.addAll(others.values());
    return all;
  }

  // Writing

  /**
   * Writes every block with planned changes, each in one commit with its handle records. The blocks
   * go one after the other: a handle with addresses in two blocks is written by both commits, and
   * the second needs the revision the first left.
   *
   * @return releases whose block write lost and that must be applied again
   */
  private List<PendingRelease> commit(List<PendingRelease> released) {
    List<BlockWork> dirty = new ArrayList<>();
    for (BlockWork w : allWorks()) if (w.dirty()) dirty.add(w);
    List<PendingRelease> again = new ArrayList<>();
    for (BlockWork w : dirty) {
      stats.blockWrites.increment();
      Map<String, Map<String, Integer>> deltas = handleDeltas(w);
      try {
        Entry e = writeBlockWithHandles(w, deltas);
        w.reset(IpamStore.decode(e, AllocationBlock.class));
        for (PendingAssign.Planned t : w.planned) {
          t.pending().got.add(t);
          if (deltas.containsKey(t.pending().request.handle())) counted.add(t);
        }
        for (PendingRelease r : w.releases) if (r.addresses != null) counted.add(r);
        released.addAll(w.releases);
      } catch (DatastoreException.Conflict c) {
        stats.conflicts.increment();
        resolve(w, c.current().map(cur -> IpamStore.decode(cur, AllocationBlock.class)), again);
      } catch (DatastoreException.NotFound nf) {
        resolve(w, Optional.empty(), again);
      } catch (DatastoreException.Unavailable u) {
        // The commit may have landed, block and handles together: resolve() keeps what did, and
        // the handles' revisions are unknown now.
        deltas.keySet().forEach(ledger::forget);
        Optional<Versioned<AllocationBlock>> now =
            Backoff.retryUnavailable(() -> store.block(w.block.cidr()));
        List<PendingAssign.Planned> before = new ArrayList<>(w.planned);
        resolve(w, now, again);
        for (PendingAssign.Planned t : before) {
          if (t.pending().got.contains(t) && deltas.containsKey(t.pending().request.handle())) {
            counted.add(t);
          }
        }
      }
      w.planned.clear();
      w.releases.clear();
    }
    return again;
  }

  /**
   * The handle count changes of a block's planned assignments and address releases, limited to what
   * fits in one commit with the block; the rest is left to {@link #writeHandles}.
   */
  private Map<String, Map<String, Integer>> handleDeltas(BlockWork w) {
    String cidr = w.block.cidr().toString();
    Map<String, Map<String, Integer>> all = new LinkedHashMap<>();
    for (PendingAssign.Planned t : w.planned) {
      all.computeIfAbsent(t.pending().request.handle(), h -> new TreeMap<>())
          .merge(cidr, 1, Integer::sum);
    }
    for (PendingRelease r : w.releases) {
      // Release-by-handle deletes the whole record afterwards; no need to count it down first.
      if (r.addresses == null) continue;
      r.outcome
          .perHandle()
          .forEach(
              (h, n) -> all.computeIfAbsent(h, k -> new TreeMap<>()).merge(cidr, -n, Integer::sum));
    }
    int room = Math.max(0, store.maxOpsPerCommit() - 1);
    if (all.size() <= room) return all;
    // A release and an assignment of the same handle must stay together; dropping whole handles
    // keeps that. Releases whose handle does not fit are counted down later like before.
    Map<String, Map<String, Integer>> fits = new LinkedHashMap<>();
    for (Map.Entry<String, Map<String, Integer>> e : all.entrySet()) {
      if (fits.size() == room) break;
      fits.put(e.getKey(), e.getValue());
    }
    return fits;
  }

  /**
   * One commit of the block and its handles. A handle that is not as the ledger thought (created or
   * changed by someone else) is read again and the commit retried; a block that lost its CAS fails
   * the call with that Conflict or NotFound, for the caller to replan.
   */
  private Entry writeBlockWithHandles(BlockWork w, Map<String, Map<String, Integer>> deltas) {
    AllocationBlock record = w.block.toRecord();
    Write block = IpamStore.blockUpdate(record, w.revision);
    for (int attempt = 1; attempt <= MAX_ROUNDS; attempt++) {
      List<Write> writes = new ArrayList<>();
      writes.add(block);
      List<HandleLedger.Staged> staged = new ArrayList<>();
      deltas.forEach(
          (h, d) -> {
            HandleLedger.Staged s = ledger.stage(h, d);
            if (s.write() != null) {
              staged.add(s);
              writes.add(s.write());
            }
          });
      try {
        List<Long> revisions = store.commit(writes);
        for (int i = 0; i < staged.size(); i++)
          ledger.committed(staged.get(i), revisions.get(i + 1));
        return new Entry(block.key(), IpamStore.encode(record), revisions.getFirst());
      } catch (DatastoreException.Conflict
          | DatastoreException.NotFound
          | DatastoreException.AlreadyExists e) {
        Key failed = failedKey(e);
        if (failed == null || failed.equals(block.key())) throw e;
        ledger.refresh(failed.name());
      }
    }
    throw contention();
  }

  private static Key failedKey(DatastoreException e) {
    return switch (e) {
      case DatastoreException.Conflict c -> c.key();
      case DatastoreException.NotFound n -> n.key();
      case DatastoreException.AlreadyExists a -> a.key();
      case DatastoreException.Unavailable u -> null;
      default -> null;
    };
  }

  /**
   * A block write did not (visibly) succeed: keep the allocations that are in the stored block
   * anyway (a write reported unavailable that did land — the per-address sequence number and
   * attribute identify them), give the rest back to their requests to plan again, and queue the
   * releases to be applied to the block as it now is.
   */
  private void resolve(
      BlockWork w, Optional<Versioned<AllocationBlock>> fresh, List<PendingRelease> again) {
    Block now = fresh.map(f -> Block.of(f.value())).orElse(null);
    for (PendingAssign.Planned t : w.planned) {
      int o = t.allocated().ordinal();
      boolean landed =
          now != null
              && Long.valueOf(t.allocated().sequenceNumber()).equals(now.sequenceAt(o))
              && t.pending().attribute.equals(now.attributeAt(o));
      if (landed) t.pending().got.add(t);
      else t.pending().addNeed(t.v6(), 1);
    }
    Cidr cidr = w.block.cidr();
    if (now == null) {
      owned.remove(cidr);
      others.remove(cidr);
      for (PendingRelease r : w.releases) r.outcome = PendingRelease.Outcome.NONE;
      // The block is gone, so are its allocations: the releases have nothing left to do.
      for (PendingRelease r : w.releases) r.future.complete(r.outcome);
      return;
    }
    again.addAll(w.releases);
    if (owned.containsKey(cidr) && (now.deleted() || !node.equals(now.affinityNode()))) {
      owned.remove(cidr);
      others.put(cidr, w);
    }
    w.reset(fresh.get());
  }

  private void writeHandles(List<PendingAssign> done, List<PendingRelease> released) {
    Map<String, Map<String, Integer>> deltas = new LinkedHashMap<>();
    // Only what did not fit into a block's commit (or a datastore without multi-key commits).
    for (PendingAssign p : done) {
      for (PendingAssign.Planned t : p.got) {
        if (counted.contains(t)) continue;
        deltas
            .computeIfAbsent(p.request.handle(), h -> new TreeMap<>())
            .merge(t.allocated().block().toString(), 1, Integer::sum);
      }
    }
    for (PendingRelease r : released) {
      // Release-by-handle deletes the whole record afterwards; no need to count it down first.
      if (r.addresses == null || counted.contains(r)) continue;
      r.outcome
          .perHandle()
          .forEach(
              (h, n) ->
                  deltas
                      .computeIfAbsent(h, k -> new TreeMap<>())
                      .merge(r.block.toString(), -n, Integer::sum));
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
    for (PendingAssign p : done) {
      Throwable t = failed.get(p.request.handle());
      if (t == null) {
        p.future.complete(p.result());
      } else {
        releaseQuietly(p);
        p.future.completeExceptionally(t);
      }
    }
    // A failed count-down leaves a handle mismatch for check(); the addresses are free anyway.
    for (PendingRelease r : released) r.future.complete(r.outcome);
  }

  /**
   * Gives back what a failed request got, and counts its handle record down by what its block
   * commits counted; leftovers are found by check() as a handle mismatch or handle-less.
   */
  private void releaseQuietly(PendingAssign p) {
    Map<Cidr, List<Block.Allocated>> byBlock = new HashMap<>();
    Map<Cidr, Integer> countedIn = new HashMap<>();
    for (PendingAssign.Planned t : p.got) {
      byBlock.computeIfAbsent(t.allocated().block(), c -> new ArrayList<>()).add(t.allocated());
      if (counted.remove(t)) countedIn.merge(t.allocated().block(), 1, Integer::sum);
    }
    Map<String, Integer> countDown = new TreeMap<>();
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
            // Freed: the handle must stop counting them. Not freed: it rightly still does.
            Integer n = countedIn.get(cidr);
            if (n != null) countDown.put(cidr.toString(), -n);
          } catch (RuntimeException e) {
            // Leave it to check(): the allocation stays, as a leak to release by handle or, when
            // its handle was never written, as handle-less.
          }
        });
    if (!countDown.isEmpty()) {
      try {
        handles.adjust(p.request.handle(), countDown);
      } catch (RuntimeException e) {
        // Leave it to check(): the handle counts more than its blocks hold, a mismatch it repairs.
      }
    }
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
          .ifPresent(b -> owned.put(cidr, new BlockWork(b)));
    }
    ownedLoaded = true;
  }

  /** Blocks confirmed for this node that we do not know yet (claimed by another process). */
  private List<BlockWork> refreshOwned(List<PoolSpec> pools) {
    List<BlockWork> fresh = new ArrayList<>();
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
        BlockWork w = others.remove(cidr);
        if (w == null) w = new BlockWork(b.get());
        owned.put(cidr, w);
        if (w.block.freeUnreserved(w.reserved(reservations)) > 0) fresh.add(w);
      }
    }
    return fresh;
  }

  private void listOthers() {
    if (othersListed) return;
    for (Versioned<AllocationBlock> b : Backoff.retryUnavailable(store::blocks)) {
      Cidr cidr = Cidr.parse(b.value().cidr());
      if (owned.containsKey(cidr) || others.containsKey(cidr) || b.value().deleted()) continue;
      others.put(cidr, new BlockWork(b));
    }
    othersListed = true;
  }
}
