package dev.netctl.kube;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.datastore.client.ResourceClient;
import dev.netctl.datastore.model.ResourceCodec;
import dev.netctl.ipam.allocator.AssignRequest;
import dev.netctl.ipam.allocator.AssignResult;
import dev.netctl.ipam.allocator.IpamAllocator;
import dev.netctl.ipam.allocator.ResourceEnvironment;
import dev.netctl.ipam.check.IpamChecker;
import dev.netctl.ipam.check.IpamReport;
import dev.netctl.ipam.store.BlockAffinity;
import dev.netctl.ipam.store.IpamStore;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * IPAM on the Kubernetes backend: pools and nodes applied as resources, two nodes allocating at
 * once. With one write per commit the allocator takes its crash-safe claim path (pending affinity,
 * block, confirmed affinity as separate writes); the result must still be unique addresses and a
 * clean {@code ipam check}.
 */
@Timeout(120)
class KubernetesIpamTest {
  private static ApiServerLike server;

  @BeforeAll
  static void start() {
    server = ApiServerLike.start();
  }

  @AfterAll
  static void stop() {
    server.stop();
  }

  @Test
  void twoNodesAllocatingAtOnceGetUniqueAddressesAndACleanCheck() throws Exception {
    try (KubernetesDatastore store = KubernetesDatastore.connect(server.config())) {
      ResourceClient client = new ResourceClient(store);
      create(
          client,
          """
          apiVersion: projectcalico.org/v3
          kind: IPPool
          metadata: {name: pool-a}
          spec: {cidr: 10.20.0.0/24, blockSize: 28}
          ---
          apiVersion: projectcalico.org/v3
          kind: Node
          metadata: {name: node-a}
          ---
          apiVersion: projectcalico.org/v3
          kind: Node
          metadata: {name: node-b}
          """);
      IpamAllocator ipam = new IpamAllocator(store, new ResourceEnvironment(client));
      Set<InetAddress> addresses = ConcurrentHashMap.newKeySet();
      List<CompletableFuture<Void>> nodes = new ArrayList<>();
      for (String node : List.of("node-a", "node-b")) {
        nodes.add(
            CompletableFuture.runAsync(
                () -> {
                  for (int i = 0; i < 20; i++) {
                    AssignResult r = ipam.autoAssign(AssignRequest.of(node, node + "-h" + i, 1, 0));
                    assertThat(addresses.add(r.ipv4().getFirst().address()))
                        .as("address handed out twice")
                        .isTrue();
                  }
                }));
      }
      CompletableFuture.allOf(nodes.toArray(CompletableFuture[]::new)).get(90, TimeUnit.SECONDS);
      assertThat(addresses).hasSize(40);

      IpamStore ipamStore = new IpamStore(store);
      assertThat(ipamStore.affinities("node-a"))
          .isNotEmpty()
          .allSatisfy(a -> assertThat(a.value().state()).isEqualTo(BlockAffinity.State.CONFIRMED));
      IpamReport report = new IpamChecker(ipamStore).check(Set.of("node-a", "node-b"));
      assertThat(report.clean()).as("ipam check: %s", report).isTrue();

      assertThat(ipam.releaseByHandle("node-a-h0")).isEqualTo(1);
      assertThat(new IpamChecker(ipamStore).check(Set.of("node-a", "node-b")).clean()).isTrue();
    }
  }

  /**
   * Three writers (each its own client, as the agent, a CLI and the controller are) allocating on
   * one node at once: they share its blocks, so their block updates race, and the API server's
   * resourceVersion check must turn the losers' PUTs into 409s that the allocator retries: every
   * address handed out once, each one recorded in its block, nothing lost to a last-writer-wins.
   */
  @Test
  void writersRacingOnOneNodesBlockGetConflictsRetryAndLoseNoAllocation() throws Exception {
    int writers = 3;
    int each = 10;
    List<KubernetesDatastore> stores = new ArrayList<>();
    // a thread per writer: the common pool may run them one after another (and never race)
    java.util.concurrent.ExecutorService threads =
        java.util.concurrent.Executors.newFixedThreadPool(writers);
    try {
      for (int i = 0; i < writers; i++) stores.add(KubernetesDatastore.connect(server.config()));
      ResourceClient client = new ResourceClient(stores.getFirst());
      create(
          client,
          """
          apiVersion: projectcalico.org/v3
          kind: IPPool
          metadata: {name: pool-c}
          spec: {cidr: 10.30.0.0/24, blockSize: 26}
          ---
          apiVersion: projectcalico.org/v3
          kind: Node
          metadata: {name: node-c}
          """);
      // The node's first block exists before the race, so every writer updates the same block.
      IpamAllocator first = new IpamAllocator(stores.getFirst(), new ResourceEnvironment(client));
      Set<InetAddress> addresses = ConcurrentHashMap.newKeySet();
      addresses.add(
          first.autoAssign(AssignRequest.of("node-c", "c-h", 1, 0)).ipv4().getFirst().address());
      int before = server.answers().size();
      java.util.concurrent.CyclicBarrier go = new java.util.concurrent.CyclicBarrier(writers);
      List<CompletableFuture<Void>> runs = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        KubernetesDatastore store = stores.get(w);
        IpamAllocator ipam =
            new IpamAllocator(store, new ResourceEnvironment(new ResourceClient(store)));
        String prefix = "c-w" + w + "-h";
        runs.add(
            CompletableFuture.runAsync(
                () -> {
                  try {
                    go.await(30, TimeUnit.SECONDS); // all at once
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                  for (int i = 0; i < each; i++) {
                    AssignResult r = ipam.autoAssign(AssignRequest.of("node-c", prefix + i, 1, 0));
                    assertThat(addresses.add(r.ipv4().getFirst().address()))
                        .as("address handed out twice")
                        .isTrue();
                  }
                },
                threads));
      }
      CompletableFuture.allOf(runs.toArray(CompletableFuture[]::new)).get(90, TimeUnit.SECONDS);
      assertThat(addresses).hasSize(writers * each + 1);
      List<String> raced = server.answers().subList(before, server.answers().size());
      assertThat(raced)
          .as("block updates refused for a stale resourceVersion (else the race was not run)")
          .anyMatch(a -> a.startsWith("PUT /apis/netctl.dev/v1/ipamblocks/") && a.endsWith(" 409"));
      IpamStore ipamStore = new IpamStore(stores.getFirst());
      // (the server is shared with the test above: its nodes are alive too)
      IpamReport report = new IpamChecker(ipamStore).check(Set.of("node-a", "node-b", "node-c"));
      assertThat(report.clean()).as("ipam check: %s", report).isTrue();
      for (int w = 0; w < writers; w++) {
        for (int i = 0; i < each; i++) {
          assertThat(first.releaseByHandle("c-w" + w + "-h" + i))
              .as("the allocation of handle c-w%d-h%d is in its block", w, i)
              .isEqualTo(1);
        }
      }
    } finally {
      threads.shutdownNow();
      for (KubernetesDatastore s : stores) s.close();
    }
  }

  /**
   * Two nodes claiming the only block of a pool at the same moment, each through its own client: on
   * this backend the claim is three writes (pending affinity, block, confirmed affinity), so the
   * loser's create of the block is answered 409 by the API server. Its retry must remove its
   * pending affinity (no second owner, calico#6001) and borrow an address from the winner's block:
   * both pods get a unique address, the block has one owner, and {@code ipam check} finds nothing.
   * The race is repeated on fresh pools until the server has refused a block create once.
   */
  @Test
  void twoNodesClaimingTheSameBlockAtOnceLeaveOneOwnerAndBothGetAnAddress() throws Exception {
    // a server of its own: the other tests check their nodes' blocks against a list of live nodes
    ApiServerLike own = ApiServerLike.start();
    java.util.concurrent.ExecutorService threads =
        java.util.concurrent.Executors.newFixedThreadPool(2);
    List<KubernetesDatastore> stores = new ArrayList<>();
    try {
      for (int i = 0; i < 2; i++) stores.add(KubernetesDatastore.connect(own.config()));
      ResourceClient client = new ResourceClient(stores.getFirst());
      boolean refused = false;
      for (int round = 0; round < 10 && !refused; round++) {
        String pool = "pool-x" + round;
        String[] nodes = {"x" + round + "-a", "x" + round + "-b"};
        String cidr = "10.50." + round + ".0/26";
        create(
            client,
            "apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: "
                + pool
                + "}\nspec: {cidr: "
                + cidr
                + ", blockSize: 26}\n---\n"
                + "apiVersion: projectcalico.org/v3\nkind: Node\nmetadata: {name: "
                + nodes[0]
                + "}\n---\n"
                + "apiVersion: projectcalico.org/v3\nkind: Node\nmetadata: {name: "
                + nodes[1]
                + "}\n");
        int before = own.answers().size();
        java.util.concurrent.CyclicBarrier go = new java.util.concurrent.CyclicBarrier(2);
        List<CompletableFuture<InetAddress>> runs = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
          KubernetesDatastore store = stores.get(w);
          IpamAllocator ipam =
              new IpamAllocator(store, new ResourceEnvironment(new ResourceClient(store)));
          String node = nodes[w];
          runs.add(
              CompletableFuture.supplyAsync(
                  () -> {
                    try {
                      go.await(30, TimeUnit.SECONDS);
                    } catch (Exception e) {
                      throw new IllegalStateException(e);
                    }
                    return ipam.autoAssign(
                            new AssignRequest(
                                node, node + "-h", 1, 0, null, null, null, List.of(pool)))
                        .ipv4()
                        .getFirst()
                        .address();
                  },
                  threads));
        }
        CompletableFuture.allOf(runs.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        assertThat(runs.get(0).get())
            .as("address handed out twice")
            .isNotEqualTo(runs.get(1).get());

        IpamStore ipamStore = new IpamStore(stores.getFirst());
        List<String> owners = new ArrayList<>();
        for (String node : nodes) {
          for (var a : ipamStore.affinities(node)) {
            assertThat(a.value().state())
                .as("no pending affinity left behind by the loser")
                .isEqualTo(BlockAffinity.State.CONFIRMED);
            owners.add(node);
          }
        }
        assertThat(owners).as("one owner of the pool's only block").hasSize(1);
        Set<String> alive = new java.util.HashSet<>(List.of(nodes));
        for (int r = 0; r < round; r++) alive.addAll(List.of("x" + r + "-a", "x" + r + "-b"));
        IpamReport report = new IpamChecker(ipamStore).check(alive);
        assertThat(report.clean()).as("ipam check: %s", report).isTrue();
        refused =
            own.answers().subList(before, own.answers().size()).stream()
                .anyMatch(
                    a -> a.startsWith("POST /apis/netctl.dev/v1/ipamblocks") && a.endsWith(" 409"));
      }
      assertThat(refused)
          .as("a block create refused with 409 in one of the rounds (else the race never ran)")
          .isTrue();
    } finally {
      threads.shutdownNow();
      for (KubernetesDatastore s : stores) s.close();
      own.stop();
    }
  }

  @Test
  void anIpReservationStoredAsACustomResourceKeepsItsAddressesFromAutomaticAssignment() {
    try (KubernetesDatastore store = KubernetesDatastore.connect(server.config())) {
      ResourceClient client = new ResourceClient(store);
      create(
          client,
          """
          apiVersion: projectcalico.org/v3
          kind: IPPool
          metadata: {name: pool-r}
          spec: {cidr: 10.31.0.0/28, blockSize: 28}
          ---
          apiVersion: projectcalico.org/v3
          kind: Node
          metadata: {name: node-r}
          ---
          apiVersion: projectcalico.org/v3
          kind: IPReservation
          metadata: {name: gateways}
          spec: {reservedCIDRs: [10.31.0.0/30, 10.31.0.15]}
          """);
      IpamAllocator ipam = new IpamAllocator(store, new ResourceEnvironment(client));
      List<String> got = new ArrayList<>();
      for (int i = 0; i < 11; i++) {
        AssignResult r =
            ipam.autoAssign(
                new AssignRequest("node-r", "r-h" + i, 1, 0, null, null, null, List.of("pool-r")));
        got.add(r.ipv4().getFirst().address().getHostAddress());
      }

      assertThat(got)
          .doesNotHaveDuplicates()
          .doesNotContain("10.31.0.0", "10.31.0.1", "10.31.0.2", "10.31.0.3", "10.31.0.15");
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () ->
                  ipam.autoAssign(
                      new AssignRequest(
                          "node-r", "r-more", 1, 0, null, null, null, List.of("pool-r"))))
          .hasMessageContaining("IPReservations keep 5 of their 16 addresses out");
    }
  }

  private static void create(ResourceClient client, String yaml) {
    client.createAll(new ResourceCodec().read(yaml, "test"));
  }
}
