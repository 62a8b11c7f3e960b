package dev.netctl.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netctl.agent.kernel.FakeKernel;
import dev.netctl.agent.kernel.Link;
import dev.netctl.agent.kernel.Ownership;
import dev.netctl.agent.kernel.Route;
import dev.netctl.agent.node.AgentOptions;
import dev.netctl.agent.node.NodeAgent;
import dev.netctl.datastore.client.ResourceClient;
import dev.netctl.datastore.model.BGPConfiguration;
import dev.netctl.datastore.model.BGPConfigurationSpec;
import dev.netctl.datastore.model.Cidr;
import dev.netctl.datastore.model.EncapsulationMode;
import dev.netctl.datastore.model.EndpointNames;
import dev.netctl.datastore.model.IPPool;
import dev.netctl.datastore.model.IPPoolSpec;
import dev.netctl.datastore.model.Kind;
import dev.netctl.datastore.model.Node;
import dev.netctl.datastore.model.NodeBGPSpec;
import dev.netctl.datastore.model.NodeSpec;
import dev.netctl.datastore.model.ObjectMeta;
import dev.netctl.ipam.block.Block;
import dev.netctl.ipam.store.IpamStore;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The whole agent in process on the kubernetes datastore (fabric8's CRUD mock, {@link
 * ApiServerLike}) and the fake kernel: Pods, Namespaces and NetworkPolicies come from the API, the
 * node is a Kubernetes Node whose labels the netctl Node carries.
 */
@Timeout(90)
class KubernetesNodeAgentTest {
  /** The other node's block, over VXLAN to its VTEP. */
  private static final Route REMOTE_BLOCK_ROUTE =
      Route.via(
          Cidr.parse("10.244.9.0/26"), Cidr.parseAddress("10.244.9.1"), Ownership.VXLAN_V4, true);

  private final FakeKernel kernel = new FakeKernel();
  private ApiServerLike server;
  private KubernetesDatastore store;
  private KubernetesDatastore setup;
  private KubernetesClient kube;
  private ResourceClient client;
  private NodeAgent agent;
  private NodeLabelMirror labels;

  @BeforeEach
  void start() throws Exception {
    server = ApiServerLike.start();
    store = KubernetesDatastore.connect(server.config());
    // What the test writes (as a user or another node would) goes through a client of its own.
    Config c = server.config();
    c.setUserAgent(KubernetesDerivedKindsTest.TEST_CLIENT);
    kube = new KubernetesClientBuilder().withConfig(c).build();
    setup = KubernetesDatastore.connect(c);
    client = new ResourceClient(setup);

    for (String n : List.of("me", "remote")) {
      kube.nodes()
          .resource(
              new NodeBuilder()
                  .withNewMetadata()
                  .withName(n)
                  .withLabels(Map.of("zone", n.equals("me") ? "a" : "b"))
                  .endMetadata()
                  .build())
          .create();
    }
    namespace("shop", "a");
    namespace("db", "x");
    // web-0 runs on the other node, db-0 here.
    kube.pods()
        .resource(
            KubernetesDerivedKindsTest.pod(
                "shop", "web-0", "remote", "10.244.9.5", Map.of("app", "web")))
        .create();
    kube.pods()
        .resource(
            KubernetesDerivedKindsTest.pod("db", "db-0", "me", "10.244.0.5", Map.of("app", "db")))
        .create();

    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.71"))) {
      port = s.getLocalPort();
    }
    client.create(
        new IPPool(
            ObjectMeta.named("p"),
            new IPPoolSpec(
                "10.244.0.0/16",
                null,
                EncapsulationMode.NEVER,
                EncapsulationMode.ALWAYS,
                false,
                false,
                false,
                // Selects this node by its Kubernetes Node's label: IPAM (the VXLAN tunnel
                // address) only serves it once the label has been copied.
                "zone == 'a'",
                null,
                null)));
    client.create(
        new BGPConfiguration(
            ObjectMeta.named("default"), BGPConfigurationSpec.empty().withListenPort(port)));
    client.create(
        new Node(
            ObjectMeta.named("remote"),
            new NodeSpec(
                new NodeBGPSpec("127.0.0.72/8", null, null, null),
                "10.244.9.1",
                "66:00:00:00:00:09",
                null,
                null)));
    var block = dev.netctl.ipam.block.Cidr.parse("10.244.9.0/26");
    store
        .create(
            IpamStore.blockKey(block), IpamStore.encode(Block.empty(block, "remote").toRecord()))
        .join();

    kernel.links.put(
        "eth0",
        new Link(
            "eth0",
            2,
            1500,
            "02:00:00:00:00:01",
            true,
            "veth",
            List.of(Cidr.parse("127.0.0.71/8"))));
    new KubernetesObjects(store).requireNode("me");
    agent =
        new NodeAgent(
            new AgentOptions(
                "me",
                "127.0.0.71/8",
                "none",
                "first-found",
                4096,
                4789,
                0,
                "127.0.0.1",
                0,
                Path.of("/nonexistent"),
                Duration.ofSeconds(90),
                null,
                AgentOptions.TunnelMtus.DERIVED),
            store,
            kernel);
    agent.start();
    labels = new NodeLabelMirror(store, "me");
  }

  @AfterEach
  void stop() {
    if (labels != null) labels.close();
    if (agent != null) agent.close();
    // Every call the agent made is one its ClusterRole grants.
    assertThat(ApiAccess.nodeAgent())
        .containsAll(server.grants(KubernetesDerivedKindsTest.TEST_CLIENT));
    kube.close();
    setup.close();
    store.close();
    server.stop();
  }

  private void namespace(String name, String team) {
    kube.namespaces()
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName(name)
                .withLabels(Map.of("team", team))
                .endMetadata()
                .build())
        .createOr(r -> r.update());
  }

  // The fake kernel is written by the agent's thread without locks: reads here may race with a
  // write, so every await ignores a ConcurrentModificationException and looks again.
  private Route owned(String dst) {
    return kernel.owned.get(Cidr.parse(dst));
  }

  private boolean anyScript(java.util.function.Predicate<String> p) {
    return List.copyOf(kernel.nftScripts).stream().anyMatch(p);
  }

  @Test
  void podsOnBothNodesAreRoutedAndTheNodeCarriesItsKubernetesLabels() {
    // The other node's pod: its block's route over VXLAN.
    await()
        .ignoreExceptions()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> assertThat(owned("10.244.9.0/26")).isEqualTo(REMOTE_BLOCK_ROUTE));
    // This node's pod, derived from its Pod: a /32 to the veth the CNI side names.
    await()
        .ignoreExceptions()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(owned("10.244.0.5/32"))
                    .isEqualTo(
                        Route.link(
                            Cidr.parse("10.244.0.5/32"), EndpointNames.hostInterface("db.db-0"))));
    await()
        .ignoreExceptions()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(client.get(Kind.NODE, "me").metadata().labels())
                    .isEqualTo(Map.of("zone", "a")));
    assertThat(client.get(Kind.NODE, "me").spec().bgp().ipv4Address()).isEqualTo("127.0.0.71/8");
    // The pool's nodeSelector matched the copied Kubernetes label: the tunnel address is from it.
    await()
        .ignoreExceptions()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () ->
                assertThat(client.get(Kind.NODE, "me").spec().ipv4VXLANTunnelAddr())
                    .startsWith("10.244."));

    // A Kubernetes label change reaches the netctl Node.
    kube.nodes()
        .withName("me")
        .edit(
            n -> new NodeBuilder(n).editMetadata().addToLabels("rack", "r1").endMetadata().build());
    await()
        .ignoreExceptions()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(client.get(Kind.NODE, "me").metadata().labels())
                    .containsEntry("rack", "r1"));

    // The pod goes: its route goes.
    kube.pods().inNamespace("db").withName("db-0").delete();
    await()
        .ignoreExceptions()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(owned("10.244.0.5/32")).isNull());
  }

  @Test
  void aNetworkPolicySelectingPodsByNamespaceLabelsReachesTheRenderedRuleset() {
    await().ignoreExceptions().atMost(Duration.ofSeconds(30)).until(agent::dataplaneReady);
    assertThat(anyScript(s -> s.contains("10.244.9.5")))
        .as("no policy selects web-0 yet")
        .isFalse();
    kube.network()
        .v1()
        .networkPolicies()
        .resource(KubernetesDerivedKindsTest.dbFromTeamA("db", "db-from-team-a", null))
        .create();
    // web-0 (namespace shop, team=a, on the other node) is in the policy's source set.
    await()
        .ignoreExceptions()
        .atMost(Duration.ofSeconds(15))
        .until(() -> anyScript(s -> s.contains("db-from-team-a") || s.contains("10.244.9.5")));
    await()
        .ignoreExceptions()
        .atMost(Duration.ofSeconds(15))
        .until(() -> anyScript(s -> s.contains("10.244.9.5")));

    // The namespace's label changes: web-0 leaves the set.
    namespace("shop", "b");
    await()
        .ignoreExceptions()
        .atMost(Duration.ofSeconds(15))
        .until(() -> anyScript(s -> s.contains("delete element") && s.contains("10.244.9.5")));
  }

  @Test
  void anUnreachableApiServerKeepsTheDataplaneAndMakesTheAgentNotReadyUntilItIsBack() {
    await().ignoreExceptions().atMost(Duration.ofSeconds(30)).until(agent::dataplaneReady);
    await()
        .ignoreExceptions()
        .atMost(Duration.ofSeconds(10))
        .until(() -> owned("10.244.9.0/26") != null);
    int routes = kernel.ownedRoutes().size();
    server.stop();
    // The agent probes the datastore every 5 s.
    await().ignoreExceptions().atMost(Duration.ofSeconds(20)).until(() -> !agent.dataplaneReady());
    assertThat(kernel.ownedRoutes()).as("dataplane kept").hasSize(routes);
    assertThat(owned("10.244.9.0/26")).isEqualTo(REMOTE_BLOCK_ROUTE);
    server.restart();
    await().ignoreExceptions().atMost(Duration.ofSeconds(30)).until(agent::dataplaneReady);
    // And it follows the API again: a new pod here is routed.
    kube.pods()
        .resource(
            KubernetesDerivedKindsTest.pod("db", "db-1", "me", "10.244.0.6", Map.of("app", "db")))
        .create();
    await()
        .ignoreExceptions()
        .atMost(Duration.ofSeconds(30))
        .until(() -> owned("10.244.0.6/32") != null);
  }
}
