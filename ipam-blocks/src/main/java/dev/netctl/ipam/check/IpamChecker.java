package dev.netctl.ipam.check;

import dev.netctl.datastore.client.ResourceClient;
import dev.netctl.ipam.allocator.IpamEnvironment;
import dev.netctl.ipam.allocator.PoolSpec;
import dev.netctl.ipam.allocator.ResourceEnvironment;
import dev.netctl.ipam.block.AllocationAttribute;
import dev.netctl.ipam.block.AllocationBlock;
import dev.netctl.ipam.block.Block;
import dev.netctl.ipam.block.Cidr;
import dev.netctl.ipam.check.IpamReport.AffinityMismatch;
import dev.netctl.ipam.check.IpamReport.DeadNodeBlock;
import dev.netctl.ipam.check.IpamReport.DuplicateOwnership;
import dev.netctl.ipam.check.IpamReport.HandleMismatch;
import dev.netctl.ipam.check.IpamReport.LeakedAllocation;
import dev.netctl.ipam.check.IpamReport.MismatchKind;
import dev.netctl.ipam.check.IpamReport.OutsidePools;
import dev.netctl.ipam.check.IpamReport.PendingAffinity;
import dev.netctl.ipam.store.BlockAffinity;
import dev.netctl.ipam.store.IpamHandle;
import dev.netctl.ipam.store.IpamStore;
import dev.netctl.ipam.store.Versioned;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Cross-checks blocks, affinities and handles and lists every inconsistency. Reads only; {@link
 * IpamRepair} fixes what a report lists.
 *
 * <p>Where the findings come from: the allocator writes a block and the handle records of its
 * addresses in one datastore commit, so a crash no longer leaves an allocation without its handle.
 * Handle-less allocations now come from stores written by older netctl versions, from a datastore
 * without multi-key commits ({@code maxOpsPerCommit() == 1}, the planned Kubernetes backend), from
 * handles that did not fit a block's commit (blocks of more than 127 addresses), and from edits by
 * hand. Handle count mismatches come from a rollback or release whose handle update failed after
 * its block was written. Claims still take several writes and can stop between them.
 *
 * <p>Run on a busy cluster, a check can list states that are merely in flight (a claim between its
 * steps, and on the cases above an assignment between its block and handle writes). The repair
 * re-validates each item, but an operator should repair items seen in two checks a while apart.
 */
public final class IpamChecker {
  private final IpamStore store;
  private final IpamEnvironment env;

  /** A checker of the pools stored beside the blocks. */
  public IpamChecker(IpamStore store) {
    this(store, new ResourceEnvironment(new ResourceClient(store.datastore())));
  }

  /**
   * @param env where the IP pools come from: addresses outside all of them are reported
   */
  public IpamChecker(IpamStore store, IpamEnvironment env) {
    this.store = store;
    this.env = env;
  }

  /**
   * @param liveNodes the names of the nodes that exist; blocks owned by others are reported
   */
  public IpamReport check(Set<String> liveNodes) {
    List<Versioned<AllocationBlock>> blocks = store.blocks();
    List<Versioned<BlockAffinity>> affinities = store.affinities();
    List<Versioned<IpamHandle>> handles = store.handles();
    List<Cidr> pools = new ArrayList<>();
    for (PoolSpec p : env.pools()) {
      pools.add(p.cidr());
    }

    Map<String, IpamHandle> handleById = new HashMap<>();
    for (Versioned<IpamHandle> h : handles) handleById.put(h.value().handleID(), h.value());

    List<LeakedAllocation> leaked = new ArrayList<>();
    List<DeadNodeBlock> dead = new ArrayList<>();
    List<OutsidePools> outside = new ArrayList<>();
    // handle -> block -> actual count
    Map<String, Map<String, Integer>> actual = new TreeMap<>();
    Map<String, Block> blockByCidr = new TreeMap<>();
    int inUse = 0;
    for (Versioned<AllocationBlock> v : blocks) {
      Block b = Block.of(v.value());
      String cidr = b.cidr().toString();
      blockByCidr.put(cidr, b);
      inUse += b.inUse();
      List<String> unpooled = new ArrayList<>();
      // Almost every block lies whole in a pool: only the others are looked at address by address.
      boolean pooled = pools.stream().anyMatch(pool -> pool.contains(b.cidr()));
      for (int o = 0; o < b.size(); o++) {
        AllocationAttribute a = b.attributeAt(o);
        if (a == null) continue;
        if (!pooled) {
          InetAddress address = b.addressAt(o);
          if (pools.stream().noneMatch(pool -> pool.contains(address))) {
            unpooled.add(Cidr.format(address));
          }
        }
        actual.computeIfAbsent(a.handle(), k -> new TreeMap<>()).merge(cidr, 1, Integer::sum);
        if (!handleById.containsKey(a.handle())) {
          leaked.add(
              new LeakedAllocation(
                  cidr, o, Cidr.format(b.addressAt(o)), a.handle(), b.sequenceAt(o), a.node()));
        }
      }
      if (!unpooled.isEmpty()) outside.add(new OutsidePools(cidr, unpooled));
      String owner = b.affinityNode();
      if (owner != null && !liveNodes.contains(owner)) {
        dead.add(new DeadNodeBlock(cidr, owner, b.inUse()));
      }
    }

    List<HandleMismatch> mismatched = new ArrayList<>();
    for (IpamHandle h : handleById.values()) {
      Map<String, Integer> has = actual.getOrDefault(h.handleID(), Map.of());
      Set<String> cidrs = new TreeSet<>(h.block().keySet());
      cidrs.addAll(has.keySet());
      for (String c : cidrs) {
        int recorded = h.block().getOrDefault(c, 0);
        int real = has.getOrDefault(c, 0);
        if (recorded != real) mismatched.add(new HandleMismatch(h.handleID(), c, recorded, real));
      }
      if (cidrs.isEmpty()) mismatched.add(new HandleMismatch(h.handleID(), "", 0, 0));
    }
    mismatched.sort(
        (x, y) ->
            x.handle().equals(y.handle())
                ? x.block().compareTo(y.block())
                : x.handle().compareTo(y.handle()));

    List<AffinityMismatch> affinityMismatches = new ArrayList<>();
    List<PendingAffinity> pending = new ArrayList<>();
    Map<String, List<String>> confirmedOwners = new TreeMap<>();
    for (Versioned<BlockAffinity> v : affinities) {
      BlockAffinity a = v.value();
      String cidr = Cidr.parse(a.cidr()).toString();
      if (a.state() != BlockAffinity.State.CONFIRMED) {
        pending.add(new PendingAffinity(a.node(), cidr, a.state().name()));
        continue;
      }
      confirmedOwners.computeIfAbsent(cidr, k -> new ArrayList<>()).add(a.node());
      Block b = blockByCidr.get(cidr);
      if (b == null) {
        affinityMismatches.add(new AffinityMismatch(a.node(), cidr, MismatchKind.BLOCK_MISSING));
      } else if (!a.node().equals(b.affinityNode())) {
        affinityMismatches.add(
            new AffinityMismatch(a.node(), cidr, MismatchKind.BLOCK_OWNED_ELSEWHERE));
      }
    }
    Set<String> pendingBlocks = new TreeSet<>();
    for (PendingAffinity p : pending) pendingBlocks.add(p.node() + " " + p.block());
    for (Map.Entry<String, Block> e : blockByCidr.entrySet()) {
      String owner = e.getValue().affinityNode();
      if (owner == null) continue;
      boolean confirmed = confirmedOwners.getOrDefault(e.getKey(), List.of()).contains(owner);
      // A block whose owner's affinity is still pending is reported once, as pending.
      if (!confirmed && !pendingBlocks.contains(owner + " " + e.getKey())) {
        affinityMismatches.add(
            new AffinityMismatch(owner, e.getKey(), MismatchKind.AFFINITY_MISSING));
      }
    }
    List<DuplicateOwnership> duplicates = new ArrayList<>();
    confirmedOwners.forEach(
        (cidr, nodes) -> {
          if (nodes.size() > 1) duplicates.add(new DuplicateOwnership(cidr, List.copyOf(nodes)));
        });
    return new IpamReport(
        blocks.size(),
        affinities.size(),
        handles.size(),
        inUse,
        leaked,
        mismatched,
        dead,
        affinityMismatches,
        duplicates,
        pending,
        outside);
  }
}
