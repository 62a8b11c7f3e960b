package dev.netctl.kube;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A static guard beside the recorded-request checks: the request checks see only the calls a test
 * makes, so a new call no test makes would reach a cluster without its RBAC grant. This reads the
 * sources instead: every Kubernetes resource the code names (a fabric8 accessor such as {@code
 * .leases()}, or a literal {@code /api/v1/...} path) must be one {@link ApiAccess} grants some verb
 * on, and {@code DeployManifestsTest} holds the rendered roles to {@link ApiAccess}. A new resource
 * therefore fails here until it is declared there, and then fails there until deploy/ grants it.
 */
class ApiCallsTest {
  private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
  private static final Path SOURCES = ROOT.resolve("kube-datastore/src/main/java");

  /** fabric8 accessors and the resource ("group/plural", core group empty) each one reaches. */
  private static final Map<String, String> ACCESSORS =
      Map.ofEntries(
          Map.entry("pods", "/pods"),
          Map.entry("nodes", "/nodes"),
          Map.entry("namespaces", "/namespaces"),
          Map.entry("services", "/services"),
          Map.entry("endpoints", "/endpoints"),
          Map.entry("secrets", "/secrets"),
          Map.entry("configMaps", "/configmaps"),
          Map.entry("serviceAccounts", "/serviceaccounts"),
          Map.entry("events", "/events"),
          Map.entry("leases", "coordination.k8s.io/leases"),
          Map.entry("networkPolicies", "networking.k8s.io/networkpolicies"),
          Map.entry("endpointSlices", "discovery.k8s.io/endpointslices"),
          Map.entry("customResourceDefinitions", "apiextensions.k8s.io/customresourcedefinitions"));

  private static final Pattern ACCESSOR = Pattern.compile("\\.(\\w+)\\(\\)");
  // "/api/v1/nodes", "/api/v1/namespaces/" + ns + "/pods": the first segment after v1
  private static final Pattern CORE_PATH = Pattern.compile("\"/api/v1/([a-z]+)");

  @Test
  void everyKubernetesResourceTheCodeNamesIsOneApiAccessGrants() throws IOException {
    Map<String, Set<String>> named = new TreeMap<>(); // resource -> files naming it
    try (Stream<Path> files = Files.walk(SOURCES)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        String text = Files.readString(f);
        Matcher a = ACCESSOR.matcher(text);
        while (a.find()) {
          String resource = ACCESSORS.get(a.group(1));
          if (resource != null) add(named, resource, f);
        }
        Matcher p = CORE_PATH.matcher(text);
        while (p.find()) add(named, "/" + p.group(1), f);
      }
    }
    assertThat(named.keySet())
        .as("the scan finds the calls known to be there (else it proves nothing)")
        .contains("/nodes", "/events", "coordination.k8s.io/leases");

    Set<String> granted = new TreeSet<>();
    for (Set<ApiAccess.Grant> table :
        List.of(
            ApiAccess.datastore(),
            ApiAccess.nodeAgent(),
            ApiAccess.controller(),
            ApiAccess.controllerEvents(),
            ApiAccess.leaderElection())) {
      for (ApiAccess.Grant g : table) {
        granted.add(g.group() + "/" + g.resource().split("/")[0]);
      }
    }
    Map<String, Set<String>> undeclared = new TreeMap<>(named);
    undeclared.keySet().removeAll(granted);
    assertThat(undeclared)
        .as("resources named in kube-datastore's code that no ApiAccess table grants")
        .isEmpty();
  }

  /** fabric8 is called from kube-datastore only, so the scan above sees every call. */
  @Test
  void noOtherModuleCallsTheKubernetesClient() throws IOException {
    Set<String> users = new HashSet<>();
    try (Stream<Path> modules = Files.list(ROOT)) {
      for (Path m : modules.filter(Files::isDirectory).toList()) {
        Path main = m.resolve("src/main/java");
        if (!Files.isDirectory(main) || m.getFileName().toString().equals("kube-datastore")) {
          continue;
        }
        try (Stream<Path> files = Files.walk(main)) {
          for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
            if (Files.readString(f).contains("import io.fabric8.")) users.add(f.toString());
          }
        }
      }
    }
    assertThat(users).as("fabric8 used outside kube-datastore").isEmpty();
  }

  private static void add(Map<String, Set<String>> named, String resource, Path file) {
    named.computeIfAbsent(resource, r -> new TreeSet<>()).add(file.getFileName().toString());
  }
}
