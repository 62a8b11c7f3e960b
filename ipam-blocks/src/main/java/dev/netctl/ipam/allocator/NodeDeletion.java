package dev.netctl.ipam.allocator;

import dev.netctl.datastore.ClusterNodes;
import dev.netctl.datastore.DatastoreException;
import dev.netctl.datastore.DerivedKinds;
import dev.netctl.datastore.client.ResourceClient;
import dev.netctl.datastore.model.BGPConfiguration;
import dev.netctl.datastore.model.BGPPeer;
import dev.netctl.datastore.model.FelixConfiguration;
import dev.netctl.datastore.model.Kind;
import dev.netctl.datastore.model.WorkloadEndpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Deleting a node the way Calico does ({@code calicoctl delete node}): its WorkloadEndpoints (not
 * where they are the cluster's Pods), every address assigned on it and its block affinities ({@link
 * IpamAllocator#releaseNode}), the BGPPeers scoped to it ({@code spec.node}), its {@code
 * node.<name>} FelixConfiguration and BGPConfiguration, and last the Node itself, so that a step
 * that fails leaves the Node and deleting it again takes what is left. Without this a deleted
 * node's addresses and blocks stayed claimed until {@code netctl controller run}'s grace passed,
 * and where no controller runs, for ever. Refused while the cluster still has the node (on
 * Kubernetes its {@code v1} Node: Calico's Kubernetes backend refuses to delete a node at all).
 */
public final class NodeDeletion {
  private NodeDeletion() {}

  /**
   * What went with the node.
   *
   * @param node its name
   * @param endpoints WorkloadEndpoints deleted ({@code namespace/name})
   * @param addresses addresses released
   * @param affinities block affinities released
   * @param peers BGPPeers scoped to it deleted, by name
   * @param felixConfiguration whether its {@code node.<name>} FelixConfiguration was deleted
   * @param bgpConfiguration whether its {@code node.<name>} BGPConfiguration was deleted
   */
  public record Deleted(
      String node,
      List<String> endpoints,
      int addresses,
      int affinities,
      List<String> peers,
      boolean felixConfiguration,
      boolean bgpConfiguration) {
    public Deleted {
      endpoints = List.copyOf(endpoints);
      peers = List.copyOf(peers);
    }

    /**
     * What went besides the Node, for a person: "2 addresses, 1 block affinity, 1 WorkloadEndpoint,
     * FelixConfiguration "node.n1"", or empty when nothing did.
     */
    public String summary() {
      List<String> parts = new ArrayList<>();
      if (addresses > 0) {
        parts.add(addresses + (addresses == 1 ? " address" : " addresses"));
      }
      if (affinities > 0) {
        parts.add(affinities + (affinities == 1 ? " block affinity" : " block affinities"));
      }
      if (!endpoints.isEmpty()) {
        parts.add(
            endpoints.size()
                + (endpoints.size() == 1 ? " WorkloadEndpoint" : " WorkloadEndpoints"));
      }
      peers.forEach(p -> parts.add("BGPPeer \"" + p + "\""));
      if (felixConfiguration) {
        parts.add("FelixConfiguration \"" + FelixConfiguration.NODE_PREFIX + node + "\"");
      }
      if (bgpConfiguration) {
        parts.add("BGPConfiguration \"" + BGPConfiguration.NODE_PREFIX + node + "\"");
      }
      return String.join(", ", parts);
    }
  }

  /**
   * Refused: the cluster still has the node (on Kubernetes, its {@code v1} Node). Its Pods run
   * there with the addresses a deletion would free for other nodes to hand out again.
   */
  public static final class StillInCluster extends RuntimeException {
    StillInCluster(String message) {
      super(message);
    }
  }

  /**
   * Deletes node {@code name} and what is its alone. Nothing is touched when there is no such Node,
   * or when the cluster still has the node.
   *
   * @throws DatastoreException.NotFound when there is no such Node
   * @throws StillInCluster when the store's cluster ({@link ClusterNodes}) still has the node
   */
  public static Deleted delete(ResourceClient client, String name) {
    client.get(Kind.NODE, name); // NotFound before anything is touched
    // Where the cluster keeps the nodes (Kubernetes), its node says whether this one is alive, as
    // for the node controller: one that is there still runs Pods on its addresses.
    Optional<ClusterNodes> cluster = client.datastore().capability(ClusterNodes.class);
    if (cluster.isPresent() && cluster.get().nodeExists(name)) {
      throw new StillInCluster(
          "Node \""
              + name
              + "\": Kubernetes Node \""
              + name
              + "\" still exists, and its Pods hold their addresses: delete it first (kubectl"
              + " delete node "
              + name
              + "); netctl controller run then releases this node's state, or delete this again");
    }
    Deleted d =
        release(
            client,
            new IpamAllocator(client.datastore(), new ResourceEnvironment(client)),
            name,
            true);
    deleteIfPresent(client, Kind.NODE, name); // gone meanwhile by another hand: done all the same
    return d;
  }

  /**
   * Releases what is node {@code name}'s alone, the Node itself aside: its WorkloadEndpoints (not
   * where they are derived from Pods, which the cluster deletes), every address assigned on it and
   * its block affinities, its {@code node.<name>} FelixConfiguration and BGPConfiguration, and the
   * BGPPeers scoped to it when {@code scopedPeers}. {@link #delete} and the node controller's
   * release of a node that is gone (which keeps the peers: operator configuration a node coming
   * back under its name uses again) both come here.
   */
  public static Deleted release(
      ResourceClient client, IpamAllocator allocator, String name, boolean scopedPeers) {
    boolean derived =
        DerivedKinds.of(client.datastore()).contains(Kind.WORKLOAD_ENDPOINT.storageKind());
    List<String> endpoints = new ArrayList<>();
    if (!derived) {
      for (WorkloadEndpoint w : client.list(Kind.WORKLOAD_ENDPOINT)) {
        if (name.equals(w.spec().node())
            && deleteIfPresent(client, Kind.WORKLOAD_ENDPOINT, w.storageName())) {
          endpoints.add(w.storageName());
        }
      }
    }
    IpamAllocator.NodeRelease released = allocator.releaseNode(name);
    List<String> peers = new ArrayList<>();
    if (scopedPeers) {
      for (BGPPeer p : client.list(Kind.BGP_PEER)) {
        if (name.equals(p.spec().node()) && deleteIfPresent(client, Kind.BGP_PEER, p.name())) {
          peers.add(p.name());
        }
      }
    }
    boolean felix =
        deleteIfPresent(client, Kind.FELIX_CONFIGURATION, FelixConfiguration.NODE_PREFIX + name);
    boolean bgp =
        deleteIfPresent(client, Kind.BGP_CONFIGURATION, BGPConfiguration.NODE_PREFIX + name);
    return new Deleted(
        name, endpoints, released.addresses(), released.affinities(), peers, felix, bgp);
  }

  // False when it was gone already: deleted meanwhile by someone else.
  private static boolean deleteIfPresent(ResourceClient client, Kind<?> kind, String name) {
    try {
      client.delete(kind, name);
      return true;
    } catch (DatastoreException.NotFound e) {
      return false;
    }
  }
}
