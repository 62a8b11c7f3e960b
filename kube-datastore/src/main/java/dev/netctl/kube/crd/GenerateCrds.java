package dev.netctl.kube.crd;

import dev.netctl.kube.StoredKinds;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crdv2.generator.CRDGenerator;
import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaPropsBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.kubernetes.model.annotation.Kind;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The build step that writes {@code <kind plural>.netctl.dev-v1.yml} for every class here, as
 * apiextensions.k8s.io/v1 CRDs with OpenAPI v3 schemas. Run by the build ({@code
 * kube-datastore/pom.xml}) into {@code target/crds}; the committed copies live in {@code
 * deploy/crds}.
 */
public final class GenerateCrds {
  /** Every custom resource class, one per stored kind. */
  public static final List<Class<? extends HasMetadata>> RESOURCES =
      List.of(
          IPPoolResource.class,
          BGPPeerResource.class,
          BGPConfigurationResource.class,
          FelixConfigurationResource.class,
          NodeResource.class,
          IPAMConfigResource.class,
          IPReservationResource.class,
          IPAMBlockResource.class,
          BlockAffinityResource.class,
          IPAMHandleResource.class,
          IPPoolGuardResource.class);

  private GenerateCrds() {}

  /**
   * The generator sorts printer columns by name; kubectl shows them in list order, so put them back
   * in the order the class declares them (CIDR first, Age last).
   */
  private static HasMetadata declaredColumnOrder(HasMetadata crd) {
    if (!(crd instanceof CustomResourceDefinition definition)) return crd;
    String kind = definition.getSpec().getNames().getKind();
    Class<?> type =
        RESOURCES.stream()
            .filter(c -> c.getAnnotation(Kind.class).value().equals(kind))
            .findFirst()
            .orElseThrow();
    List<String> declared =
        Arrays.stream(type.getAnnotationsByType(AdditionalPrinterColumn.class))
            .map(AdditionalPrinterColumn::name)
            .toList();
    for (CustomResourceDefinitionVersion v : definition.getSpec().getVersions()) {
      List<CustomResourceColumnDefinition> columns = v.getAdditionalPrinterColumns();
      if (columns != null) {
        columns.sort(Comparator.comparingInt(c -> declared.indexOf(c.getName())));
      }
    }
    return crd;
  }

  public static void main(String[] args) {
    if (args.length != 1) {
      System.err.println("usage: GenerateCrds OUTPUT_DIR");
      System.exit(2);
    }
    File out = new File(args[0]);
    if (!out.isDirectory() && !out.mkdirs()) {
      System.err.println("cannot create " + out);
      System.exit(1);
    }
    // A kind that is no longer stored must not leave its CRD behind for CrdsTest to compare.
    File[] stale = out.listFiles((dir, name) -> name.endsWith(".yml") || name.endsWith(".yaml"));
    for (File f : stale == null ? new File[0] : stale) {
      if (!f.delete()) System.err.println("cannot delete stale " + f);
    }
    int written =
        new CRDGenerator()
            .inOutputDir(out)
            .forCRDVersions("v1")
            .withParallelGenerationEnabled(false)
            // OpaqueSpec's any-getter becomes x-kubernetes-preserve-unknown-fields
            .withImplicitPreserveUnknownFields(true)
            .withPostProcessor(
                new CRDPostProcessor() {
                  @Override
                  public HasMetadata process(HasMetadata crd, String crdSpecVersion) {
                    return declaredColumnOrder(crd);
                  }
                })
            .customResourceClasses(RESOURCES)
            .generate();
    written += writeOpenCrds(out);
    writeKustomization(out);
    System.out.println("GenerateCrds: " + written + " CRDs in " + out);
  }

  /**
   * A CRD with an open spec for every stored kind that has no class here yet (a kind added to the
   * model elsewhere), so a new kind never lacks its CRD: the build writes one, and CrdsTest asks
   * for it to be copied into deploy/crds. A class with a real schema replaces it.
   */
  private static int writeOpenCrds(File out) {
    List<String> covered =
        RESOURCES.stream().map(c -> c.getAnnotation(Kind.class).value()).toList();
    KubernetesSerialization yaml = new KubernetesSerialization();
    int written = 0;
    for (String kind : StoredKinds.all()) {
      if (covered.contains(kind)) continue;
      String plural = StoredKinds.plural(kind);
      CustomResourceDefinition crd = openCrd(kind);
      write(
          new File(out, plural + "." + StoredKinds.GROUP + "-" + StoredKinds.VERSION + ".yml"),
          "# Generated by netctl's GenerateCrds: kind "
              + kind
              + " has no class in dev.netctl.kube.crd yet, so its spec is open.\n"
              + yaml.asYaml(crd));
      written++;
    }
    return written;
  }

  /**
   * The CRD of a stored kind without a class: open spec, status and raw; namespaced for a
   * namespaced kind (NetworkPolicy, as Calico's), else cluster-scoped.
   */
  public static CustomResourceDefinition openCrd(String kind) {
    String plural = StoredKinds.plural(kind);
    JSONSchemaProps open =
        new JSONSchemaPropsBuilder()
            .withType("object")
            .withXKubernetesPreserveUnknownFields(true)
            .build();
    return new CustomResourceDefinitionBuilder()
        .withNewMetadata()
        .withName(plural + "." + StoredKinds.GROUP)
        .endMetadata()
        .withNewSpec()
        .withGroup(StoredKinds.GROUP)
        .withScope(StoredKinds.namespaced(kind) ? "Namespaced" : "Cluster")
        .withNewNames()
        .withKind(kind)
        .withPlural(plural)
        .withSingular(kind.toLowerCase(Locale.ROOT))
        .endNames()
        .addNewVersion()
        .withName(StoredKinds.VERSION)
        .withServed(true)
        .withStorage(true)
        .withNewSubresources()
        .withNewStatus()
        .endStatus()
        .endSubresources()
        .withNewSchema()
        .withNewOpenAPIV3Schema()
        .withType("object")
        .addToProperties("spec", open)
        .addToProperties("status", open)
        .addToProperties("raw", new JSONSchemaPropsBuilder().withType("string").build())
        .endOpenAPIV3Schema()
        .endSchema()
        .endVersion()
        .endSpec()
        .build();
  }

  /** deploy/crds/kustomization.yaml: every CRD, in the order of {@link StoredKinds#all()}. */
  private static void writeKustomization(File out) {
    StringBuilder k =
        new StringBuilder(
            "# Generated by GenerateCrds with the CRDs (kube-datastore/target/crds): one per stored"
                + " kind.\napiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
                + "resources:\n");
    for (String kind : StoredKinds.all()) {
      k.append("  - ")
          .append(StoredKinds.plural(kind))
          .append('.')
          .append(StoredKinds.GROUP)
          .append('-')
          .append(StoredKinds.VERSION)
          .append(".yml\n");
    }
    write(new File(out, "kustomization.yaml"), k.toString());
  }

  private static void write(File file, String text) {
    try {
      Files.writeString(file.toPath(), text);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
