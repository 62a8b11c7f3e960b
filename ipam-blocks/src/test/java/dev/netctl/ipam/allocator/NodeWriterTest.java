package dev.netctl.ipam.allocator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.datastore.memory.MemoryDatastore;
import dev.netctl.ipam.block.Cidr;
import dev.netctl.ipam.check.IpamChecker;
import dev.netctl.ipam.store.IpamStore;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class NodeWriterTest {

  /**
   * While one block write is in flight, the node's other requests queue; the next drain writes them
   * all with one CAS per block instead of one per address.
   */
  @Test
  void aBurstOnOneNodeIsCoalescedIntoAFewBlockWrites() throws Exception {
    try (GatedDatastore ds = new GatedDatastore(new MemoryDatastore())) {
      StaticEnvironment env =
          new StaticEnvironment().pool(PoolSpec.of("p", "10.0.0.0/22", 26)).nodes("a");
      IpamAllocator ipam = new IpamAllocator(ds, env);
      List<CompletableFuture<AssignResult>> futures = new ArrayList<>();
      futures.add(ipam.autoAssignAsync(AssignRequest.of("a", "pod-0", 1, 0)));
      assertThat(ds.firstBlockUpdate.await(10, TimeUnit.SECONDS)).isTrue();
      for (int i = 1; i < 100; i++) {
        futures.add(ipam.autoAssignAsync(AssignRequest.of("a", "pod-" + i, 1, 0)));
      }
      ds.gate.countDown();
      Set<InetAddress> seen = new HashSet<>();
      for (CompletableFuture<AssignResult> f : futures) {
        assertThat(seen.add(f.get(10, TimeUnit.SECONDS).ipv4().get(0).address())).isTrue();
      }
      // 100 addresses span two /26 blocks: one write for pod-0, then one per block.
      assertThat(ds.blockUpdates.get()).isLessThanOrEqualTo(3);
      assertThat(ipam.stats().batches()).isEqualTo(2);
      assertThat(ipam.stats().conflicts()).isZero();
      IpamStore store = new IpamStore(ds);
      assertThat(store.handles()).hasSize(100);
      assertThat(new IpamChecker(store, env).check(Set.of("a")).clean()).isTrue();
    }
  }

  /**
   * Each block is written in one commit together with the handle records of the addresses it
   * assigns: a 100-pod burst costs a handful of commits, not one handle write per pod.
   */
  @Test
  void aBurstOfOneHundredRequestsCostsAHandfulOfCommits() throws Exception {
    try (GatedDatastore ds = new GatedDatastore(new MemoryDatastore())) {
      StaticEnvironment env =
          new StaticEnvironment().pool(PoolSpec.of("p", "10.0.0.0/22", 26)).nodes("a");
      IpamAllocator ipam = new IpamAllocator(ds, env);
      List<CompletableFuture<AssignResult>> futures = new ArrayList<>();
      futures.add(ipam.autoAssignAsync(AssignRequest.of("a", "pod-0", 1, 0)));
      assertThat(ds.firstBlockUpdate.await(10, TimeUnit.SECONDS)).isTrue();
      for (int i = 1; i < 100; i++) {
        futures.add(ipam.autoAssignAsync(AssignRequest.of("a", "pod-" + i, 1, 0)));
      }
      ds.gate.countDown();
      for (CompletableFuture<AssignResult> f : futures) f.get(10, TimeUnit.SECONDS);
      // Two /26 blocks claimed, one commit each (block + confirmed affinity); then pod-0's block
      // write and one per block for the rest, each one commit with its handle records.
      assertThat(ipam.stats().claims()).isEqualTo(2);
      assertThat(ds.blockUpdates.get()).as("block commits").isBetween(2, 3);
      assertThat(ds.commits.get())
          .as("commits for 100 pods")
          .isEqualTo(ds.blockUpdates.get() + (int) ipam.stats().claims());
      assertThat(ds.writes.get()).as("every write is a commit").isEqualTo(ds.commits.get());
      IpamStore store = new IpamStore(ds);
      assertThat(store.handles())
          .hasSize(100)
          .allSatisfy(h -> assertThat(h.value().total()).isEqualTo(1));
      assertThat(new IpamChecker(store, env).check(Set.of("a")).clean()).isTrue();
    }
  }

  /** A block changed by another writer between plan and write is re-read and re-planned. */
  @Test
  void aLostBlockCasIsReplannedFromTheCurrentBlock() {
    try (MemoryDatastore ds = new MemoryDatastore()) {
      StaticEnvironment env =
          new StaticEnvironment().pool(PoolSpec.of("p", "10.0.0.0/26", 26)).nodes("a", "b");
      IpamAllocator one = new IpamAllocator(ds, env);
      IpamAllocator two = new IpamAllocator(ds, env); // another process for the same node
      AssignedAddress first = one.autoAssign(AssignRequest.of("a", "h1", 1, 0)).ipv4().get(0);
      AssignedAddress second = two.autoAssign(AssignRequest.of("a", "h2", 1, 0)).ipv4().get(0);
      // one's cached copy of the block is stale now; its next write must conflict and retry.
      AssignedAddress third = one.autoAssign(AssignRequest.of("a", "h3", 1, 0)).ipv4().get(0);
      assertThat(Set.of(first.address(), second.address(), third.address())).hasSize(3);
      assertThat(one.stats().conflicts()).isEqualTo(1);
      assertThat(third.block()).isEqualTo(Cidr.parse("10.0.0.0/26"));
      assertThat(new IpamChecker(new IpamStore(ds), env).check(Set.of("a", "b")).clean()).isTrue();
    }
  }
}
