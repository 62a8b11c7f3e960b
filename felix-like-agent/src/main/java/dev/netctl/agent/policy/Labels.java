package dev.netctl.agent.policy;

import dev.netctl.datastore.model.Profile;
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

  /** The label holding the name of an endpoint's service account (Calico's). */
  public static final String SERVICE_ACCOUNT = "projectcalico.org/serviceaccount";

  /** The prefix of inherited service account labels (Calico's). */
  public static final String SERVICE_ACCOUNT_PREFIX = "pcsa.";

  /** The label Calico gives every service account: its name. */
  public static final String SERVICE_ACCOUNT_NAME = "projectcalico.org/name";

  /**
   * An endpoint's labels as selectors see them. The one place namespace and service account labels
   * are normalised: the evaluator ({@code policy explain/matrix}) and the dataplane's sets both
   * come through here, so they cannot disagree about a namespace's {@link #NAME_LABEL}, which is
   * always the namespace's name (the API server forces it so).
   *
   * @param namespaceLabels the labels of the endpoint's namespace
   * @param serviceAccountLabels the labels of each service account, by {@link #serviceAccountKey}
   */
  public static Map<String, String> effective(
      Endpoint e,
      Map<String, String> namespaceLabels,
      Map<String, Map<String, String>> serviceAccountLabels) {
    Map<String, String> m = new HashMap<>(e.labels());
    for (var l : namespaceLabels.entrySet()) m.put(NAMESPACE_PREFIX + l.getKey(), l.getValue());
    m.put(NAMESPACE_PREFIX + NAME_LABEL, e.namespace());
    m.put(NAMESPACE, e.namespace());
    String sa = e.labels().get(SERVICE_ACCOUNT);
    if (sa != null) {
      String key = serviceAccountKey(e.namespace(), sa);
      for (var l : serviceAccountLabels.getOrDefault(key, Map.of()).entrySet()) {
        m.put(SERVICE_ACCOUNT_PREFIX + l.getKey(), l.getValue());
      }
      m.put(SERVICE_ACCOUNT_PREFIX + SERVICE_ACCOUNT_NAME, sa);
    }
    return m;
  }

  /** How service accounts are keyed: {@code <namespace>/<name>}. */
  public static String serviceAccountKey(String namespace, String name) {
    return namespace + "/" + name;
  }

  /**
   * The key of the service account a {@code ksa.<namespace>.<name>} profile stands for, or null for
   * another profile name (a namespace cannot hold a dot, so the first one ends it).
   */
  public static String serviceAccountOfProfile(String profile) {
    if (!profile.startsWith(Profile.SERVICE_ACCOUNT_PREFIX)) return null;
    String rest = profile.substring(Profile.SERVICE_ACCOUNT_PREFIX.length());
    int dot = rest.indexOf('.');
    if (dot <= 0 || dot == rest.length() - 1) return null;
    return serviceAccountKey(rest.substring(0, dot), rest.substring(dot + 1));
  }

  /**
   * Calico's {@code serviceAccounts} of a rule as a selector over effective labels: the service
   * account's labels match {@code selector} and its name is one of {@code names}; null when neither
   * is given.
   */
  public static Selector serviceAccounts(List<String> names, Selector selector) {
    Selector bySelector = selector == null ? null : prefixed(selector, SERVICE_ACCOUNT_PREFIX);
    Selector byName = names.isEmpty() ? null : new Selector.In(SERVICE_ACCOUNT, names);
    if (bySelector == null) return byName;
    return byName == null ? bySelector : and(bySelector, byName);
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
    return prefixed(s, NAMESPACE_PREFIX);
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

  private static Selector prefixed(Selector s, String p) {
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
      case Selector.Not n -> new Selector.Not(prefixed(n.operand(), p));
      case Selector.And a ->
          new Selector.And(a.operands().stream().map(t -> prefixed(t, p)).toList());
      case Selector.Or o ->
          new Selector.Or(o.operands().stream().map(t -> prefixed(t, p)).toList());
    };
  }
}
