package dev.netctl.ipam.block;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BlockTest {
  private static final AllocationAttribute POD_A =
      new AllocationAttribute("h-a", "pod-a", "default", "node-1");
  private static final AllocationAttribute POD_B =
      new AllocationAttribute("h-b", "pod-b", "default", "node-2");

  @Test
  void handsOutFromTheHeadAndReusesFreedAddressesLast() throws Exception {
    Block b = Block.empty(Cidr.parse("10.0.0.0/30"), "node-1");
    List<Block.Allocated> first = b.allocate(2, POD_A);
    assertThat(first).extracting(Block.Allocated::ordinal).containsExactly(0, 1);
    assertThat(first.get(1).address()).isEqualTo(InetAddress.getByName("10.0.0.1"));
    assertThat(b.release(0, null, null)).isEqualTo(Block.ReleaseOutcome.RELEASED);
    // 2 and 3 were free before 0 came back, so 0 is handed out last.
    assertThat(b.allocate(3, POD_B)).extracting(Block.Allocated::ordinal).containsExactly(2, 3, 0);
    assertThat(b.allocate(1, POD_B)).isEmpty();
    assertThat(b.free()).isZero();
  }

  @Test
  void everyAllocationGetsItsOwnSequenceNumberAndStaleReleasesAreIgnored() {
    Block b = Block.empty(Cidr.parse("10.0.0.0/31"), "node-1");
    Block.Allocated a = b.allocate(1, POD_A).get(0);
    Block.Allocated c = b.allocate(1, POD_A).get(0);
    assertThat(c.sequenceNumber()).isGreaterThan(a.sequenceNumber());
    assertThat(b.release(0, a.sequenceNumber(), null)).isEqualTo(Block.ReleaseOutcome.RELEASED);
    b.release(1, null, null);
    // Ordinal 0 is handed out again; the old holder's late release must not free it.
    Block.Allocated reused = b.allocate(1, POD_B).get(0);
    assertThat(reused.ordinal()).isZero();
    assertThat(b.release(0, a.sequenceNumber(), null)).isEqualTo(Block.ReleaseOutcome.STALE);
    assertThat(b.release(0, null, "h-a")).isEqualTo(Block.ReleaseOutcome.OTHER_HANDLE);
    assertThat(b.attributeAt(0)).isEqualTo(POD_B);
    assertThat(b.release(1, null, null)).isEqualTo(Block.ReleaseOutcome.NOT_ALLOCATED);
    assertThat(b.release(0, reused.sequenceNumber(), "h-b"))
        .isEqualTo(Block.ReleaseOutcome.RELEASED);
  }

  @Test
  void specificAddressesAreTakenOutOfTheFreeList() throws Exception {
    Block b = Block.empty(Cidr.parse("fd00::/126"), null);
    InetAddress two = InetAddress.getByName("fd00::2");
    assertThat(b.allocateAddress(two, POD_A).ordinal()).isEqualTo(2);
    assertThat(b.freeOrdinals()).containsExactly(0, 1, 3);
    assertThatThrownBy(() -> b.allocateAddress(two, POD_B)).hasMessageContaining("fd00::2");
    assertThatThrownBy(() -> b.ordinalOf(InetAddress.getByName("fd00::4")))
        .hasMessageContaining("not inside block fd00::/126");
  }

  @Test
  void releasingAHandleFreesExactlyItsAddresses() {
    Block b = Block.empty(Cidr.parse("10.0.0.0/28"), "node-1");
    b.allocate(3, POD_A);
    b.allocate(2, POD_B);
    b.allocate(1, POD_A);
    assertThat(b.handleCounts()).containsEntry("h-a", 4).containsEntry("h-b", 2);
    assertThat(b.releaseHandle("h-a")).isEqualTo(4);
    assertThat(b.ordinalsOf("h-b")).containsExactly(3, 4);
    assertThat(b.inUse()).isEqualTo(2);
  }

  @Test
  void recordRoundTripsAndDropsUnusedAttributes() {
    Block b = Block.empty(Cidr.parse("10.0.0.0/29"), "node-1");
    b.allocate(2, POD_A);
    b.allocate(2, POD_B);
    b.releaseHandle("h-a");
    AllocationBlock rec = b.toRecord();
    assertThat(rec.attributes()).containsExactly(POD_B);
    assertThat(rec.allocations()).containsExactly(null, null, 0, 0, null, null, null, null);
    assertThat(rec.unallocated()).containsExactly(4, 5, 6, 7, 0, 1);
    assertThat(rec.affinity()).isEqualTo("host:node-1");
    assertThat(rec.sequenceNumberForAllocation()).containsOnlyKeys("2", "3");
    assertThat(Block.of(rec).toRecord()).isEqualTo(rec);
  }

  @Test
  void corruptRecordsAreRejectedOnLoad() {
    AllocationBlock ok = Block.empty(Cidr.parse("10.0.0.0/30"), null).toRecord();
    AllocationBlock dupFree =
        new AllocationBlock(
            ok.cidr(), null, ok.allocations(), List.of(0, 1, 2, 2), List.of(), 0, Map.of(), false);
    assertThatThrownBy(() -> Block.of(dupFree))
        .hasMessageContaining("IPAMBlock \"10-0-0-0-30\"")
        .hasMessageContaining("invalid ordinal 2");
    AllocationBlock missing =
        new AllocationBlock(
            ok.cidr(), null, ok.allocations(), List.of(0, 1, 2), List.of(), 0, Map.of(), false);
    assertThatThrownBy(() -> Block.of(missing))
        .hasMessageContaining("ordinal 3 is neither allocated nor in unallocated");
    List<Integer> alloc = new ArrayList<>(ok.allocations());
    alloc.set(3, 5);
    AllocationBlock dangling =
        new AllocationBlock(
            ok.cidr(), null, alloc, List.of(0, 1, 2), List.of(), 0, Map.of(), false);
    assertThatThrownBy(() -> Block.of(dangling)).hasMessageContaining("missing attribute 5");
  }

  /**
   * Random allocate/release/specific-assign sequences against a simple model: the block never hands
   * out an allocated address, counts add up, and the record round-trips at every step.
   */
  @Test
  void randomOperationsKeepTheBlockConsistent() {
    long seed = System.nanoTime();
    SplittableRandom rnd = new SplittableRandom(seed);
    for (int run = 0; run < 50; run++) {
      boolean v6 = rnd.nextBoolean();
      int hostBits = rnd.nextInt(0, 9);
      Cidr cidr = Cidr.parse(v6 ? "fd00::/" + (128 - hostBits) : "10.1.0.0/" + (32 - hostBits));
      Block b = Block.empty(cidr, "n");
      Map<Integer, String> model = new HashMap<>();
      for (int step = 0; step < 300; step++) {
        String handle = "h" + rnd.nextInt(5);
        AllocationAttribute attr = new AllocationAttribute(handle, null, null, "n");
        switch (rnd.nextInt(4)) {
          case 0, 1 -> {
            int want = rnd.nextInt(1, 4);
            for (Block.Allocated a : b.allocate(want, attr)) {
              assertThat(model.put(a.ordinal(), handle))
                  .as("seed %d: ordinal %d handed out twice", seed, a.ordinal())
                  .isNull();
            }
          }
          case 2 -> {
            int o = rnd.nextInt(b.size());
            Block.ReleaseOutcome r = b.release(o, null, null);
            assertThat(r == Block.ReleaseOutcome.RELEASED)
                .as("seed %d release %d", seed, o)
                .isEqualTo(model.remove(o) != null);
          }
          default -> {
            int o = rnd.nextInt(b.size());
            if (model.containsKey(o)) {
              assertThat(b.attributeAt(o).handle()).isEqualTo(model.get(o));
            } else {
              b.allocateAddress(cidr.addressAt(o), attr);
              model.put(o, handle);
            }
          }
        }
        assertThat(b.inUse()).as("seed %d", seed).isEqualTo(model.size());
        assertThat(b.free() + b.inUse()).isEqualTo(b.size());
        Set<Integer> free = new HashSet<>(b.freeOrdinals());
        assertThat(model.keySet().stream().noneMatch(free::contains))
            .as("seed %d: an allocated ordinal is on the free list", seed)
            .isTrue();
        if (step % 50 == 0) {
          AllocationBlock rec = b.toRecord();
          b = Block.of(rec);
          assertThat(b.toRecord()).as("seed %d", seed).isEqualTo(rec);
        }
      }
    }
  }

  @Test
  void reservedOrdinalsArePassedOverAndKeepTheirPlaceInTheFreeList() {
    Block b = Block.empty(Cidr.parse("10.0.0.0/29"), "node-1");
    java.util.BitSet reserved = new java.util.BitSet();
    reserved.set(0);
    reserved.set(2);

    assertThat(b.allocate(3, POD_A, reserved))
        .extracting(Block.Allocated::ordinal)
        .containsExactly(1, 3, 4);
    // Free, not handed out: still at the head, in their order.
    assertThat(b.freeOrdinals()).containsExactly(0, 2, 5, 6, 7);
    assertThat(b.freeUnreserved(reserved)).isEqualTo(3);
    assertThat(b.allocate(8, POD_A, reserved))
        .extracting(Block.Allocated::ordinal)
        .containsExactly(5, 6, 7);
    assertThat(b.allocate(1, POD_A, reserved)).isEmpty();
    assertThat(b.free()).isEqualTo(2);
    // The reservation is gone: they are handed out again, first in line.
    assertThat(b.allocate(2, POD_B, new java.util.BitSet()))
        .extracting(Block.Allocated::ordinal)
        .containsExactly(0, 2);
    assertThat(Block.of(b.toRecord()).free()).isZero();
  }
}
