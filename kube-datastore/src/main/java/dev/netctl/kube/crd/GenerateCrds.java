package dev.netctl.kube.crd;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crdv2.generator.CRDGenerator;
import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.model.annotation.Kind;
import java.io.File;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

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
          NodeResource.class,
          IPAMConfigResource.class,
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
    System.out.println("GenerateCrds: " + written + " CRDs in " + out);
  }
}
