package dev.netctl.agent.policy;

import dev.netctl.datastore.model.Tier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * All policies in Calico's evaluation order: tiers by order (then name), and inside a tier policies
 * by order (absent last), then name. Immutable.
 */
public final class PolicyModel {

  /** Policies by order, absent order last, then by name. */
  public static final Comparator<CompiledPolicy> POLICY_ORDER =
      Comparator.comparing(
              CompiledPolicy::order, Comparator.nullsLast(Comparator.<Double>naturalOrder()))
          .thenComparing(CompiledPolicy::sortName);

  /**
   * One tier and its policies, in order.
   *
   * @param name the tier's name
   * @param order its order (null: after every number)
   * @param passesAtEnd its {@code defaultAction} is Pass: when policies of the tier apply and none
   *     decides, the next tier does (otherwise the packet is dropped)
   * @param policies its policies, in evaluation order
   */
  public record TierPolicies(
      String name, Double order, boolean passesAtEnd, List<CompiledPolicy> policies) {}

  // per tier: the indexes of the policies whose selector requires a namespace, by namespace, and
  // of those that do not; an endpoint then tests only its namespace's policies and the others
  private final List<Map<String, int[]>> byNamespace = new ArrayList<>();
  private final List<int[]> anyNamespace = new ArrayList<>();

  private final List<TierPolicies> tiers;
  private final Set<String> passing = new HashSet<>();
  private static final int[] NONE = new int[0];

  /**
   * @param policies every compiled policy
   * @param tierSpecs each defined tier's order and default action; the default tier's order
   *     defaults to Calico's 1,000,000, a tier no Tier object defines sorts after all defined ones,
   *     and a tier without a default action drops at its end
   */
  public PolicyModel(Collection<CompiledPolicy> policies, Map<String, Tier.Spec> tierSpecs) {
    Map<String, List<CompiledPolicy>> byTier = new LinkedHashMap<>();
    for (CompiledPolicy p : policies)
      byTier.computeIfAbsent(p.tier(), t -> new ArrayList<>()).add(p);
    List<TierPolicies> out = new ArrayList<>();
    for (var e : byTier.entrySet()) {
      List<CompiledPolicy> ps = new ArrayList<>(e.getValue());
      ps.sort(POLICY_ORDER);
      Tier.Spec spec = tierSpecs.get(e.getKey());
      out.add(
          new TierPolicies(
              e.getKey(),
              tierOrder(e.getKey(), tierSpecs),
              spec != null && spec.passesAtEnd(),
              List.copyOf(ps)));
      if (spec != null && spec.passesAtEnd()) passing.add(e.getKey());
    }
    out.sort(
        Comparator.comparing(
                TierPolicies::order, Comparator.nullsLast(Comparator.<Double>naturalOrder()))
            .thenComparing(TierPolicies::name));
    this.tiers = List.copyOf(out);
    for (TierPolicies t : tiers) {
      Map<String, List<Integer>> byNs = new HashMap<>();
      List<Integer> any = new ArrayList<>();
      for (int i = 0; i < t.policies().size(); i++) {
        String ns = Labels.requiredNamespace(t.policies().get(i).appliesTo());
        (ns == null ? any : byNs.computeIfAbsent(ns, k -> new ArrayList<>())).add(i);
      }
      Map<String, int[]> idx = new HashMap<>();
      byNs.forEach((k, v) -> idx.put(k, ints(v)));
      byNamespace.add(idx);
      anyNamespace.add(ints(any));
    }
  }

  private static int[] ints(List<Integer> v) {
    return v.stream().mapToInt(Integer::intValue).toArray();
  }

  /** The order of tier {@code name}. */
  public static Double tierOrder(String name, Map<String, Tier.Spec> tierSpecs) {
    if (tierSpecs.containsKey(name)) return tierSpecs.get(name).order();
    return name.equals(Tier.DEFAULT) ? Tier.DEFAULT_ORDER : null;
  }

  /**
   * What the end of tier {@code name} does when its policies apply and none decided: {@link
   * Action#PASS} (its {@code defaultAction} is Pass) or {@link Action#DENY}.
   */
  public Action endOfTier(String name) {
    return passing.contains(name) ? Action.PASS : Action.DENY;
  }

  /** The tiers in evaluation order. */
  public List<TierPolicies> tiers() {
    return tiers;
  }

  /**
   * For an endpoint with these effective labels, per tier (in order) the policies of direction
   * {@code d} that apply to it, in order; tiers without one are left out.
   */
  public List<List<CompiledPolicy>> applicable(Map<String, String> labels, Direction d) {
    List<List<CompiledPolicy>> out = new ArrayList<>();
    String ns = labels.get(Labels.NAMESPACE);
    for (int ti = 0; ti < tiers.size(); ti++) {
      List<CompiledPolicy> all = tiers.get(ti).policies();
      int[] a = anyNamespace.get(ti);
      int[] b = ns == null ? NONE : byNamespace.get(ti).getOrDefault(ns, NONE);
      List<CompiledPolicy> ps = null;
      // merge the two ascending index lists: policies stay in evaluation order
      for (int i = 0, j = 0; i < a.length || j < b.length; ) {
        int k = j >= b.length || (i < a.length && a[i] < b[j]) ? a[i++] : b[j++];
        CompiledPolicy p = all.get(k);
        if (p.applies(d) && p.appliesTo().matches(labels)) {
          if (ps == null) ps = new ArrayList<>();
          ps.add(p);
        }
      }
      if (ps != null) out.add(ps);
    }
    return out;
  }
}
