package dev.netctl.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netctl.datastore.Datastore;
import dev.netctl.datastore.DatastoreException;
import dev.netctl.datastore.Entry;
import dev.netctl.datastore.ForwardingDatastore;
import dev.netctl.datastore.Key;
import dev.netctl.datastore.Write;
import dev.netctl.datastore.client.ResourceClient;
import dev.netctl.datastore.lease.MutableClock;
import dev.netctl.datastore.model.Kind;
import dev.netctl.datastore.model.ResourceCodec;
import dev.netctl.ipam.allocator.AssignRequest;
import dev.netctl.ipam.allocator.IpamAllocator;
import dev.netctl.ipam.allocator.ResourceEnvironment;
import dev.netctl.ipam.check.IpamChecker;
import dev.netctl.ipam.gc.ControllerMetrics;
import dev.netctl.ipam.gc.GcController;
import dev.netctl.ipam.store.IpamStore;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The node controller on Kubernetes: node liveness is the {@code v1} Nodes, so a netctl Node whose
 * Kubernetes Node was deleted is reported, then (after the grace) deleted with its addresses and
 * block affinities; a netctl Node whose Kubernetes Node exists is never touched, and an API error
 * deletes nothing.
 */
@Timeout(60)
class KubernetesNodeControllerTest {
  private static final Duration GRACE = Duration.ofMinutes(15);

  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-05T12:00:00Z"));
  private final List<String> log = new ArrayList<>();
  private ApiServerLike server;
  private KubernetesClient kube;
  private KubernetesDatastore setup;
  private KubernetesDatastore store;
  private GcController gc;

  @BeforeEach
  void start() {
    server = ApiServerLike.start();
    // What the test writes (as the agents and kubectl would) goes through clients of its own.
    Config c = server.config();
    c.setUserAgent(KubernetesDerivedKindsTest.TEST_CLIENT);
    kube = new KubernetesClientBuilder().withConfig(c).build();
    setup = KubernetesDatastore.connect(c);
    // The Kubernetes Nodes first, as on a cluster (an agent registers its Node after checking
    // that its Kubernetes Node exists); the mock also refuses a v1 Node named like a stored one.
    for (String node : List.of("stays", "gone")) {
      kube.nodes()
          .resource(new NodeBuilder().withNewMetadata().withName(node).endMetadata().build())
          .create();
    }
    ResourceClient agents = new ResourceClient(setup);
    agents.applyAll(
        new ResourceCodec()
            .read(
                """
                apiVersion: projectcalico.org/v3
                kind: IPPool
                metadata: {name: pool}
                spec: {cidr: 10.20.0.0/16, blockSize: 26}
                ---
                apiVersion: projectcalico.org/v3
                kind: Node
                metadata: {name: stays}
                ---
                apiVersion: projectcalico.org/v3
                kind: Node
                metadata: {name: gone}
                """,
                "test"));
    IpamAllocator ipam = new IpamAllocator(setup, new ResourceEnvironment(agents));
    for (String node : List.of("stays", "gone")) {
      ipam.autoAssign(AssignRequest.of(node, "h-" + node, 2, 0));
    }

    store = KubernetesDatastore.connect(server.config());
    gc = controller(store);
  }

  /** The node controller on {@code on}, with the grace, the test's clock and log. */
  private GcController controller(Datastore on) {
    ResourceClient client = new ResourceClient(on);
    return new GcController(
        client,
        new IpamAllocator(on, new ResourceEnvironment(client)),
        () -> true,
        clock,
        new GcController.Options(GRACE, false),
        new ControllerMetrics(),
        log::add);
  }

  @AfterEach
  void stop() {
    // Every call the controller made is one its ClusterRole grants (the test's own are not its).
    assertThat(ApiAccess.controller())
        .as("calls of the controller outside ApiAccess.controller()")
        .containsAll(server.grants(KubernetesDerivedKindsTest.TEST_CLIENT));
    store.close();
    setup.close();
    kube.close();
    server.stop();
  }

  @Test
  void aDeletedKubernetesNodesNetctlNodeAndIpamAreReleasedAfterTheGrace() {
    kube.nodes().withName("gone").delete();

    assertThat(gc.runPass().nodesReleased()).isZero();
    assertThat(log)
        .anyMatch(l -> l.contains("node \"gone\": no Kubernetes Node \"gone\"; release due at"));
    assertThat(nodes()).as("reported first, nothing deleted").contains("gone");
    clock.advance(GRACE);
    assertThat(gc.runPass().nodesReleased()).isEqualTo(1);

    assertThat(nodes()).containsExactly("stays");
    IpamStore ipam = new IpamStore(setup);
    assertThat(ipam.affinities("gone")).isEmpty();
    assertThat(ipam.affinities("stays")).isNotEmpty();
    assertThat(handles()).containsExactly("h-stays");
    assertThat(new IpamChecker(ipam).check(Set.of("stays")).clean()).isTrue();
    assertThat(log).anyMatch(l -> l.startsWith("released node \"gone\"") && l.contains("Node"));

    // every call the controller made is one its ClusterRole grants
    assertThat(server.grants(KubernetesDerivedKindsTest.TEST_CLIENT))
        .contains(new ApiAccess.Grant("", "nodes", "list"))
        .contains(new ApiAccess.Grant("netctl.dev", "nodes", "delete"))
        .isSubsetOf(ApiAccess.controller());
  }

  @Test
  void aNetctlNodeWhoseKubernetesNodeExistsIsNeverTouched() {
    for (int i = 0; i < 3; i++) {
      assertThat(gc.runPass().plan().waiting()).isEmpty();
      clock.advance(GRACE);
    }
    // a Kubernetes Node deleted and recreated within the grace is alive again
    kube.nodes().withName("gone").delete();
    gc.runPass();
    kube.nodes()
        .resource(new NodeBuilder().withNewMetadata().withName("gone").endMetadata().build())
        .create();
    clock.advance(GRACE);
    assertThat(gc.runPass().nodesReleased()).isZero();
    assertThat(nodes()).containsExactlyInAnyOrder("stays", "gone");
    assertThat(handles()).containsExactlyInAnyOrder("h-stays", "h-gone");
  }

  @Test
  void aKubernetesNodeBackDuringTheReleaseKeepsItsNetctlNode() {
    // Once armed, the controller's store brings the v1 Node back at the release's first write:
    // after the check before the release said it is gone, before the netctl Node is deleted.
    AtomicBoolean armed = new AtomicBoolean();
    AtomicBoolean back = new AtomicBoolean();
    Datastore racing =
        new ForwardingDatastore(store) {
          @Override
          public CompletableFuture<List<Long>> commit(List<Write> writes) {
            comesBack();
            return super.commit(writes);
          }

          @Override
          public CompletableFuture<Entry> update(Key key, byte[] value, long expectedRevision) {
            comesBack();
            return super.update(key, value, expectedRevision);
          }

          @Override
          public CompletableFuture<Long> delete(Key key, long expectedRevision) {
            comesBack();
            return super.delete(key, expectedRevision);
          }

          private void comesBack() {
            if (armed.get() && !back.getAndSet(true)) {
              kube.nodes()
                  .resource(
                      new NodeBuilder().withNewMetadata().withName("gone").endMetadata().build())
                  .create();
            }
          }
        };
    GcController racingGc = controller(racing);
    kube.nodes().withName("gone").delete();
    racingGc.runPass();
    clock.advance(GRACE);

    armed.set(true);
    assertThat(racingGc.runPass().nodesReleased()).isEqualTo(1);

    assertThat(back).as("the v1 Node came back during the release").isTrue();
    IpamStore ipam = new IpamStore(setup);
    assertThat(ipam.affinities("gone"))
        .as("released: it was gone when the release began")
        .isEmpty();
    assertThat(nodes())
        .as("its netctl Node is its agent's again")
        .containsExactlyInAnyOrder("stays", "gone");
  }

  @Test
  void anApiErrorDeletesNothing() {
    kube.nodes().withName("gone").delete();
    gc.runPass();
    clock.advance(GRACE);

    // the list of Nodes fails (RBAC without list on nodes): the pass fails before any write
    server.refuse("/api/v1/nodes?", 403);
    assertThatThrownBy(gc::runPass)
        .isInstanceOf(DatastoreException.class)
        .hasMessageContaining("403");
    assertThat(nodes()).containsExactlyInAnyOrder("stays", "gone");
    assertThat(handles()).containsExactlyInAnyOrder("h-stays", "h-gone");

    // the list works but the check just before the release fails: nothing released either
    server.stopRefusing();
    server.refuse("/api/v1/nodes/", 500);
    assertThat(gc.runPass().nodesReleased()).isZero();
    assertThat(log).anyMatch(l -> l.startsWith("failed to release node \"gone\""));
    assertThat(nodes()).containsExactlyInAnyOrder("stays", "gone");
    assertThat(handles()).containsExactlyInAnyOrder("h-stays", "h-gone");

    // once the API answers, the next pass releases it (still orphaned, and seen so long enough)
    server.stopRefusing();
    assertThat(gc.runPass().nodesReleased()).isEqualTo(1);
    assertThat(nodes()).containsExactly("stays");
  }

  private Set<String> nodes() {
    Set<String> out = new HashSet<>();
    new ResourceClient(setup).list(Kind.NODE).forEach(n -> out.add(n.name()));
    return out;
  }

  private Set<String> handles() {
    Set<String> out = new HashSet<>();
    new IpamStore(setup).handles().forEach(h -> out.add(h.value().handleID()));
    return out;
  }
}
