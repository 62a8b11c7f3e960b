package dev.netctl.bench.ipam;

import dev.netctl.datastore.DatastoreException;
import dev.netctl.ipam.block.AllocationAttribute;
import dev.netctl.ipam.block.AllocationBlock;
import dev.netctl.ipam.block.Block;
import dev.netctl.ipam.block.Cidr;
import dev.netctl.ipam.store.IpamHandle;
import dev.netctl.ipam.store.IpamStore;
import dev.netctl.ipam.store.Versioned;
import java.math.BigInteger;
import java.net.InetAddress;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The baseline to beat, Calico's pattern: every address is its own read + CAS on the node's block,
 * retried on conflict, plus its handle write. Blocks are claimed by a plain CAS create (the claim
 * protocol is not what is measured here).
 */
public final class NaiveAllocator {
  private final IpamStore store;
  private final Cidr pool;
  private final int blockSize;
  private final Map<String, Integer> nextBlock = new ConcurrentHashMap<>();

  public NaiveAllocator(IpamStore store, Cidr pool, int blockSize) {
    this.store = store;
    this.pool = pool;
    this.blockSize = blockSize;
  }

  /** Assigns one address on {@code node} (node index picks its first block) for {@code handle}. */
  public InetAddress assign(int nodeIndex, String node, String handle) {
    AllocationAttribute attr = new AllocationAttribute(handle, null, null, node);
    int stride = 16; // each node gets its own run of blocks
    while (true) {
      int offset = nextBlock.getOrDefault(node, 0);
      Cidr cidr = pool.block(BigInteger.valueOf((long) nodeIndex * stride + offset), blockSize);
      Optional<Versioned<AllocationBlock>> cur = store.block(cidr);
      if (cur.isEmpty()) {
        try {
          store.createBlock(Block.empty(cidr, node).toRecord());
        } catch (DatastoreException.AlreadyExists e) {
          // created concurrently
        }
        continue;
      }
      Block b = Block.of(cur.get().value());
      if (b.free() == 0) {
        nextBlock.merge(node, 1, (x, y) -> Math.max(x, offset + 1));
        continue;
      }
      Block.Allocated a = b.allocate(1, attr).get(0);
      try {
        store.updateBlock(b.toRecord(), cur.get().revision());
      } catch (DatastoreException.Conflict e) {
        continue; // lost the race: read again and retry, as Calico does
      }
      store.createHandle(new IpamHandle(handle, Map.of(cidr.toString(), 1)));
      return a.address();
    }
  }
}
