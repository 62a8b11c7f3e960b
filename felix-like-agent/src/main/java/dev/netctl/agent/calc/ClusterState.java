package dev.netctl.agent.calc;

import dev.netctl.datastore.model.Cidr;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;

/**
 * An immutable snapshot of everything the calculation reads: the cluster's resources as the syncer
 * holds them, plus the routes BGP learned.
 *
 * @param nodes every node by name
 * @param pools every enabled or disabled pool (a disabled pool still routes its existing blocks)
 * @param blocks every IPAM block
 * @param workloads this node's workload endpoints
 * @param learned best paths learned over BGP: prefix → next hops (several for ECMP)
 * @param remoteWorkloads the addresses (/32, /128) of other nodes' workloads, with their node
 */
public record ClusterState(
    Map<String, NodeInfo> nodes,
    List<PoolInfo> pools,
    List<BlockInfo> blocks,
    List<WorkloadInfo> workloads,
    Map<Cidr, List<InetAddress>> learned,
    Map<Cidr, String> remoteWorkloads) {

  public ClusterState {
    nodes = Map.copyOf(nodes);
    pools = List.copyOf(pools);
    blocks = List.copyOf(blocks);
    workloads = List.copyOf(workloads);
    learned = Map.copyOf(learned);
    remoteWorkloads = Map.copyOf(remoteWorkloads);
  }

  /** A state without other nodes' workloads (none borrowed an address). */
  public ClusterState(
      Map<String, NodeInfo> nodes,
      List<PoolInfo> pools,
      List<BlockInfo> blocks,
      List<WorkloadInfo> workloads,
      Map<Cidr, List<InetAddress>> learned) {
    this(nodes, pools, blocks, workloads, learned, Map.of());
  }

  /**
   * Whether {@code address}, a workload's on {@code node}, lies outside every block of that node:
   * borrowed from another node's block (IPAM does when the node can claim no block), or in a block
   * whose affinity was released (its pool deleted). Its block's route leads elsewhere.
   */
  public boolean borrowed(Cidr address, String node) {
    for (BlockInfo b : blocks) {
      if (b.cidr().isIPv4() == address.isIPv4()
          && b.cidr().prefixLength() <= address.prefixLength()
          && b.cidr().contains(address.address())) {
        return !node.equals(b.node()) && !(b.node() == null && retiring(address));
      }
    }
    return true;
  }

  /**
   * Whether {@code address} lies in a block without an owner of a pool being deleted (PoolDeletion
   * disabled and marked it, released its affinities, and deletes it next). Its addresses get no
   * host routes and are not advertised: the block's routes went with its owner, and the pool's go
   * with it next, so host routes would flash up between the two and go again. Disabled alone is not
   * enough: a disabled pool whose affinities went for another reason ({@code ipam release}, a
   * node's deletion, a split) still has pods holding its addresses, and as Calico an allocated
   * address is routed until it is released.
   */
  public boolean retiring(Cidr address) {
    PoolInfo p = poolOf(address);
    if (p == null || !p.beingDeleted()) return false;
    for (BlockInfo b : blocks) {
      if (b.cidr().isIPv4() == address.isIPv4()
          && b.cidr().prefixLength() <= address.prefixLength()
          && b.cidr().contains(address.address())) {
        return b.node() == null;
      }
    }
    return false;
  }

  /** The pool that contains {@code prefix}, or null. */
  public PoolInfo poolOf(Cidr prefix) {
    for (PoolInfo p : pools) {
      if (p.cidr().isIPv4() == prefix.isIPv4()
          && p.cidr().prefixLength() <= prefix.prefixLength()
          && p.cidr().contains(prefix.address())) {
        return p;
      }
    }
    return null;
  }
}
