package dev.netctl.agent.node;

import java.util.List;
import java.util.Map;

/**
 * What {@code netctl node status} shows of a running agent (served as JSON on {@code /status}).
 *
 * @param node the node name
 * @param ipv4 the node's IPv4 address with prefix, or null
 * @param ipv6 its IPv6 address, or null
 * @param inSync whether the datastore has been listed and is watched
 * @param ready in sync, first apply done, BGP sessions up
 * @param peers BGP sessions
 * @param routes routes programmed
 * @param vteps VXLAN peers programmed
 * @param encapsulation per pool, how this node reaches other nodes' blocks
 * @param ipipFallback whether IPIP pools are carried over VXLAN here
 * @param mtu the pod MTU the agent publishes
 * @param lastApply RFC 3339 time of the last successful apply, or null
 * @param lastError the last apply error, or null
 * @param policyFailures policies the dataplane could not render, each failing closed, with why
 * @param refusedPools pools left out of the dataplane (invalid, or overlapping an older pool), each
 *     with why
 */
public record AgentStatus(
    String node,
    String ipv4,
    String ipv6,
    boolean inSync,
    boolean ready,
    List<Peer> peers,
    int routes,
    int vteps,
    Map<String, String> encapsulation,
    boolean ipipFallback,
    int mtu,
    String lastApply,
    String lastError,
    List<String> policyFailures,
    List<String> refusedPools) {

  public AgentStatus {
    policyFailures = policyFailures == null ? List.of() : List.copyOf(policyFailures);
    refusedPools = refusedPools == null ? List.of() : List.copyOf(refusedPools);
  }

  /**
   * One BGP session, in {@code calicoctl node status}' terms.
   *
   * @param address the peer's address (RFC 5952)
   * @param type node-to-node mesh, node specific, or global
   * @param state the BGP state (Established...)
   * @param since RFC 3339 time of the last state change
   * @param info the last error or NOTIFICATION, or empty
   */
  public record Peer(String address, String type, String state, String since, String info) {}

  /** Before anything is known. */
  static AgentStatus starting(String node) {
    return new AgentStatus(
        node, null, null, false, false, List.of(), 0, 0, Map.of(), false, 0, null, null, List.of(),
        List.of());
  }
}
