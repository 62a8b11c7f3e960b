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
 */
public record ClusterState(
    Map<String, NodeInfo> nodes,
    List<PoolInfo> pools,
    List<BlockInfo> blocks,
    List<WorkloadInfo> workloads,
    Map<Cidr, List<InetAddress>> learned) {

  public ClusterState {
    nodes = Map.copyOf(nodes);
    pools = List.copyOf(pools);
    blocks = List.copyOf(blocks);
    workloads = List.copyOf(workloads);
    learned = Map.copyOf(learned);
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
