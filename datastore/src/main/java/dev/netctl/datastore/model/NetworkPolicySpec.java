package dev.netctl.datastore.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * The spec of a Calico NetworkPolicy and GlobalNetworkPolicy.
 *
 * @param tier the tier the policy belongs to; {@code default} when absent
 * @param order lower orders apply first; absent sorts after every number (Calico's "infinity")
 * @param selector the endpoints the policy applies to ({@code all()} when blank); for a namespaced
 *     policy only endpoints of its namespace
 * @param namespaceSelector GlobalNetworkPolicy only: also require the endpoint's namespace to match
 * @param serviceAccountSelector also require the endpoint's service account's labels to match
 * @param types Ingress and/or Egress; absent: Egress when egress rules exist, Ingress when ingress
 *     rules exist or no egress rule does (Calico's defaulting)
 * @param ingress rules for traffic to the selected endpoints, evaluated in order
 * @param egress rules for traffic from the selected endpoints, evaluated in order
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder({
  "tier",
  "order",
  "selector",
  "namespaceSelector",
  "serviceAccountSelector",
  "types",
  "ingress",
  "egress"
})
public record NetworkPolicySpec(
    String tier,
    Double order,
    String selector,
    String namespaceSelector,
    String serviceAccountSelector,
    List<String> types,
    List<PolicyRule> ingress,
    List<PolicyRule> egress) {

  public NetworkPolicySpec {
    types = types == null ? List.of() : List.copyOf(types);
    ingress = ingress == null ? List.of() : List.copyOf(ingress);
    egress = egress == null ? List.of() : List.copyOf(egress);
  }
}
