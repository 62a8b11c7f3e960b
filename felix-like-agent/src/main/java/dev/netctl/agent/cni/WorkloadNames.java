package dev.netctl.agent.cni;

import dev.netctl.agent.kernel.Ownership;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Calico's names for a pod attachment: the host veth and the WorkloadEndpoint. */
final class WorkloadNames {

  private WorkloadNames() {}

  /**
   * The host end: the prefix and the first 11 hex digits of sha1(workload id), 15 characters — the
   * kernel's limit — and stable across sandboxes of one pod, as Calico's.
   */
  static String hostIface(String workloadId) {
    try {
      byte[] d =
          MessageDigest.getInstance("SHA-1").digest(workloadId.getBytes(StandardCharsets.UTF_8));
      return Ownership.IFACE_PREFIX + HexFormat.of().formatHex(d).substring(0, 11);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-1", e);
    }
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
    return r.ifName() == null || r.ifName().equals("eth0") ? id : id + "." + r.ifName();
  }

  /**
   * Calico's endpoint name {@code <node>-k8s-<pod>-<endpoint>} ({@code -cni-<containerID>-} without
   * Kubernetes), each part's '-' doubled so the parts can be told apart again.
   */
  static String endpointName(String node, CniRequest r) {
    boolean k8s = r.podName() != null && r.podNamespace() != null;
    return escape(node)
        + (k8s ? "-k8s-" + escape(r.podName()) : "-cni-" + escape(r.containerId()))
        + "-"
        + escape(r.ifName());
  }

  /** The endpoint's namespace: the pod's, or {@code default} outside Kubernetes. */
  static String namespace(CniRequest r) {
    return r.podNamespace() != null && r.podName() != null ? r.podNamespace() : "default";
  }

  private static String escape(String part) {
    return part.replace("-", "--");
  }
}
