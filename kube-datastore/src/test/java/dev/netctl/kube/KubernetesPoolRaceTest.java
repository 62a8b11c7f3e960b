package dev.netctl.kube;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.datastore.Blocking;
import dev.netctl.datastore.Key;
import dev.netctl.datastore.client.ResourceClient;
import dev.netctl.datastore.model.IPPool;
import dev.netctl.datastore.model.Kind;
import dev.netctl.datastore.model.ResourceCodec;
import dev.netctl.datastore.model.ValidationException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Overlapping pools created at the same instant by independent clients on the Kubernetes backend,
 * where a commit holds one write and the etcd guard key cannot fence them: the pool creation lock
 * lets exactly one through, and the others are refused naming the overlap.
 */
@Timeout(120)
class KubernetesPoolRaceTest {
  private static final int WRITERS = 6;
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
  void ofManyClientsCreatingOverlappingPoolsAtOnceExactlyOneSucceeds() throws Exception {
    CyclicBarrier together = new CyclicBarrier(WRITERS);
    List<CompletableFuture<String>> writers = new ArrayList<>();
    // one thread per writer: the common pool may have a single worker on a small machine
    ExecutorService threads = Executors.newFixedThreadPool(WRITERS);
    for (int i = 0; i < WRITERS; i++) {
      // 10.0.0.0/16, /17, ... /21: every pair overlaps
      String name = "pool-" + i;
      String cidr = "10.0.0.0/" + (16 + i);
      writers.add(
          CompletableFuture.supplyAsync(
              () -> {
                try (KubernetesDatastore store = KubernetesDatastore.connect(server.config())) {
                  ResourceClient client = new ResourceClient(store);
                  IPPool pool =
                      (IPPool)
                          new ResourceCodec()
                              .read(
                                  "apiVersion: projectcalico.org/v3\nkind: IPPool\n"
                                      + "metadata: {name: "
                                      + name
                                      + "}\nspec: {cidr: "
                                      + cidr
                                      + ", blockSize: 26}\n",
                                  name)
                              .getFirst();
                  together.await(30, TimeUnit.SECONDS);
                  client.create(pool);
                  return "created " + name;
                } catch (ValidationException e) {
                  return "refused " + name + ": " + e.getMessage();
                } catch (Exception e) {
                  throw new IllegalStateException(name + ": " + e, e);
                }
              },
              threads));
    }
    List<String> outcomes = new ArrayList<>();
    for (var w : writers) outcomes.add(w.get(90, TimeUnit.SECONDS));
    threads.shutdown();

    assertThat(outcomes.stream().filter(o -> o.startsWith("created")))
        .as("outcomes %s", outcomes)
        .hasSize(1);
    assertThat(outcomes.stream().filter(o -> o.startsWith("refused")))
        .hasSize(WRITERS - 1)
        .allSatisfy(o -> assertThat(o).contains("must not overlap IPPool"));
    try (KubernetesDatastore store = KubernetesDatastore.connect(server.config())) {
      assertThat(new ResourceClient(store).list(Kind.IP_POOL)).hasSize(1);
      assertThat(
              Blocking.await(store.get(new Key("IPPoolGuard", "creation-lock")), store.address()))
          .as("the lock is released")
          .isEmpty();
    }
  }
}
