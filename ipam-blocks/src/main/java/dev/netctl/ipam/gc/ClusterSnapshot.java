package dev.netctl.ipam.gc;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one controller pass sees, read at its start.
 *
 * @param liveNodes names of the live nodes: the cluster's own nodes where the store has them
 *     (Kubernetes Nodes, {@link dev.netctl.datastore.ClusterNodes}), else netctl's Node resources
 * @param liveness what {@code liveNodes} are, for log lines ({@code Node resource}, {@code
 *     Kubernetes Node})
 * @param nodeResources names of netctl's Node resources
 * @param liveContainerIds container IDs of the pods that exist (on etcd and embedded: of the
 *     WorkloadEndpoints; on Kubernetes they would come from the Pods)
 * @param nodesWithState every node named by stored state the node controller cleans: block
 *     affinities, block owners and allocations, WorkloadEndpoints, {@code node.<name>}
 *     BGPConfigurations, and (where liveness is the cluster's) netctl's Node resources; not a
 *     {@code node.<name>} FelixConfiguration alone, which may be written before its node first
 *     starts
 * @param endpointsByNode WorkloadEndpoint storage names ({@code ns/name}) per node
 * @param nodeBgpConfigs node names that have a {@code node.<name>} BGPConfiguration
 * @param nodeFelixConfigs node names that have a {@code node.<name>} FelixConfiguration
 * @param handles every IPAM handle ID
 */
public record ClusterSnapshot(
    Set<String> liveNodes,
    String liveness,
    Set<String> nodeResources,
    Set<String> liveContainerIds,
    Set<String> nodesWithState,
    Map<String, List<String>> endpointsByNode,
    Set<String> nodeBgpConfigs,
    Set<String> nodeFelixConfigs,
    List<String> handles) {

  public ClusterSnapshot {
    liveNodes = Set.copyOf(liveNodes);
    nodeResources = Set.copyOf(nodeResources);
    liveContainerIds = Set.copyOf(liveContainerIds);
    nodesWithState = Set.copyOf(nodesWithState);
    endpointsByNode = Map.copyOf(endpointsByNode);
    nodeBgpConfigs = Set.copyOf(nodeBgpConfigs);
    nodeFelixConfigs = Set.copyOf(nodeFelixConfigs);
    handles = List.copyOf(handles);
  }
}
