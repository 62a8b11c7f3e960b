package dev.netctl.agent.policy;

import dev.netctl.datastore.selector.Selector;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Calico's trick for namespaces: an endpoint's effective labels are its own plus {@code
 * projectcalico.org/namespace=<ns>} and its namespace's labels prefixed {@code pcns.} (from the
 * profile {@code kns.<ns>}). A namespace selector then becomes an ordinary selector over {@code
 * pcns.} keys, and one IP set per selector serves every rule.
 */
public final class Labels {
  /** The label holding an endpoint's namespace. */
  public static final String NAMESPACE = "projectcalico.org/namespace";

  /** The prefix of inherited namespace labels. */
  public static final String NAMESPACE_PREFIX = "pcns.";

  /**
   * The label Kubernetes puts on every namespace (its name), so selectors may always use it, even
   * when a namespace's labels (a {@code kns.} Profile, a manifest) leave it out.
   */
  public static final String NAME_LABEL = "kubernetes.io/metadata.name";

  private Labels() {}

  /**
   * An endpoint's labels as selectors see them. The one place namespace labels are normalised: the
   * evaluator ({@code policy explain/matrix}) and the dataplane's sets both come through here, so
   * they cannot disagree about a namespace's {@link #NAME_LABEL}, which is always the namespace's
   * name (the API server forces it so).
   */
  public static Map<String, String> effective(Endpoint e, Map<String, String> namespaceLabels) {
    Map<String, String> m = new HashMap<>(e.labels());
    for (var l : namespaceLabels.entrySet()) m.put(NAMESPACE_PREFIX + l.getKey(), l.getValue());
    m.put(NAMESPACE_PREFIX + NAME_LABEL, e.namespace());
    m.put(NAMESPACE, e.namespace());
    return m;
  }

  /** Endpoints of namespace {@code ns}. */
  public static Selector inNamespace(String ns) {
    // every rule of a namespaced policy ANDs this: build (and validate) it once per namespace
    if (IN_NAMESPACE.size() > 10_000) IN_NAMESPACE.clear();
    return IN_NAMESPACE.computeIfAbsent(ns, k -> new Selector.Equals(NAMESPACE, k));
  }

  private static final Map<String, Selector> IN_NAMESPACE =
      new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * A {@code key == 'value'} term every endpoint the selector matches must have (the selector
   * itself, or a term of an {@code &&}), or null. Lets callers look candidates up by label instead
   * of matching the selector against every endpoint.
   */
  public static Selector.Equals requiredLabel(Selector s) {
    if (s instanceof Selector.Equals e) return e;
    if (s instanceof Selector.And a) {
      for (Selector t : a.operands()) {
        Selector.Equals e = requiredLabel(t);
        if (e != null) return e;
      }
    }
    return null;
  }

  /**
   * A namespace selector as a selector over effective labels. {@code all()}: any namespace; {@code
   * global()}: no namespace (Calico's GlobalNetworkSets and HostEndpoints; netctl has neither, so
   * nothing — every workload endpoint has a namespace).
   */
  public static Selector namespaceSelector(Selector s) {
    if (s instanceof Selector.All) return new Selector.Has(NAMESPACE);
    return prefixed(s);
  }

  /**
   * The namespace a selector requires ({@code projectcalico.org/namespace == 'ns'}, alone or as a
   * term of an {@code &&}), or null. Lets callers skip endpoints of other namespaces with one
   * string comparison instead of a selector match.
   */
  public static String requiredNamespace(Selector s) {
    if (s instanceof Selector.Equals e && e.key().equals(NAMESPACE)) return e.value();
    if (s instanceof Selector.And a) {
      for (Selector t : a.operands()) {
        String ns = requiredNamespace(t);
        if (ns != null) return ns;
      }
    }
    return null;
  }

  /** Both, simplified when one is {@code all()}. */
  public static Selector and(Selector a, Selector b) {
    if (a == null || a instanceof Selector.All) return b;
    if (b == null || b instanceof Selector.All) return a;
    return new Selector.And(List.of(a, b));
  }

  private static Selector prefixed(Selector s) {
    String p = NAMESPACE_PREFIX;
    return switch (s) {
      case Selector.All a -> a;
      case Selector.Global g -> new Selector.Not(new Selector.Has(NAMESPACE));
      case Selector.Has h -> new Selector.Has(p + h.key());
      case Selector.Equals e -> new Selector.Equals(p + e.key(), e.value());
      case Selector.NotEquals e -> new Selector.NotEquals(p + e.key(), e.value());
      case Selector.Contains e -> new Selector.Contains(p + e.key(), e.value());
      case Selector.StartsWith e -> new Selector.StartsWith(p + e.key(), e.value());
      case Selector.EndsWith e -> new Selector.EndsWith(p + e.key(), e.value());
      case Selector.In e -> new Selector.In(p + e.key(), e.values());
      case Selector.NotIn e -> new Selector.NotIn(p + e.key(), e.values());
      case Selector.Not n -> new Selector.Not(prefixed(n.operand()));
      case Selector.And a -> new Selector.And(a.operands().stream().map(Labels::prefixed).toList());
      case Selector.Or o -> new Selector.Or(o.operands().stream().map(Labels::prefixed).toList());
    };
  }
}
