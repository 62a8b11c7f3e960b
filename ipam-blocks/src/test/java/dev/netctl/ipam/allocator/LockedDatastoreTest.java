package dev.netctl.ipam.allocator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netctl.datastore.DatastoreException;
import dev.netctl.datastore.memory.MemoryDatastore;
import dev.netctl.datastore.migrate.Migration;
import dev.netctl.datastore.migrate.WriteGate;
import dev.netctl.ipam.block.Cidr;
import dev.netctl.ipam.store.IpamStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * IPAM on a store locked for migration, opened as every netctl process opens it (behind the store's
 * {@link WriteGate}): the allocator has no gate of its own, and its writes are still refused,
 * naming the lock, before any of them (claim, block, handle) is written.
 */
@Timeout(30)
class LockedDatastoreTest {
  private final MemoryDatastore memory = new MemoryDatastore();
  private final StaticEnvironment env =
      new StaticEnvironment().pool(PoolSpec.of("default-v4", "10.0.0.0/24", 26)).nodes("a");

  @AfterEach
  void close() {
    memory.close();
  }

  @Test
  void assignmentsAndReleasesAreRefusedWhileLockedAndWriteNothing() throws InterruptedException {
    WriteGate gate = new WriteGate(memory);
    IpamAllocator ipam = new IpamAllocator(gate, env);
    ipam.autoAssign(AssignRequest.of("a", "kept", 1, 0));
    IpamStore store = new IpamStore(memory);
    List<String> before = state(store);
    new Migration(List.of(), Clock.systemUTC()).lock(memory, "test");
    // the gate learns of the lock through its watch
    long deadline = System.nanoTime() + 15_000_000_000L;
    while (gate.ready() && System.nanoTime() < deadline) Thread.sleep(10);

    assertThatThrownBy(() -> ipam.autoAssign(AssignRequest.of("a", "new", 1, 0)))
        .isInstanceOf(DatastoreException.Locked.class)
        .hasMessageContaining("ClusterInformation \"default\" has datastoreReady: false");
    assertThatThrownBy(
            () -> ipam.assignIp(Cidr.parseAddress("10.0.0.200"), "fixed", "a", null, null))
        .isInstanceOf(DatastoreException.Locked.class);
    assertThatThrownBy(() -> ipam.releaseByHandle("kept"))
        .isInstanceOf(DatastoreException.Locked.class);
    assertThat(state(store)).as("nothing written").isEqualTo(before);
  }

  private static List<String> state(IpamStore store) {
    List<String> out = new ArrayList<>();
    store.blocks().forEach(b -> out.add("block " + b.value() + "@" + b.revision()));
    store.affinities().forEach(a -> out.add("affinity " + a.value() + "@" + a.revision()));
    store.handles().forEach(h -> out.add("handle " + h.value().handleID() + "@" + h.revision()));
    return out;
  }
}
