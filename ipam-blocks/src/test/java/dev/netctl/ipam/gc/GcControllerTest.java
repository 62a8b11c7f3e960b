package dev.netctl.ipam.gc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.datastore.Datastore;
import dev.netctl.datastore.DerivedKinds;
import dev.netctl.datastore.ForwardingDatastore;
import dev.netctl.datastore.lease.MutableClock;
import dev.netctl.datastore.memory.MemoryDatastore;
import dev.netctl.datastore.migrate.Migration;
import dev.netctl.datastore.migrate.WriteGate;
import dev.netctl.datastore.model.Kind;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GcControllerTest {
  private static final Duration GRACE = Duration.ofMinutes(15);
  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-05T12:00:00Z"));
  private final MemoryDatastore store = new MemoryDatastore();
  private final GcCluster cluster = new GcCluster(store);
  private final ControllerMetrics metrics = new ControllerMetrics();
  private final List<String> log = new ArrayList<>();

  @AfterEach
  void close() {
    store.close();
  }

  private GcController controller(BooleanSupplier leading, boolean dryRun) {
    return new GcController(
        cluster.client,
        cluster.allocator,
        leading,
        clock,
        new GcController.Options(GRACE, dryRun),
        metrics,
        log::add);
  }

  @Test
  void aHandleWithoutItsPodIsReportedThenReleasedAfterTheGrace() {
    cluster.node("n1");
    cluster.pod("n1", "web", "c-live");
    cluster.unregisteredPod("n1", "gone", "c-gone");
    cluster.handle("n1", "ipip-tunnel-addr-n1");
    cluster.handle("n1", "operator-made");
    GcController gc = controller(() -> true, false);

    assertThat(gc.runPass().handlesReleased()).isZero();
    assertThat(log)
        .anyMatch(
            l ->
                l.contains(
                    "handle \"k8s-pod-network.c-gone\": no pod with container ID c-gone; release due at 2026-12-05T12:15:00Z"));
    clock.advance(GRACE.minusSeconds(1));
    assertThat(gc.runPass().handlesReleased()).as("within the grace period").isZero();
    clock.advance(Duration.ofSeconds(1));
    assertThat(gc.runPass().handlesReleased()).isEqualTo(1);

    assertThat(cluster.handles())
        .containsExactlyInAnyOrder(
            "k8s-pod-network.c-live", "ipip-tunnel-addr-n1", "operator-made");
    assertThat(log)
        .anyMatch(
            l ->
                l.startsWith("released handle \"k8s-pod-network.c-gone\"")
                    && l.endsWith("1 address(es)"));
    assertThat(cluster.check(Set.of("n1")).clean()).isTrue();
    assertThat(metrics.render())
        .contains("netctl_controller_handles_released_total 1\n")
        .contains("netctl_controller_addresses_released_total 1\n")
        .contains("netctl_controller_nodes{state=\"live\"} 1\n");
  }

  @Test
  void aPodThatAppearsDuringTheGraceKeepsItsAddress() {
    cluster.node("n1");
    cluster.unregisteredPod("n1", "slow", "c-slow");
    GcController gc = controller(() -> true, false);
    gc.runPass();
    clock.advance(Duration.ofMinutes(5));
    // the CNI plugin writes the WorkloadEndpoint after the address, as it does
    cluster.apply(
        """
        apiVersion: projectcalico.org/v3
        kind: WorkloadEndpoint
        metadata: {name: n1-k8s-slow-eth0, namespace: default}
        spec: {node: n1, containerID: c-slow, pod: slow, endpoint: eth0}
        """);
    gc.runPass();
    clock.advance(GRACE);
    assertThat(gc.runPass().handlesReleased()).isZero();
    assertThat(cluster.handles()).contains("k8s-pod-network.c-slow");
  }

  @Test
  void aDeletedNodesAddressesEndpointsAndNodeConfigurationsAreReleased() {
    cluster.node("n1");
    cluster.node("n2");
    cluster.pod("n1", "a", "c-a");
    cluster.pod("n2", "b", "c-b");
    cluster.handle("n2", "vxlan-tunnel-addr-n2");
    cluster.apply(
        """
        apiVersion: projectcalico.org/v3
        kind: BGPConfiguration
        metadata: {name: node.n2}
        spec: {listenPort: 1790}
        ---
        apiVersion: projectcalico.org/v3
        kind: FelixConfiguration
        metadata: {name: node.n2}
        spec: {vxlanPort: 8472}
        ---
        apiVersion: projectcalico.org/v3
        kind: FelixConfiguration
        metadata: {name: node.n1}
        spec: {vxlanPort: 8472}
        ---
        apiVersion: projectcalico.org/v3
        kind: FelixConfiguration
        metadata: {name: node.n3}
        spec: {vxlanPort: 8472}
        ---
        apiVersion: projectcalico.org/v3
        kind: BGPPeer
        metadata: {name: n2-tor}
        spec: {node: n2, peerIP: 10.0.0.254, asNumber: 65001}
        """);
    cluster.client.delete(Kind.NODE, "n2");
    GcController gc = controller(() -> true, false);

    gc.runPass();
    assertThat(log)
        .anyMatch(l -> l.contains("node \"n2\": no Node resource \"n2\"; release due at"));
    clock.advance(GRACE);
    GcController.PassResult r = gc.runPass();

    assertThat(r.nodesReleased()).isEqualTo(1);
    assertThat(cluster.allocator.store().affinities("n2")).isEmpty();
    assertThat(cluster.handles()).containsExactly("k8s-pod-network.c-a");
    assertThat(cluster.client.list(Kind.WORKLOAD_ENDPOINT))
        .extracting(w -> w.spec().node())
        .containsExactly("n1");
    assertThat(cluster.client.find(Kind.BGP_CONFIGURATION, "node.n2")).isEmpty();
    assertThat(cluster.client.find(Kind.FELIX_CONFIGURATION, "node.n2")).isEmpty();
    assertThat(cluster.client.find(Kind.FELIX_CONFIGURATION, "node.n1"))
        .as("a live node's settings stay")
        .isPresent();
    assertThat(cluster.client.find(Kind.FELIX_CONFIGURATION, "node.n3"))
        .as("settings written for a node that has not started yet stay")
        .isPresent();
    assertThat(log).noneMatch(l -> l.contains("node \"n3\""));
    assertThat(log).anyMatch(l -> l.contains("FelixConfiguration \"node.n2\""));
    assertThat(metrics.render()).contains("netctl_controller_felix_configurations_deleted_total 1");
    assertThat(cluster.client.find(Kind.BGP_PEER, "n2-tor"))
        .as("operator config is kept")
        .isPresent();
    assertThat(cluster.check(Set.of("n1")).clean()).isTrue();
    assertThat(metrics.nodesReleased()).isEqualTo(1);
    // the next pass finds nothing more to do
    clock.advance(GRACE);
    assertThat(gc.runPass().plan().waiting()).isEmpty();
  }

  @Test
  void whereEndpointsAreDerivedADeletedNodesPodsAreLeftToTheCluster() {
    // As on Kubernetes: endpoints are the cluster's Pods, which its own GC deletes.
    MemoryDatastore memory = new MemoryDatastore();
    Datastore deriving =
        new ForwardingDatastore(memory) {
          @Override
          public <T> java.util.Optional<T> capability(Class<T> type) {
            DerivedKinds derived = () -> java.util.Set.of("WorkloadEndpoint");
            return type == DerivedKinds.class
                ? java.util.Optional.of(type.cast(derived))
                : super.capability(type);
          }
        };
    GcCluster k8s = new GcCluster(deriving);
    try {
      k8s.node("n1");
      k8s.node("n2");
      k8s.pod("n2", "b", "c-b");
      k8s.client.delete(Kind.NODE, "n2");
      GcController gc =
          new GcController(
              k8s.client,
              k8s.allocator,
              () -> true,
              clock,
              new GcController.Options(GRACE, false),
              metrics,
              log::add);
      gc.runPass();
      clock.advance(GRACE);
      assertThat(gc.runPass().nodesReleased()).isEqualTo(1);
      assertThat(k8s.allocator.store().affinities("n2")).isEmpty();
      assertThat(k8s.client.list(Kind.WORKLOAD_ENDPOINT))
          .as("the pod's endpoint is the cluster's to remove")
          .extracting(w -> w.spec().node())
          .containsExactly("n2");
      assertThat(metrics.endpointsDeleted.get()).isZero();
    } finally {
      memory.close();
    }
  }

  @Test
  void aDryRunReleasesNothingAndSaysWhatItWould() {
    cluster.node("n1");
    cluster.unregisteredPod("n1", "gone", "c-gone");
    GcController gc = controller(() -> true, true);
    gc.runPass();
    clock.advance(GRACE);
    gc.runPass();
    assertThat(cluster.handles()).contains("k8s-pod-network.c-gone");
    assertThat(log)
        .anyMatch(l -> l.startsWith("dry run: would release handle \"k8s-pod-network.c-gone\""));
    assertThat(metrics.handlesReleased()).isZero();
  }

  @Test
  void aControllerThatLosesTheLeaseMidPassStopsBeforeItsNextRelease() {
    cluster.node("n1");
    cluster.unregisteredPod("n1", "x", "c-x");
    cluster.unregisteredPod("n1", "y", "c-y");
    AtomicInteger calls = new AtomicInteger();
    // leading for the first pass and the start of the second, lost before its first release
    GcController gc = controller(() -> calls.incrementAndGet() <= 2, false);
    gc.runPass();
    clock.advance(GRACE);
    GcController.PassResult r = gc.runPass();
    assertThat(r.stopped()).isTrue();
    assertThat(r.handlesReleased()).isZero();
    assertThat(cluster.handles()).contains("k8s-pod-network.c-x", "k8s-pod-network.c-y");
    assertThat(log).contains("lost the controllers' lease: stopping this pass");
  }

  @Test
  void aFollowerDoesNothing() {
    cluster.node("n1");
    cluster.unregisteredPod("n1", "gone", "c-gone");
    GcController gc = controller(() -> false, false);
    gc.runPass();
    clock.advance(GRACE);
    gc.runPass();
    assertThat(cluster.handles()).contains("k8s-pod-network.c-gone");
    assertThat(log).isEmpty();
  }

  @Test
  void nothingIsReleasedWhileTheDatastoreIsLockedForMigration() throws InterruptedException {
    // the store as Datastores.open opens it: behind the migration lock's gate
    WriteGate gate = new WriteGate(store);
    GcCluster cluster = new GcCluster(gate);
    cluster.node("n1");
    cluster.unregisteredPod("n1", "gone", "c-gone");
    new Migration(List.of(), clock).lock(store, "test");
    // the gate, which has seen writes already, learns of the lock through its watch
    long deadline = System.nanoTime() + 15_000_000_000L;
    while (gate.ready() && System.nanoTime() < deadline) Thread.sleep(10);
    GcController gc =
        new GcController(
            cluster.client,
            cluster.allocator,
            () -> true,
            clock,
            new GcController.Options(GRACE, false),
            metrics,
            log::add);
    assertThat(gc.runPass().stopped()).isTrue();
    clock.advance(GRACE);
    assertThat(gc.runPass().stopped()).isTrue();
    assertThat(cluster.handles()).contains("k8s-pod-network.c-gone");
    assertThat(log).anyMatch(l -> l.contains("is locked for migration: not acting"));
  }
}
