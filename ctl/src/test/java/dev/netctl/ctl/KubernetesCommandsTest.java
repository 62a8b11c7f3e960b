package dev.netctl.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Commands on the kubernetes datastore that read Kubernetes' own objects (fabric8's CRUD mock; only
 * lists and gets are made, which work with jetcd on this class path): {@code policy matrix} and
 * {@code explain} without {@code -f}, whose endpoints are the API's Pods, namespace labels its
 * Namespaces', policies its NetworkPolicies; {@code node run}'s check that the node is a Kubernetes
 * Node.
 */
@Timeout(60)
class KubernetesCommandsTest {
  @TempDir Path dir;
  private KubernetesMockServer server;
  private KubernetesClient kube;
  private Cli cli;

  @BeforeEach
  void start() throws Exception {
    server =
        new KubernetesMockServer(
            new Context(Serialization.jsonMapper()),
            new MockWebServer(),
            new HashMap<>(),
            new KubernetesCrudDispatcher(),
            false);
    server.init(java.net.InetAddress.getLoopbackAddress(), 0);
    Config config =
        new ConfigBuilder(Config.empty())
            .withMasterUrl("http://127.0.0.1:" + server.getPort() + "/")
            .withHttp2Disable(true)
            .build();
    kube = new KubernetesClientBuilder().withConfig(config).build();
    Path kubeconfig =
        Files.writeString(
            dir.resolve("kubeconfig"),
            """
            apiVersion: v1
            kind: Config
            clusters: [{name: t, cluster: {server: "http://127.0.0.1:%d"}}]
            users: [{name: t, user: {token: t}}]
            contexts: [{name: t, context: {cluster: t, user: t}}]
            current-context: t
            """
                .formatted(server.getPort()));
    cli = new Cli("kubernetes:" + kubeconfig);
  }

  @AfterEach
  void stop() {
    kube.close();
    server.destroy();
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

  private void pod(String ns, String name, String ip, String app) {
    kube.pods()
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withNamespace(ns)
                .withName(name)
                .withLabels(Map.of("app", app))
                .endMetadata()
                .withNewSpec()
                .withNodeName("n1")
                .addNewContainer()
                .withName("c")
                .withImage("c")
                .addNewPort()
                .withName("http")
                .withContainerPort(8080)
                .endPort()
                .endContainer()
                .endSpec()
                .withNewStatus()
                .withPhase("Running")
                .withPodIP(ip)
                .addNewPodIP(ip)
                .endStatus()
                .build())
        .create();
  }

  @Test
  void matrixReadsPodsNamespacesAndNetworkPoliciesFromTheApi() {
    namespace("x", "blue");
    namespace("y", "red");
    pod("x", "a", "10.1.0.1", "web");
    pod("y", "b", "10.1.0.2", "db");
    kube.network()
        .v1()
        .networkPolicies()
        .resource(
            new NetworkPolicyBuilder()
                .withNewMetadata()
                .withNamespace("x")
                .withName("web-from-red")
                .endMetadata()
                .withNewSpec()
                .withNewPodSelector()
                .addToMatchLabels("app", "web")
                .endPodSelector()
                .addNewIngress()
                .addNewFrom()
                .withNewNamespaceSelector()
                .addToMatchLabels("team", "red")
                .endNamespaceSelector()
                .endFrom()
                .addNewPort()
                .withNewPort("http")
                .endPort()
                .endIngress()
                .endSpec()
                .build())
        .create();

    // rows are sources, columns destinations: y/b (team red) may reach x/a on its named port
    Cli.Run m = cli.run("policy", "matrix", "--ports", "8080/TCP");
    assertThat(m.exitCode()).as(m.toString()).isZero();
    assertThat(m.out()).isEqualTo("8080/TCP  x/a  y/b\nx/a       -    .\ny/b       .    -\n");

    // the namespace's label changes in the API: the same pair is now denied
    namespace("y", "blue");
    m = cli.run("policy", "matrix", "--ports", "8080/TCP");
    assertThat(m.out())
        .as(m.toString())
        .isEqualTo("8080/TCP  x/a  y/b\nx/a       -    .\ny/b       X    -\n");

    Cli.Run explain =
        cli.run("policy", "explain", "--from", "y/b", "--to", "x/a", "--port", "8080/TCP");
    assertThat(explain.out()).as(explain.toString()).startsWith("verdict: deny\n");
  }

  @Test
  void nodeRunRefusesANameThatIsNoKubernetesNode() {
    Cli.Run r =
        cli.run(
            "node", "run", "--name", "not-a-node", "--cni-socket", "none", "--health-port", "0");
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCode.USAGE);
    assertThat(r.err())
        .contains("node name \"not-a-node\": no Kubernetes Node of that name")
        .contains("NETCTL_NODE_NAME from spec.nodeName");
  }
}
