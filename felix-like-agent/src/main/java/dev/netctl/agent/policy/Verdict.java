package dev.netctl.agent.policy;

/**
 * The answer to "may this packet pass": both directions' results and the overall verdict.
 *
 * @param allowed true when the source's egress and the destination's ingress both allow it
 * @param egress what the source's egress policy decided
 * @param ingress what the destination's ingress policy decided
 */
public record Verdict(boolean allowed, Decision egress, Decision ingress) {

  /** How one direction was decided. */
  public enum Outcome {
    /** The endpoint on this side is not a workload (no policy applies to plain addresses). */
    NOT_A_WORKLOAD,
    /** No policy of this direction applies to the endpoint: its profile allows. */
    NOT_ISOLATED,
    /** Traffic from the node to its own pods is always allowed (kubelet probes). */
    FROM_NODE,
    /** A rule allowed it. */
    ALLOWED,
    /** Every applicable tier passed it on; the profile allows. */
    PASSED,
    /** A Deny rule dropped it. */
    DENIED,
    /** Policies apply, but no rule of the deciding tier allowed it (end-of-tier drop). */
    NO_RULE,
    /** A policy that cannot be rendered applies: it fails closed. */
    FAILED_CLOSED
  }

  /**
   * One direction's result.
   *
   * @param outcome how it was decided
   * @param policy the deciding policy, or null
   * @param rule the deciding rule's origin, or null
   * @param text a sentence for people, e.g. "isolated by KubernetesNetworkPolicy y/deny; no rule
   *     allows"
   */
  public record Decision(Outcome outcome, PolicyId policy, String rule, String text) {
    /** True when this direction lets the packet through. */
    public boolean allows() {
      return switch (outcome) {
        case NOT_A_WORKLOAD, NOT_ISOLATED, FROM_NODE, ALLOWED, PASSED -> true;
        case DENIED, NO_RULE, FAILED_CLOSED -> false;
      };
    }
  }
}
