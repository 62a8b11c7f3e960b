package dev.netctl.ipam.block;

import java.util.Objects;

/**
 * Who holds an allocated address: the handle that releases it plus the pod and node it was handed
 * to. Allocations made by one request share one attribute entry.
 *
 * @param handle the handle ID, e.g. {@code k8s-pod-network.<containerID>}; never null
 * @param pod the pod name, or null for non-pod uses (tunnel addresses)
 * @param namespace the pod namespace, or null
 * @param node the node the address was assigned on; used to tell borrowed addresses apart
 */
public record AllocationAttribute(String handle, String pod, String namespace, String node) {
  public AllocationAttribute {
    Objects.requireNonNull(handle, "handle");
    if (handle.isBlank()) throw new IllegalArgumentException("handle must not be blank");
  }
}
