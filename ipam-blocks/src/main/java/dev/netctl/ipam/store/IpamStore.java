package dev.netctl.ipam.store;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.netctl.datastore.Datastore;
import dev.netctl.datastore.DatastoreException;
import dev.netctl.datastore.Entry;
import dev.netctl.datastore.Key;
import dev.netctl.datastore.Write;
import dev.netctl.ipam.block.AllocationBlock;
import dev.netctl.ipam.block.Cidr;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Typed, blocking access to the three IPAM kinds on top of the {@link Datastore} contract: JSON in,
 * records out, and datastore failures rethrown as the {@link DatastoreException} they are.
 *
 * <p>Thread-safe; holds no state beyond the datastore.
 */
public final class IpamStore {

  public static final String BLOCK_KIND = "IPAMBlock";
  public static final String AFFINITY_KIND = "BlockAffinity";
  public static final String HANDLE_KIND = "IPAMHandle";

  /** No single datastore call may hang an allocation forever (e.g. while etcd restarts). */
  private static final long CALL_TIMEOUT_SECONDS = 30;

  private static final ObjectMapper JSON =
      new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private final Datastore datastore;

  public IpamStore(Datastore datastore) {
    this.datastore = datastore;
  }

  public Datastore datastore() {
    return datastore;
  }

  public static Key blockKey(Cidr cidr) {
    return new Key(BLOCK_KIND, cidr.name());
  }

  public static Key affinityKey(String node, Cidr cidr) {
    return new Key(AFFINITY_KIND, node + "-" + cidr.name());
  }

  public static Key handleKey(String handleId) {
    return new Key(HANDLE_KIND, handleId);
  }

  // Blocks

  public Optional<Versioned<AllocationBlock>> block(Cidr cidr) {
    return await(datastore.get(blockKey(cidr))).map(e -> decode(e, AllocationBlock.class));
  }

  /**
   * The stored block that holds {@code address}: {@code expected} (the pool's block for it) or,
   * when that does not exist, a block of another size over it, left by a deleted pool of another
   * block size (the allocator never creates a block overlapping it).
   */
  public Optional<Versioned<AllocationBlock>> blockHolding(Cidr expected, InetAddress address) {
    return blockFinder().holding(expected, address);
  }

  /**
   * {@link #blockHolding} for many addresses at once: one read per expected block and at most one
   * listing of every block, however many addresses (a release of hundreds of addresses, some in
   * blocks that are gone, would otherwise list every block once per such address).
   */
  public BlockFinder blockFinder() {
    return new BlockFinder();
  }

  /** See {@link #blockFinder}; for one call, not shared between threads. */
  public final class BlockFinder {
    private final Map<Cidr, Optional<Versioned<AllocationBlock>>> expected = new HashMap<>();
    private List<Versioned<AllocationBlock>> all;

    private BlockFinder() {}

    /** As {@link IpamStore#blockHolding}. */
    public Optional<Versioned<AllocationBlock>> holding(Cidr expectedBlock, InetAddress address) {
      Optional<Versioned<AllocationBlock>> b =
          expected.computeIfAbsent(expectedBlock, c -> block(c));
      if (b.isPresent()) return b;
      return anyHolding(address);
    }

    /**
     * The stored block holding {@code address} whatever pool it was carved from, a deleted pool's
     * included (its blocks stay while they hold addresses).
     */
    public Optional<Versioned<AllocationBlock>> anyHolding(InetAddress address) {
      if (all == null) all = blocks();
      return all.stream().filter(v -> Cidr.parse(v.value().cidr()).contains(address)).findFirst();
    }
  }

  public List<Versioned<AllocationBlock>> blocks() {
    return decodeAll(await(datastore.list(BLOCK_KIND)).entries(), AllocationBlock.class);
  }

  public Versioned<AllocationBlock> createBlock(AllocationBlock block) {
    Cidr cidr = Cidr.parse(block.cidr());
    return decode(await(datastore.create(blockKey(cidr), encode(block))), AllocationBlock.class);
  }

  public Versioned<AllocationBlock> updateBlock(AllocationBlock block, long revision) {
    return decode(await(updateBlockAsync(block, revision)), AllocationBlock.class);
  }

  /** Starts a block CAS; the caller joins several of them to write a batch's blocks together. */
  public CompletableFuture<Entry> updateBlockAsync(AllocationBlock block, long revision) {
    return datastore.update(blockKey(Cidr.parse(block.cidr())), encode(block), revision);
  }

  /** The conditional write replacing a block, for a {@link #commit} with other writes. */
  public static Write blockUpdate(AllocationBlock block, long revision) {
    return new Write.Update(blockKey(Cidr.parse(block.cidr())), encode(block), revision);
  }

  /**
   * Applies {@code writes} atomically (see {@link Datastore#commit}) and returns each one's
   * revision.
   */
  public List<Long> commit(List<Write> writes) {
    return await(datastore.commit(writes));
  }

  /** The most writes one {@link #commit} may carry on this datastore. */
  public int maxOpsPerCommit() {
    return datastore.maxOpsPerCommit();
  }

  public long deleteBlock(Cidr cidr, long revision) {
    return await(datastore.delete(blockKey(cidr), revision));
  }

  // Affinities

  public Optional<Versioned<BlockAffinity>> affinity(String node, Cidr cidr) {
    return await(datastore.get(affinityKey(node, cidr))).map(e -> decode(e, BlockAffinity.class));
  }

  public List<Versioned<BlockAffinity>> affinities() {
    return decodeAll(await(datastore.list(AFFINITY_KIND)).entries(), BlockAffinity.class);
  }

  /** Affinities of one node (the name prefix narrows the listing; the node field decides). */
  public List<Versioned<BlockAffinity>> affinities(String node) {
    List<Versioned<BlockAffinity>> out = new ArrayList<>();
    for (Versioned<BlockAffinity> a :
        decodeAll(
            await(datastore.list(AFFINITY_KIND, node + "-")).entries(), BlockAffinity.class)) {
      if (a.value().node().equals(node)) out.add(a);
    }
    return out;
  }

  public Versioned<BlockAffinity> createAffinity(BlockAffinity a) {
    return decode(
        await(datastore.create(affinityKey(a.node(), Cidr.parse(a.cidr())), encode(a))),
        BlockAffinity.class);
  }

  public Versioned<BlockAffinity> updateAffinity(BlockAffinity a, long revision) {
    return decode(
        await(datastore.update(affinityKey(a.node(), Cidr.parse(a.cidr())), encode(a), revision)),
        BlockAffinity.class);
  }

  public long deleteAffinity(BlockAffinity a, long revision) {
    return await(datastore.delete(affinityKey(a.node(), Cidr.parse(a.cidr())), revision));
  }

  // Handles

  public Optional<Versioned<IpamHandle>> handle(String handleId) {
    return await(datastore.get(handleKey(handleId))).map(e -> decode(e, IpamHandle.class));
  }

  public List<Versioned<IpamHandle>> handles() {
    return decodeAll(await(datastore.list(HANDLE_KIND)).entries(), IpamHandle.class);
  }

  public Versioned<IpamHandle> createHandle(IpamHandle h) {
    return decode(await(datastore.create(handleKey(h.handleID()), encode(h))), IpamHandle.class);
  }

  public Versioned<IpamHandle> updateHandle(IpamHandle h, long revision) {
    return decode(
        await(datastore.update(handleKey(h.handleID()), encode(h), revision)), IpamHandle.class);
  }

  public long deleteHandle(String handleId, long revision) {
    return await(datastore.delete(handleKey(handleId), revision));
  }

  // Codec

  /** Decodes a raw entry of a known kind, e.g. the current value carried by a Conflict. */
  public static <T> Versioned<T> decode(Entry e, Class<T> type) {
    try {
      return new Versioned<>(JSON.readValue(e.value(), type), e.revision());
    } catch (IOException ex) {
      throw new IllegalStateException(
          e.key() + " holds invalid JSON for " + type.getSimpleName() + ": " + ex.getMessage(), ex);
    }
  }

  public static byte[] encode(Object value) {
    try {
      return JSON.writeValueAsBytes(value);
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode " + value.getClass().getSimpleName(), e);
    }
  }

  private static <T> List<Versioned<T>> decodeAll(List<Entry> entries, Class<T> type) {
    List<Versioned<T>> out = new ArrayList<>(entries.size());
    for (Entry e : entries) out.add(decode(e, type));
    return out;
  }

  /** Waits for a datastore future, rethrowing its {@link DatastoreException} unwrapped. */
  public <T> T await(CompletableFuture<T> future) {
    try {
      return future.get(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException | CompletionException e) {
      throw unwrap(e);
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new DatastoreException.Unavailable(
          datastore.address(), "no answer within " + CALL_TIMEOUT_SECONDS + " s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DatastoreException.Unavailable(datastore.address(), "interrupted", e);
    }
  }

  /** The datastore failure inside a future's exception, or a wrapped Unavailable. */
  public RuntimeException unwrap(Throwable t) {
    Throwable c = t;
    while ((c instanceof ExecutionException || c instanceof CompletionException)
        && c.getCause() != null) {
      c = c.getCause();
    }
    if (c instanceof RuntimeException r) return r;
    return new DatastoreException.Unavailable(datastore.address(), String.valueOf(c), c);
  }
}
