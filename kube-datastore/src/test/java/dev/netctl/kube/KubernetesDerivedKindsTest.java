package dev.netctl.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netctl.datastore.Entry;
import dev.netctl.datastore.Key;
import dev.netctl.datastore.Listing;
import dev.netctl.datastore.Watch;
import dev.netctl.datastore.WatchEvent;
import dev.netctl.datastore.client.ResourceClient;
import dev.netctl.datastore.model.EndpointNames;
import dev.netctl.datastore.model.Kind;
import dev.netctl.datastore.model.KubernetesNetworkPolicy;
import dev.netctl.datastore.model.ObjectMeta;
import dev.netctl.datastore.model.Profile;
import dev.netctl.datastore.model.ResourceCodec;
import dev.netctl.datastore.model.WorkloadEndpoint;
import dev.netctl.datastore.model.WorkloadEndpointSpec;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * WorkloadEndpoints, {@code kns.} Profiles and KubernetesNetworkPolicies on the kubernetes backend
 * are Pods, Namespaces and NetworkPolicies read from the API (fabric8's CRUD mock, {@link
 * ApiServerLike}), listed and watched through the datastore contract as the agent's syncer does.
 */
@Timeout(60)
class KubernetesDerivedKindsTest {
  private static final ResourceCodec CODEC = new ResourceCodec();
  private static final String WEP = Kind.WORKLOAD_ENDPOINT.storageKind();

  private ApiServerLike server;
  private KubernetesDatastore store;
  private KubernetesClient kube;

  @BeforeEach
  void start() {
    server = ApiServerLike.start();
    store = KubernetesDatastore.connect(server.config());
    kube = server.kubectl();
  }

  /** What the test itself writes, as kubectl would: not the backend's calls. */
  static final String TEST_CLIENT = "netctl-test-kubectl";

  @AfterEach
  void stop() {
    // Every call the backend made is one the node agent's ClusterRole grants.
    assertThat(ApiAccess.nodeAgent()).containsAll(server.grants(TEST_CLIENT));
    assertThat(ApiAccess.datastore()).containsAll(server.grants(TEST_CLIENT));
    kube.close();
    store.close();
    server.stop();
  }

  static Pod pod(String ns, String name, String node, String ip, Map<String, String> labels) {
    PodBuilder b =
        new PodBuilder()
            .withNewMetadata()
            .withNamespace(ns)
            .withName(name)
            .withLabels(labels)
            .endMetadata()
            .withNewSpec()
            .withNodeName(node)
            .withServiceAccountName("default")
            .addNewContainer()
            .withName("app")
            .withImage("app")
            .addNewPort()
            .withName("http")
            .withContainerPort(8080)
            .endPort()
            .addNewPort()
            .withContainerPort(9090)
            .endPort()
            .endContainer()
            .endSpec()
            .withNewStatus()
            .withPhase("Running")
            .endStatus();
    if (ip != null) b.editStatus().addNewPodIP(ip).withPodIP(ip).endStatus();
    return b.build();
  }

  /**
   * Ingress to pods {@code app=db} of {@code ns} from every pod of namespaces labelled {@code
   * team=a}, on TCP {@code port} (null: every port).
   */
  static NetworkPolicy dbFromTeamA(String ns, String name, Integer port) {
    NetworkPolicyBuilder b =
        new NetworkPolicyBuilder()
            .withNewMetadata()
            .withNamespace(ns)
            .withName(name)
            .endMetadata()
            .withNewSpec()
            .withNewPodSelector()
            .addToMatchLabels("app", "db")
            .endPodSelector()
            .addNewIngress()
            .addNewFrom()
            .withNewNamespaceSelector()
            .addToMatchLabels("team", "a")
            .endNamespaceSelector()
            .endFrom()
            .endIngress()
            .endSpec();
    if (port != null) {
      b.editSpec()
          .editFirstIngress()
          .addNewPort()
          .withProtocol("TCP")
          .withNewPort(port)
          .endPort()
          .endIngress()
          .endSpec();
    }
    return b.build();
  }

  private WorkloadEndpoint endpoint(Entry e) {
    return CODEC.fromStorage(Kind.WORKLOAD_ENDPOINT, e.value(), e.revision());
  }

  private static String wepName(String ns, String node, String pod) {
    return ns + "/" + EndpointNames.endpointName(node, "k8s", pod, "eth0");
  }

  @Test
  void aScheduledPodWithAnAddressIsAWorkloadEndpointAsCalicosKddDerivesIt() {
    kube.pods().resource(pod("shop", "web-0", "n1", "10.244.1.5", Map.of("app", "web"))).create();
    kube.pods().resource(pod("shop", "pending", "n1", null, Map.of())).create();
    kube.pods().resource(pod("shop", "unscheduled", null, null, Map.of())).create();

    Listing l = store.list(WEP).join();
    assertThat(l.entries())
        .extracting(e -> e.key().name())
        .containsExactly(wepName("shop", "n1", "web-0"));
    WorkloadEndpoint w = endpoint(l.entries().getFirst());
    assertThat(w.metadata().namespace()).isEqualTo("shop");
    assertThat(w.metadata().labels())
        .containsEntry("app", "web")
        .containsEntry("projectcalico.org/namespace", "shop")
        .containsEntry("projectcalico.org/orchestrator", "k8s")
        .containsEntry("projectcalico.org/serviceaccount", "default");
    WorkloadEndpointSpec s = w.spec();
    assertThat(s.node()).isEqualTo("n1");
    assertThat(s.pod()).isEqualTo("web-0");
    assertThat(s.ipNetworks()).containsExactly("10.244.1.5/32");
    assertThat(s.profiles()).containsExactly("kns.shop", "ksa.shop.default");
    // the host veth the CNI side makes for this pod
    assertThat(s.interfaceName()).isEqualTo(EndpointNames.hostInterface("shop.web-0"));
    assertThat(s.ports())
        .as("named container ports only")
        .containsExactly(new WorkloadEndpointSpec.EndpointPort("http", "TCP", 8080, 0));
    // Its revision is the Pod's resourceVersion, and a get by name reads the same endpoint.
    assertThat(l.entries().getFirst().revision())
        .isEqualTo(
            Long.parseLong(
                kube.pods()
                    .inNamespace("shop")
                    .withName("web-0")
                    .get()
                    .getMetadata()
                    .getResourceVersion()));
    assertThat(store.get(new Key(WEP, wepName("shop", "n1", "web-0"))).join()).isPresent();
    assertThat(store.get(new Key(WEP, wepName("shop", "n2", "web-0"))).join())
        .as("the pod is not on n2")
        .isEmpty();
  }

  @Test
  void endpointsFollowPodsLabelsAddressesAndDeletionThroughTheWatch() throws Exception {
    kube.pods().resource(pod("shop", "web-0", "n1", "10.244.1.5", Map.of("app", "web"))).create();
    Listing l = store.list(WEP).join();
    BlockingQueue<WatchEvent> events = new LinkedBlockingQueue<>();
    try (Watch w = store.watch(WEP, l.revision(), events::add)) {
      // labels change
      kube.pods()
          .inNamespace("shop")
          .withName("web-0")
          .edit(
              p ->
                  new PodBuilder(p)
                      .editMetadata()
                      .addToLabels("tier", "front")
                      .endMetadata()
                      .build());
      WatchEvent.Put put = (WatchEvent.Put) next(events);
      assertThat(endpoint(put.entry()).metadata().labels()).containsEntry("tier", "front");

      // a pod without an address gives nothing, then appears when it gets one
      kube.pods().resource(pod("shop", "web-1", "n2", null, Map.of("app", "web"))).create();
      kube.pods()
          .inNamespace("shop")
          .withName("web-1")
          .edit(
              p ->
                  new PodBuilder(p)
                      .editStatus()
                      .addNewPodIP("10.244.2.7")
                      .withPodIP("10.244.2.7")
                      .endStatus()
                      .build());
      put = (WatchEvent.Put) next(events);
      assertThat(put.entry().key().name()).isEqualTo(wepName("shop", "n2", "web-1"));
      assertThat(endpoint(put.entry()).spec().ipNetworks()).containsExactly("10.244.2.7/32");

      // a finished pod has no endpoint
      kube.pods()
          .inNamespace("shop")
          .withName("web-1")
          .edit(p -> new PodBuilder(p).editStatus().withPhase("Succeeded").endStatus().build());
      WatchEvent.Deleted gone = (WatchEvent.Deleted) next(events);
      assertThat(gone.key().name()).isEqualTo(wepName("shop", "n2", "web-1"));

      // deletion
      kube.pods().inNamespace("shop").withName("web-0").delete();
      gone = (WatchEvent.Deleted) next(events);
      assertThat(gone.key().name()).isEqualTo(wepName("shop", "n1", "web-0"));
      assertThat(gone.revision()).isGreaterThan(put.revision());
      assertThat(events.poll(300, TimeUnit.MILLISECONDS)).as("nothing else").isNull();
    }
    assertThat(store.list(WEP).join().entries()).isEmpty();
  }

  @Test
  void namespacesAreKnsProfilesCarryingTheirLabelsAndTheyFollowLabelChanges() throws Exception {
    kube.namespaces()
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName("shop")
                .withLabels(Map.of("team", "a"))
                .endMetadata()
                .build())
        .create();
    Listing l = store.list(Kind.PROFILE.storageKind()).join();
    assertThat(l.entries()).extracting(e -> e.key().name()).containsExactly("kns.shop");
    Profile p = CODEC.fromStorage(Kind.PROFILE, l.entries().getFirst().value(), 1);
    // unprefixed: the policy package adds pcns. itself (agent.policy.Labels)
    assertThat(p.spec().labelsToApply()).isEqualTo(Map.of("team", "a"));

    BlockingQueue<WatchEvent> events = new LinkedBlockingQueue<>();
    try (Watch w = store.watch(Kind.PROFILE.storageKind(), l.revision(), events::add)) {
      kube.namespaces()
          .withName("shop")
          .edit(
              n ->
                  new NamespaceBuilder(n)
                      .editMetadata()
                      .addToLabels("team", "b")
                      .endMetadata()
                      .build());
      WatchEvent.Put put = (WatchEvent.Put) next(events);
      assertThat(CODEC.fromStorage(Kind.PROFILE, put.entry().value(), 1).spec().labelsToApply())
          .containsEntry("team", "b");
    }
    assertThat(new ResourceClient(store).get(Kind.PROFILE, "kns.shop").spec().labelsToApply())
        .containsEntry("team", "b");
  }

  @Test
  void networkPoliciesAreKubernetesNetworkPoliciesAndTheDerivedKindsRefuseWrites() {
    kube.network()
        .v1()
        .networkPolicies()
        .resource(dbFromTeamA("shop", "db-from-web", 5432))
        .create();
    ResourceClient client = new ResourceClient(store);
    List<KubernetesNetworkPolicy> policies = client.list(Kind.KUBERNETES_NETWORK_POLICY);
    assertThat(policies).hasSize(1);
    KubernetesNetworkPolicy np = policies.getFirst();
    assertThat(np.storageName()).isEqualTo("shop/db-from-web");
    assertThat(np.spec().podSelector().matchLabels()).isEqualTo(Map.of("app", "db"));
    assertThat(
            np.spec().ingressRules().getFirst().from().getFirst().namespaceSelector().matchLabels())
        .isEqualTo(Map.of("team", "a"));
    assertThat(np.spec().ingressRules().getFirst().ports().getFirst().port().toString())
        .contains("5432");

    assertThatThrownBy(() -> client.delete(Kind.KUBERNETES_NETWORK_POLICY, "shop/db-from-web"))
        .hasMessageContaining("KubernetesNetworkPolicy shop/db-from-web")
        .hasMessageContaining("read-only on the kubernetes datastore")
        .hasMessageContaining("networking.k8s.io/v1 NetworkPolicy");
    assertThatThrownBy(
            () ->
                store.create(new Key(Kind.PROFILE.storageKind(), "kns.x"), "{}".getBytes()).join())
        .isInstanceOf(CompletionException.class)
        .hasMessageContaining("Profile kns.x: read-only")
        .hasMessageContaining("v1 Namespace");
    assertThat(kube.network().v1().networkPolicies().inNamespace("shop").list().getItems())
        .hasSize(1);
  }

  /**
   * Calico's KDD mode reads ServiceAccounts into Profiles {@code ksa.<ns>.<name>} whose labels a
   * policy's {@code serviceAccountSelector} (and a rule's {@code serviceAccounts.selector}) match
   * as {@code pcsa.} labels. They are listed and watched with the namespaces' {@code kns.} Profiles
   * and follow label changes and deletion. (A policy selecting on them is no longer refused on this
   * backend; writing one is the datastore role's, not this agent test's.)
   */
  @Test
  void serviceAccountsAreKsaProfilesCarryingTheirLabelsAndTheyFollowLabelChanges()
      throws Exception {
    kube.namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName("shop").endMetadata().build())
        .create();
    kube.serviceAccounts()
        .inNamespace("shop")
        .resource(
            new ServiceAccountBuilder()
                .withNewMetadata()
                .withName("web")
                .withNamespace("shop")
                .withLabels(Map.of("team", "a"))
                .endMetadata()
                .build())
        .create();
    Listing l = store.list(Kind.PROFILE.storageKind()).join();
    assertThat(l.entries())
        .extracting(e -> e.key().name())
        .containsExactly("kns.shop", "ksa.shop.web");
    ResourceClient client = new ResourceClient(store);
    // unprefixed: the policy package adds pcsa. itself (agent.policy.Labels)
    assertThat(client.get(Kind.PROFILE, "ksa.shop.web").spec().labelsToApply())
        .isEqualTo(Map.of("team", "a"));
    assertThat(client.find(Kind.PROFILE, "ksa.shop.nobody")).isEmpty();

    BlockingQueue<WatchEvent> events = new LinkedBlockingQueue<>();
    try (Watch w = store.watch(Kind.PROFILE.storageKind(), l.revision(), events::add)) {
      kube.serviceAccounts()
          .inNamespace("shop")
          .withName("web")
          .edit(
              a ->
                  new ServiceAccountBuilder(a)
                      .editMetadata()
                      .addToLabels("team", "b")
                      .endMetadata()
                      .build());
      WatchEvent.Put put = (WatchEvent.Put) nextFor(events, "ksa.shop.web");
      assertThat(CODEC.fromStorage(Kind.PROFILE, put.entry().value(), 1).spec().labelsToApply())
          .containsEntry("team", "b");
      kube.serviceAccounts().inNamespace("shop").withName("web").delete();
      assertThat(nextFor(events, "ksa.shop.web")).isInstanceOf(WatchEvent.Deleted.class);
    }
  }

  /** The next event about {@code name}, skipping others (a list's revision may replay some). */
  private static WatchEvent nextFor(BlockingQueue<WatchEvent> events, String name)
      throws InterruptedException {
    while (true) {
      WatchEvent e = next(events);
      String key =
          switch (e) {
            case WatchEvent.Put p -> p.entry().key().name();
            case WatchEvent.Deleted d -> d.key().name();
            case WatchEvent.ResyncNeeded r -> null;
          };
      if (name.equals(key)) return e;
    }
  }

  @Test
  void theCniSidesEndpointWriteAnnotatesThePodAndItsAddressWinsOverTheStatus() {
    kube.pods().resource(pod("shop", "web-0", "n1", null, Map.of("app", "web"))).create();
    ResourceClient client = new ResourceClient(store);
    String name = EndpointNames.endpointName("n1", "k8s", "web-0", "eth0");
    client.create(
        new WorkloadEndpoint(
            ObjectMeta.namespaced("shop", name, Map.of("app", "web")),
            new WorkloadEndpointSpec(
                "k8s",
                null,
                "n1",
                "c0ffee",
                "web-0",
                "eth0",
                null,
                List.of("10.244.1.9/32", "fd00:10::9/128"),
                null,
                null,
                List.of("kns.shop"),
                EndpointNames.hostInterface("shop.web-0"),
                null,
                List.of())));
    Map<String, String> annotations =
        kube.pods().inNamespace("shop").withName("web-0").get().getMetadata().getAnnotations();
    assertThat(annotations)
        .containsEntry("cni.projectcalico.org/podIPs", "10.244.1.9/32,fd00:10::9/128")
        .containsEntry("cni.projectcalico.org/containerID", "c0ffee");
    WorkloadEndpoint w = client.get(Kind.WORKLOAD_ENDPOINT, "shop/" + name);
    assertThat(w.spec().ipNetworks()).containsExactly("10.244.1.9/32", "fd00:10::9/128");
    assertThat(w.spec().containerID()).isEqualTo("c0ffee");

    // the kubelet's status does not override what the CNI side wrote
    kube.pods()
        .inNamespace("shop")
        .withName("web-0")
        .edit(p -> new PodBuilder(p).editStatus().addNewPodIP("10.244.1.10").endStatus().build());
    assertThat(client.get(Kind.WORKLOAD_ENDPOINT, "shop/" + name).spec().ipNetworks())
        .containsExactly("10.244.1.9/32", "fd00:10::9/128");

    // Deleting the endpoint removes the annotations (a merge patch with nulls; the CRUD mock keeps
    // the keys with null values, an API server drops them); the status address remains.
    client.delete(Kind.WORKLOAD_ENDPOINT, "shop/" + name);
    annotations =
        kube.pods().inNamespace("shop").withName("web-0").get().getMetadata().getAnnotations();
    assertThat(annotations.get("cni.projectcalico.org/podIPs")).isNull();
    assertThat(annotations.get("cni.projectcalico.org/containerID")).isNull();
    assertThat(client.get(Kind.WORKLOAD_ENDPOINT, "shop/" + name).spec().ipNetworks())
        .containsExactly("10.244.1.10/32");
  }

  /**
   * A pod named near Kubernetes' 253-character limit: its endpoint name would pass the limit, so
   * the CNI side and this backend both cut it and end it in a digest (EndpointNames). Such a name
   * no longer holds the pod's name; until session 19 the backend parsed it back into one anyway and
   * patched, read and deleted a pod of that name — which does not exist (404: the CNI ADD failed),
   * or is another pod. The endpoint write now takes the pod from spec.pod, and reads and deletes
   * find the pod whose endpoint has the name.
   */
  @Test
  void aPodNamedNearTheLimitIsAnEndpointUnderItsShortenedNameForWriteReadListAndDelete() {
    String podName = ("web-" + "a".repeat(60) + "-").repeat(4).substring(0, 250) + "z";
    kube.pods().resource(pod("shop", podName, "n1", null, Map.of("app", "web"))).create();
    kube.pods().resource(pod("shop", "web-0", "n1", "10.244.1.7", Map.of("app", "web"))).create();
    String name = EndpointNames.endpointName("n1", "k8s", podName, "eth0");
    assertThat(name).hasSizeLessThanOrEqualTo(EndpointNames.MAX_NAME);
    assertThat(EndpointNames.parse(name).orElseThrow().get(2))
        .as("the name's workload part is not the pod's name")
        .isNotEqualTo(podName);
    ResourceClient client = new ResourceClient(store);
    // what CniService writes on ADD
    client.create(
        new WorkloadEndpoint(
            ObjectMeta.namespaced("shop", name, Map.of("app", "web")),
            new WorkloadEndpointSpec(
                "k8s",
                null,
                "n1",
                "c0ffee",
                podName,
                "eth0",
                null,
                List.of("10.244.1.9/32"),
                null,
                null,
                List.of("kns.shop"),
                EndpointNames.hostInterface("shop." + podName),
                null,
                List.of())));
    assertThat(
            kube.pods().inNamespace("shop").withName(podName).get().getMetadata().getAnnotations())
        .containsEntry("cni.projectcalico.org/podIPs", "10.244.1.9/32")
        .containsEntry("cni.projectcalico.org/containerID", "c0ffee");

    // what CHECK and the next ADD read, and what the agent's syncer lists
    WorkloadEndpoint w = client.get(Kind.WORKLOAD_ENDPOINT, "shop/" + name);
    assertThat(w.spec().pod()).isEqualTo(podName);
    assertThat(w.spec().ipNetworks()).containsExactly("10.244.1.9/32");
    assertThat(w.spec().interfaceName()).isEqualTo(EndpointNames.hostInterface("shop." + podName));
    assertThat(client.list(Kind.WORKLOAD_ENDPOINT))
        .extracting(WorkloadEndpoint::storageName)
        .containsExactlyInAnyOrder("shop/" + name, wepName("shop", "n1", "web-0"));

    // what DEL removes
    client.delete(Kind.WORKLOAD_ENDPOINT, "shop/" + name);
    assertThat(
            kube.pods()
                .inNamespace("shop")
                .withName(podName)
                .get()
                .getMetadata()
                .getAnnotations()
                .get("cni.projectcalico.org/podIPs"))
        .isNull();
    assertThat(client.find(Kind.WORKLOAD_ENDPOINT, "shop/" + name))
        .as("without the annotation or a status address the pod has no endpoint")
        .isEmpty();
    assertThat(client.find(Kind.WORKLOAD_ENDPOINT, wepName("shop", "n1", "web-0"))).isPresent();

    // An endpoint whose name is not its pod's is refused, naming both.
    WorkloadEndpoint wrong =
        new WorkloadEndpoint(
            ObjectMeta.namespaced(
                "shop", EndpointNames.endpointName("n1", "k8s", "web-0", "eth0"), Map.of()),
            w.spec());
    assertThatThrownBy(() -> client.create(wrong))
        .hasMessageContaining("spec.pod")
        .hasMessageContaining(podName)
        .hasMessageContaining(name);
  }

  @Test
  void theNodeCheckAndPodLookupSayWhatIsMissing() {
    kube.nodes()
        .resource(
            new io.fabric8.kubernetes.api.model.NodeBuilder()
                .withNewMetadata()
                .withName("n1")
                .endMetadata()
                .build())
        .create();
    KubernetesObjects objects = new KubernetesObjects(store);
    objects.requireNode("n1");
    assertThatThrownBy(() -> objects.requireNode("nope"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("node name \"nope\": no Kubernetes Node of that name")
        .hasMessageContaining("spec.nodeName");
    kube.pods().resource(pod("shop", "web-0", "n1", null, Map.of("app", "web"))).create();
    assertThat(objects.pod("shop", "web-0"))
        .hasValueSatisfying(
            p -> {
              assertThat(p.labels()).isEqualTo(Map.of("app", "web"));
              assertThat(p.serviceAccount()).isEqualTo("default");
            });
    assertThat(objects.pod("shop", "nope")).isEmpty();
  }

  private static WatchEvent next(BlockingQueue<WatchEvent> events) throws InterruptedException {
    WatchEvent e = events.poll(10, TimeUnit.SECONDS);
    assertThat(e).as("a watch event within 10 s").isNotNull();
    return e;
  }
}
