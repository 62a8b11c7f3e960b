package dev.netctl.agent.policy;

import dev.netctl.datastore.model.Profile;
import dev.netctl.datastore.model.Resource;
import dev.netctl.datastore.model.Tier;
import dev.netctl.datastore.model.WorkloadEndpoint;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything {@code policy explain} and {@code policy matrix} evaluate against: the policy model,
 * the endpoints and the namespaces' labels, built from resources (policies of every kind, Tiers,
 * {@code kns.<ns>} Profiles, WorkloadEndpoints) plus endpoints and namespaces read from elsewhere
 * (Kubernetes Pod and Namespace manifests).
 *
 * @param model the policies
 * @param endpoints the endpoints, sorted by namespace then name
 * @param namespaces each namespace's labels as given ({@link Labels#effective} adds the name label
 *     Kubernetes guarantees)
 * @param serviceAccounts each service account's labels (from {@code ksa.<ns>.<name>} Profiles), by
 *     {@link Labels#serviceAccountKey}
 */
public record PolicySnapshot(
    PolicyModel model,
    List<Endpoint> endpoints,
    Map<String, Map<String, String>> namespaces,
    Map<String, Map<String, String>> serviceAccounts) {

  /**
   * @param resources policies, Tiers, Profiles ({@code kns.} namespaces, {@code ksa.} service
   *     accounts) and WorkloadEndpoints; other kinds are ignored
   * @param pods more endpoints
   * @param namespaceLabels more namespaces and their labels
   */
  public static PolicySnapshot of(
      Collection<? extends Resource> resources,
      Collection<Endpoint> pods,
      Map<String, Map<String, String>> namespaceLabels) {
    List<CompiledPolicy> policies = new ArrayList<>();
    Map<String, Tier.Spec> tiers = new HashMap<>();
    List<Endpoint> endpoints = new ArrayList<>(pods);
    Map<String, Map<String, String>> sas = new HashMap<>();
    Map<String, Map<String, String>> ns = new HashMap<>();
    namespaceLabels.forEach((k, v) -> ns.put(k, new HashMap<>(v)));
    for (Resource r : resources) {
      if (PolicyCompiler.isPolicy(r)) policies.add(asProgrammed(PolicyCompiler.compile(r)));
      else if (r instanceof Tier t) tiers.put(t.name(), t.spec());
      else if (r instanceof WorkloadEndpoint w) endpoints.add(Endpoint.of(w));
      else if (r instanceof Profile p && p.name().startsWith(Profile.NAMESPACE_PREFIX)) {
        ns.put(
            p.name().substring(Profile.NAMESPACE_PREFIX.length()),
            new HashMap<>(p.spec().labelsToApply()));
      } else if (r instanceof Profile p && Labels.serviceAccountOfProfile(p.name()) != null) {
        sas.put(Labels.serviceAccountOfProfile(p.name()), Map.copyOf(p.spec().labelsToApply()));
      }
    }
    for (Endpoint e : endpoints) ns.computeIfAbsent(e.namespace(), k -> new HashMap<>());
    endpoints.sort(Comparator.comparing(Endpoint::namespace).thenComparing(Endpoint::name));
    Map<String, Map<String, String>> frozen = new HashMap<>();
    ns.forEach((k, v) -> frozen.put(k, Map.copyOf(v)));
    return new PolicySnapshot(
        new PolicyModel(policies, tiers),
        List.copyOf(endpoints),
        Map.copyOf(frozen),
        Map.copyOf(sas));
  }

  /**
   * The policy as the dataplane would hold it: one the renderer cannot express fails closed there
   * (denies its endpoints everything), so it does here too, and {@code explain}/{@code matrix}
   * answer what the kernel does rather than what the rules say.
   */
  private static CompiledPolicy asProgrammed(CompiledPolicy p) {
    if (p.error() != null) return p;
    try {
      for (Direction d : Direction.values()) PolicyRenderer.policy(p, d);
      return p;
    } catch (PolicyRenderer.UnrenderableException e) {
      return p.failed(e.getMessage());
    }
  }

  /** An evaluator over this snapshot. */
  public Evaluator evaluator() {
    return new Evaluator(model, endpoints, namespaces, serviceAccounts);
  }

  /** The endpoint {@code ns/name}, or null. */
  public Endpoint endpoint(String id) {
    for (Endpoint e : endpoints) if (e.id().equals(id)) return e;
    return null;
  }
}
