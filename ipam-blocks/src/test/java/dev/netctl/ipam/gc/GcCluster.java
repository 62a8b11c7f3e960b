package dev.netctl.ipam.gc;

import dev.netctl.datastore.Datastore;
import dev.netctl.datastore.client.ResourceClient;
import dev.netctl.datastore.model.ResourceCodec;
import dev.netctl.ipam.allocator.AssignRequest;
import dev.netctl.ipam.allocator.IpamAllocator;
import dev.netctl.ipam.allocator.ResourceEnvironment;
import dev.netctl.ipam.check.IpamChecker;
import dev.netctl.ipam.check.IpamReport;
import dev.netctl.ipam.store.IpamStore;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** A small cluster in a datastore for the controller tests: a pool, nodes, pods through IPAM. */
final class GcCluster {
  final Datastore store;
  final ResourceClient client;
  final IpamAllocator allocator;
  private final ResourceCodec codec = new ResourceCodec();

  GcCluster(Datastore store) {
    this.store = store;
    this.client = new ResourceClient(store);
    this.allocator = new IpamAllocator(store, new ResourceEnvironment(client));
    apply(
        """
        apiVersion: projectcalico.org/v3
        kind: IPPool
        metadata: {name: pool}
        spec: {cidr: 10.20.0.0/16, blockSize: 26}
        """);
  }

  void apply(String yaml) {
    client.applyAll(codec.read(yaml));
  }

  void node(String name) {
    apply("apiVersion: projectcalico.org/v3\nkind: Node\nmetadata: {name: " + name + "}\n");
  }

  /** A pod as the CNI plugin leaves it: an address under its handle, and its WorkloadEndpoint. */
  void pod(String node, String pod, String containerId) {
    unregisteredPod(node, pod, containerId);
    apply(
        """
        apiVersion: projectcalico.org/v3
        kind: WorkloadEndpoint
        metadata: {name: %s-k8s-%s-eth0, namespace: default}
        spec: {node: %s, containerID: %s, pod: %s, endpoint: eth0}
        """
            .formatted(node, pod, node, containerId, pod));
  }

  /** An address whose WorkloadEndpoint was never written (or deleted): what GC must find. */
  void unregisteredPod(String node, String pod, String containerId) {
    allocator.autoAssign(
        new AssignRequest(
            node, "k8s-pod-network." + containerId, 1, 0, pod, "default", null, List.of()));
  }

  void handle(String node, String handle) {
    allocator.autoAssign(AssignRequest.of(node, handle, 1, 0));
  }

  Set<String> handles() {
    Set<String> out = new HashSet<>();
    new IpamStore(store).handles().forEach(h -> out.add(h.value().handleID()));
    return out;
  }

  IpamReport check(Set<String> liveNodes) {
    return new IpamChecker(new IpamStore(store)).check(liveNodes);
  }
}
