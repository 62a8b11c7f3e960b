package dev.netctl.datastore.model;

import java.util.Objects;

/**
 * A Calico NetworkPolicy ({@code projectcalico.org/v3}): ordered rules for the endpoints of one
 * namespace. Namespaced: stored as {@code namespace/name}. Kubernetes' NetworkPolicy of the same
 * kind name is {@link KubernetesNetworkPolicy}.
 *
 * @param metadata name (and namespace) of the policy
 * @param spec the policy
 */
public record NetworkPolicy(ObjectMeta metadata, NetworkPolicySpec spec) implements Resource {
  public NetworkPolicy {
    Objects.requireNonNull(metadata, "metadata");
    Objects.requireNonNull(spec, "spec");
  }

  @Override
  public Kind<NetworkPolicy> kind() {
    return Kind.NETWORK_POLICY;
  }

  @Override
  public NetworkPolicy withMetadata(ObjectMeta newMetadata) {
    return new NetworkPolicy(newMetadata, spec);
  }
}
