package dev.netctl.ipam.allocator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.datastore.Datastore;
import dev.netctl.datastore.Datastores;
import dev.netctl.datastore.etcd.EtcdProcess;
import dev.netctl.ipam.check.IpamChecker;
import dev.netctl.ipam.check.IpamRepair;
import dev.netctl.ipam.check.IpamReport;
import dev.netctl.ipam.store.IpamStore;
import java.net.InetAddress;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Writers die between the steps of block claims, assignments and releases while etcd itself is
 * restarted: no address is ever handed out twice, and check + repair leave a clean store.
 */
class EtcdFaultTest {

  @Test
  @Timeout(180)
  void killedWritersAndAnEtcdRestartLeaveNothingCheckCannotRepair() throws Exception {
    long seed = System.nanoTime();
    try (EtcdProcess etcd = EtcdProcess.start();
        Datastore ds = Datastores.open(etcd.spec(), null);
        ScheduledExecutorService chaos = Executors.newSingleThreadScheduledExecutor()) {
      List<String> nodes = IntStream.range(0, 4).mapToObj(i -> "node-" + i).toList();
      // Tiny blocks, so claims (and deaths inside them) happen all the time.
      StaticEnvironment env = new StaticEnvironment().pool(PoolSpec.of("v4", "10.0.0.0/20", 29));
      nodes.forEach(n -> env.node(n, Map.of()));
      RandomCrashHook hook = new RandomCrashHook(EnumSet.allOf(Step.class), 0.03, seed);
      Workload w =
          new Workload(
              nodes,
              4,
              150,
              10,
              0,
              seed,
              n -> new IpamAllocator(ds, env, IpamAllocator.Options.DEFAULT.withHook(hook)));
      chaos.schedule(etcd::restart, 3, TimeUnit.SECONDS);
      Workload.Outcome out = w.run("", 170);
      chaos.shutdown();
      assertThat(chaos.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
      System.out.printf(
          "seed %d: %d assigns, %d releases, %d failures, %d kills %s%n",
          seed,
          out.assigns(),
          out.releases(),
          out.failures(),
          hook.kills.get(),
          out.failureSamples());

      assertThat(hook.kills.get()).as("seed %d: faults were injected", seed).isPositive();
      assertThat(out.duplicates()).as("seed %d: addresses handed out twice", seed).isEmpty();

      IpamStore store = new IpamStore(ds);
      Workload.releaseUncertain(ds, env, out.uncertainHandles());
      IpamReport report = new IpamChecker(store, env).check(Set.copyOf(nodes));
      System.out.printf("seed %d: before repair %d problems%n", seed, report.problemCount());
      new IpamRepair(store).releaseFromReport(report, Set.copyOf(nodes));
      IpamReport after = new IpamChecker(store, env).check(Set.copyOf(nodes));
      assertThat(after.clean()).as("seed %d: %s", seed, after).isTrue();
      assertThat(Workload.allocated(store))
          .as("seed %d: after repair the store holds exactly the live assignments", seed)
          .isEqualTo(out.live());
      Map<String, Integer> expectedTotals = new HashMap<>();
      for (Map.Entry<InetAddress, String> e : out.live().entrySet()) {
        expectedTotals.merge(e.getValue(), 1, Integer::sum);
      }
      assertThat(Workload.handleTotals(store)).as("seed %d", seed).isEqualTo(expectedTotals);
    }
  }
}
