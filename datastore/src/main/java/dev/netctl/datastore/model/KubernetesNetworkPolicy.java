package dev.netctl.datastore.model;

import java.util.Objects;

/**
 * A Kubernetes {@code networking.k8s.io/v1} NetworkPolicy. Its manifest says {@code kind:
 * NetworkPolicy}, as Calico's does; the codec tells them apart by apiVersion and netctl stores and
 * names this one {@code KubernetesNetworkPolicy} (short names {@code netpol}, {@code
 * networkpolicy.networking.k8s.io}, as kubectl spells it). Namespaced. The node agent treats it as
 * Calico does: tier default, order 1000.
 *
 * @param metadata namespace and name
 * @param spec the policy
 */
public record KubernetesNetworkPolicy(ObjectMeta metadata, KubernetesNetworkPolicySpec spec)
    implements Resource {
  /** The apiVersion of the Kubernetes kind. */
  public static final String API_VERSION = "networking.k8s.io/v1";

  /** The {@code kind:} written in manifests. */
  public static final String MANIFEST_KIND = "NetworkPolicy";

  public KubernetesNetworkPolicy {
    Objects.requireNonNull(metadata, "metadata");
    Objects.requireNonNull(spec, "spec");
  }

  @Override
  public String apiVersion() {
    return API_VERSION;
  }

  @Override
  public Kind<KubernetesNetworkPolicy> kind() {
    return Kind.KUBERNETES_NETWORK_POLICY;
  }

  @Override
  public KubernetesNetworkPolicy withMetadata(ObjectMeta newMetadata) {
    return new KubernetesNetworkPolicy(newMetadata, spec);
  }
}
