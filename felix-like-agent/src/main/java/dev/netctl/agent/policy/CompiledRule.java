package dev.netctl.agent.policy;

/**
 * A rule in the one model both the evaluator and the nftables renderer read.
 *
 * @param origin where it came from in its policy, e.g. {@code spec.ingress[0]} or, for a converted
 *     Kubernetes rule, {@code spec.ingress[0].from[1] ports[0]}
 * @param action what a match does
 * @param ipVersion the only IP family it matches (Calico's {@code ipVersion}), or null for both
 * @param protocol the IP protocol it needs, or null for any
 * @param notProtocol a protocol it excludes, or null
 * @param icmp ICMP type/code it needs, or null
 * @param notIcmp ICMP type/code it excludes, or null
 * @param source the source condition
 * @param destination the destination condition
 */
public record CompiledRule(
    String origin,
    Action action,
    IpFamily ipVersion,
    Integer protocol,
    Integer notProtocol,
    Icmp icmp,
    Icmp notIcmp,
    EntityMatch source,
    EntityMatch destination) {

  /** Whether the rule can match a packet of family {@code f} by its {@code ipVersion}. */
  public boolean ofFamily(IpFamily f) {
    return ipVersion == null || ipVersion == f;
  }

  /**
   * ICMP type and optional code.
   *
   * @param type the type
   * @param code the code, or null for any
   */
  public record Icmp(int type, Integer code) {}
}
