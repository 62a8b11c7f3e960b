package dev.netctl.datastore;

import java.util.Set;

/**
 * A {@link Datastore#capability}: the nodes of the cluster the store serves, kept by the cluster
 * itself (on Kubernetes: the {@code v1} Nodes). Where a store has them, they, not netctl's Node
 * resources, say which nodes are alive: netctl's Node of a node the cluster deleted is left over,
 * and the node controller deletes it (as Calico's kube-controllers deletes the Calico Node of a
 * deleted Kubernetes Node).
 */
public interface ClusterNodes {

  /**
   * The names of the cluster's nodes now.
   *
   * @throws DatastoreException when they cannot be read (never an empty answer in its place)
   */
  Set<String> nodeNames();

  /**
   * Whether the cluster has a node named {@code name}.
   *
   * @throws DatastoreException when that cannot be read
   */
  boolean nodeExists(String name);
}
