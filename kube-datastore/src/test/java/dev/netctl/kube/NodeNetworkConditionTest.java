package dev.netctl.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The agent clears its Kubernetes Node's {@code NetworkUnavailable} condition, as calico-node does,
 * against fabric8's CRUD mock ({@link ApiServerLike}, which merges the conditions of a strategic
 * merge patch by type as the API server does; the mock alone refuses that patch type): the
 * request's path and patch type, the condition it sets, the kubelet's condition kept, and that the
 * node agent's role grants the call.
 */
@Timeout(60)
class NodeNetworkConditionTest {
  private static final Instant NOW = Instant.parse("2026-12-06T10:00:00.123Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  private ApiServerLike server;
  private KubernetesDatastore store;
  private KubernetesClient kube;

  @BeforeEach
  void start() {
    server = ApiServerLike.start();
    store = KubernetesDatastore.connect(server.config());
    kube = server.kubectl();
  }

  @AfterEach
  void stop() {
    assertThat(ApiAccess.nodeAgent())
        .as("every call is granted to the node agent")
        .containsAll(server.grants(KubernetesDerivedKindsTest.TEST_CLIENT));
    assertThat(ApiAccess.datastore())
        .containsAll(server.grants(KubernetesDerivedKindsTest.TEST_CLIENT));
    kube.close();
    store.close();
    server.stop();
  }

  private void node(String status) {
    kube.nodes()
        .resource(
            new NodeBuilder()
                .withNewMetadata()
                .withName("n1")
                .endMetadata()
                .withNewStatus()
                .addNewCondition()
                .withType("NetworkUnavailable")
                .withStatus(status)
                .withReason("NoRouteCreated")
                .endCondition()
                .addNewCondition()
                .withType("Ready")
                .withStatus("True")
                .withReason("KubeletReady")
                .endCondition()
                .endStatus()
                .build())
        .create();
  }

  private Optional<NodeCondition> networkUnavailable() {
    return condition("NetworkUnavailable");
  }

  private Optional<NodeCondition> condition(String type) {
    Node n = kube.nodes().withName("n1").get();
    return n.getStatus().getConditions().stream().filter(c -> c.getType().equals(type)).findFirst();
  }

  @Test
  void aNodeTheCloudMarkedNetworkUnavailableIsMarkedAvailableByAStrategicMergePatchOfItsStatus() {
    node("True"); // as GCE's route controller registers a node
    try (NodeNetworkCondition c = new NodeNetworkCondition(store, "n1", CLOCK)) {
      await().atMost(Duration.ofSeconds(20)).until(c::marked);
    }
    assertThat(networkUnavailable())
        .hasValueSatisfying(
            c -> {
              assertThat(c.getStatus()).isEqualTo("False");
              assertThat(c.getReason()).isEqualTo("NetctlIsUp");
              assertThat(c.getLastTransitionTime()).isEqualTo("2026-12-06T10:00:00Z");
            });
    assertThat(kube.nodes().withName("n1").get().getStatus().getConditions())
        .extracting(NodeCondition::getType)
        .containsExactly("NetworkUnavailable", "Ready");
    assertThat(condition("Ready").orElseThrow().getReason())
        .as("the kubelet's condition")
        .isEqualTo("KubeletReady");
    assertThat(server.patchTypes())
        .as("the status subresource, merged by condition type so the kubelet's conditions stay")
        .containsExactly("/api/v1/nodes/n1/status application/strategic-merge-patch+json");
  }

  @Test
  void aConditionAlreadyFalseIsLeftAsItIs() {
    node("False");
    try (NodeNetworkCondition c = new NodeNetworkCondition(store, "n1", CLOCK)) {
      await().atMost(Duration.ofSeconds(20)).until(c::marked);
    }
    assertThat(server.patchTypes()).isEmpty();
    assertThat(networkUnavailable().orElseThrow().getReason()).isEqualTo("NoRouteCreated");
  }

  @Test
  void aRefusedPatchIsRetriedUntilTheApiServerTakesIt() throws Exception {
    node("True");
    server.refuse("/api/v1/nodes/n1/status", 500);
    try (NodeNetworkCondition c = new NodeNetworkCondition(store, "n1", CLOCK)) {
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> server.requests().stream().filter(r -> r.endsWith("/status")).count() >= 2);
      assertThat(c.marked()).isFalse();
      assertThat(networkUnavailable().orElseThrow().getStatus()).isEqualTo("True");
      server.stopRefusing();
      await().atMost(Duration.ofSeconds(20)).until(c::marked);
    }
    assertThat(networkUnavailable().orElseThrow().getStatus()).isEqualTo("False");
  }
}
