package dev.netctl.kube;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.kube.crd.GenerateCrds;
import dev.netctl.kube.crd.IPPoolSpec;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The CRDs in deploy/crds: exactly what the build generates, one per stored kind, and useful. */
class CrdsTest {
  static final Path DEPLOY = Path.of(System.getProperty("user.dir")).getParent().resolve("deploy");
  private static final Path COMMITTED = DEPLOY.resolve("crds");
  private static final Path GENERATED = Path.of(System.getProperty("user.dir"), "target", "crds");
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  @Test
  void committedCrdsAreExactlyWhatTheBuildGenerates() throws IOException {
    Map<String, String> generated = crdFiles(GENERATED);
    Map<String, String> committed = crdFiles(COMMITTED);
    assertThat(generated).as("the build wrote no CRDs into %s", GENERATED).isNotEmpty();
    assertThat(committed.keySet())
        .as(
            "deploy/crds files; after changing dev.netctl.kube.crd run the build and"
                + " cp kube-datastore/target/crds/*.yml deploy/crds/")
        .isEqualTo(generated.keySet());
    for (String name : generated.keySet()) {
      assertThat(committed.get(name))
          .as("deploy/crds/%s differs from kube-datastore/target/crds/%s; copy it over", name, name)
          .isEqualTo(generated.get(name));
    }
  }

  @Test
  void theCrdKustomizationListsEveryCrdFile() throws IOException {
    String kustomization = Files.readString(COMMITTED.resolve("kustomization.yaml"));
    List<String> listed =
        kustomization.lines().filter(l -> l.startsWith("  - ")).map(l -> l.substring(4)).toList();
    List<String> files =
        crdFiles(COMMITTED).keySet().stream().filter(f -> f.endsWith(".yml")).toList();
    assertThat(listed).containsExactlyInAnyOrderElementsOf(files);
  }

  @Test
  void everyStoredKindHasACrdOfItsScopeWithAStatusInOurGroup() throws IOException {
    for (String kind : StoredKinds.all()) {
      Path file = COMMITTED.resolve(StoredKinds.plural(kind) + ".netctl.dev-v1.yml");
      assertThat(file).as("CRD of kind %s", kind).exists();
      assertUsableCrd(kind, crd(file));
    }
  }

  @Test
  void kindsDerivedFromKubernetesObjectsHaveNoCrd() throws IOException {
    // Pods, Namespaces and NetworkPolicies hold them: a CRD for them would serve objects nothing
    // reads, and that users could create to no effect.
    for (CoreKinds.Source s : CoreKinds.all()) {
      assertThat(StoredKinds.all()).doesNotContain(s.kind());
      String file = StoredKinds.plural(s.kind()) + ".netctl.dev-v1.yml";
      assertThat(crdFiles(COMMITTED)).as("deploy/crds").doesNotContainKey(file);
      assertThat(crdFiles(GENERATED)).as("the build's CRDs").doesNotContainKey(file);
    }
    assertThat(ApiAccess.datastore())
        .noneMatch(
            g ->
                g.group().equals(StoredKinds.GROUP)
                    && g.resource().equals(StoredKinds.plural("WorkloadEndpoint")));
  }

  @Test
  void aKindWithoutAClassGetsAnOpenCrdThatServesTheBackend() {
    // What a kind added to the model elsewhere (e.g. a namespaced policy kind) gets on the next
    // build, until it has a class with a real schema.
    CustomResourceDefinition crd = GenerateCrds.openCrd("NetworkPolicy");
    assertThat(crd.getSpec().getNames().getPlural()).isEqualTo("networkpolicies");
    assertThat(crd.getSpec().getScope()).isEqualTo("Namespaced");
    assertUsableCrd("NetworkPolicy", crd);
    assertThat(GenerateCrds.openCrd("Tier").getSpec().getScope()).isEqualTo("Cluster");
  }

  /** What the backend needs of a kind's CRD (StoredKinds' names and scope, kept fields). */
  private static void assertUsableCrd(String kind, CustomResourceDefinition crd) {
    String plural = StoredKinds.plural(kind);
    assertThat(crd.getMetadata().getName()).isEqualTo(plural + ".netctl.dev");
    assertThat(crd.getSpec().getGroup()).isEqualTo(StoredKinds.GROUP);
    assertThat(crd.getSpec().getNames().getKind()).isEqualTo(kind);
    assertThat(crd.getSpec().getNames().getPlural()).isEqualTo(plural);
    assertThat(crd.getSpec().getScope())
        .as("%s: namespaced kinds are Namespaced CRDs, as Calico's", kind)
        .isEqualTo(StoredKinds.namespaced(kind) ? "Namespaced" : "Cluster");
    CustomResourceDefinitionVersion v = crd.getSpec().getVersions().getFirst();
    assertThat(v.getName()).isEqualTo(StoredKinds.VERSION);
    assertThat(v.getServed()).isTrue();
    assertThat(v.getStorage()).isTrue();
    assertThat(v.getSubresources().getStatus()).as("%s status subresource", kind).isNotNull();
    JSONSchemaProps schema = v.getSchema().getOpenAPIV3Schema();
    assertThat(schema.getProperties()).containsKeys("spec", "status", "raw");
    JSONSchemaProps spec = schema.getProperties().get("spec");
    boolean open = Boolean.TRUE.equals(spec.getXKubernetesPreserveUnknownFields());
    assertThat(open || !spec.getProperties().isEmpty())
        .as("%s spec has a schema or keeps unknown fields (else the API server prunes it)", kind)
        .isTrue();
  }

  @Test
  void ippoolSchemaSaysWhatASchemaCanAndItsFieldsAreThePoolSpecs() throws IOException {
    CustomResourceDefinitionVersion v =
        crd(COMMITTED.resolve("ippools.netctl.dev-v1.yml")).getSpec().getVersions().getFirst();
    Map<String, JSONSchemaProps> spec =
        v.getSchema().getOpenAPIV3Schema().getProperties().get("spec").getProperties();
    List<String> recordFields =
        Arrays.stream(dev.netctl.datastore.model.IPPoolSpec.class.getRecordComponents())
            .map(c -> c.getName())
            .toList();
    assertThat(spec.keySet()).containsExactlyInAnyOrderElementsOf(recordFields);

    assertThat(spec.get("cidr").getPattern()).isEqualTo(IPPoolSpec.CIDR_PATTERN);
    assertThat(v.getSchema().getOpenAPIV3Schema().getProperties().get("spec").getRequired())
        .containsExactly("cidr");
    assertThat(spec.get("blockSize").getMinimum()).isEqualTo(20.0);
    assertThat(spec.get("blockSize").getMaximum()).isEqualTo(128.0);
    for (String mode : List.of("ipipMode", "vxlanMode")) {
      assertThat(spec.get(mode).getEnum())
          .extracting(Object::toString)
          .containsExactlyInAnyOrder("\"Always\"", "\"CrossSubnet\"", "\"Never\"");
      assertThat(spec.get(mode).getDefault().asText()).isEqualTo("Never");
    }
    assertThat(spec.get("natOutgoing").getDefault().asBoolean()).isFalse();
    assertThat(spec.get("nodeSelector").getDefault().asText()).isEqualTo("all()");
    assertThat(spec.get("assignmentMode").getDefault().asText()).isEqualTo("Automatic");

    List<String> columns =
        v.getAdditionalPrinterColumns().stream()
            .map(CustomResourceColumnDefinition::getName)
            .toList();
    assertThat(columns)
        .containsExactly("CIDR", "BlockSize", "IPIP", "VXLAN", "NAT", "Disabled", "Age");
    assertThat(v.getAdditionalPrinterColumns().getFirst().getJsonPath()).isEqualTo(".spec.cidr");
  }

  @ParameterizedTest
  @ValueSource(strings = {"10.244.0.0/16", "0.0.0.0/0", "192.168.1.0/32", "fd00::/108", "::/0"})
  void theCidrPatternAcceptsCidrs(String cidr) {
    assertThat(Pattern.compile(IPPoolSpec.CIDR_PATTERN).matcher(cidr).find()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"10.244.0.0", "10.244.0.0/33", "256.0.0.0/8", "pool", "fd00::/129", "10.0.0.0/1x"})
  void theCidrPatternRejectsWhatIsNoCidr(String cidr) {
    assertThat(Pattern.compile(IPPoolSpec.CIDR_PATTERN).matcher(cidr).find()).isFalse();
  }

  static CustomResourceDefinition crd(Path file) throws IOException {
    return SERIALIZATION.unmarshal(Files.readString(file), CustomResourceDefinition.class);
  }

  private static Map<String, String> crdFiles(Path dir) throws IOException {
    Map<String, String> out = new TreeMap<>();
    if (!Files.isDirectory(dir)) return out;
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f :
          files
              .filter(
                  p ->
                      p.toString().endsWith(".yml")
                          || p.getFileName().toString().equals("kustomization.yaml"))
              .toList()) {
        out.put(f.getFileName().toString(), Files.readString(f));
      }
    }
    return out;
  }
}
