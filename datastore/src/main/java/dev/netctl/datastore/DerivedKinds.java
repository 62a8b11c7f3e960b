package dev.netctl.datastore;

import java.util.Set;

/**
 * A {@link Datastore#capability}: the kinds a store derives from objects of its own instead of
 * storing them (on Kubernetes: WorkloadEndpoints from Pods, {@code kns.} Profiles from Namespaces,
 * KubernetesNetworkPolicies from NetworkPolicies). They are read like any kind, but a copy of
 * another store's objects of these kinds is not written there: a migration into the store skips
 * them, and the node controller leaves a deleted node's endpoints to the cluster.
 */
public interface DerivedKinds {

  /** The storage kinds derived, e.g. {@code WorkloadEndpoint}. */
  Set<String> derivedKinds();

  /** The kinds {@code store} derives; empty for a store that stores every kind. */
  static Set<String> of(Datastore store) {
    return store.capability(DerivedKinds.class).map(DerivedKinds::derivedKinds).orElse(Set.of());
  }
}
