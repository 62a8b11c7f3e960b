package dev.netctl.agent.cni;

import dev.netctl.datastore.model.EndpointNames;

/** Calico's names for a pod attachment: the host veth and the WorkloadEndpoint. */
final class WorkloadNames {

  private WorkloadNames() {}

  /**
   * The host end: the prefix and the first 11 hex digits of sha1(workload id), 15 characters — the
   * kernel's limit — and stable across sandboxes of one pod, as Calico's.
   */
  static String hostIface(String workloadId) {
    return EndpointNames.hostInterface(workloadId);
  }

  /**
   * {@code <ns>.<pod>} for Kubernetes pods, else the container id; with {@code .<ifname>} appended
   * for any interface but {@code eth0}, so a second interface of one pod gets its own veth.
   */
  static String workloadId(CniRequest r) {
    String id =
        r.podName() != null && r.podNamespace() != null
            ? r.podNamespace() + "." + r.podName()
            : r.containerId();
    return r.ifName() == null || r.ifName().equals(PodPlumbing.PRIMARY_IFNAME)
        ? id
        : id + "." + r.ifName();
  }

  /**
   * Calico's endpoint name {@code <node>-k8s-<pod>-<endpoint>} ({@code -cni-<containerID>-} without
   * Kubernetes), each part's '-' doubled so the parts can be told apart again, shortened as {@link
   * EndpointNames#endpointName} says.
   */
  static String endpointName(String node, CniRequest r) {
    boolean k8s = r.podName() != null && r.podNamespace() != null;
    String orchestrator = k8s ? "k8s" : "cni";
    String workload = k8s ? r.podName() : r.containerId();
    // Shortened past 253 characters with a digest, as the Kubernetes backend names it too.
    return EndpointNames.endpointName(node, orchestrator, workload, r.ifName());
  }

  /** The endpoint's namespace: the pod's, or {@code default} outside Kubernetes. */
  static String namespace(CniRequest r) {
    return r.podNamespace() != null && r.podName() != null ? r.podNamespace() : "default";
  }
}
