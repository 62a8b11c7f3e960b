package dev.netctl.kube;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.datastore.client.ResourceClient;
import dev.netctl.datastore.model.IPPool;
import dev.netctl.datastore.model.Kind;
import dev.netctl.datastore.status.PoolStatusController;
import dev.netctl.datastore.status.StatusRecorder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Pools written past netctl's validation (as {@code kubectl apply} would) are refused by the
 * controller with a {@code Valid=False} condition in their status and a Warning event naming the
 * field and the rule; valid pools get {@code Valid=True}; only the leader writes.
 */
class KubeStatusRecorderTest {
  private static final ResourceDefinitionContext IPPOOLS =
      new ResourceDefinitionContext.Builder()
          .withGroup("netctl.dev")
          .withVersion("v1")
          .withKind("IPPool")
          .withPlural("ippools")
          .withNamespaced(false)
          .build();
  private ApiServerLike server;
  private KubernetesDatastore store;
  private KubernetesClient kubectl;

  @BeforeEach
  void start() {
    server = ApiServerLike.start();
    store = KubernetesDatastore.connect(server.config());
    kubectl = new KubernetesClientBuilder().withConfig(server.config()).build();
  }

  @AfterEach
  void stop() {
    store.close();
    kubectl.close();
    server.stop();
  }

  /** A pool created directly on the API server, bypassing netctl's validation. */
  private void kubectlApply(String name, String cidr, int blockSize, String created) {
    GenericKubernetesResource pool = new GenericKubernetesResource();
    pool.setApiVersion("netctl.dev/v1");
    pool.setKind("IPPool");
    pool.setMetadata(
        new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
            .withName(name)
            .withAnnotations(Map.of(ObjectMapping.CREATED_ANNOTATION, created))
            .build());
    pool.setAdditionalProperty(
        "spec",
        Map.of("cidr", cidr, "blockSize", blockSize, "ipipMode", "Never", "vxlanMode", "Never"));
    kubectl.genericKubernetesResources(IPPOOLS).resource(pool).create();
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> condition(String pool) {
    GenericKubernetesResource r = kubectl.genericKubernetesResources(IPPOOLS).withName(pool).get();
    Map<String, Object> status = (Map<String, Object>) r.getAdditionalProperties().get("status");
    List<Map<String, Object>> conditions = (List<Map<String, Object>>) status.get("conditions");
    assertThat(conditions).hasSize(1);
    return conditions.getFirst();
  }

  @Test
  void refusedPoolsGetAFalseConditionAndAnEventNamingTheFieldAndTheRule() {
    kubectlApply("old", "10.0.0.0/16", 26, "2026-01-01T00:00:00Z");
    kubectlApply("young", "10.0.1.0/24", 26, "2026-01-02T00:00:00Z");
    kubectlApply("bad-block", "10.9.0.0/24", 20, "2026-01-01T00:00:00Z");
    AtomicBoolean leading = new AtomicBoolean(false);
    PoolStatusController controller =
        new PoolStatusController(
            new ResourceClient(store),
            StatusRecorder.forStore(store, "netctl-controller", m -> {}),
            leading::get);
    assertThat(controller.runPass()).as("not leading: writes nothing").isZero();
    leading.set(true);
    assertThat(controller.runPass()).isEqualTo(3);

    assertThat(condition("old")).containsEntry("type", "Valid").containsEntry("status", "True");
    assertThat(condition("young"))
        .containsEntry("status", "False")
        .containsEntry("reason", "Overlaps");
    assertThat(condition("young").get("message").toString())
        .contains("IPPool \"young\": spec.cidr \"10.0.1.0/24\" must not overlap IPPool \"old\"");
    assertThat(condition("bad-block"))
        .containsEntry("status", "False")
        .containsEntry("reason", "InvalidSpec");
    assertThat(condition("bad-block").get("message").toString()).contains("spec.blockSize");

    List<Event> events = kubectl.v1().events().inNamespace("default").list().getItems();
    assertThat(events).hasSize(2);
    Event young =
        events.stream()
            .filter(e -> e.getInvolvedObject().getName().equals("young"))
            .findFirst()
            .orElseThrow();
    assertThat(young.getType()).isEqualTo("Warning");
    assertThat(young.getReason()).isEqualTo("Overlaps");
    assertThat(young.getInvolvedObject().getKind()).isEqualTo("IPPool");
    assertThat(young.getInvolvedObject().getApiVersion()).isEqualTo("netctl.dev/v1");
    assertThat(young.getMessage()).contains("spec.cidr").contains("must not overlap");
    assertThat(young.getSource().getComponent()).isEqualTo("netctl-controller");

    // the status write left the spec alone, and the refused pools still read back as pools
    assertThat(new ResourceClient(store).list(Kind.IP_POOL))
        .extracting(IPPool::name)
        .containsExactlyInAnyOrder("old", "young", "bad-block");
    assertThat(controller.runPass()).as("nothing changed: nothing written").isZero();

    // the older pool goes: the younger one is accepted now, its condition turns True
    kubectl.genericKubernetesResources(IPPOOLS).withName("old").delete();
    assertThat(controller.runPass()).isEqualTo(1);
    assertThat(condition("young")).containsEntry("status", "True");
    assertThat(kubectl.v1().events().inNamespace("default").list().getItems()).hasSize(2);

    // every call the controller made is one its roles grant, its events in the events Role's
    // namespace only
    Set<ApiAccess.Grant> granted = new HashSet<>(ApiAccess.controller());
    granted.addAll(ApiAccess.controllerEvents());
    assertThat(server.requests())
        .filteredOn(r -> r.startsWith("POST ") && r.contains("/events"))
        .isNotEmpty()
        .allMatch(
            r -> r.startsWith("POST /api/v1/namespaces/" + ApiAccess.EVENTS_NAMESPACE + "/events"));
    List<String> undeclared = new ArrayList<>();
    Set<ApiAccess.Grant> used = new HashSet<>();
    for (String r : server.requests()) {
      String method = r.substring(0, r.indexOf(' '));
      String[] p = URI.create(r.substring(r.indexOf(' ') + 1)).getPath().split("/");
      ApiAccess.Grant g =
          p[1].equals("api")
              ? new ApiAccess.Grant("", p[5], ApiAccess.verb(method, p.length == 6, false))
              : new ApiAccess.Grant(
                  p[2],
                  p.length == 7 ? p[4] + "/" + p[6] : p[4],
                  ApiAccess.verb(method, p.length == 5, false));
      used.add(g);
    }
    assertThat(used)
        .contains(
            new ApiAccess.Grant("netctl.dev", "ippools/status", "update"),
            new ApiAccess.Grant("", "events", "create"));
    for (ApiAccess.Grant g : used) {
      // the test's own kubectl calls (create, delete of pools; reads of events) are not the
      // controller's: only check what the controller could have sent
      if (g.verb().equals("delete") || g.resource().equals("events") && !g.verb().equals("create"))
        continue;
      if (g.resource().equals("ippools") && g.verb().equals("create")) continue;
      if (!granted.contains(g)) undeclared.add(g.toString());
    }
    assertThat(undeclared).as("calls outside ApiAccess.controller()").isEmpty();
  }
}
