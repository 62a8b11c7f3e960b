package dev.netctl.ipam.allocator;

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

/**
 * Deleting a node the way Calico does ({@code calicoctl delete node}): its WorkloadEndpoints (not
 * where they are the cluster's Pods), every address assigned on it and its block affinities ({@link
 * IpamAllocator#releaseNode}), the BGPPeers scoped to it ({@code spec.node}), its {@code
 * node.<name>} FelixConfiguration and BGPConfiguration, and last the Node itself, so that a step
 * that fails leaves the Node, and deleting it again finishes the job. Without this a deleted node's
 * addresses and blocks stayed claimed until {@code netctl controller run}'s grace passed, and where
 * no controller runs, for ever.
 */
public final class NodeDeletion {
  private NodeDeletion() {}

  /**
   * What went with the node.
   *
   * @param endpoints WorkloadEndpoints deleted ({@code namespace/name})
   * @param addresses addresses released
   * @param affinities block affinities released
   * @param others the other objects deleted, as {@code Kind "name"}
   */
  public record Deleted(
      List<String> endpoints, int addresses, int affinities, List<String> others) {
    public Deleted {
      endpoints = List.copyOf(endpoints);
      others = List.copyOf(others);
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
      parts.addAll(others);
      return String.join(", ", parts);
    }
  }

  /**
   * Deletes node {@code name} and what is its alone. Nothing is touched when there is no such Node.
   *
   * @throws DatastoreException.NotFound when there is no such Node
   */
  public static Deleted delete(ResourceClient client, String name) {
    client.get(Kind.NODE, name); // NotFound before anything is touched
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
    IpamAllocator.NodeRelease released =
        new IpamAllocator(client.datastore(), new ResourceEnvironment(client)).releaseNode(name);
    List<String> others = new ArrayList<>();
    for (BGPPeer p : client.list(Kind.BGP_PEER)) {
      if (name.equals(p.spec().node()) && deleteIfPresent(client, Kind.BGP_PEER, p.name())) {
        others.add("BGPPeer \"" + p.name() + "\"");
      }
    }
    String felix = FelixConfiguration.NODE_PREFIX + name;
    if (deleteIfPresent(client, Kind.FELIX_CONFIGURATION, felix)) {
      others.add("FelixConfiguration \"" + felix + "\"");
    }
    String bgp = BGPConfiguration.NODE_PREFIX + name;
    if (deleteIfPresent(client, Kind.BGP_CONFIGURATION, bgp)) {
      others.add("BGPConfiguration \"" + bgp + "\"");
    }
    client.delete(Kind.NODE, name);
    return new Deleted(endpoints, released.addresses(), released.affinities(), others);
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
