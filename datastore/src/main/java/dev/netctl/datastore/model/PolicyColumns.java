package dev.netctl.datastore.model;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The {@code get} table columns of the policy kinds. */
final class PolicyColumns {
  private PolicyColumns() {}

  static <R extends Resource> List<Column<R>> calico(boolean namespaced, boolean wide) {
    List<Column<R>> out = new java.util.ArrayList<>();
    if (namespaced) out.add(new Column<>("NAMESPACE", r -> orEmpty(r.metadata().namespace())));
    out.add(new Column<>("NAME", Resource::name));
    out.add(new Column<>("TIER", r -> orDefault(spec(r).tier(), Tier.DEFAULT)));
    out.add(new Column<>("ORDER", r -> spec(r).order() == null ? "" : fmt(spec(r).order())));
    out.add(new Column<>("SELECTOR", r -> orDefault(spec(r).selector(), "all()")));
    if (wide) {
      out.add(new Column<>("TYPES", r -> String.join(",", spec(r).types())));
      out.add(new Column<>("INGRESS", r -> Integer.toString(spec(r).ingress().size())));
      out.add(new Column<>("EGRESS", r -> Integer.toString(spec(r).egress().size())));
    }
    return out;
  }

  static List<Column<KubernetesNetworkPolicy>> kubernetes() {
    return List.of(
        new Column<>("NAMESPACE", p -> orEmpty(p.metadata().namespace())),
        new Column<>("NAME", KubernetesNetworkPolicy::name),
        new Column<>("POD-SELECTOR", p -> podSelector(p.spec().podSelector())),
        new Column<>(
            "TYPES",
            p -> p.spec().policyTypes() == null ? "" : String.join(",", p.spec().policyTypes())));
  }

  static String labels(Map<String, String> labels) {
    return labels.entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining(","));
  }

  private static String podSelector(KubernetesNetworkPolicySpec.LabelSelector s) {
    String l = labels(s.matchLabels());
    if (!s.matchExpressions().isEmpty()) {
      l += (l.isEmpty() ? "" : ",") + s.matchExpressions().size() + " expression(s)";
    }
    return l.isEmpty() ? "<none>" : l;
  }

  private static NetworkPolicySpec spec(Resource r) {
    return (NetworkPolicySpec) r.spec();
  }

  private static String fmt(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }

  private static String orEmpty(String s) {
    return s == null ? "" : s;
  }

  private static String orDefault(String s, String d) {
    return s == null || s.isEmpty() ? d : s;
  }
}
