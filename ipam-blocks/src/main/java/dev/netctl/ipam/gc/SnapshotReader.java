package dev.netctl.ipam.gc;

import dev.netctl.datastore.ClusterNodes;
import dev.netctl.datastore.client.ResourceClient;
import dev.netctl.datastore.model.BGPConfiguration;
import dev.netctl.datastore.model.FelixConfiguration;
import dev.netctl.datastore.model.Kind;
import dev.netctl.datastore.model.Node;
import dev.netctl.datastore.model.Resource;
import dev.netctl.datastore.model.WorkloadEndpoint;
import dev.netctl.ipam.block.AllocationAttribute;
import dev.netctl.ipam.block.AllocationBlock;
import dev.netctl.ipam.store.BlockAffinity;
import dev.netctl.ipam.store.IpamHandle;
import dev.netctl.ipam.store.IpamStore;
import dev.netctl.ipam.store.Versioned;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads a {@link ClusterSnapshot} from the datastore through the typed clients.
 *
 * <p>Order matters for safety: the IPAM state is read <em>before</em> the nodes and endpoints, so
 * an allocation made during the read is matched against a view of the pods at least as new as it.
 * Node liveness is the cluster's own nodes where the store has them ({@link ClusterNodes}: on
 * Kubernetes, the {@code v1} Nodes, listed once a pass), else netctl's Node resources.
 */
final class SnapshotReader {
  private final ResourceClient client;
  private final IpamStore store;

  SnapshotReader(ResourceClient client, IpamStore store) {
    this.client = client;
    this.store = store;
  }

  ClusterSnapshot read() {
    Set<String> withState = new TreeSet<>();
    for (Versioned<BlockAffinity> a : store.affinities()) withState.add(a.value().node());
    for (Versioned<AllocationBlock> b : store.blocks()) {
      if (b.value().affinityNode() != null) withState.add(b.value().affinityNode());
      for (AllocationAttribute attr : b.value().attributes()) {
        if (attr.node() != null) withState.add(attr.node());
      }
    }
    List<String> handles = new ArrayList<>();
    for (Versioned<IpamHandle> h : store.handles()) handles.add(h.value().handleID());

    Set<String> resources = new HashSet<>();
    for (Node n : client.list(Kind.NODE)) resources.add(n.name());
    // After netctl's Nodes: an agent registers its Node only once its Kubernetes Node exists, so
    // every Node resource read above has its Kubernetes Node in this later list unless that was
    // deleted. A failed read throws: an empty answer would make every node look deleted.
    Optional<ClusterNodes> cluster = client.datastore().capability(ClusterNodes.class);
    Set<String> live = cluster.isPresent() ? cluster.get().nodeNames() : resources;
    // Where liveness is the cluster's, netctl's Node of a deleted node is state to clean too.
    if (cluster.isPresent()) withState.addAll(resources);
    Set<String> containers = new HashSet<>();
    Map<String, List<String>> byNode = new TreeMap<>();
    for (WorkloadEndpoint w : client.list(Kind.WORKLOAD_ENDPOINT)) {
      if (w.spec().containerID() != null) containers.add(w.spec().containerID());
      if (w.spec().node() != null) {
        byNode.computeIfAbsent(w.spec().node(), k -> new ArrayList<>()).add(w.storageName());
        withState.add(w.spec().node());
      }
    }
    Set<String> bgp =
        perNode(client.list(Kind.BGP_CONFIGURATION), BGPConfiguration.NODE_PREFIX, withState);
    // Calico's node deletion removes the node's FelixConfiguration with its BGPConfiguration. Not
    // taken as a sign that the node was ever there: an operator gives a node its settings before it
    // first starts (the agent reads them at start), and they must not go before it comes.
    Set<String> felix =
        perNode(client.list(Kind.FELIX_CONFIGURATION), FelixConfiguration.NODE_PREFIX, null);
    return new ClusterSnapshot(
        live,
        cluster.isPresent() ? "Kubernetes Node" : "Node resource",
        resources,
        containers,
        withState,
        byNode,
        bgp,
        felix,
        handles);
  }

  // The node names of the per-node objects among configs ({@code prefix<node>}), each also added
  // to withState unless that is null.
  private static Set<String> perNode(
      List<? extends Resource> configs, String prefix, Set<String> withState) {
    Set<String> nodes = new TreeSet<>();
    for (Resource c : configs) {
      if (c.name().startsWith(prefix)) {
        String node = c.name().substring(prefix.length());
        nodes.add(node);
        if (withState != null) {
          withState.add(node);
        }
      }
    }
    return nodes;
  }
}
