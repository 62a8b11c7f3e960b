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
   * Kubernetes), each part's '-' doubled so the parts can be told apart again.
   */
  static String endpointName(String node, CniRequest r) {
    boolean k8s = r.podName() != null && r.podNamespace() != null;
    String orchestrator = k8s ? "k8s" : "cni";
    String workload = k8s ? r.podName() : r.containerId();
    String full = EndpointNames.endpointName(node, orchestrator, workload, r.ifName());
    if (full.length() <= MAX_NAME) return full;
    // A pod name may be 253 characters, so the node, orchestrator and interface around it (and
    // its doubled dashes) can push the name past the object name limit. As with the host veth
    // (prefix + hash, the kernel's 15), the workload part is cut and ends in a digest of the full
    // name: still unique, still four parts, and the same on every ADD, CHECK and DEL of the pod.
    String digest = sha1Hex(full).substring(0, DIGEST_HEX);
    int room =
        MAX_NAME - EndpointNames.endpointName(node, orchestrator, digest, r.ifName()).length();
    int end = 0;
    for (int used = 0; end < workload.length(); end++) {
      used += workload.charAt(end) == '-' ? 2 : 1; // escaped, a '-' is two
      if (used > room) break;
    }
    // The cut ends in a letter or digit, so no DNS label of the name ends in '-' or '.'.
    while (end > 0 && !Character.isLetterOrDigit(workload.charAt(end - 1))) end--;
    String cut = workload.substring(0, end);
    return EndpointNames.endpointName(node, orchestrator, cut + digest, r.ifName());
  }

  /** Kubernetes' limit on an object name (a DNS-1123 subdomain), which the endpoint name obeys. */
  static final int MAX_NAME = 253;

  /** Hex digits of the digest that ends a shortened workload part. */
  private static final int DIGEST_HEX = 16;

  private static String sha1Hex(String s) {
    try {
      byte[] d =
          java.security.MessageDigest.getInstance("SHA-1")
              .digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(d);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-1", e);
    }
  }

  /** The endpoint's namespace: the pod's, or {@code default} outside Kubernetes. */
  static String namespace(CniRequest r) {
    return r.podNamespace() != null && r.podName() != null ? r.podNamespace() : "default";
  }
}
