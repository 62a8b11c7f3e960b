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
import dev.netctl.ipam.store.Backoff;
import dev.netctl.ipam.store.BlockAffinity;
import dev.netctl.ipam.store.BlockAffinity.State;
import dev.netctl.ipam.store.IpamStore;
import dev.netctl.ipam.store.Versioned;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The crash-safe block claim. On a datastore with multi-key commits it is one commit creating the
 * block and the confirmed affinity together: nothing to finish after a crash. Otherwise (and to
 * finish a claim an older writer left) it takes three steps: affinity written pending, block
 * created by CAS create, affinity confirmed. Either way whoever creates the block owns it; a
 * pending affinity never counts as ownership, and a claim that finds its own node's pending
 * affinity finishes the job a dead writer left.
 */
final class BlockClaimer {

  /** When an empty foreign block was first seen at a revision, to time its grace period. */
  private record Sighting(long revision, long sinceNanos) {}

  private final IpamStore store;
  private final FaultHook hook;
  private final Duration reclaimGrace;
  private final LongSupplier nanoClock;
  private final Map<Cidr, Sighting> emptySightings = new ConcurrentHashMap<>();

  BlockClaimer(IpamStore store, FaultHook hook, Duration reclaimGrace, LongSupplier nanoClock) {
    this.store = store;
    this.hook = hook;
    this.reclaimGrace = reclaimGrace;
    this.nanoClock = nanoClock;
  }

  /**
   * Gets {@code node} one more block from {@code pools}: first by finishing its own pending claims,
   * then by claiming the first free block from its hash-derived start, then by reclaiming a block
   * another node left empty past the grace period. Empty when the node may not or cannot get one.
   */
  List<Versioned<AllocationBlock>> claim(
      String node, List<PoolSpec> pools, IpamSettings settings, Reservations reserved) {
    for (int attempt = 1; ; attempt++) {
      try {
        return claimOnce(node, pools, settings, reserved);
      } catch (DatastoreException.Unavailable e) {
        // Every step re-checks what is stored, so running the claim again is safe.
        if (attempt >= Backoff.MAX_ATTEMPTS) throw e;
        Backoff.pause(attempt);
      }
    }
  }

  private List<Versioned<AllocationBlock>> claimOnce(
      String node, List<PoolSpec> pools, IpamSettings settings, Reservations reserved) {
    List<Versioned<BlockAffinity>> mine = store.affinities(node);
    List<Versioned<AllocationBlock>> adopted = new ArrayList<>();
    int confirmed = 0;
    for (Versioned<BlockAffinity> a : mine) {
      Cidr cidr = Cidr.parse(a.value().cidr());
      // Like Calico, the limit applies per address family (the pools passed are of one family).
      if (a.value().state() == State.CONFIRMED && Pools.anyContains(pools, cidr)) confirmed++;
      if (a.value().state() != State.PENDING || !Pools.anyContains(pools, cidr)) continue;
      try {
        adopted.add(protocol(node, cidr, a));
      } catch (DatastoreException.AlreadyExists lost) {
        // The block belongs to someone else; protocol() removed our stale pending affinity.
      }
    }
    if (!adopted.isEmpty()) return adopted;
    if (!settings.autoAllocateBlocks()) return List.of();
    if (settings.maxBlocksPerHost() > 0 && confirmed >= settings.maxBlocksPerHost()) {
      return List.of();
    }
    Map<Cidr, Versioned<AllocationBlock>> existing = new HashMap<>();
    for (Versioned<AllocationBlock> b : store.blocks()) {
      existing.put(Cidr.parse(b.value().cidr()), b);
    }
    for (PoolSpec pool : pools) {
      Optional<Versioned<AllocationBlock>> got = claimFree(node, pool, existing, reserved);
      if (got.isPresent()) return List.of(got.get());
    }
    for (PoolSpec pool : pools) {
      Optional<Versioned<AllocationBlock>> got = reclaimEmpty(node, pool, existing, reserved);
      if (got.isPresent()) return List.of(got.get());
    }
    return List.of();
  }

  /** Claims one specific block for {@code node}; AlreadyExists when another node has it. */
  Versioned<AllocationBlock> claimSpecific(String node, Cidr cidr) {
    checkNoOverlap(cidr);
    for (int attempt = 1; ; attempt++) {
      try {
        return protocol(node, cidr, null);
      } catch (DatastoreException.Unavailable e) {
        if (attempt >= Backoff.MAX_ATTEMPTS) throw e;
        Backoff.pause(attempt);
      }
    }
  }

  private Optional<Versioned<AllocationBlock>> claimFree(
      String node,
      PoolSpec pool,
      Map<Cidr, Versioned<AllocationBlock>> existing,
      Reservations reserved) {
    BigInteger count = pool.cidr().blockCount(pool.blockSize());
    BigInteger start = startIndex(node, count);
    long taken = existing.keySet().stream().filter(c -> pool.cidr().contains(c)).count();
    // Blocks of another size over the pool's range (left by a deleted pool) rule out every
    // candidate they overlap: two blocks must never hold the same address.
    List<Cidr> foreign = foreignBlocks(pool, existing.keySet());
    for (Cidr f : foreign) {
      if (f.prefixLength() < pool.blockSize()) {
        // Saturating: two short foreign prefixes would overflow the sum, and a wrapped count
        // would cut the walk to 64 candidates and call a pool with room full.
        long covered = 1L << Math.min(62, pool.blockSize() - f.prefixLength());
        taken = taken > Long.MAX_VALUE - covered ? Long.MAX_VALUE : taken + covered;
      }
    }
    // Among taken+1 consecutive candidates at least one is free unless the pool is full; a few
    // extra cover blocks created by others while we walk.
    long limit =
        Math.min(
            count.min(BigInteger.valueOf(Long.MAX_VALUE)).longValue(),
            taken > Long.MAX_VALUE - 64 ? Long.MAX_VALUE : taken + 64);
    // Blocks IPReservations cover whole would give nothing (Calico skips them too): they are
    // jumped over a reserved run at a time, so a reserved /16 costs one step, not 1024, and do
    // not count against the limit.
    BigInteger index = start;
    BigInteger walked = BigInteger.ZERO;
    for (long tried = 0; tried < limit && walked.compareTo(count) < 0; ) {
      Cidr cidr = pool.cidr().block(index, pool.blockSize());
      BigInteger skip = reservedBlocksFrom(pool, cidr, reserved);
      if (skip.signum() > 0) {
        walked = walked.add(skip);
        index = index.add(skip).mod(count);
        continue;
      }
      walked = walked.add(BigInteger.ONE);
      index = index.add(BigInteger.ONE).mod(count);
      tried++;
      if (existing.containsKey(cidr) || overlapsAny(cidr, foreign)) continue;
      try {
        return Optional.of(protocol(node, cidr, null));
      } catch (DatastoreException.AlreadyExists e) {
        existing.put(cidr, null);
      }
    }
    return Optional.empty();
  }

  /**
   * How many blocks from {@code cidr} on are reserved whole: 0 when {@code cidr} is not, else the
   * blocks up to the end of the reserved run it starts (never past the pool's end, so a walk that
   * wraps around starts again at the pool's first block).
   */
  static BigInteger reservedBlocksFrom(PoolSpec pool, Cidr cidr, Reservations reserved) {
    if (!reserved.coversWhole(cidr)) return BigInteger.ZERO;
    BigInteger runEnd = reserved.reservedRunEnd(cidr);
    int hostBits = cidr.bits() - pool.blockSize();
    BigInteger poolEnd = pool.cidr().network().add(pool.cidr().size()).subtract(BigInteger.ONE);
    // Blocks wholly inside [cidr start, run end]: the run covers cidr, so at least one.
    BigInteger through = runEnd.min(poolEnd).add(BigInteger.ONE);
    return through.subtract(cidr.network()).shiftRight(hostBits);
  }

  /** The stored blocks over the pool's range whose size is not the pool's block size. */
  static List<Cidr> foreignBlocks(PoolSpec pool, Collection<Cidr> stored) {
    return stored.stream()
        .filter(c -> c.prefixLength() != pool.blockSize() && c.overlaps(pool.cidr()))
        .toList();
  }

  private static boolean overlapsAny(Cidr cidr, List<Cidr> blocks) {
    return blocks.stream().anyMatch(b -> b.overlaps(cidr));
  }

  /**
   * Refuses to create {@code cidr} when a stored block of another size overlaps it (a block left by
   * a deleted pool of another block size): the two would hand out the same addresses.
   *
   * @throws IpamException.InvalidRequest naming both blocks
   */
  void checkNoOverlap(Cidr cidr) {
    for (Versioned<AllocationBlock> b : Backoff.retryUnavailable(store::blocks)) {
      Cidr other = Cidr.parse(b.value().cidr());
      if (!other.equals(cidr) && other.overlaps(cidr)) {
        throw new IpamException.InvalidRequest(
            "IPAMBlock "
                + cidr
                + " would overlap IPAMBlock "
                + other
                + " (left by a pool with another block size): release that block's addresses"
                + " first");
      }
    }
  }

  private Optional<Versioned<AllocationBlock>> reclaimEmpty(
      String node,
      PoolSpec pool,
      Map<Cidr, Versioned<AllocationBlock>> existing,
      Reservations reserved) {
    for (Map.Entry<Cidr, Versioned<AllocationBlock>> e : existing.entrySet()) {
      Versioned<AllocationBlock> b = e.getValue();
      if (b == null || !pool.cidr().contains(e.getKey())) continue;
      String owner = b.value().affinityNode();
      if (node.equals(owner) || b.value().deleted() || reserved.coversWhole(e.getKey())) continue;
      if (!Block.of(b.value()).isEmpty() || !graceOver(e.getKey(), b.revision())) continue;
      try {
        // CAS on the revision we saw empty: if anyone allocated since, this fails and we move on.
        store.deleteBlock(e.getKey(), b.revision());
      } catch (DatastoreException.Conflict | DatastoreException.NotFound lost) {
        continue;
      }
      emptySightings.remove(e.getKey());
      if (owner != null) deleteAffinityIfPresent(owner, e.getKey());
      try {
        return Optional.of(protocol(node, e.getKey(), null));
      } catch (DatastoreException.AlreadyExists raced) {
        // Another claimer took the freed block first.
      }
    }
    return Optional.empty();
  }

  private boolean graceOver(Cidr cidr, long revision) {
    long now = nanoClock.getAsLong();
    Sighting s =
        emptySightings.compute(
            cidr,
            (k, old) ->
                old != null && old.revision == revision ? old : new Sighting(revision, now));
    return now - s.sinceNanos >= reclaimGrace.toNanos();
  }

  /**
   * The three writes of a claim. {@code pending} is the node's existing pending affinity for the
   * block when finishing an abandoned claim, else null.
   *
   * @throws DatastoreException.AlreadyExists when the block exists and belongs to someone else
   */
  private Versioned<AllocationBlock> protocol(
      String node, Cidr cidr, Versioned<BlockAffinity> pending) {
    if (pending == null && store.maxOpsPerCommit() >= 2) {
      Optional<Versioned<AllocationBlock>> done = claimInOneCommit(node, cidr);
      if (done.isPresent()) return done.get();
      // An affinity of ours for the block exists already: the step-by-step path sorts it out.
    }
    Versioned<BlockAffinity> aff = pending;
    if (aff == null) {
      try {
        aff = store.createAffinity(new BlockAffinity(node, cidr.toString(), State.PENDING));
      } catch (DatastoreException.AlreadyExists e) {
        aff = store.affinity(node, cidr).orElseThrow(() -> e);
        if (aff.value().state() == State.PENDING_DELETION) throw e;
      }
    }
    hook.reached(Step.CLAIM_AFFINITY_PENDING, node);
    Versioned<AllocationBlock> block;
    try {
      block = store.createBlock(Block.empty(cidr, node).toRecord());
    } catch (DatastoreException.AlreadyExists e) {
      Optional<Versioned<AllocationBlock>> cur = store.block(cidr);
      if (cur.isPresent()
          && node.equals(cur.get().value().affinityNode())
          && !cur.get().value().deleted()) {
        block = cur.get(); // our own earlier create, or an abandoned claim of ours: adopt it
      } else {
        deleteQuietly(aff);
        throw new DatastoreException.AlreadyExists(IpamStore.blockKey(cidr));
      }
    }
    hook.reached(Step.CLAIM_BLOCK_CREATED, node);
    confirm(node, cidr, aff);
    hook.reached(Step.CLAIM_AFFINITY_CONFIRMED, node);
    return block;
  }

  /**
   * Creates the block and its confirmed affinity in one commit. Empty when the node's affinity for
   * the block exists already (left by a claim of an older writer, or being deleted).
   *
   * @throws DatastoreException.AlreadyExists when the block exists and belongs to someone else
   */
  private Optional<Versioned<AllocationBlock>> claimInOneCommit(String node, Cidr cidr) {
    byte[] block = IpamStore.encode(Block.empty(cidr, node).toRecord());
    Key blockKey = IpamStore.blockKey(cidr);
    Key affinityKey = IpamStore.affinityKey(node, cidr);
    try {
      List<Long> revisions =
          store.commit(
              List.of(
                  new Write.Create(blockKey, block),
                  new Write.Create(
                      affinityKey,
                      IpamStore.encode(
                          new BlockAffinity(node, cidr.toString(), State.CONFIRMED)))));
      hook.reached(Step.CLAIM_AFFINITY_CONFIRMED, node);
      return Optional.of(
          IpamStore.decode(
              new Entry(blockKey, block, revisions.getFirst()), AllocationBlock.class));
    } catch (DatastoreException.AlreadyExists e) {
      if (e.key().equals(affinityKey)) return Optional.empty();
    }
    Optional<Versioned<AllocationBlock>> cur = store.block(cidr);
    if (cur.isEmpty()
        || !node.equals(cur.get().value().affinityNode())
        || cur.get().value().deleted()) {
      throw new DatastoreException.AlreadyExists(blockKey);
    }
    // Our own block (an earlier commit whose answer was lost): make sure it is confirmed.
    confirm(node, cidr, store.affinity(node, cidr).orElse(null));
    hook.reached(Step.CLAIM_AFFINITY_CONFIRMED, node);
    return cur;
  }

  private void confirm(String node, Cidr cidr, Versioned<BlockAffinity> aff) {
    Versioned<BlockAffinity> cur = aff;
    for (int attempt = 0; attempt < 16; attempt++) {
      if (cur == null) {
        try {
          store.createAffinity(new BlockAffinity(node, cidr.toString(), State.CONFIRMED));
          return;
        } catch (DatastoreException.AlreadyExists e) {
          cur = store.affinity(node, cidr).orElse(null);
          continue;
        }
      }
      if (cur.value().state() == State.CONFIRMED) return;
      try {
        store.updateAffinity(cur.value().withState(State.CONFIRMED), cur.revision());
        return;
      } catch (DatastoreException.Conflict | DatastoreException.NotFound e) {
        // check() may have removed our pending affinity meanwhile: write it again, confirmed.
        cur = store.affinity(node, cidr).orElse(null);
      }
    }
    throw new IpamException.Contention(
        "BlockAffinity \"" + node + "-" + cidr.name() + "\": could not confirm");
  }

  private void deleteQuietly(Versioned<BlockAffinity> aff) {
    try {
      store.deleteAffinity(aff.value(), aff.revision());
    } catch (DatastoreException.Conflict | DatastoreException.NotFound e) {
      // Changed or gone already; check() reports whatever is left.
    }
  }

  private void deleteAffinityIfPresent(String node, Cidr cidr) {
    store.affinity(node, cidr).ifPresent(this::deleteQuietly);
  }

  /** Where {@code node} starts walking a pool: a stable hash, so nodes spread over the pool. */
  static BigInteger startIndex(String node, BigInteger blockCount) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(node.getBytes(StandardCharsets.UTF_8));
      return new BigInteger(1, d).mod(blockCount);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
