package dev.netctl.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What a kube-apiserver does to a custom resource it stores and the CRUD mock does not: it drops
 * every field its CRD's structural schema does not declare (unless {@code
 * x-kubernetes-preserve-unknown-fields} keeps them), silently. A field the code writes but the
 * generated CRD lacks would vanish on a real cluster; with this, it vanishes in the tests too.
 *
 * <p>The schemas are deploy/crds (which CrdsTest keeps equal to what the build generates), read
 * from the repository so that a child JVM started from another module finds them too. Emulated from
 * the documented rules (apiextensions "pruning"), not proven against an API server.
 */
final class StructuralPruning {
  /** apiVersion, kind and metadata are the API server's own, never pruned by the CRD schema. */
  private static final Set<String> ROOT_FIELDS = Set.of("apiVersion", "kind", "metadata");

  private final Map<String, JSONSchemaProps> schemaByPlural;

  private StructuralPruning(Map<String, JSONSchemaProps> schemaByPlural) {
    this.schemaByPlural = schemaByPlural;
  }

  /** The schemas of deploy/crds, found from the module directory the JVM runs in. */
  static StructuralPruning ofDeployedCrds() {
    Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    while (dir != null && !Files.isDirectory(dir.resolve("deploy/crds"))) dir = dir.getParent();
    if (dir == null) {
      throw new IllegalStateException(
          "no deploy/crds above " + System.getProperty("user.dir") + ": cannot prune as a CRD");
    }
    KubernetesSerialization yaml = new KubernetesSerialization();
    Map<String, JSONSchemaProps> schemas = new HashMap<>();
    try (Stream<Path> files = Files.list(dir.resolve("deploy/crds"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yml")).toList()) {
        CustomResourceDefinition crd =
            yaml.unmarshal(Files.readString(f), CustomResourceDefinition.class);
        schemas.put(
            crd.getSpec().getNames().getPlural(),
            crd.getSpec().getVersions().getFirst().getSchema().getOpenAPIV3Schema());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new StructuralPruning(schemas);
  }

  /** Whether objects of this plural have a CRD (the conformance suite's own kinds have none). */
  boolean knows(String plural) {
    return schemaByPlural.containsKey(plural);
  }

  /** {@code object} as the API server would store it: undeclared fields removed, in place. */
  void prune(String plural, ObjectNode object) {
    JSONSchemaProps root = schemaByPlural.get(plural);
    for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      if (ROOT_FIELDS.contains(f.getKey())) continue;
      JSONSchemaProps s = root.getProperties().get(f.getKey());
      if (s == null && !preserves(root)) {
        it.remove();
      } else if (s != null) {
        prune(f.getValue(), s);
      }
    }
  }

  private static void prune(JsonNode node, JSONSchemaProps schema) {
    if (node.isArray()) {
      JSONSchemaProps items = schema.getItems() == null ? null : schema.getItems().getSchema();
      if (items != null) node.forEach(n -> prune(n, items));
      return;
    }
    if (!node.isObject()) return;
    JSONSchemaProps additional =
        schema.getAdditionalProperties() == null
            ? null
            : schema.getAdditionalProperties().getSchema();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      JSONSchemaProps s =
          schema.getProperties() == null ? null : schema.getProperties().get(f.getKey());
      if (s == null) s = additional;
      if (s != null) {
        prune(f.getValue(), s);
      } else if (!preserves(schema)) {
        it.remove();
      }
    }
  }

  private static boolean preserves(JSONSchemaProps schema) {
    return Boolean.TRUE.equals(schema.getXKubernetesPreserveUnknownFields());
  }
}
