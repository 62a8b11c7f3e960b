package dev.netctl.ipam.check;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.netctl.datastore.memory.MemoryDatastore;
import dev.netctl.ipam.allocator.AssignRequest;
import dev.netctl.ipam.allocator.AssignedAddress;
import dev.netctl.ipam.allocator.IpamAllocator;
import dev.netctl.ipam.allocator.PoolSpec;
import dev.netctl.ipam.allocator.StaticEnvironment;
import dev.netctl.ipam.block.AllocationBlock;
import dev.netctl.ipam.block.Block;
import dev.netctl.ipam.block.Cidr;
import dev.netctl.ipam.store.BlockAffinity;
import dev.netctl.ipam.store.IpamHandle;
import dev.netctl.ipam.store.IpamStore;
import dev.netctl.ipam.store.Versioned;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class IpamCheckerTest {
  private final MemoryDatastore ds = new MemoryDatastore();
  private final IpamStore store = new IpamStore(ds);
  private final StaticEnvironment env =
      new StaticEnvironment().pool(PoolSpec.of("p", "10.0.0.0/24", 26)).nodes("a", "b");
  private final IpamAllocator ipam = new IpamAllocator(ds, env);
  private final IpamChecker checker = new IpamChecker(store, env);
  private final IpamRepair repair = new IpamRepair(store);

  @AfterEach
  void close() {
    ds.close();
  }

  @Test
  void aConsistentStoreIsClean() {
    ipam.autoAssign(AssignRequest.of("a", "h1", 3, 0));
    ipam.autoAssign(AssignRequest.of("b", "h2", 2, 0));
    IpamReport r = checker.check(Set.of("a", "b"));
    assertThat(r.clean()).isTrue();
    assertThat(r.blocks()).isEqualTo(2);
    assertThat(r.handles()).isEqualTo(2);
    assertThat(r.addressesInUse()).isEqualTo(5);
  }

  @Test
  void addressesInUseOutsideEveryPoolAreReportedAndLeftByRepair() {
    AssignedAddress kept = ipam.autoAssign(AssignRequest.of("a", "h1", 1, 0)).ipv4().get(0);
    AssignedAddress orphan = ipam.autoAssign(AssignRequest.of("b", "h2", 1, 0)).ipv4().get(0);
    // The pool is narrowed to a's block, as if the pool holding b's block had been deleted.
    String keptBlock = kept.block().toString();
    IpamChecker narrowed =
        new IpamChecker(store, new StaticEnvironment().pool(PoolSpec.of("p", keptBlock, 26)));

    IpamReport r = narrowed.check(Set.of("a", "b"));

    assertThat(r.addressesOutsidePools())
        .containsExactly(
            new IpamReport.OutsidePools(
                orphan.block().toString(), java.util.List.of(Cidr.format(orphan.address()))));
    assertThat(r.problemCount()).isEqualTo(1);
    IpamRepair.Result done = repair.releaseFromReport(r, Set.of("a", "b"));
    assertThat(done.fixed()).isEmpty();
    assertThat(store.handle("h2")).isPresent();
    assertThat(checker.check(Set.of("a", "b")).clean()).isTrue();
  }

  @Test
  void blocksOfDeadNodesAreReportedAndRepairFreesTheirAddresses() {
    ipam.autoAssign(AssignRequest.of("a", "ha", 1, 0));
    AssignedAddress b = ipam.autoAssign(AssignRequest.of("b", "hb", 2, 0)).ipv4().get(0);
    IpamReport r = checker.check(Set.of("a"));
    assertThat(r.blocksOfDeadNodes())
        .containsExactly(new IpamReport.DeadNodeBlock(b.block().toString(), "b", 2));
    IpamRepair.Result fixed = repair.releaseFromReport(r, Set.of("a"));
    assertThat(fixed.fixed()).hasSize(1);
    assertThat(store.block(b.block())).isEmpty();
    assertThat(store.handle("hb")).isEmpty();
    assertThat(store.affinities("b")).isEmpty();
    assertThat(checker.check(Set.of("a")).clean()).isTrue();
  }

  @Test
  void aNodeThatCameBackIsNotRepairedAway() {
    AssignedAddress b = ipam.autoAssign(AssignRequest.of("b", "hb", 1, 0)).ipv4().get(0);
    IpamReport r = checker.check(Set.of("a"));
    IpamRepair.Result result = repair.releaseFromReport(r, Set.of("a", "b"));
    assertThat(result.fixed()).isEmpty();
    assertThat(result.skipped()).hasSize(1);
    assertThat(store.block(b.block())).isPresent();
  }

  @Test
  void handleCountsThatDisagreeWithBlocksAreReportedAndRecomputed() {
    AssignedAddress a = ipam.autoAssign(AssignRequest.of("a", "h", 2, 0)).ipv4().get(0);
    Versioned<IpamHandle> h = store.handle("h").orElseThrow();
    store.updateHandle(
        h.value().plus(a.block().toString(), 3).plus("10.0.0.0/26", 1), h.revision());
    store.createHandle(new IpamHandle("empty", java.util.Map.of("10.0.0.64/26", 1)));
    IpamReport r = checker.check(Set.of("a", "b"));
    assertThat(r.handleMismatches())
        .extracting(IpamReport.HandleMismatch::handle)
        .containsExactlyInAnyOrder("empty", "h", "h");
    repair.releaseFromReport(r, Set.of("a", "b"));
    assertThat(checker.check(Set.of("a", "b")).clean()).isTrue();
    assertThat(store.handle("h").orElseThrow().value().total()).isEqualTo(2);
    assertThat(store.handle("empty")).isEmpty();
  }

  @Test
  void ownershipMismatchesAndDuplicatesAreReportedAndResolvedInFavourOfTheBlock() {
    AssignedAddress a = ipam.autoAssign(AssignRequest.of("a", "h", 1, 0)).ipv4().get(0);
    // b claims to own a's block (a duplicate-owner bug), and b owns a block that doesn't exist.
    store.createAffinity(
        new BlockAffinity("b", a.block().toString(), BlockAffinity.State.CONFIRMED));
    store.createAffinity(new BlockAffinity("b", "10.0.0.0/26", BlockAffinity.State.CONFIRMED));
    // A block naming an owner with no affinity record at all.
    Block orphan = Block.empty(Cidr.parse("10.0.0.128/26"), "b");
    orphan.allocate(1, new dev.netctl.ipam.block.AllocationAttribute("ho", null, null, "b"));
    AllocationBlock orphanRecord = orphan.toRecord();
    if (!a.block().toString().equals(orphanRecord.cidr())) {
      store.createBlock(orphanRecord);
      store.createHandle(new IpamHandle("ho", java.util.Map.of(orphanRecord.cidr(), 1)));
    }
    IpamReport r = checker.check(Set.of("a", "b"));
    assertThat(r.duplicateOwnership())
        .containsExactly(
            new IpamReport.DuplicateOwnership(a.block().toString(), java.util.List.of("a", "b")));
    assertThat(r.affinityMismatches())
        .extracting(IpamReport.AffinityMismatch::kind)
        .contains(IpamReport.MismatchKind.BLOCK_OWNED_ELSEWHERE);
    repair.releaseFromReport(r, Set.of("a", "b"));
    assertThat(checker.check(Set.of("a", "b")).clean()).isTrue();
    assertThat(store.affinity("a", a.block())).isPresent();
    assertThat(store.affinities("b")).isEmpty();
  }

  @Test
  void theReportIsPlainJson() throws Exception {
    ipam.autoAssign(AssignRequest.of("b", "hb", 1, 0));
    IpamReport r = checker.check(Set.of("a"));
    ObjectMapper json = new ObjectMapper();
    String text = json.writeValueAsString(r);
    assertThat(text).contains("\"blocksOfDeadNodes\":[{\"block\":");
    assertThat(json.readValue(text, IpamReport.class)).isEqualTo(r);
  }
}
