package dev.netctl.agent.policy;

import dev.netctl.datastore.selector.Selector;
import java.util.List;

/**
 * A policy of any kind in the shared model.
 *
 * @param id what it is
 * @param tier its tier's name
 * @param order its order in the tier (null: after every number)
 * @param sortName the name Calico sorts equal orders by
 * @param appliesTo the endpoints it applies to (effective labels)
 * @param ingress whether it applies to ingress (policy type)
 * @param egress whether it applies to egress
 * @param ingressRules ingress rules in order
 * @param egressRules egress rules in order
 * @param error why the policy could not be compiled or rendered; such a policy denies everything
 *     for the endpoints it applies to (fail closed). Null when fine.
 */
public record CompiledPolicy(
    PolicyId id,
    String tier,
    Double order,
    String sortName,
    Selector appliesTo,
    boolean ingress,
    boolean egress,
    List<CompiledRule> ingressRules,
    List<CompiledRule> egressRules,
    String error) {

  public CompiledPolicy {
    ingressRules = List.copyOf(ingressRules);
    egressRules = List.copyOf(egressRules);
  }

  /** Whether the policy has this type. */
  public boolean applies(Direction d) {
    return d == Direction.INGRESS ? ingress : egress;
  }

  /** The rules of one direction. */
  public List<CompiledRule> rules(Direction d) {
    return d == Direction.INGRESS ? ingressRules : egressRules;
  }

  /** A copy that fails closed for {@code reason}. */
  public CompiledPolicy failed(String reason) {
    return new CompiledPolicy(
        id, tier, order, sortName, appliesTo, ingress, egress, List.of(), List.of(), reason);
  }
}
