package dev.netctl.ipam.allocator;

import dev.netctl.datastore.Datastore;
import dev.netctl.datastore.DatastoreException;
import dev.netctl.ipam.IpamException;
import dev.netctl.ipam.block.AllocationAttribute;
import dev.netctl.ipam.block.AllocationBlock;
import dev.netctl.ipam.block.Block;
import dev.netctl.ipam.block.Cidr;
import dev.netctl.ipam.store.AffinityRelease;
import dev.netctl.ipam.store.Backoff;
import dev.netctl.ipam.store.BlockAffinity;
import dev.netctl.ipam.store.BlockEditor;
import dev.netctl.ipam.store.HandleCounts;
import dev.netctl.ipam.store.IpamHandle;
import dev.netctl.ipam.store.IpamStore;
import dev.netctl.ipam.store.Versioned;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.function.LongSupplier;

/**
 * Calico-style IPAM over the {@link Datastore} contract: per-node affine blocks carved from pools,
 * assignment group-committed per node, releases guarded by sequence numbers.
 *
 * <p>Safe for any number of threads, and for any number of allocators in other processes sharing
 * the store: every write is a CAS, so no address is handed out twice. There is no lock across
 * nodes; requests of one node are coalesced by that node's {@link NodeWriter}.
 *
 * <p>On a store opened by {@code Datastores.open}, every write is refused with {@link
 * DatastoreException.Locked} while the datastore is locked for migration: the store's one {@link
 * dev.netctl.datastore.migrate.WriteGate} refuses it, before anything is written.
 */
public final class IpamAllocator {

  /**
   * Tuning and test seams.
   *
   * @param hook called at each protocol step (tests make writers die there)
   * @param reclaimGrace how long another node's block must stay empty before it is reclaimed
   * @param nanoClock time source for the grace period
   */
  public record Options(FaultHook hook, Duration reclaimGrace, LongSupplier nanoClock) {
    public static final Options DEFAULT =
        new Options(FaultHook.NONE, Duration.ofMinutes(5), System::nanoTime);

    public Options withHook(FaultHook h) {
      return new Options(h, reclaimGrace, nanoClock);
    }

    public Options withReclaimGrace(Duration d) {
      return new Options(hook, d, nanoClock);
    }
  }

  /** How hard group commit worked: assign batches, block CAS writes, lost CASes, blocks claimed. */
  public record Stats(long batches, long blockWrites, long conflicts, long claims) {}

  /**
   * What releasing a node freed.
   *
   * @param addresses addresses that had been assigned on the node
   * @param affinities block affinities removed
   */
  public record NodeRelease(int addresses, int affinities) {}

  private final IpamStore store;
  private final IpamEnvironment env;
  private final Options options;
  private final BlockClaimer claimer;
  private final BlockEditor editor;
  private final HandleCounts handles;
  private final AllocatorStats stats = new AllocatorStats();
  private final Map<String, NodeWriter> writers = new ConcurrentHashMap<>();

  public IpamAllocator(Datastore datastore, IpamEnvironment env) {
    this(datastore, env, Options.DEFAULT);
  }

  public IpamAllocator(Datastore datastore, IpamEnvironment env, Options options) {
    this.store = new IpamStore(datastore);
    this.env = env;
    this.options = options;
    this.claimer =
        new BlockClaimer(store, options.hook(), options.reclaimGrace(), options.nanoClock());
    this.editor = new BlockEditor(store);
    this.handles = new HandleCounts(store);
  }

  /** Assigns addresses as {@link #autoAssignAsync}, waiting for the result. */
  public AssignResult autoAssign(AssignRequest request) {
    return join(autoAssignAsync(request));
  }

  /**
   * Assigns {@code v4Count} + {@code v6Count} addresses to the request's handle: from the node's
   * own blocks, then from newly claimed blocks, then borrowed from other nodes' blocks unless
   * strictAffinity. All or nothing: a request that cannot be satisfied fails with an {@link
   * IpamException} and keeps no address.
   */
  public CompletableFuture<AssignResult> autoAssignAsync(AssignRequest request) {
    return writers.computeIfAbsent(request.node(), this::newWriter).submit(request);
  }

  /** Assigns one specific address (claiming its block for {@code node} if it does not exist). */
  public AssignedAddress assignIp(
      InetAddress address, String handle, String node, String pod, String namespace) {
    if (handle == null || handle.isBlank()) {
      throw new IpamException.InvalidRequest(
          "assign " + Cidr.format(address) + ": handle must not be empty");
    }
    PoolSpec pool = poolOf(address);
    if (pool.disabled()) {
      throw new IpamException.PoolNotUsable(
          "IPPool \"" + pool.name() + "\" is disabled: cannot assign " + Cidr.format(address));
    }
    Cidr cidr = blockHolding(store.blockFinder(), pool, address);
    AllocationAttribute attr = new AllocationAttribute(handle, pod, namespace, node);
    for (int attempt = 0; attempt < 8; attempt++) {
      if (Backoff.retryUnavailable(() -> store.block(cidr)).isEmpty()) {
        createBlockFor(node, cidr);
      }
      Optional<Block.Allocated> got =
          editor.edit(
              cidr,
              b -> {
                AllocationAttribute holder = b.attributeAt(b.ordinalOf(address));
                if (holder != null) {
                  throw new IpamException.AddressInUse(Cidr.format(address), holder.handle());
                }
                return b.allocateAddress(address, attr);
              });
      if (got.isPresent()) {
        handles.adjust(handle, Map.of(cidr.toString(), 1));
        return new AssignedAddress(address, cidr, got.get().sequenceNumber());
      }
    }
    throw new IpamException.Contention(
        "IPAMBlock \""
            + cidr.name()
            + "\" kept disappearing while assigning "
            + Cidr.format(address));
  }

  private void createBlockFor(String node, Cidr cidr) {
    try {
      if (node != null && env.settings().autoAllocateBlocks()) {
        claimer.claimSpecific(node, cidr);
      } else {
        claimer.checkNoOverlap(cidr);
        store.createBlock(Block.empty(cidr, null).toRecord());
      }
    } catch (DatastoreException.AlreadyExists e) {
      // Someone else created it; assign from it as it is.
    }
  }

  /**
   * Releases addresses. Every address must be inside a pool and allocated (and held by the named
   * handle, when one is named), else nothing is released. An address re-allocated since the
   * caller's sequence number is left alone and reported as stale.
   */
  public ReleaseResult releaseIps(List<ReleaseRequest> requests) {
    List<PoolSpec> pools = env.pools();
    Map<Cidr, List<ReleaseRequest>> byBlock = new TreeMap<>();
    IpamStore.BlockFinder finder = store.blockFinder();
    for (ReleaseRequest r : requests) {
      Optional<PoolSpec> pool = Pools.containing(pools, r.address());
      Cidr block =
          pool.isPresent()
              ? blockHolding(finder, pool.get(), r.address())
              : leftBehind(finder, r.address());
      byBlock.computeIfAbsent(block, c -> new ArrayList<>()).add(r);
    }
    // Validate everything before writing anything.
    Map<Cidr, String> owners = new TreeMap<>();
    for (Map.Entry<Cidr, List<ReleaseRequest>> e : byBlock.entrySet()) {
      Optional<Versioned<AllocationBlock>> stored =
          Backoff.retryUnavailable(() -> store.block(e.getKey()));
      Block b = stored.map(v -> Block.of(v.value())).orElse(null);
      for (ReleaseRequest r : e.getValue()) {
        AllocationAttribute holder = b == null ? null : b.attributeAt(b.ordinalOf(r.address()));
        if (holder == null) throw new IpamException.AddressNotAllocated(Cidr.format(r.address()));
        if (r.handle() != null && !r.handle().equals(holder.handle())) {
          throw new IpamException.HandleMismatch(
              Cidr.format(r.address()), r.handle(), holder.handle());
        }
      }
      owners.put(e.getKey(), b.affinityNode());
    }
    List<CompletableFuture<PendingRelease.Outcome>> outcomes = new ArrayList<>();
    for (Map.Entry<Cidr, List<ReleaseRequest>> e : byBlock.entrySet()) {
      outcomes.add(
          release(PendingRelease.ofAddresses(e.getKey(), e.getValue()), owners.get(e.getKey())));
    }
    List<InetAddress> released = new ArrayList<>();
    List<InetAddress> stale = new ArrayList<>();
    for (CompletableFuture<PendingRelease.Outcome> f : outcomes) {
      PendingRelease.Outcome o = join(f);
      released.addAll(o.released());
      stale.addAll(o.stale());
    }
    return new ReleaseResult(released, stale);
  }

  /**
   * Releases every address the handle holds, reading only the blocks its record names, then deletes
   * the handle.
   *
   * @return how many addresses were released
   */
  public int releaseByHandle(String handleId) {
    Versioned<IpamHandle> record =
        Backoff.retryUnavailable(() -> store.handle(handleId))
            .orElseThrow(() -> new IpamException.UnknownHandle(handleId));
    IpamHandle h = record.value();
    List<CompletableFuture<PendingRelease.Outcome>> outcomes = new ArrayList<>();
    for (String block : h.block().keySet()) {
      Cidr cidr = Cidr.parse(block);
      String owner =
          Backoff.retryUnavailable(() -> store.block(cidr))
              .map(b -> b.value().affinityNode())
              .orElse(null);
      outcomes.add(release(PendingRelease.ofHandle(cidr, handleId), owner));
    }
    int total = 0;
    for (CompletableFuture<PendingRelease.Outcome> f : outcomes) total += join(f).released().size();
    options.hook().reached(Step.RELEASE_BLOCKS_WRITTEN, "");
    handles.delete(handleId, record.revision());
    return total;
  }

  /**
   * Runs a release in one block: through the owner's group-commit writer so it shares a block write
   * with that node's other changes, or directly when the block has no owner.
   */
  private CompletableFuture<PendingRelease.Outcome> release(PendingRelease r, String owner) {
    if (owner != null) return writers.computeIfAbsent(owner, this::newWriter).submit(r);
    PendingRelease.Outcome o =
        editor
            .edit(
                r.block,
                b -> {
                  r.applyTo(b);
                  return r.outcome;
                })
            .orElse(PendingRelease.Outcome.NONE);
    if (r.addresses != null) {
      o.perHandle().forEach((h, n) -> handles.adjust(h, Map.of(r.block.toString(), -n)));
    }
    return CompletableFuture.completedFuture(o);
  }

  private <T> T join(CompletableFuture<T> f) {
    try {
      return f.get();
    } catch (ExecutionException e) {
      throw store.unwrap(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DatastoreException.Unavailable(store.datastore().address(), "interrupted", e);
    }
  }

  /**
   * Claims one specific block for {@code node} (the crash-safe protocol).
   *
   * @throws IpamException.PoolNotUsable when the block is not a block of any pool, or belongs to
   *     another node
   */
  public Cidr claimAffinity(String node, Cidr block) {
    PoolSpec pool =
        Pools.containing(env.pools(), block)
            .orElseThrow(
                () -> new IpamException.PoolNotUsable("block " + block + " is in no IPPool"));
    if (block.prefixLength() != pool.blockSize()) {
      throw new IpamException.InvalidRequest(
          "block "
              + block
              + " is not a /"
              + pool.blockSize()
              + " block of IPPool \""
              + pool.name()
              + "\"");
    }
    try {
      claimer.claimSpecific(node, block);
      return block;
    } catch (DatastoreException.AlreadyExists e) {
      throw new IpamException.PoolNotUsable(
          "IPAMBlock \"" + block.name() + "\" is already owned by another node");
    }
  }

  /**
   * Drops {@code node}'s claim on {@code block}. An empty block is deleted; a block with addresses
   * in use is refused unless {@code force}, which leaves it unowned (its addresses stay valid and
   * it is deleted once empty).
   */
  public void releaseAffinity(String node, Cidr block, boolean force) {
    Versioned<BlockAffinity> aff =
        Backoff.retryUnavailable(() -> store.affinity(node, block))
            .orElseThrow(
                () ->
                    new IpamException.InvalidRequest(
                        "BlockAffinity \"" + node + "-" + block.name() + "\" not found"));
    AffinityRelease.release(store, editor, aff, force);
    writers.remove(node);
  }

  /**
   * Releases everything of a deleted node: every address assigned on it (in any block) and all its
   * block affinities. Its blocks are deleted when empty, else left unowned.
   */
  public NodeRelease releaseNode(String node) {
    writers.remove(node);
    int addresses = 0;
    Map<String, Map<String, Integer>> handleDeltas = new LinkedHashMap<>();
    for (Versioned<AllocationBlock> v : Backoff.retryUnavailable(store::blocks)) {
      Cidr cidr = Cidr.parse(v.value().cidr());
      Optional<Map<String, Integer>> freed =
          editor.edit(
              cidr,
              b -> {
                Map<String, Integer> perHandle = new TreeMap<>();
                for (int o = 0; o < b.size(); o++) {
                  AllocationAttribute a = b.attributeAt(o);
                  if (a != null && node.equals(a.node())) {
                    b.release(o, null, null);
                    perHandle.merge(a.handle(), -1, Integer::sum);
                  }
                }
                return perHandle;
              });
      if (freed.isPresent()) {
        for (Map.Entry<String, Integer> e : freed.get().entrySet()) {
          addresses -= e.getValue();
          handleDeltas
              .computeIfAbsent(e.getKey(), k -> new TreeMap<>())
              .put(cidr.toString(), e.getValue());
        }
      }
    }
    options.hook().reached(Step.RELEASE_BLOCKS_WRITTEN, node);
    handleDeltas.forEach(handles::adjust);
    int affinities = 0;
    for (Versioned<BlockAffinity> a : Backoff.retryUnavailable(() -> store.affinities(node))) {
      AffinityRelease.release(store, editor, a, true);
      affinities++;
    }
    return new NodeRelease(addresses, affinities);
  }

  /**
   * Releases every block affinity inside pool {@code poolName}, the step between disabling and
   * deleting a pool. Refused while addresses are in use in the pool unless {@code force}.
   *
   * @return how many affinities were released
   */
  public int releasePoolAffinities(String poolName, boolean force) {
    PoolSpec pool =
        env.pools().stream()
            .filter(p -> p.name().equals(poolName))
            .findFirst()
            .orElseThrow(
                () -> new IpamException.PoolNotUsable("IPPool \"" + poolName + "\" not found"));
    List<Versioned<AllocationBlock>> blocks = new ArrayList<>();
    int inUse = 0;
    for (Versioned<AllocationBlock> b : Backoff.retryUnavailable(store::blocks)) {
      if (pool.cidr().contains(Cidr.parse(b.value().cidr()))) {
        blocks.add(b);
        inUse += Block.of(b.value()).inUse();
      }
    }
    if (inUse > 0 && !force) throw new IpamException.PoolInUse(poolName, inUse);
    int released = 0;
    for (Versioned<BlockAffinity> a : Backoff.retryUnavailable(store::affinities)) {
      if (pool.cidr().contains(Cidr.parse(a.value().cidr()))) {
        AffinityRelease.release(store, editor, a, true);
        writers.remove(a.value().node());
        released++;
      }
    }
    // Blocks whose affinity record was already gone still name an owner: clear it too.
    for (Versioned<AllocationBlock> b : blocks) {
      editor.edit(
          Cidr.parse(b.value().cidr()),
          blk -> {
            blk.setAffinityNode(null);
            return null;
          });
    }
    return released;
  }

  public Stats stats() {
    return stats.snapshot();
  }

  /** The typed store this allocator writes through, for check and show. */
  public IpamStore store() {
    return store;
  }

  /** The block {@code address} belongs in: see {@link IpamStore#blockHolding}. */
  private static Cidr blockHolding(
      IpamStore.BlockFinder finder, PoolSpec pool, InetAddress address) {
    Cidr cidr = pool.cidr().blockContaining(address, pool.blockSize());
    return Backoff.retryUnavailable(() -> finder.holding(cidr, address))
        .map(b -> Cidr.parse(b.value().cidr()))
        .orElse(cidr);
  }

  /**
   * The block of a deleted pool that still holds {@code address}: Calico releases such an address
   * too (its workload is gone; the pool went before it).
   */
  private static Cidr leftBehind(IpamStore.BlockFinder finder, InetAddress address) {
    return Backoff.retryUnavailable(() -> finder.anyHolding(address))
        .map(b -> Cidr.parse(b.value().cidr()))
        .orElseThrow(() -> new IpamException.AddressNotInPool(Cidr.format(address)));
  }

  private PoolSpec poolOf(InetAddress address) {
    return Pools.containing(env.pools(), address)
        .orElseThrow(() -> new IpamException.AddressNotInPool(Cidr.format(address)));
  }

  private NodeWriter newWriter(String node) {
    return new NodeWriter(node, store, env, claimer, handles, editor, options.hook(), stats);
  }
}
