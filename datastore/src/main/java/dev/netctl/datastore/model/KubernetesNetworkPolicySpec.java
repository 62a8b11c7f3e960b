package dev.netctl.datastore.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Map;

/**
 * The spec of a Kubernetes {@code networking.k8s.io/v1} NetworkPolicy, field for field.
 *
 * <p>Null and empty differ where Kubernetes makes them differ: a peer's absent {@code podSelector}
 * is not {@code podSelector: {}}. An absent {@code ingress}/{@code egress} list and an empty one
 * both mean "no rule" (deny, when the direction is isolated).
 *
 * @param podSelector the pods of the policy's namespace it applies to; {@code {}} selects all
 * @param policyTypes Ingress and/or Egress; defaults to Ingress, plus Egress when egress rules
 *     exist
 * @param ingress allowed incoming traffic, unioned
 * @param egress allowed outgoing traffic, unioned
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"podSelector", "policyTypes", "ingress", "egress"})
public record KubernetesNetworkPolicySpec(
    LabelSelector podSelector, List<String> policyTypes, List<Rule> ingress, List<Rule> egress) {

  public KubernetesNetworkPolicySpec {
    podSelector = podSelector == null ? new LabelSelector(null, null) : podSelector;
    policyTypes = policyTypes == null ? null : List.copyOf(policyTypes);
    ingress = ingress == null ? null : List.copyOf(ingress);
    egress = egress == null ? null : List.copyOf(egress);
  }

  /** The rules of ingress, never null. */
  public List<Rule> ingressRules() {
    return ingress == null ? List.of() : ingress;
  }

  /** The rules of egress, never null. */
  public List<Rule> egressRules() {
    return egress == null ? List.of() : egress;
  }

  /**
   * A Kubernetes label selector; an empty one selects everything.
   *
   * @param matchLabels every label must be present with this value
   * @param matchExpressions every expression must hold
   */
  @JsonInclude(JsonInclude.Include.NON_EMPTY)
  @JsonPropertyOrder({"matchLabels", "matchExpressions"})
  public record LabelSelector(Map<String, String> matchLabels, List<Requirement> matchExpressions) {
    public LabelSelector {
      matchLabels = matchLabels == null ? Map.of() : Map.copyOf(matchLabels);
      matchExpressions = matchExpressions == null ? List.of() : List.copyOf(matchExpressions);
    }
  }

  /**
   * One match expression.
   *
   * @param key the label key
   * @param operator In, NotIn, Exists or DoesNotExist
   * @param values the values for In and NotIn
   */
  @JsonInclude(JsonInclude.Include.NON_EMPTY)
  @JsonPropertyOrder({"key", "operator", "values"})
  public record Requirement(String key, String operator, List<String> values) {
    public Requirement {
      values = values == null ? List.of() : List.copyOf(values);
    }
  }

  /**
   * One ingress or egress rule: traffic from/to any peer on any port is allowed. {@code from} is
   * read for ingress and {@code to} for egress; an absent or empty list means every peer.
   *
   * @param from ingress peers
   * @param to egress peers
   * @param ports the ports; absent or empty means every port and protocol
   */
  @JsonInclude(JsonInclude.Include.NON_EMPTY)
  @JsonPropertyOrder({"from", "to", "ports"})
  public record Rule(List<Peer> from, List<Peer> to, List<Port> ports) {
    public Rule {
      from = from == null ? List.of() : List.copyOf(from);
      to = to == null ? List.of() : List.copyOf(to);
      ports = ports == null ? List.of() : List.copyOf(ports);
    }
  }

  /**
   * A peer: pods (by pod and/or namespace selector, AND'd) or an IP block.
   *
   * @param podSelector pods with matching labels; alone: in the policy's namespace
   * @param namespaceSelector pods of matching namespaces; {@code {}} means all namespaces
   * @param ipBlock addresses in a CIDR minus exceptions
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"podSelector", "namespaceSelector", "ipBlock"})
  public record Peer(LabelSelector podSelector, LabelSelector namespaceSelector, IpBlock ipBlock) {}

  /**
   * Addresses in {@code cidr} and not in any {@code except}.
   *
   * @param cidr the block
   * @param except sub-blocks excluded
   */
  @JsonInclude(JsonInclude.Include.NON_EMPTY)
  @JsonPropertyOrder({"cidr", "except"})
  public record IpBlock(String cidr, List<String> except) {
    public IpBlock {
      cidr = Cidr.canonical(cidr);
      except = except == null ? List.of() : except.stream().map(Cidr::canonical).toList();
    }
  }

  /**
   * A port: a number or a name of the destination pod's container port, optionally a range up to
   * {@code endPort}.
   *
   * @param protocol TCP (the default), UDP or SCTP
   * @param port the port number or name; absent means every port of the protocol
   * @param endPort the last port of a range starting at a numeric {@code port}
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"protocol", "port", "endPort"})
  public record Port(String protocol, PortSpec port, Integer endPort) {}
}
