package dev.netctl.agent.policy;

/** The direction a policy rule applies in, seen from the endpoint the policy selects. */
public enum Direction {
  /** Traffic arriving at the endpoint. */
  INGRESS("Ingress"),
  /** Traffic leaving the endpoint. */
  EGRESS("Egress");

  private final String calicoName;

  Direction(String calicoName) {
    this.calicoName = calicoName;
  }

  /** {@code Ingress} or {@code Egress}, as policy types are written. */
  public String calicoName() {
    return calicoName;
  }
}
