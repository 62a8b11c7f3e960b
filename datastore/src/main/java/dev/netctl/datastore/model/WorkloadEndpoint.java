package dev.netctl.datastore.model;

import java.util.Objects;

/**
 * A pod's network interface on a node (Calico {@code WorkloadEndpoint}): its addresses, its host
 * side veth and the labels policy selects it by. Namespaced: stored as {@code namespace/name}.
 *
 * <p>The CNI plugin creates one per pod interface; the node agent programs the host side (the /32
 * and /128 routes to the veth) for every endpoint whose {@code spec.node} is its own.
 *
 * @param metadata namespace, name ({@code <node>-k8s-<pod>-<endpoint>} by Calico's convention) and
 *     the pod's labels
 * @param spec where the endpoint lives and what it holds
 */
public record WorkloadEndpoint(ObjectMeta metadata, WorkloadEndpointSpec spec) implements Resource {
  public WorkloadEndpoint {
    Objects.requireNonNull(metadata, "metadata");
    Objects.requireNonNull(spec, "spec");
  }

  @Override
  public Kind<WorkloadEndpoint> kind() {
    return Kind.WORKLOAD_ENDPOINT;
  }

  @Override
  public WorkloadEndpoint withMetadata(ObjectMeta newMetadata) {
    return new WorkloadEndpoint(newMetadata, spec);
  }
}
