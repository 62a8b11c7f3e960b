package dev.netctl.datastore.model;

import java.util.Objects;

/**
 * A Calico GlobalNetworkPolicy: ordered rules for endpoints of every namespace (and, with {@code
 * namespaceSelector}, of matching ones).
 *
 * @param metadata name (and namespace) of the policy
 * @param spec the policy
 */
public record GlobalNetworkPolicy(ObjectMeta metadata, NetworkPolicySpec spec) implements Resource {
  public GlobalNetworkPolicy {
    Objects.requireNonNull(metadata, "metadata");
    Objects.requireNonNull(spec, "spec");
  }

  @Override
  public Kind<GlobalNetworkPolicy> kind() {
    return Kind.GLOBAL_NETWORK_POLICY;
  }

  @Override
  public GlobalNetworkPolicy withMetadata(ObjectMeta newMetadata) {
    return new GlobalNetworkPolicy(newMetadata, spec);
  }
}
