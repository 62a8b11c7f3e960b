package dev.netctl.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netctl.datastore.DatastoreException;
import dev.netctl.datastore.Key;
import dev.netctl.datastore.Watch;
import dev.netctl.datastore.WatchEvent;
import dev.netctl.datastore.client.ResourceClient;
import dev.netctl.datastore.model.Kind;
import dev.netctl.datastore.model.NetworkPolicy;
import dev.netctl.datastore.model.Resource;
import dev.netctl.datastore.model.ResourceCodec;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
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
 * netctl's namespaced kind (Calico's NetworkPolicy) on the kubernetes backend: each custom resource
 * lives in its own namespace, so {@code kubectl get -n NS} filters it, while the datastore's
 * listing and watch (what the agent follows) span every namespace with {@code <namespace>/<name>}
 * keys, as on the other backends.
 */
@Timeout(60)
class KubernetesNamespacedKindsTest {
  private static final ResourceCodec CODEC = new ResourceCodec();
  private static final ResourceDefinitionContext POLICIES =
      KubeWatch.definition(Kind.NETWORK_POLICY.storageKind());

  private ApiServerLike server;
  private KubernetesDatastore store;
  private ResourceClient client;
  private KubernetesClient kube;

  @BeforeEach
  void start() {
    server = ApiServerLike.start();
    store = KubernetesDatastore.connect(server.config());
    client = new ResourceClient(store);
    kube = server.kubectl();
    // the API server creates a namespaced object only in a namespace that exists
    for (String ns : List.of("default", "shop", "team")) {
      kube.namespaces()
          .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
          .create();
    }
  }

  @AfterEach
  void stop() {
    // every call the backend made is one of its declared calls, which deploy/'s roles grant
    assertThat(ApiAccess.datastore())
        .containsAll(server.grants(KubernetesDerivedKindsTest.TEST_CLIENT));
    kube.close();
    store.close();
    server.stop();
  }

  private static NetworkPolicy policy(String namespace, String name, int order) {
    String yaml =
        "apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: "
            + name
            + ", namespace: "
            + namespace
            + "}\nspec: {selector: all(), order: "
            + order
            + "}\n";
    return Kind.NETWORK_POLICY.cast(CODEC.readManifests(yaml, "np.yaml").getFirst());
  }

  private List<String> namesIn(String namespace) {
    return kube
        .genericKubernetesResources(POLICIES)
        .inNamespace(namespace)
        .list()
        .getItems()
        .stream()
        .map(r -> r.getMetadata().getName())
        .sorted()
        .toList();
  }

  @Test
  void aPolicyIsStoredInItsNamespaceAndListedAcrossAll() {
    client.create(policy("shop", "allow-web", 1));
    client.create(policy("default", "allow-web", 2));
    client.create(policy("shop", "deny-db", 3));

    assertThat(namesIn("shop")).containsExactly("allow-web", "deny-db");
    assertThat(namesIn("default")).containsExactly("allow-web");
    assertThat(server.requests())
        .contains("POST /apis/netctl.dev/v1/namespaces/shop/networkpolicies");

    assertThat(client.list(Kind.NETWORK_POLICY))
        .extracting(Resource::storageName)
        .containsExactly("default/allow-web", "shop/allow-web", "shop/deny-db");
    assertThat(client.get(Kind.NETWORK_POLICY, "shop/allow-web").spec().order()).isEqualTo(1.0);
    assertThat(client.get(Kind.NETWORK_POLICY, "default/allow-web").spec().order()).isEqualTo(2.0);

    NetworkPolicy shop = client.get(Kind.NETWORK_POLICY, "shop/allow-web");
    client.update(policy("shop", "allow-web", 5).withMetadata(shop.metadata()));
    assertThat(client.get(Kind.NETWORK_POLICY, "shop/allow-web").spec().order()).isEqualTo(5.0);
    assertThat(client.get(Kind.NETWORK_POLICY, "default/allow-web").spec().order()).isEqualTo(2.0);

    client.delete(Kind.NETWORK_POLICY, "shop/allow-web");
    assertThat(namesIn("shop")).containsExactly("deny-db");
    assertThat(namesIn("default")).containsExactly("allow-web");
  }

  @Test
  void aPolicyMadeWithKubectlIsReadAndWatchedUnderItsNamespace() throws Exception {
    client.create(policy("default", "first", 1));
    var listing = store.list(Kind.NETWORK_POLICY.storageKind(), "").join();
    BlockingQueue<WatchEvent> events = new LinkedBlockingQueue<>();
    try (Watch w =
        store.watch(Kind.NETWORK_POLICY.storageKind(), listing.revision(), events::add)) {
      GenericKubernetesResource made =
          new GenericKubernetesResourceBuilder()
              .withApiVersion(StoredKinds.API_VERSION)
              .withKind("NetworkPolicy")
              .withNewMetadata()
              .withNamespace("team")
              .withName("from-kubectl")
              .endMetadata()
              .withAdditionalProperties(Map.of("spec", Map.of("selector", "all()", "order", 4)))
              .build();
      kube.genericKubernetesResources(POLICIES).inNamespace("team").resource(made).create();

      WatchEvent e = events.poll(20, TimeUnit.SECONDS);
      assertThat(e).isInstanceOf(WatchEvent.Put.class);
      assertThat(((WatchEvent.Put) e).entry().key())
          .isEqualTo(new Key("NetworkPolicy", "team/from-kubectl"));
    }
    NetworkPolicy read = client.get(Kind.NETWORK_POLICY, "team/from-kubectl");
    assertThat(read.metadata().namespace()).isEqualTo("team");
    assertThat(read.spec().order()).isEqualTo(4.0);
  }

  @Test
  void aPolicyInANamespaceThatDoesNotExistIsRefusedNamingIt() {
    assertThatThrownBy(() -> client.create(policy("nowhere", "p", 1)))
        .isInstanceOf(DatastoreException.NotFound.class)
        .hasMessage("Namespace \"nowhere\" not found");
    assertThat(client.list(Kind.NETWORK_POLICY)).isEmpty();
  }

  @Test
  void aKeyWithoutANamespaceHasNoObject() {
    Key bare = new Key("NetworkPolicy", "no-namespace");
    assertThat(store.get(bare).join()).isEmpty();
    assertThatThrownBy(() -> store.create(bare, "{}".getBytes()).join())
        .isInstanceOf(CompletionException.class)
        .cause()
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must be <namespace>/<name>");
    assertThatThrownBy(() -> store.delete(bare, 1).join())
        .cause()
        .isInstanceOf(DatastoreException.NotFound.class);
  }
}
