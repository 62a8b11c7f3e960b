package dev.netctl.ipam.allocator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netctl.datastore.DatastoreException;
import dev.netctl.datastore.client.ResourceClient;
import dev.netctl.datastore.memory.MemoryDatastore;
import dev.netctl.datastore.model.IPPool;
import dev.netctl.datastore.model.IPPoolSpec;
import dev.netctl.datastore.model.Kind;
import dev.netctl.datastore.model.Node;
import dev.netctl.datastore.model.NodeSpec;
import dev.netctl.datastore.model.ObjectMeta;
import dev.netctl.ipam.block.Block;
import dev.netctl.ipam.store.IpamStore;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class PoolDeletionTest {
  private final MemoryDatastore ds = new MemoryDatastore();
  private final ResourceClient client = new ResourceClient(ds);
  private final IpamStore store = new IpamStore(ds);

  @AfterEach
  void close() {
    ds.close();
  }

  @Test
  void deletingAPoolReleasesItsAffinitiesDropsEmptyBlocksAndKeepsAddressesInUse() {
    client.create(IPPool.of("p", IPPoolSpec.of("10.7.0.0/24").withBlockSize(26)));
    client.create(IPPool.of("other", IPPoolSpec.of("10.8.0.0/24").withBlockSize(26)));
    for (String n : new String[] {"a", "b"}) {
      client.create(new Node(ObjectMeta.named(n, Map.of()), NodeSpec.bgp(null)));
    }
    IpamAllocator ipam = new IpamAllocator(ds, new ResourceEnvironment(client));
    AssignedAddress kept =
        ipam.autoAssign(
                new AssignRequest("a", "ha", 1, 0, null, null, null, java.util.List.of("p")))
            .ipv4()
            .getFirst();
    ipam.autoAssign(new AssignRequest("b", "hb", 1, 0, null, null, null, java.util.List.of("p")));
    ipam.autoAssign(
        new AssignRequest("b", "ho", 1, 0, null, null, null, java.util.List.of("other")));
    ipam.releaseByHandle("hb");

    IPPool deleted = PoolDeletion.delete(client, "p");

    assertThat(deleted.spec().disabled()).as("disabled before its affinities go").isTrue();
    assertThat(deleted.beingDeleted())
        .as("and marked as being deleted, which a pool merely disabled is not (the agent's cue)")
        .isTrue();
    assertThat(client.find(Kind.IP_POOL, "p")).isEmpty();
    assertThat(store.affinities())
        .as("only the other pool's affinity is left")
        .singleElement()
        .satisfies(a -> assertThat(a.value().cidr()).startsWith("10.8.0."));
    assertThat(store.blocks())
        .filteredOn(b -> b.value().cidr().startsWith("10.7."))
        .as("b's empty block went; a's block, still in use, stays without an owner")
        .singleElement()
        .satisfies(
            b -> {
              assertThat(b.value().affinity()).isNull();
              assertThat(Block.of(b.value()).inUse()).isEqualTo(1);
              assertThat(b.value().cidr()).isEqualTo(kept.block().toString());
            });
    assertThatThrownBy(() -> PoolDeletion.delete(client, "p"))
        .isInstanceOf(DatastoreException.NotFound.class);
  }
}
