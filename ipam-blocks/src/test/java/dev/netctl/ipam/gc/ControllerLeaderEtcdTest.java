package dev.netctl.ipam.gc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.datastore.Datastore;
import dev.netctl.datastore.Datastores;
import dev.netctl.datastore.client.ResourceClient;
import dev.netctl.datastore.etcd.EtcdProcess;
import dev.netctl.datastore.lease.DatastoreLeaseStore;
import dev.netctl.datastore.lease.LeaderElector;
import dev.netctl.datastore.lease.Lease;
import dev.netctl.ipam.allocator.IpamAllocator;
import dev.netctl.ipam.allocator.ResourceEnvironment;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two controller instances, each with its own etcd client, against a real etcd: one leads and
 * releases, the other stands by; when the leader dies without giving the lease up, the other takes
 * over once the lease has expired and carries on.
 */
class ControllerLeaderEtcdTest {
  private static final LeaderElector.Config TIMING =
      new LeaderElector.Config(
          "netctl-controllers",
          "unset",
          Duration.ofSeconds(3),
          Duration.ofSeconds(2),
          Duration.ofMillis(200));

  /** One controller process: its own datastore client, allocator, elector and runner. */
  static final class Instance implements AutoCloseable {
    final Datastore store;
    final ControllerMetrics metrics = new ControllerMetrics();
    final List<String> log = new CopyOnWriteArrayList<>();
    final ControllerRunner runner;

    Instance(String spec, String id) {
      store = Datastores.open(spec, null);
      ResourceClient client = new ResourceClient(store);
      LeaderElector elector =
          new LeaderElector(
              new DatastoreLeaseStore(store, 1_000),
              new LeaderElector.Config(
                  TIMING.name(),
                  id,
                  TIMING.leaseDuration(),
                  TIMING.renewDeadline(),
                  TIMING.retryPeriod()),
              Clock.systemUTC());
      GcController gc =
          new GcController(
              client,
              new IpamAllocator(store, new ResourceEnvironment(client)),
              elector::isLeader,
              Clock.systemUTC(),
              new GcController.Options(Duration.ZERO, false),
              metrics,
              log::add);
      runner = new ControllerRunner(elector, gc, metrics, line -> log.add(id + ": " + line));
      runner.start(Duration.ofMillis(200));
    }

    /**
     * Dies the way a killed process does: the store goes away first, so the lease is not given up.
     */
    void crash() {
      store.close();
      runner.close();
    }

    @Override
    public void close() {
      runner.close();
      store.close();
    }
  }

  @Test
  @Timeout(90)
  void oneLeadsAndTheOtherTakesOverWhenItDies() {
    try (EtcdProcess etcd = EtcdProcess.start();
        Datastore admin = Datastores.open(etcd.spec(), null)) {
      GcCluster cluster = new GcCluster(admin);
      cluster.node("n1");
      cluster.unregisteredPod("n1", "leak-1", "c-1");
      try (Instance a = new Instance(etcd.spec(), "a");
          Instance b = new Instance(etcd.spec(), "b")) {
        waitFor("a leader", () -> a.runner.leading() || b.runner.leading());
        long end = System.nanoTime() + 1_000_000_000L;
        while (System.nanoTime() < end) {
          assertThat(a.runner.leading() && b.runner.leading()).as("two leaders at once").isFalse();
        }
        Instance leader = a.runner.leading() ? a : b;
        Instance standby = leader == a ? b : a;
        waitFor("the leak released", () -> !cluster.handles().contains("k8s-pod-network.c-1"));
        // The controller counts a release once it is done, so a reader may see the handle gone
        // just before the count: wait for the count, then check it is exactly one.
        waitFor("the release counted", () -> leader.metrics.handlesReleased() > 0);
        assertThat(leader.metrics.handlesReleased()).isEqualTo(1);
        assertThat(standby.metrics.handlesReleased()).isZero();
        assertThat(standby.metrics.render()).contains("netctl_controller_leader 0\n");

        leader.crash();
        DatastoreLeaseStore leases = new DatastoreLeaseStore(admin, 5_000);
        Lease last = leases.read(TIMING.name()).orElseThrow().lease();
        waitFor("the standby leading", standby.runner::leading);
        Lease taken = leases.read(TIMING.name()).orElseThrow().lease();
        assertThat(taken.holderIdentity()).isNotEqualTo(last.holderIdentity());
        assertThat(taken.leaseTransitions()).isEqualTo(last.leaseTransitions() + 1);
        assertThat(taken.acquireTime())
            .as("the standby waits until the dead leader's last renewal is a lease duration old")
            .isAfterOrEqualTo(last.renewTime().plus(TIMING.leaseDuration()));
        cluster.unregisteredPod("n1", "leak-2", "c-2");
        waitFor(
            "the second leak released", () -> !cluster.handles().contains("k8s-pod-network.c-2"));
        waitFor("the second release counted", () -> standby.metrics.handlesReleased() > 0);
        assertThat(standby.metrics.handlesReleased()).isEqualTo(1);
        assertThat(cluster.check(java.util.Set.of("n1")).clean()).isTrue();
      }
    }
  }

  private static void waitFor(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
