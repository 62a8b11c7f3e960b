package dev.netctl.kube;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.netctl.datastore.Key;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The fixture drops what a CRD does not declare, as an API server does, and keeps the rest. */
class StructuralPruningTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void undeclaredFieldsGoAndDeclaredOrPreservedOnesStay() throws Exception {
    ObjectNode pool =
        (ObjectNode)
            JSON.readTree(
                """
                {"apiVersion":"netctl.dev/v1","kind":"IPPool","metadata":{"name":"p"},
                 "spec":{"cidr":"10.0.0.0/16","blockSize":26,"bogus":1},
                 "status":{"conditions":[{"type":"Valid","status":"True","extra":"kept"}]},
                 "topLevel":true}
                """);
    StructuralPruning.ofDeployedCrds().prune("ippools", pool);
    assertThat(pool.toString())
        .isEqualTo(
            JSON.readTree(
                    """
                    {"apiVersion":"netctl.dev/v1","kind":"IPPool","metadata":{"name":"p"},
                     "spec":{"cidr":"10.0.0.0/16","blockSize":26},
                     "status":{"conditions":[{"type":"Valid","status":"True","extra":"kept"}]}}
                    """)
                .toString());

    ObjectNode block =
        (ObjectNode)
            JSON.readTree(
                """
                {"apiVersion":"netctl.dev/v1","kind":"IPAMBlock","metadata":{"name":"b"},
                 "spec":{"cidr":"10.0.0.0/26","anything":{"nested":[1,2]}}}
                """);
    String before = block.toString();
    StructuralPruning.ofDeployedCrds().prune("ipamblocks", block);
    assertThat(block.toString()).as("an open spec keeps every field").isEqualTo(before);
  }

  @Test
  void theApiServerFixtureStoresWhatItsCrdDeclaresOnly() throws Exception {
    ApiServerLike server = ApiServerLike.start();
    try (KubernetesClient client =
            new KubernetesClientBuilder().withConfig(server.config()).build();
        KubernetesDatastore store = KubernetesDatastore.connect(server.config())) {
      var pools = client.genericKubernetesResources(KubeWatch.definition("IPPool"));
      GenericKubernetesResource p = new GenericKubernetesResource();
      p.setApiVersion("netctl.dev/v1");
      p.setKind("IPPool");
      p.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName("p").build());
      p.setAdditionalProperties(
          Map.of("spec", Map.of("cidr", "10.0.0.0/16", "blockSize", 26, "bogus", 1)));
      pools.resource(p).create();
      assertThat(pools.withName("p").get().getAdditionalProperties().get("spec"))
          .isEqualTo(Map.of("cidr", "10.0.0.0/16", "blockSize", 26));

      // the datastore's own writes of an open kind come back whole
      byte[] value = "{\"cidr\":\"10.0.0.0/26\",\"anything\":{\"nested\":[1,2]}}".getBytes(UTF_8);
      store.create(new Key("IPAMBlock", "b"), value).get(20, TimeUnit.SECONDS);
      assertThat(
              store.get(new Key("IPAMBlock", "b")).get(20, TimeUnit.SECONDS).orElseThrow().value())
          .isEqualTo(value);
    } finally {
      server.stop();
    }
  }
}
