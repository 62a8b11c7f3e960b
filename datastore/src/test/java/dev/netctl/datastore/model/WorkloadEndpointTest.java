package dev.netctl.datastore.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netctl.datastore.Key;
import dev.netctl.datastore.client.ResourceClient;
import dev.netctl.datastore.memory.MemoryDatastore;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class WorkloadEndpointTest {

  private final ResourceCodec codec = new ResourceCodec();

  private static final String YAML =
      """
      apiVersion: projectcalico.org/v3
      kind: WorkloadEndpoint
      metadata:
        name: node1-k8s-web-eth0
        namespace: shop
        labels:
          app: web
      spec:
        orchestrator: k8s
        node: node1
        containerID: abc123
        pod: web
        endpoint: eth0
        ipNetworks: [10.244.0.5/32, "fd00:10:244::5/128"]
        ipv4Gateway: 169.254.1.1
        interfaceName: cali0123456789a
        mac: 0a:58:0a:f4:00:05
        ports:
        - {name: http, protocol: TCP, port: 8080}
      """;

  @Test
  void readsCalicoShapedYamlAndStoresItUnderNamespaceSlashName() {
    WorkloadEndpoint w = (WorkloadEndpoint) codec.read(YAML).getFirst();
    assertThat(w.metadata().namespace()).isEqualTo("shop");
    assertThat(w.storageName()).isEqualTo("shop/node1-k8s-web-eth0");
    assertThat(w.spec().ports())
        .containsExactly(new WorkloadEndpointSpec.EndpointPort("http", "TCP", 8080, 0));
    assertThat(Validator.validate(w)).isEmpty();

    try (MemoryDatastore store = new MemoryDatastore()) {
      ResourceClient client =
          new ResourceClient(store, codec, Clock.systemUTC(), Duration.ofSeconds(5));
      client.create(w);
      assertThat(store.get(new Key("WorkloadEndpoint", "shop/node1-k8s-web-eth0")).join())
          .isPresent();
      WorkloadEndpoint back = client.get(Kind.WORKLOAD_ENDPOINT, "shop/node1-k8s-web-eth0");
      assertThat(back.spec()).isEqualTo(w.spec());
      assertThat(back.metadata().namespace()).isEqualTo("shop");
    }
  }

  @Test
  void aManifestWithoutNamespaceLandsInDefault() {
    WorkloadEndpoint w =
        (WorkloadEndpoint) codec.read(YAML.replace("  namespace: shop\n", "")).getFirst();
    assertThat(w.metadata().namespace()).isEqualTo(Kind.DEFAULT_NAMESPACE);
  }

  @Test
  void badFieldsAreNamed() {
    String bad =
        YAML.replace("10.244.0.5/32", "10.244.0.0/24")
            .replace("node: node1", "node: ''")
            .replace("port: 8080", "port: 70000")
            .replace("cali0123456789a", "cali0123456789abcdef");
    WorkloadEndpoint w = (WorkloadEndpoint) codec.read(bad).getFirst();
    List<String> fields = Validator.validate(w).stream().map(Violation::field).toList();
    assertThat(fields)
        .contains("spec.node", "spec.ipNetworks[0]", "spec.ports[0].port", "spec.interfaceName");
  }

  @Test
  void aClusterScopedKindRefusesANamespace() {
    IPPool p = new IPPool(ObjectMeta.namespaced("x", "p", null), IPPoolSpec.of("10.0.0.0/16"));
    assertThatThrownBy(() -> Validator.throwIfAny(Validator.validate(p)))
        .hasMessageContaining("metadata.namespace")
        .hasMessageContaining("cluster-scoped");
  }
}
