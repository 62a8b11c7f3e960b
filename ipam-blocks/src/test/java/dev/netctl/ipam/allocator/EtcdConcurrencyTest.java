package dev.netctl.ipam.allocator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.datastore.Datastore;
import dev.netctl.datastore.Datastores;
import dev.netctl.datastore.etcd.EtcdProcess;
import dev.netctl.ipam.check.IpamChecker;
import dev.netctl.ipam.check.IpamReport;
import dev.netctl.ipam.store.IpamStore;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Many nodes and threads against a real etcd: no address is ever handed out twice. */
class EtcdConcurrencyTest {

  @Test
  @Timeout(240)
  void sixteenNodesTimesEightThreadsNeverShareAnAddress() throws Exception {
    long seed = System.nanoTime();
    try (EtcdProcess etcd = EtcdProcess.start()) {
      List<Datastore> clients = new ArrayList<>();
      for (int i = 0; i < 4; i++) clients.add(Datastores.open(etcd.spec(), null));
      try {
        List<String> nodes = IntStream.range(0, 16).mapToObj(i -> "node-" + i).toList();
        StaticEnvironment env =
            new StaticEnvironment()
                .pool(PoolSpec.of("v4", "10.0.0.0/16", 26))
                .pool(PoolSpec.of("v6", "fd00::/112", 122));
        nodes.forEach(n -> env.node(n, Map.of()));
        // Four blocks (256 addresses) per host and up to 264 live pods per node: nodes borrow at
        // times.
        env.settings = new IpamSettings(false, true, 4);
        Map<String, Integer> clientOf = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) clientOf.put(nodes.get(i), i % clients.size());
        Workload w =
            new Workload(
                nodes,
                8,
                300,
                33,
                10,
                seed,
                n -> new IpamAllocator(clients.get(clientOf.get(n)), env));
        Workload.Outcome out = w.run("", 230);
        System.out.printf(
            "seed %d: %d assigns, %d releases, %d failures %s%n",
            seed, out.assigns(), out.releases(), out.failures(), out.failureSamples());

        assertThat(out.assigns()).as("seed %d", seed).isGreaterThanOrEqualTo(20_000);
        assertThat(out.duplicates()).as("seed %d: addresses handed out twice", seed).isEmpty();
        IpamStore store = new IpamStore(clients.get(0));
        Workload.releaseUncertain(clients.get(0), env, out.uncertainHandles());
        assertThat(Workload.allocated(store))
            .as("seed %d: the store holds exactly the live assignments", seed)
            .isEqualTo(out.live());
        Map<String, Integer> expectedTotals = new HashMap<>();
        for (Map.Entry<InetAddress, String> e : out.live().entrySet()) {
          expectedTotals.merge(e.getValue(), 1, Integer::sum);
        }
        assertThat(Workload.handleTotals(store))
            .as("seed %d: handle counts balance", seed)
            .isEqualTo(expectedTotals);
        IpamReport report = new IpamChecker(store, env).check(Set.copyOf(nodes));
        assertThat(report.clean()).as("seed %d: %s", seed, report).isTrue();
      } finally {
        clients.forEach(Datastore::close);
      }
    }
  }
}
