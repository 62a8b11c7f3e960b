package dev.netctl.agent.cni;

import java.util.Map;
import java.util.Optional;

/**
 * Where pod labels and annotations come from when an orchestrator is there (the agent implements it
 * against Kubernetes); {@link #NONE} otherwise, and then they come from the network config's {@code
 * args.cni.labels} / {@code args.cni.annotations}.
 */
public interface PodInfo {

  /**
   * A pod's metadata.
   *
   * @param labels the pod's labels
   * @param annotations the pod's annotations ({@code cni.projectcalico.org/ipAddrs}, …)
   * @param serviceAccount the pod's service account, or null
   */
  record Pod(Map<String, String> labels, Map<String, String> annotations, String serviceAccount) {}

  /** The pod, or empty when the orchestrator does not know it. */
  Optional<Pod> lookup(String namespace, String name);

  /** No orchestrator. */
  PodInfo NONE = (ns, name) -> Optional.empty();
}
