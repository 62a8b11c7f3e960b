package dev.netctl.kube;

import dev.netctl.datastore.Key;
import dev.netctl.datastore.model.Kind;
import dev.netctl.datastore.model.NetworkPolicySpec;
import dev.netctl.datastore.model.PolicyRule;
import dev.netctl.datastore.model.Resource;
import dev.netctl.datastore.model.ResourceCodec;
import dev.netctl.datastore.model.ValidationException;
import dev.netctl.datastore.model.Violation;
import java.util.ArrayList;
import java.util.List;

/**
 * Refuses the policy fields this backend cannot enforce: a selector over a service account's labels
 * ({@code serviceAccounts.selector} in a rule, a policy's {@code serviceAccountSelector}). The
 * agent takes service account labels from {@code ksa.<namespace>.<name>} Profiles, which the etcd
 * and embedded datastores store as written, but here Profiles are derived from Namespaces only:
 * ServiceAccounts are not read, so such a selector would match no pod, and a Deny using it would
 * deny nothing. {@code serviceAccounts.names} is enforced: a pod's service account comes from its
 * spec.
 */
final class ServiceAccountLabelsCheck {

  private static final ResourceCodec CODEC = new ResourceCodec();
  private static final String WHY =
      "needs ServiceAccount labels, which the kubernetes datastore does not read;"
          + " serviceAccounts.names works";

  private ServiceAccountLabelsCheck() {}

  /**
   * @throws ValidationException naming each such field of a Calico policy value
   */
  static void check(Key key, byte[] value) {
    Kind<?> kind;
    if (key.kind().equals(Kind.NETWORK_POLICY.storageKind())) kind = Kind.NETWORK_POLICY;
    else if (key.kind().equals(Kind.GLOBAL_NETWORK_POLICY.storageKind())) {
      kind = Kind.GLOBAL_NETWORK_POLICY;
    } else return;
    Resource r;
    try {
      r = CODEC.fromStorage(kind, value, 0);
    } catch (RuntimeException e) {
      return; // not ours to judge: the write fails or succeeds as before
    }
    if (!(r.spec() instanceof NetworkPolicySpec s)) return;
    List<Violation> out = new ArrayList<>();
    String name = Violation.nameOf(r);
    if (s.serviceAccountSelector() != null) {
      out.add(
          new Violation(
              kind.name(), name, "spec.serviceAccountSelector", s.serviceAccountSelector(), WHY));
    }
    rules(out, kind.name(), name, "spec.ingress", s.ingress());
    rules(out, kind.name(), name, "spec.egress", s.egress());
    if (!out.isEmpty()) throw new ValidationException(out);
  }

  private static void rules(
      List<Violation> out, String kind, String name, String field, List<PolicyRule> rules) {
    for (int i = 0; i < rules.size(); i++) {
      PolicyRule r = rules.get(i);
      entity(out, kind, name, field + "[" + i + "].source", r.source());
      entity(out, kind, name, field + "[" + i + "].destination", r.destination());
    }
  }

  private static void entity(
      List<Violation> out, String kind, String name, String field, PolicyRule.Entity e) {
    String selector = e.serviceAccountLabelSelector();
    if (selector != null) {
      out.add(new Violation(kind, name, field + ".serviceAccounts.selector", selector, WHY));
    }
  }
}
