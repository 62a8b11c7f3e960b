package dev.netctl.ipam.allocator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netctl.datastore.Datastore;
import dev.netctl.datastore.memory.MemoryDatastore;
import dev.netctl.ipam.block.Block;
import dev.netctl.ipam.block.Cidr;
import dev.netctl.ipam.check.IpamChecker;
import dev.netctl.ipam.check.IpamRepair;
import dev.netctl.ipam.check.IpamReport;
import dev.netctl.ipam.store.BlockAffinity;
import dev.netctl.ipam.store.IpamStore;
import java.math.BigInteger;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The claim protocol when writers die between its steps. */
@Timeout(30)
class BlockClaimerTest {
  private final MemoryDatastore ds = new MemoryDatastore();
  private final IpamStore store = new IpamStore(ds);
  private final StaticEnvironment env =
      new StaticEnvironment().pool(PoolSpec.of("p", "10.0.0.0/24", 26)).nodes("a", "b");
  private final Cidr aStart =
      Cidr.parse("10.0.0.0/24").block(BlockClaimer.startIndex("a", BigInteger.valueOf(4)), 26);

  @AfterEach
  void close() {
    ds.close();
  }

  /**
   * A writer that dies at {@code step}. The claim steps exist only on a datastore without multi-key
   * commits (with them a claim is one commit), so such writers get a store that allows one write
   * per commit.
   */
  private IpamAllocator dyingAt(Step step) {
    Datastore on = ds;
    if (step.name().startsWith("CLAIM_")) {
      GatedDatastore single = new GatedDatastore(ds, 1);
      single.gate.countDown();
      on = single;
    }
    return new IpamAllocator(
        on, env, IpamAllocator.Options.DEFAULT.withHook(new CrashingHook(step, 1)));
  }

  @Test
  void withMultiKeyCommitsAClaimIsOneCommitOfTheBlockAndItsConfirmedAffinity() {
    GatedDatastore counting = new GatedDatastore(ds);
    counting.gate.countDown();
    new IpamAllocator(counting, env).autoAssign(AssignRequest.of("a", "h", 1, 0));
    // One commit for the claim, one for the block with the handle record: nothing else.
    assertThat(counting.writes.get()).isEqualTo(2);
    assertThat(counting.commits.get()).isEqualTo(2);
    assertThat(store.affinity("a", aStart).orElseThrow().value().state())
        .isEqualTo(BlockAffinity.State.CONFIRMED);
    assertThat(Block.of(store.block(aStart).orElseThrow().value()).affinityNode()).isEqualTo("a");
    assertThat(check().clean()).isTrue();
  }

  @Test
  void aClaimInOneCommitLosesCleanlyToAnotherNodesBlock() {
    new IpamAllocator(ds, env).claimAffinity("b", aStart);
    AssignResult r = new IpamAllocator(ds, env).autoAssign(AssignRequest.of("a", "h", 1, 0));
    assertThat(r.ipv4().get(0).block()).isNotEqualTo(aStart);
    assertThat(store.affinity("a", aStart)).as("the losing commit wrote nothing").isEmpty();
    assertThat(check().clean()).isTrue();
  }

  private IpamReport check() {
    return new IpamChecker(store, env).check(Set.of("a", "b"));
  }

  @Test
  void aWriterDyingAfterThePendingAffinityLeavesNoOwnershipAndTheNextClaimFinishesIt() {
    assertThatThrownBy(
            () -> dyingAt(Step.CLAIM_AFFINITY_PENDING).autoAssign(AssignRequest.of("a", "h", 1, 0)))
        .isInstanceOf(CrashingHook.WriterKilled.class);
    assertThat(store.blocks()).isEmpty();
    assertThat(check().pendingAffinities())
        .containsExactly(new IpamReport.PendingAffinity("a", aStart.toString(), "PENDING"));

    AssignResult r = new IpamAllocator(ds, env).autoAssign(AssignRequest.of("a", "h", 1, 0));
    assertThat(r.ipv4().get(0).block()).isEqualTo(aStart);
    assertThat(store.affinity("a", aStart).orElseThrow().value().state())
        .isEqualTo(BlockAffinity.State.CONFIRMED);
    assertThat(check().clean()).isTrue();
  }

  @Test
  void aWriterDyingAfterCreatingTheBlockIsAdoptedByTheNextClaimOfItsNode() {
    assertThatThrownBy(
            () -> dyingAt(Step.CLAIM_BLOCK_CREATED).autoAssign(AssignRequest.of("a", "h", 1, 0)))
        .isInstanceOf(CrashingHook.WriterKilled.class);
    assertThat(store.block(aStart).orElseThrow().value().affinity()).isEqualTo("host:a");
    IpamReport report = check();
    assertThat(report.pendingAffinities()).hasSize(1);
    assertThat(report.affinityMismatches()).isEmpty(); // reported once, as pending

    AssignResult r = new IpamAllocator(ds, env).autoAssign(AssignRequest.of("a", "h", 1, 0));
    assertThat(r.ipv4().get(0).block()).isEqualTo(aStart);
    assertThat(store.blocks()).hasSize(1);
    assertThat(check().clean()).isTrue();
  }

  @Test
  void aPendingAffinityIsNeverOwnership() {
    assertThatThrownBy(
            () -> dyingAt(Step.CLAIM_BLOCK_CREATED).autoAssign(AssignRequest.of("a", "h", 1, 0)))
        .isInstanceOf(CrashingHook.WriterKilled.class);
    // b may borrow from the block but never gets it as its own, and a's claim still completes.
    env.pool(PoolSpec.of("p", aStart.toString(), 26));
    IpamAllocator other = new IpamAllocator(ds, env);
    AssignResult borrowed = other.autoAssign(AssignRequest.of("b", "hb", 1, 0));
    assertThat(borrowed.ipv4().get(0).block()).isEqualTo(aStart);
    assertThat(store.affinities("b")).isEmpty();
    assertThat(store.block(aStart).orElseThrow().value().affinity()).isEqualTo("host:a");
    other.autoAssign(AssignRequest.of("a", "ha", 1, 0));
    assertThat(store.affinity("a", aStart).orElseThrow().value().state())
        .isEqualTo(BlockAffinity.State.CONFIRMED);
  }

  @Test
  void checkRepairsWhatDeadClaimersLeft() {
    for (Step s : new Step[] {Step.CLAIM_AFFINITY_PENDING, Step.CLAIM_BLOCK_CREATED}) {
      env.nodes("n-" + s);
      assertThatThrownBy(() -> dyingAt(s).autoAssign(AssignRequest.of("n-" + s, "h-" + s, 1, 0)))
          .isInstanceOf(CrashingHook.WriterKilled.class);
    }
    IpamReport report = new IpamChecker(store, env).check(env.nodes.keySet());
    assertThat(report.pendingAffinities()).hasSize(2);
    IpamRepair.Result fixed = new IpamRepair(store).releaseFromReport(report, env.nodes.keySet());
    assertThat(fixed.fixed()).hasSize(2);
    assertThat(new IpamChecker(store, env).check(env.nodes.keySet()).clean()).isTrue();
    // The orphan pending affinity was deleted; the one whose block existed was confirmed.
    assertThat(store.affinities())
        .singleElement()
        .satisfies(a -> assertThat(a.value().state()).isEqualTo(BlockAffinity.State.CONFIRMED));
  }

  @Test
  void aStalePendingAffinityForAnotherNodesBlockIsDroppedByTheNextClaim() {
    IpamAllocator ipam = new IpamAllocator(ds, env);
    ipam.claimAffinity("b", aStart);
    store.createAffinity(new BlockAffinity("a", aStart.toString(), BlockAffinity.State.PENDING));
    AssignResult r = ipam.autoAssign(AssignRequest.of("a", "h", 1, 0));
    assertThat(r.ipv4().get(0).block()).isNotEqualTo(aStart);
    assertThat(store.affinity("a", aStart)).isEmpty();
    assertThat(Block.of(store.block(aStart).orElseThrow().value()).affinityNode()).isEqualTo("b");
    assertThat(check().clean()).isTrue();
  }

  @Test
  void aWriterDyingAfterItsCommitLeavesTheAddressesWithTheirHandleForReleaseByHandle() {
    IpamAllocator ipam = dyingAt(Step.ASSIGN_BLOCKS_WRITTEN);
    assertThatThrownBy(() -> ipam.autoAssign(AssignRequest.of("a", "lost", 2, 0)))
        .isInstanceOf(CrashingHook.WriterKilled.class);
    // Block and handle record went in one commit: nothing for check to find, and the caller's
    // retry or the CNI DEL frees the addresses by handle.
    assertThat(check().clean()).isTrue();
    assertThat(store.handle("lost").orElseThrow().value().total()).isEqualTo(2);
    assertThat(new IpamAllocator(ds, env).releaseByHandle("lost")).isEqualTo(2);
    assertThat(Block.of(store.block(aStart).orElseThrow().value()).inUse()).isZero();
    assertThat(check().clean()).isTrue();
  }

  /**
   * On a datastore without multi-key commits (and in stores written before they existed) a writer
   * dying between block and handle writes leaves allocations without a handle: check finds them and
   * repair frees them.
   */
  @Test
  void withoutMultiKeyCommitsADeathBeforeTheHandleWriteLeavesALeakThatRepairFrees() {
    GatedDatastore single = new GatedDatastore(ds, 1);
    single.gate.countDown();
    IpamAllocator ipam =
        new IpamAllocator(
            single,
            env,
            IpamAllocator.Options.DEFAULT.withHook(
                new CrashingHook(Step.ASSIGN_BLOCKS_WRITTEN, 1)));
    assertThatThrownBy(() -> ipam.autoAssign(AssignRequest.of("a", "lost", 2, 0)))
        .isInstanceOf(CrashingHook.WriterKilled.class);
    IpamReport report = check();
    assertThat(report.allocationsWithoutHandle())
        .hasSize(2)
        .allSatisfy(l -> assertThat(l.handle()).isEqualTo("lost"));
    new IpamRepair(store).releaseFromReport(report, Set.of("a", "b"));
    assertThat(check().clean()).isTrue();
    assertThat(Block.of(store.block(aStart).orElseThrow().value()).inUse()).isZero();
  }

  @Test
  void withoutMultiKeyCommitsAssignmentsStillWriteTheirHandles() {
    GatedDatastore single = new GatedDatastore(ds, 1);
    single.gate.countDown();
    IpamAllocator ipam = new IpamAllocator(single, env);
    ipam.autoAssign(AssignRequest.of("a", "h1", 3, 0));
    assertThat(store.handle("h1").orElseThrow().value().total()).isEqualTo(3);
    assertThat(ipam.releaseByHandle("h1")).isEqualTo(3);
    assertThat(check().clean()).isTrue();
  }
}
