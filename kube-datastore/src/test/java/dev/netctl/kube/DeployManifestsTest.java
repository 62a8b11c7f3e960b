package dev.netctl.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicy;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicyBinding;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.Validation;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * deploy/ as a cluster would get it: rendered by {@code kubectl kustomize} (offline), every object
 * read strictly with fabric8's model, and the RBAC compared with what the code calls.
 */
class DeployManifestsTest {
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  private static List<HasMetadata> objects;

  @BeforeAll
  static void render() throws Exception {
    Path kubectl = findKubectl();
    if (kubectl == null) {
      String why = "kubectl is not installed (Debian: apt-get install kubernetes-client)";
      if ("true".equals(System.getenv("CI"))) throw new IllegalStateException(why);
      assumeTrue(false, why);
    }
    Process p =
        new ProcessBuilder(kubectl.toString(), "kustomize", CrdsTest.DEPLOY.toString())
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    String yaml = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("kubectl kustomize deploy/ exit code").isZero();
    objects = new ArrayList<>();
    for (String doc : yaml.split("(?m)^---$")) {
      if (doc.isBlank()) continue;
      objects.add(SERIALIZATION.unmarshal(doc, HasMetadata.class));
    }
  }

  @Test
  void everyRenderedObjectIsAKnownKindWithNoFieldTheModelDoesNotKnow() {
    assertThat(objects).hasSizeGreaterThan(20);
    List<String> problems = new ArrayList<>();
    for (HasMetadata o : objects) {
      String where = o.getKind() + " " + o.getMetadata().getName();
      if (o instanceof io.fabric8.kubernetes.api.model.GenericKubernetesResource) {
        problems.add(where + ": kind " + o.getApiVersion() + "/" + o.getKind() + " is unknown");
      }
      unknownFields(o, where, problems);
    }
    assertThat(problems).as("fields fabric8's model does not know (typos)").isEmpty();
  }

  @Test
  void theNodeAgentRunsPrivilegedOnTheHostNetworkAndItsInstallContainerWithNoCapability() {
    PodSpec pod = one(DaemonSet.class, "netctl-node").getSpec().getTemplate().getSpec();
    assertThat(pod.getHostNetwork()).isTrue();
    assertThat(pod.getServiceAccountName()).isEqualTo("netctl-node");
    assertThat(pod.getTolerations())
        .as("tolerates every taint")
        .anySatisfy(
            t -> {
              assertThat(t.getOperator()).isEqualTo("Exists");
              assertThat(t.getKey()).isNull();
              assertThat(t.getEffect()).isNull();
            });

    // ctl's DeployedCommandsTest checks the command against the CLI and the paths against the
    // host's; here, that the install container is there and holds no capability at all.
    Container install = pod.getInitContainers().getFirst();
    assertThat(install.getCommand()).startsWith("netctl", "cni", "install");
    assertThat(install.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(install.getSecurityContext().getCapabilities().getAdd()).isNullOrEmpty();

    Container agent = pod.getContainers().getFirst();
    assertThat(agent.getCommand()).containsExactly("netctl", "node", "run");
    // It enters pod network namespaces and writes /proc/sys (ctl's DeployedCommandsTest says why).
    assertThat(agent.getSecurityContext().getPrivileged()).isTrue();
    // Pod Security admission would refuse it (and hostNetwork, hostPath) in a namespace at the
    // cluster's default level when that is baseline or restricted.
    DaemonSet ds = one(DaemonSet.class, "netctl-node");
    assertThat(
            one(io.fabric8.kubernetes.api.model.Namespace.class, ds.getMetadata().getNamespace())
                .getMetadata()
                .getLabels())
        .containsEntry("pod-security.kubernetes.io/enforce", "privileged");
    assertThat(env(agent)).containsEntry("NETCTL_HEALTH_PORT", "9099");
    assertThat(env(agent)).containsEntry("NETCTL_DATASTORE", "configMap netctl-config/datastore");
    assertThat(env(agent)).containsEntry("NETCTL_NODE_NAME", "field spec.nodeName");
    assertProbe(agent.getLivenessProbe(), "/liveness");
    assertProbe(agent.getReadinessProbe(), "/readiness");
    assertThat(one(io.fabric8.kubernetes.api.model.ConfigMap.class, "netctl-config").getData())
        .containsEntry("datastore", "kubernetes")
        .containsKey("pools.yaml");
  }

  @Test
  void theControllerRunsUnprivilegedUnderItsOwnAccount() {
    PodSpec pod = one(Deployment.class, "netctl-controller").getSpec().getTemplate().getSpec();
    Container c = pod.getContainers().getFirst();
    assertThat(c.getCommand()).containsExactly("netctl", "controller", "run");
    assertThat(pod.getServiceAccountName()).isEqualTo("netctl-controller");
    assertThat(pod.getHostNetwork()).isNotEqualTo(Boolean.TRUE);
    assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(c.getSecurityContext().getCapabilities().getAdd()).isNullOrEmpty();
  }

  @Test
  void eachRoleGrantsExactlyTheCallsItsComponentMakes() {
    assertThat(grants(one(ClusterRole.class, "netctl-node").getRules()))
        .isEqualTo(ApiAccess.nodeAgent());
    assertThat(grants(one(ClusterRole.class, "netctl-controller").getRules()))
        .isEqualTo(ApiAccess.controller());
    assertThat(grants(one(Role.class, "netctl-controller-leader-election").getRules()))
        .isEqualTo(ApiAccess.leaderElection());
    assertThat(one(Role.class, "netctl-controller-leader-election").getMetadata().getNamespace())
        .isEqualTo("netctl-system");
    assertThat(grants(one(Role.class, "netctl-controller-events").getRules()))
        .isEqualTo(ApiAccess.controllerEvents());
    assertThat(one(Role.class, "netctl-controller-events").getMetadata().getNamespace())
        .as("events are granted where the controller writes them, not cluster-wide")
        .isEqualTo(ApiAccess.EVENTS_NAMESPACE);
    // Both components talk to the datastore: whatever they may do there, the backend can send.
    assertThat(ApiAccess.datastore())
        .containsAll(
            ApiAccess.nodeAgent().stream()
                .filter(g -> g.group().equals(StoredKinds.GROUP) && !g.resource().contains("/"))
                .toList());
    // People using `netctl --datastore kubernetes` with the aggregated edit role can do it all:
    // netctl-edit adds our group; Kubernetes' own edit role already reads Pods, Namespaces, Nodes
    // (view) and NetworkPolicies and patches Pods.
    assertThat(grants(one(ClusterRole.class, "netctl-edit").getRules()))
        .containsAll(
            ApiAccess.datastore().stream()
                .filter(g -> g.group().equals(StoredKinds.GROUP))
                .toList());
    assertThat(
            ApiAccess.datastore().stream()
                .filter(g -> !g.group().equals(StoredKinds.GROUP))
                .map(g -> g.group() + "/" + g.resource() + " " + g.verb()))
        .as(
            "the backend's calls outside its own group: reads, the CNI side's pod patch and the"
                + " agent's NetworkUnavailable condition (only `node run` sends it)")
        .allMatch(
            g ->
                g.endsWith(" get")
                    || g.endsWith(" list")
                    || g.endsWith(" watch")
                    || g.equals("/pods patch")
                    || g.equals("/nodes/status patch"));
  }

  @Test
  void rolesAreBoundToTheirServiceAccounts() {
    assertBinding(
        one(ClusterRoleBinding.class, "netctl-node").getRoleRef().getName(),
        one(ClusterRoleBinding.class, "netctl-node").getSubjects(),
        "netctl-node",
        "netctl-node");
    assertBinding(
        one(ClusterRoleBinding.class, "netctl-controller").getRoleRef().getName(),
        one(ClusterRoleBinding.class, "netctl-controller").getSubjects(),
        "netctl-controller",
        "netctl-controller");
    RoleBinding events = one(RoleBinding.class, "netctl-controller-events");
    assertThat(events.getMetadata().getNamespace()).isEqualTo(ApiAccess.EVENTS_NAMESPACE);
    assertBinding(
        events.getRoleRef().getName(),
        events.getSubjects(),
        "netctl-controller-events",
        "netctl-controller");
    RoleBinding lease = one(RoleBinding.class, "netctl-controller-leader-election");
    assertBinding(
        lease.getRoleRef().getName(),
        lease.getSubjects(),
        "netctl-controller-leader-election",
        "netctl-controller");
  }

  @Test
  void theAdmissionPolicyCoversIPPoolsAndIsBound() {
    ValidatingAdmissionPolicy vap = one(ValidatingAdmissionPolicy.class, "netctl-ippool-rules");
    assertThat(vap.getMetadata().getNamespace()).isNull();
    var rule = vap.getSpec().getMatchConstraints().getResourceRules().getFirst();
    assertThat(rule.getApiGroups()).containsExactly(StoredKinds.GROUP);
    assertThat(rule.getResources()).containsExactly("ippools");
    assertThat(rule.getOperations()).containsExactlyInAnyOrder("CREATE", "UPDATE");
    String all =
        java.util.stream.Stream.concat(
                vap.getSpec().getVariables().stream().map(v -> v.getExpression()),
                vap.getSpec().getValidations().stream().map(Validation::getExpression))
            .collect(Collectors.joining("\n"));
    assertThat(all)
        .contains("isCIDR(object.spec.cidr)")
        .contains("oldObject.spec.cidr")
        .contains("prefixLength()")
        .contains("masked()");
    assertThat(vap.getSpec().getValidations())
        .allSatisfy(v -> assertThat(v.getMessageExpression()).isNotBlank());
    ValidatingAdmissionPolicyBinding b =
        one(ValidatingAdmissionPolicyBinding.class, "netctl-ippool-rules");
    assertThat(b.getSpec().getPolicyName()).isEqualTo("netctl-ippool-rules");
    assertThat(b.getSpec().getValidationActions()).containsExactly("Deny");
  }

  @Test
  void theBlockSizeRuleComparesBothObjectsDefaultedAlike() {
    // Compared raw, a pool created without blockSize (26) and written back with blockSize: 26
    // was refused as a change (0 != 26). No CEL runtime here, so the rule's shape is pinned: both
    // sides are the variables that default an absent blockSize by the pool's family.
    ValidatingAdmissionPolicy vap = one(ValidatingAdmissionPolicy.class, "netctl-ippool-rules");
    java.util.Map<String, String> vars =
        vap.getSpec().getVariables().stream()
            .collect(Collectors.toMap(v -> v.getName(), v -> v.getExpression()));
    assertThat(vars.get("blockSize")).contains("object.spec.blockSize", "26", "122");
    assertThat(vars.get("oldBlockSize"))
        .contains("oldObject.spec.blockSize", "oldObject.spec.cidr", "26", "122");
    assertThat(vap.getSpec().getValidations())
        .filteredOn(
            v -> v.getExpression().contains("blockSize") && v.getExpression().contains("UPDATE"))
        .singleElement()
        .satisfies(
            v ->
                assertThat(v.getExpression())
                    .isEqualTo(
                        "request.operation != 'UPDATE' || variables.blockSize =="
                            + " variables.oldBlockSize"));
  }

  @Test
  void theCidrRuleComparesAddressesNotText() {
    // Compared as strings, FD00:0:0:0::/122 written over the stored fd00::/122 (netctl stores
    // RFC 5952 text) was denied as a change of the pool's cidr.
    ValidatingAdmissionPolicy vap = one(ValidatingAdmissionPolicy.class, "netctl-ippool-rules");
    assertThat(vap.getSpec().getValidations())
        .filteredOn(v -> v.getExpression().contains("oldObject.spec.cidr"))
        .singleElement()
        .satisfies(
            v ->
                assertThat(v.getExpression())
                    .contains("cidr(object.spec.cidr) == cidr(oldObject.spec.cidr)")
                    .contains("isCIDR(oldObject.spec.cidr)"));
  }

  @Test
  void thePolicyRefusesPoolsOverLinkLocalRangesAsTheValidatorDoes() {
    // Its header says it holds the validator's rules; this one was missing, so the API server
    // admitted 169.254.0.0/16 and fe80::/64 pools that every netctl component then ignored.
    ValidatingAdmissionPolicy vap = one(ValidatingAdmissionPolicy.class, "netctl-ippool-rules");
    assertThat(vap.getSpec().getVariables())
        .filteredOn(v -> v.getName().equals("linkLocal"))
        .singleElement()
        .satisfies(v -> assertThat(v.getExpression()).contains("'169.254.0.0/16'", "'fe80::/10'"));
    assertThat(vap.getSpec().getValidations())
        .filteredOn(v -> v.getExpression().contains("variables.linkLocal"))
        .singleElement()
        .satisfies(
            v ->
                assertThat(v.getMessageExpression())
                    .contains("must not overlap the link-local range"));
  }

  // --- helpers ---------------------------------------------------------------------------------

  private static void assertProbe(Probe probe, String path) {
    assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
    assertThat(probe.getHttpGet().getPort().getIntVal()).isEqualTo(9099);
  }

  private static void assertBinding(
      String roleRef,
      List<io.fabric8.kubernetes.api.model.rbac.Subject> subjects,
      String role,
      String account) {
    assertThat(roleRef).isEqualTo(role);
    assertThat(subjects).hasSize(1);
    assertThat(subjects.getFirst().getKind()).isEqualTo("ServiceAccount");
    assertThat(subjects.getFirst().getName()).isEqualTo(account);
    assertThat(subjects.getFirst().getNamespace()).isEqualTo("netctl-system");
  }

  private static Map<String, String> env(Container c) {
    return c.getEnv().stream()
        .collect(
            Collectors.toMap(
                EnvVar::getName,
                e -> {
                  if (e.getValue() != null) return e.getValue();
                  var from = e.getValueFrom();
                  if (from.getConfigMapKeyRef() != null) {
                    return "configMap "
                        + from.getConfigMapKeyRef().getName()
                        + "/"
                        + from.getConfigMapKeyRef().getKey();
                  }
                  return "field " + from.getFieldRef().getFieldPath();
                }));
  }

  private static Set<ApiAccess.Grant> grants(List<PolicyRule> rules) {
    Set<ApiAccess.Grant> out = new HashSet<>();
    for (PolicyRule r : rules) {
      for (String g : r.getApiGroups()) {
        for (String res : r.getResources()) {
          for (String v : r.getVerbs()) {
            if (res.equals("*")) {
              // expand a wildcard over our own kinds, the only group a wildcard is used for here
              for (String kind : StoredKinds.all())
                out.add(new ApiAccess.Grant(g, StoredKinds.plural(kind), v));
            } else {
              out.add(new ApiAccess.Grant(g, res, v));
            }
          }
        }
      }
    }
    return out;
  }

  private static <T extends HasMetadata> T one(Class<T> type, String name) {
    List<T> found =
        objects.stream()
            .filter(type::isInstance)
            .map(type::cast)
            .filter(o -> o.getMetadata().getName().equals(name))
            .toList();
    assertThat(found).as("%s %s in the rendered deploy/", type.getSimpleName(), name).hasSize(1);
    return found.getFirst();
  }

  /**
   * fabric8's model keeps fields it does not know in {@code additionalProperties} instead of
   * failing; any entry there is a field a real API server would reject or drop.
   */
  private static void unknownFields(Object o, String path, List<String> problems) {
    if (o == null) return;
    if (o instanceof Collection<?> c) {
      int i = 0;
      for (Object e : c) unknownFields(e, path + "[" + i++ + "]", problems);
      return;
    }
    if (o instanceof Map<?, ?> m) {
      for (Map.Entry<?, ?> e : m.entrySet())
        unknownFields(e.getValue(), path + "." + e.getKey(), problems);
      return;
    }
    if (!(o instanceof KubernetesResource)) return;
    for (Method m : o.getClass().getMethods()) {
      if (m.getParameterCount() != 0
          || Modifier.isStatic(m.getModifiers())
          || !m.getName().startsWith("get")
          || m.getDeclaringClass() == Object.class) {
        continue;
      }
      Object value;
      try {
        value = m.invoke(o);
      } catch (ReflectiveOperationException e) {
        continue;
      }
      if (m.getName().equals("getAdditionalProperties") && value instanceof Map<?, ?> extra) {
        if (!extra.isEmpty()) problems.add(path + ": unknown " + extra.keySet());
        continue;
      }
      if (value instanceof KubernetesResource
          || value instanceof Collection<?>
          || value instanceof Map<?, ?>) {
        String field = Character.toLowerCase(m.getName().charAt(3)) + m.getName().substring(4);
        unknownFields(value, path + "." + field, problems);
      }
    }
  }

  private static Path findKubectl() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      Path p = Path.of(dir, "kubectl");
      if (Files.isExecutable(p)) return p;
    }
    return null;
  }
}
