package dev.netctl.agent.policy;

/**
 * Names a policy across kinds.
 *
 * @param kind {@code NetworkPolicy}, {@code GlobalNetworkPolicy} or {@code KubernetesNetworkPolicy}
 * @param namespace its namespace, null for a global one
 * @param name its name
 */
public record PolicyId(String kind, String namespace, String name) implements Comparable<PolicyId> {

  /** E.g. {@code KubernetesNetworkPolicy x/allow-80}. */
  @Override
  public String toString() {
    return kind + " " + (namespace == null ? "" : namespace + "/") + name;
  }

  @Override
  public int compareTo(PolicyId o) {
    return toString().compareTo(o.toString());
  }
}
