package dev.netctl.ipam.migrate;

import dev.netctl.datastore.Key;
import dev.netctl.datastore.migrate.StoredKind;
import dev.netctl.ipam.block.AllocationBlock;
import dev.netctl.ipam.block.Block;
import dev.netctl.ipam.block.Cidr;
import dev.netctl.ipam.store.BlockAffinity;
import dev.netctl.ipam.store.IpamHandle;
import dev.netctl.ipam.store.IpamStore;
import java.util.List;

/**
 * The IPAM kinds a datastore migration copies, each value checked the way the allocator would read
 * it: a block must be self-consistent ({@link Block#of}), and every object must be stored under the
 * key its content implies.
 */
public final class IpamKinds {
  private IpamKinds() {}

  /** IPAMBlock, BlockAffinity, IPAMHandle. */
  public static List<StoredKind> storedKinds() {
    return List.of(
        new StoredKind(IpamStore.BLOCK_KIND, IpamKinds::checkBlock),
        new StoredKind(IpamStore.AFFINITY_KIND, IpamKinds::checkAffinity),
        new StoredKind(IpamStore.HANDLE_KIND, IpamKinds::checkHandle));
  }

  private static void checkBlock(Key key, byte[] value) {
    AllocationBlock b = decode(key, value, AllocationBlock.class);
    Block.of(b);
    expectKey(key, IpamStore.blockKey(Cidr.parse(b.cidr())));
  }

  private static void checkAffinity(Key key, byte[] value) {
    BlockAffinity a = decode(key, value, BlockAffinity.class);
    expectKey(key, IpamStore.affinityKey(a.node(), Cidr.parse(a.cidr())));
  }

  private static void checkHandle(Key key, byte[] value) {
    IpamHandle h = decode(key, value, IpamHandle.class);
    for (var e : h.block().entrySet()) {
      Cidr.parse(e.getKey());
      if (e.getValue() == null || e.getValue() <= 0) {
        throw new IllegalArgumentException(
            "field \"block." + e.getKey() + "\" is " + e.getValue() + ", must be positive");
      }
    }
    expectKey(key, IpamStore.handleKey(h.handleID()));
  }

  private static <T> T decode(Key key, byte[] value, Class<T> type) {
    return IpamStore.decode(new dev.netctl.datastore.Entry(key, value, 1), type).value();
  }

  private static void expectKey(Key key, Key implied) {
    if (!key.equals(implied)) {
      throw new IllegalArgumentException(
          "is stored as " + key + " but its content belongs under " + implied);
    }
  }
}
