package dev.netctl.ipam.gc;

import dev.netctl.datastore.ClusterNodes;
import dev.netctl.datastore.DatastoreException;
import dev.netctl.datastore.client.ResourceClient;
import dev.netctl.datastore.migrate.WriteGate;
import dev.netctl.datastore.model.BGPConfiguration;
import dev.netctl.datastore.model.FelixConfiguration;
import dev.netctl.datastore.model.Kind;
import dev.netctl.ipam.IpamException;
import dev.netctl.ipam.allocator.IpamAllocator;
import dev.netctl.ipam.allocator.NodeDeletion;
import dev.netctl.ipam.gc.GcPlan.Item;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The node controller and IPAM garbage collector of {@code netctl controller run} (Calico's
 * kube-controllers' node and IPAM controllers), one pass at a time.
 *
 * <p>A pass reads a {@link ClusterSnapshot}, asks the {@link GcPlanner} what is due, logs every new
 * candidate with the time it becomes due ("report first"), then releases what is due:
 *
 * <ul>
 *   <li>a node that is gone (no Node resource; on Kubernetes, no Kubernetes Node, {@link
 *       ClusterNodes}): every address assigned on it and its block affinities ({@link
 *       IpamAllocator#releaseNode}), its WorkloadEndpoints, its {@code node.<name>}
 *       BGPConfiguration and FelixConfiguration (as Calico's node deletion; a FelixConfiguration
 *       alone does not make a node a candidate: it may be written before the node first starts)
 *       and, last, its netctl Node resource if it still has one. Node-scoped BGPPeers ({@code
 *       spec.node}) are left: they are operator configuration with names of their own, and a node
 *       that comes back under the same name uses them again.
 *   <li>a handle whose pod no longer exists, or the tunnel handle of a node that no longer exists:
 *       {@link IpamAllocator#releaseByHandle}.
 * </ul>
 *
 * <p>Every release goes through the allocator's compare-and-swap paths (bounded retries on
 * conflicts, so a concurrent assignment is never overwritten). Before each release the pass checks
 * that this process still leads, and stops at once when it does not. A failed release is logged,
 * counted and retried by a later pass (the state is still orphaned then). Nothing is written while
 * the datastore is locked for migration, nor in dry-run mode, which only logs what it would do.
 */
public final class GcController {

  /**
   * @param grace how long state must stay orphaned before it is released (kube-controllers' leak
   *     grace period is 15 minutes)
   * @param dryRun log what would be released, release nothing
   */
  public record Options(Duration grace, boolean dryRun) {}

  /** What a pass did. */
  public record PassResult(GcPlan plan, int nodesReleased, int handlesReleased, boolean stopped) {
    static PassResult skipped() {
      return new PassResult(new GcPlan(List.of(), List.of(), List.of()), 0, 0, true);
    }
  }

  private final ResourceClient client;
  private final IpamAllocator allocator;
  private final BooleanSupplier leading;
  private final Clock clock;
  private final Options options;
  private final ControllerMetrics metrics;
  private final Consumer<String> log;
  private final SnapshotReader reader;
  private final GcPlanner planner;

  public GcController(
      ResourceClient client,
      IpamAllocator allocator,
      BooleanSupplier leading,
      Clock clock,
      Options options,
      ControllerMetrics metrics,
      Consumer<String> log) {
    this.client = client;
    this.allocator = allocator;
    this.leading = leading;
    this.clock = clock;
    this.options = options;
    this.metrics = metrics;
    this.log = log;
    this.reader = new SnapshotReader(client, allocator.store());
    this.planner = new GcPlanner(options.grace());
  }

  /** Runs one pass if this process leads; does nothing otherwise. */
  public PassResult runPass() {
    if (!leading.getAsBoolean()) return PassResult.skipped();
    if (!WriteGate.ready(client.datastore())) {
      log.accept(
          "datastore " + client.datastore().address() + " is locked for migration: not acting");
      return PassResult.skipped();
    }
    ClusterSnapshot snapshot = reader.read();
    GcPlan plan = planner.plan(snapshot, clock.instant());
    metrics.passes.incrementAndGet();
    metrics.liveNodes.set(snapshot.liveNodes().size());
    metrics.missingNodes.set(
        snapshot.nodesWithState().stream().filter(n -> !snapshot.liveNodes().contains(n)).count());
    metrics.pendingNodes.set(
        plan.waiting().stream().filter(i -> i.target() == GcPlan.Target.NODE).count());
    metrics.pendingHandles.set(
        plan.waiting().stream().filter(i -> i.target() == GcPlan.Target.HANDLE).count());
    for (Item i : plan.waiting()) {
      if (i.newlySeen()) {
        log.accept(
            (options.dryRun() ? "dry run: " : "")
                + describe(i)
                + ": "
                + i.reason()
                + "; release due at "
                + i.releaseAt()
                + " if still so");
      }
    }
    int nodes = 0;
    int handles = 0;
    for (Item i : plan.dueNodes()) {
      if (stopIfNotLeading()) return new PassResult(plan, nodes, handles, true);
      if (releaseNode(i, snapshot)) nodes++;
    }
    for (Item i : plan.dueHandles()) {
      if (stopIfNotLeading()) return new PassResult(plan, nodes, handles, true);
      if (releaseHandle(i)) handles++;
    }
    return new PassResult(plan, nodes, handles, false);
  }

  private boolean stopIfNotLeading() {
    if (leading.getAsBoolean()) return false;
    log.accept("lost the controllers' lease: stopping this pass");
    return true;
  }

  private boolean releaseNode(Item i, ClusterSnapshot s) {
    String node = i.name();
    List<String> endpoints = s.endpointsByNode().getOrDefault(node, List.of());
    boolean bgp = s.nodeBgpConfigs().contains(node);
    boolean felix = s.nodeFelixConfigs().contains(node);
    boolean resource = s.nodeResources().contains(node);
    String what =
        "node \""
            + node
            + "\" ("
            + i.reason()
            + " since "
            + i.firstSeen()
            + "): its addresses and"
            + " block affinities, "
            + endpoints.size()
            + " WorkloadEndpoint(s)"
            + (bgp ? ", BGPConfiguration \"" + BGPConfiguration.NODE_PREFIX + node + "\"" : "")
            + (felix
                ? ", FelixConfiguration \"" + FelixConfiguration.NODE_PREFIX + node + "\""
                : "")
            + (resource ? ", Node \"" + node + "\"" : "");
    if (options.dryRun()) {
      log.accept("dry run: would release " + what);
      return false;
    }
    try {
      // The node may have come back since the snapshot: its state is then its own again.
      if (alive(node)) {
        log.accept("node \"" + node + "\" exists again: nothing released");
        return false;
      }
      // As netctl delete node releases a node's state, the BGPPeers scoped to it aside.
      NodeDeletion.Deleted r = NodeDeletion.release(client, allocator, node, false);
      metrics.endpointsDeleted.addAndGet(r.endpoints().size());
      if (r.bgpConfiguration()) metrics.bgpConfigsDeleted.incrementAndGet();
      if (r.felixConfiguration()) metrics.felixConfigsDeleted.incrementAndGet();
      // Last: while it stays, a pass that failed above finds the node again and retries. Asked
      // again first: on Kubernetes a node whose v1 Node came back during the release registers
      // its netctl Node again, which is then its own (it claims new blocks as it needs them).
      if (resource && !alive(node)) deleteIfPresent(Kind.NODE, node);
      metrics.nodesReleased.incrementAndGet();
      metrics.addressesReleased.addAndGet(r.addresses());
      log.accept(
          "released "
              + what
              + ": "
              + r.addresses()
              + " address(es), "
              + r.affinities()
              + " affinity record(s)");
      return true;
    } catch (DatastoreException | IpamException e) {
      metrics.failures.incrementAndGet();
      log.accept("failed to release node \"" + node + "\" (retried next pass): " + e.getMessage());
      return false;
    }
  }

  /**
   * Whether {@code node} is alive now: the cluster's node where the store has them (on Kubernetes a
   * netctl Node stays while its Kubernetes Node exists), else its Node resource.
   */
  private boolean alive(String node) {
    Optional<ClusterNodes> cluster = client.datastore().capability(ClusterNodes.class);
    return cluster.isPresent()
        ? cluster.get().nodeExists(node)
        : client.find(Kind.NODE, node).isPresent();
  }

  private boolean releaseHandle(Item i) {
    String what = "handle \"" + i.name() + "\" (" + i.reason() + " since " + i.firstSeen() + ")";
    if (options.dryRun()) {
      log.accept("dry run: would release " + what);
      return false;
    }
    try {
      int n = allocator.releaseByHandle(i.name());
      metrics.handlesReleased.incrementAndGet();
      metrics.addressesReleased.addAndGet(n);
      log.accept("released " + what + ": " + n + " address(es)");
      return true;
    } catch (IpamException.UnknownHandle e) {
      return false; // released meanwhile (by its node's release, or by the CNI plugin's DEL)
    } catch (DatastoreException | IpamException e) {
      metrics.failures.incrementAndGet();
      log.accept("failed to release " + what + " (retried next pass): " + e.getMessage());
      return false;
    }
  }

  private void deleteIfPresent(Kind<?> kind, String name) {
    try {
      client.delete(kind, name);
    } catch (DatastoreException.NotFound e) {
      // gone already
    }
  }

  private static String describe(Item i) {
    return switch (i.target()) {
      case NODE -> "node \"" + i.name() + "\"";
      case HANDLE -> "handle \"" + i.name() + "\"";
    };
  }
}
