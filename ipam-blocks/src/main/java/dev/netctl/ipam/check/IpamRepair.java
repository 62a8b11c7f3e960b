package dev.netctl.ipam.check;

import dev.netctl.datastore.DatastoreException;
import dev.netctl.ipam.block.AllocationAttribute;
import dev.netctl.ipam.block.AllocationBlock;
import dev.netctl.ipam.block.Block;
import dev.netctl.ipam.block.Cidr;
import dev.netctl.ipam.check.IpamReport.AffinityMismatch;
import dev.netctl.ipam.check.IpamReport.DeadNodeBlock;
import dev.netctl.ipam.check.IpamReport.DuplicateOwnership;
import dev.netctl.ipam.check.IpamReport.HandleMismatch;
import dev.netctl.ipam.check.IpamReport.LeakedAllocation;
import dev.netctl.ipam.check.IpamReport.PendingAffinity;
import dev.netctl.ipam.store.AffinityRelease;
import dev.netctl.ipam.store.BlockAffinity;
import dev.netctl.ipam.store.BlockEditor;
import dev.netctl.ipam.store.HandleCounts;
import dev.netctl.ipam.store.IpamHandle;
import dev.netctl.ipam.store.IpamStore;
import dev.netctl.ipam.store.Versioned;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Fixes exactly what an {@link IpamReport} lists. Each item is re-validated against the store first
 * and skipped when it no longer holds, so a repair never undoes work done after the check.
 *
 * <p>Releasing handle-less allocations stays necessary although the allocator now commits a block
 * with its handle records atomically: stores written by older versions, datastores without
 * multi-key commits and oversized blocks can still hold them (see {@link IpamChecker}).
 */
public final class IpamRepair {

  /**
   * What the repair did.
   *
   * @param fixed one line per change made
   * @param skipped one line per reported item that no longer held
   */
  public record Result(List<String> fixed, List<String> skipped) {}

  private final IpamStore store;
  private final BlockEditor editor;
  private final HandleCounts handles;

  public IpamRepair(IpamStore store) {
    this.store = store;
    this.editor = new BlockEditor(store);
    this.handles = new HandleCounts(store);
  }

  /**
   * Repairs the report's items in an order where one fix cannot invalidate the next: leaked
   * addresses, dead nodes' blocks, affinities, then handle counts (which earlier fixes change).
   *
   * @param liveNodes the nodes that exist now
   * @throws dev.netctl.datastore.DatastoreException.Locked while the datastore is locked for
   *     migration (its first write is refused, so nothing is written)
   */
  public Result releaseFromReport(IpamReport report, Set<String> liveNodes) {
    List<String> fixed = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    for (LeakedAllocation l : report.allocationsWithoutHandle()) {
      boolean done = releaseLeaked(l);
      (done ? fixed : skipped).add("leaked " + l.address() + " (handle " + l.handle() + ")");
    }
    for (DeadNodeBlock d : report.blocksOfDeadNodes()) {
      boolean done = !liveNodes.contains(d.node()) && releaseDeadNodeBlock(d);
      (done ? fixed : skipped).add("block " + d.block() + " of dead node " + d.node());
    }
    for (PendingAffinity p : report.pendingAffinities()) {
      String what = resolvePending(p);
      (what != null ? fixed : skipped)
          .add("affinity " + p.node() + " " + p.block() + (what != null ? ": " + what : ""));
    }
    for (AffinityMismatch m : report.affinityMismatches()) {
      String what = resolveMismatch(m);
      (what != null ? fixed : skipped)
          .add(m.kind() + " " + m.node() + " " + m.block() + (what != null ? ": " + what : ""));
    }
    for (DuplicateOwnership d : report.duplicateOwnership()) {
      for (String node : d.nodes()) {
        AffinityMismatch m =
            new AffinityMismatch(node, d.block(), IpamReport.MismatchKind.BLOCK_OWNED_ELSEWHERE);
        String what = resolveMismatch(m);
        if (what != null) fixed.add("duplicate owner " + node + " of " + d.block() + ": " + what);
      }
    }
    for (HandleMismatch h : report.handleMismatches()) {
      boolean done = resolveHandle(h);
      (done ? fixed : skipped).add("handle " + h.handle() + " " + h.block());
    }
    return new Result(fixed, skipped);
  }

  private boolean releaseLeaked(LeakedAllocation l) {
    if (store.handle(l.handle()).isPresent()) return false;
    Cidr cidr = Cidr.parse(l.block());
    return editor
        .edit(
            cidr,
            b ->
                b.release(l.ordinal(), l.sequenceNumber(), l.handle())
                    == Block.ReleaseOutcome.RELEASED)
        .orElse(false);
  }

  private boolean releaseDeadNodeBlock(DeadNodeBlock d) {
    Cidr cidr = Cidr.parse(d.block());
    Optional<Map<String, Integer>> freed =
        editor.edit(
            cidr,
            b -> {
              Map<String, Integer> perHandle = new TreeMap<>();
              if (!d.node().equals(b.affinityNode())) return null;
              // The node's pods are gone with it: free what was assigned there.
              for (int o = 0; o < b.size(); o++) {
                AllocationAttribute a = b.attributeAt(o);
                if (a != null && d.node().equals(a.node())) {
                  b.release(o, null, null);
                  perHandle.merge(a.handle(), -1, Integer::sum);
                }
              }
              b.setAffinityNode(null);
              return perHandle;
            });
    if (freed.isEmpty()) return false;
    freed.get().forEach((h, delta) -> handles.adjust(h, Map.of(cidr.toString(), delta)));
    store.affinity(d.node(), cidr).ifPresent(a -> AffinityRelease.release(store, editor, a, true));
    return true;
  }

  private String resolvePending(PendingAffinity p) {
    Cidr cidr = Cidr.parse(p.block());
    Optional<Versioned<BlockAffinity>> aff = store.affinity(p.node(), cidr);
    if (aff.isEmpty() || aff.get().value().state() == BlockAffinity.State.CONFIRMED) return null;
    Optional<Versioned<AllocationBlock>> block = store.block(cidr);
    boolean owned =
        block.isPresent()
            && p.node().equals(block.get().value().affinityNode())
            && !block.get().value().deleted();
    try {
      if (owned && aff.get().value().state() == BlockAffinity.State.PENDING) {
        // The claimer died after creating the block: finish its claim.
        store.updateAffinity(
            aff.get().value().withState(BlockAffinity.State.CONFIRMED), aff.get().revision());
        return "confirmed";
      }
      if (owned) {
        // Died while releasing: finish the release.
        AffinityRelease.release(store, editor, aff.get(), true);
        return "released";
      }
      store.deleteAffinity(aff.get().value(), aff.get().revision());
      return "deleted";
    } catch (DatastoreException.Conflict | DatastoreException.NotFound e) {
      return null;
    }
  }

  private String resolveMismatch(AffinityMismatch m) {
    Cidr cidr = Cidr.parse(m.block());
    Optional<Versioned<AllocationBlock>> block = store.block(cidr);
    Optional<Versioned<BlockAffinity>> aff = store.affinity(m.node(), cidr);
    String owner = block.map(b -> b.value().affinityNode()).orElse(null);
    switch (m.kind()) {
      case BLOCK_MISSING, BLOCK_OWNED_ELSEWHERE -> {
        if (aff.isEmpty() || aff.get().value().state() != BlockAffinity.State.CONFIRMED) {
          return null;
        }
        if (m.node().equals(owner)) return null;
        try {
          store.deleteAffinity(aff.get().value(), aff.get().revision());
          return "affinity deleted";
        } catch (DatastoreException.Conflict | DatastoreException.NotFound e) {
          return null;
        }
      }
      case AFFINITY_MISSING -> {
        if (!m.node().equals(owner) || aff.isPresent()) return null;
        // Nobody can use a block whose owner has no claim on record: make it unowned, which
        // lets it be borrowed from, and deleted once empty.
        return editor
                .edit(
                    cidr,
                    b -> {
                      if (!m.node().equals(b.affinityNode())) return false;
                      b.setAffinityNode(null);
                      return true;
                    })
                .orElse(false)
            ? "block made unowned"
            : null;
      }
    }
    return null;
  }

  private boolean resolveHandle(HandleMismatch h) {
    Optional<Versioned<IpamHandle>> rec = store.handle(h.handle());
    if (rec.isEmpty()) return false;
    int recorded = rec.get().value().block().getOrDefault(h.block(), 0);
    int actual = 0;
    if (!h.block().isEmpty()) {
      actual =
          store
              .block(Cidr.parse(h.block()))
              .map(b -> Block.of(b.value()).ordinalsOf(h.handle()).size())
              .orElse(0);
    }
    if (h.block().isEmpty()) {
      if (rec.get().value().total() != 0) return false;
      handles.delete(h.handle());
      return true;
    }
    if (recorded == actual) return false;
    handles.adjust(h.handle(), Map.of(h.block(), actual - recorded));
    return true;
  }
}
