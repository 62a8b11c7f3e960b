package dev.netctl.ipam.allocator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netctl.datastore.ClusterNodes;
import dev.netctl.datastore.Datastore;
import dev.netctl.datastore.DatastoreException;
import dev.netctl.datastore.DerivedKinds;
import dev.netctl.datastore.ForwardingDatastore;
import dev.netctl.datastore.client.ResourceClient;
import dev.netctl.datastore.memory.MemoryDatastore;
import dev.netctl.datastore.model.Kind;
import dev.netctl.datastore.model.ResourceCodec;
import dev.netctl.ipam.store.IpamStore;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class NodeDeletionTest {
  private final MemoryDatastore ds = new MemoryDatastore();
  private final ResourceClient client = new ResourceClient(ds);
  private final IpamStore store = new IpamStore(ds);
  private final IpamAllocator ipam = new IpamAllocator(ds, new ResourceEnvironment(client));

  @AfterEach
  void close() {
    ds.close();
  }

  // A pool, node n1 and one endpoint on it.
  private static final String POOL_AND_N1 =
      """
      apiVersion: projectcalico.org/v3
      kind: IPPool
      metadata: {name: pool}
      spec: {cidr: 10.20.0.0/16, blockSize: 26}
      ---
      apiVersion: projectcalico.org/v3
      kind: Node
      metadata: {name: n1}
      ---
      apiVersion: projectcalico.org/v3
      kind: WorkloadEndpoint
      metadata: {name: n1-k8s-a-eth0, namespace: default}
      spec: {node: n1, containerID: c-a, pod: a, endpoint: eth0}
      """;

  private void apply(String yaml) {
    client.applyAll(new ResourceCodec().read(yaml));
  }

  @Test
  void deletingANodeTakesWhatIsItsAloneAsCalicoDoes() {
    apply(POOL_AND_N1);
    apply(
        """
        apiVersion: projectcalico.org/v3
        kind: Node
        metadata: {name: n2}
        ---
        apiVersion: projectcalico.org/v3
        kind: WorkloadEndpoint
        metadata: {name: n2-k8s-b-eth0, namespace: default}
        spec: {node: n2, containerID: c-b, pod: b, endpoint: eth0}
        ---
        apiVersion: projectcalico.org/v3
        kind: BGPPeer
        metadata: {name: n1-tor}
        spec: {node: n1, peerIP: 10.0.0.254, asNumber: 65001}
        ---
        apiVersion: projectcalico.org/v3
        kind: BGPPeer
        metadata: {name: everyone-tor}
        spec: {peerIP: 10.0.0.253, asNumber: 65001}
        ---
        apiVersion: projectcalico.org/v3
        kind: FelixConfiguration
        metadata: {name: node.n1}
        spec: {vxlanPort: 8472}
        ---
        apiVersion: projectcalico.org/v3
        kind: BGPConfiguration
        metadata: {name: node.n1}
        spec: {listenPort: 1790}
        ---
        apiVersion: projectcalico.org/v3
        kind: FelixConfiguration
        metadata: {name: node.n2}
        spec: {vxlanPort: 8472}
        """);
    ipam.autoAssign(AssignRequest.of("n1", "k8s-pod-network.c-a", 2, 0));
    ipam.autoAssign(AssignRequest.of("n2", "k8s-pod-network.c-b", 1, 0));

    NodeDeletion.Deleted d = NodeDeletion.delete(client, "n1");

    assertThat(d.addresses()).isEqualTo(2);
    assertThat(d.affinities()).isEqualTo(1);
    assertThat(d.endpoints()).containsExactly("default/n1-k8s-a-eth0");
    assertThat(d.summary())
        .isEqualTo(
            "2 addresses, 1 block affinity, 1 WorkloadEndpoint, BGPPeer \"n1-tor\","
                + " FelixConfiguration \"node.n1\", BGPConfiguration \"node.n1\"");
    assertThat(client.find(Kind.NODE, "n1")).isEmpty();
    assertThat(store.affinities("n1")).isEmpty();
    assertThat(client.find(Kind.BGP_PEER, "everyone-tor")).as("not scoped to n1").isPresent();
    // The other node keeps everything of its own.
    assertThat(client.find(Kind.NODE, "n2")).isPresent();
    assertThat(store.affinities("n2")).hasSize(1);
    assertThat(client.list(Kind.WORKLOAD_ENDPOINT))
        .extracting(w -> w.spec().node())
        .containsExactly("n2");
    assertThat(client.find(Kind.FELIX_CONFIGURATION, "node.n2")).isPresent();
    assertThat(store.handles())
        .extracting(h -> h.value().handleID())
        .containsExactly("k8s-pod-network.c-b");
  }

  /**
   * As on Kubernetes: the cluster keeps the nodes, and endpoints are its Pods. A node the cluster
   * still has is refused, nothing touched; once the cluster's node is gone its state is released,
   * the endpoints left to the cluster.
   */
  @Test
  void whereTheClusterKeepsTheNodesOneItStillHasIsRefused() {
    Set<String> clusterNodes = new java.util.concurrent.CopyOnWriteArraySet<>(Set.of("n1"));
    ClusterNodes cluster =
        new ClusterNodes() {
          @Override
          public Set<String> nodeNames() {
            return Set.copyOf(clusterNodes);
          }

          @Override
          public boolean nodeExists(String name) {
            return clusterNodes.contains(name);
          }
        };
    DerivedKinds derived = () -> Set.of(Kind.WORKLOAD_ENDPOINT.storageKind());
    Datastore kube =
        new ForwardingDatastore(ds) {
          @Override
          public <T> Optional<T> capability(Class<T> type) {
            if (type == ClusterNodes.class) {
              return Optional.of(type.cast(cluster));
            }
            return type == DerivedKinds.class
                ? Optional.of(type.cast(derived))
                : super.capability(type);
          }
        };
    ResourceClient onKube = new ResourceClient(kube);
    apply(POOL_AND_N1);
    ipam.autoAssign(AssignRequest.of("n1", "k8s-pod-network.c-a", 1, 0));

    assertThatThrownBy(() -> NodeDeletion.delete(onKube, "n1"))
        .isInstanceOf(NodeDeletion.StillInCluster.class)
        .hasMessageContaining("Kubernetes Node \"n1\" still exists");
    assertThat(store.affinities("n1")).as("its Pods' addresses are left alone").hasSize(1);
    assertThat(client.find(Kind.NODE, "n1")).isPresent();

    clusterNodes.remove("n1");
    NodeDeletion.Deleted d = NodeDeletion.delete(onKube, "n1");

    assertThat(d.addresses()).isEqualTo(1);
    assertThat(d.endpoints()).as("the cluster's Pods").isEmpty();
    assertThat(client.find(Kind.NODE, "n1")).isEmpty();
    assertThat(client.list(Kind.WORKLOAD_ENDPOINT)).hasSize(1);
  }

  @Test
  void aNodeThatIsNotThereIsNotFoundAndNothingIsTouched() {
    apply(
        """
        apiVersion: projectcalico.org/v3
        kind: FelixConfiguration
        metadata: {name: node.ghost}
        spec: {vxlanPort: 8472}
        """);

    assertThatThrownBy(() -> NodeDeletion.delete(client, "ghost"))
        .isInstanceOf(DatastoreException.NotFound.class);
    assertThat(client.find(Kind.FELIX_CONFIGURATION, "node.ghost")).isPresent();
    assertThat(new NodeDeletion.Deleted("n1", List.of(), 0, 0, List.of(), false, false).summary())
        .isEmpty();
  }
}
