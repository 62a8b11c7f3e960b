package dev.netctl.ipam.gc;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The controllers' counters and gauges, rendered in Prometheus' text exposition format (version
 * 0.0.4) by hand: a metrics library is not worth its dependency tree for a dozen numbers.
 */
public final class ControllerMetrics {
  final AtomicLong leader = new AtomicLong();
  final AtomicLong passes = new AtomicLong();
  final AtomicLong nodesReleased = new AtomicLong();
  final AtomicLong handlesReleased = new AtomicLong();
  final AtomicLong addressesReleased = new AtomicLong();
  final AtomicLong endpointsDeleted = new AtomicLong();
  final AtomicLong bgpConfigsDeleted = new AtomicLong();
  final AtomicLong felixConfigsDeleted = new AtomicLong();
  final AtomicLong failures = new AtomicLong();
  final AtomicLong liveNodes = new AtomicLong();
  final AtomicLong missingNodes = new AtomicLong();
  final AtomicLong pendingNodes = new AtomicLong();
  final AtomicLong pendingHandles = new AtomicLong();

  /** Records whether this process leads now. */
  public void leader(boolean leading) {
    leader.set(leading ? 1 : 0);
  }

  public long handlesReleased() {
    return handlesReleased.get();
  }

  public long nodesReleased() {
    return nodesReleased.get();
  }

  /** The exposition text served at {@code /metrics}. */
  public String render() {
    StringBuilder b = new StringBuilder();
    gauge(
        b,
        "netctl_controller_leader",
        "1 while this process holds the controllers' lease.",
        leader);
    counter(b, "netctl_controller_passes_total", "Controller passes run as leader.", passes);
    counter(
        b,
        "netctl_controller_nodes_released_total",
        "Deleted nodes whose state was released.",
        nodesReleased);
    counter(
        b,
        "netctl_controller_handles_released_total",
        "IPAM handles released by GC.",
        handlesReleased);
    counter(
        b,
        "netctl_controller_addresses_released_total",
        "Addresses freed by the controllers.",
        addressesReleased);
    counter(
        b,
        "netctl_controller_workload_endpoints_deleted_total",
        "WorkloadEndpoints of deleted nodes removed.",
        endpointsDeleted);
    counter(
        b,
        "netctl_controller_bgp_configurations_deleted_total",
        "node.<name> BGPConfigurations removed.",
        bgpConfigsDeleted);
    counter(
        b,
        "netctl_controller_felix_configurations_deleted_total",
        "node.<name> FelixConfigurations removed.",
        felixConfigsDeleted);
    counter(
        b,
        "netctl_controller_release_failures_total",
        "Releases that failed and will be retried.",
        failures);
    b.append(
        "# HELP netctl_controller_nodes Nodes by liveness: live = a Node resource exists; missing = state names a node without one.\n");
    b.append("# TYPE netctl_controller_nodes gauge\n");
    b.append("netctl_controller_nodes{state=\"live\"} ").append(liveNodes.get()).append('\n');
    b.append("netctl_controller_nodes{state=\"missing\"} ").append(missingNodes.get()).append('\n');
    b.append("# HELP netctl_controller_pending_releases Candidates within their grace period.\n");
    b.append("# TYPE netctl_controller_pending_releases gauge\n");
    b.append("netctl_controller_pending_releases{target=\"node\"} ")
        .append(pendingNodes.get())
        .append('\n');
    b.append("netctl_controller_pending_releases{target=\"handle\"} ")
        .append(pendingHandles.get())
        .append('\n');
    return b.toString();
  }

  private static void counter(StringBuilder b, String name, String help, AtomicLong v) {
    b.append("# HELP ").append(name).append(' ').append(help).append('\n');
    b.append("# TYPE ").append(name).append(" counter\n");
    b.append(name).append(' ').append(v.get()).append('\n');
  }

  private static void gauge(StringBuilder b, String name, String help, AtomicLong v) {
    b.append("# HELP ").append(name).append(' ').append(help).append('\n');
    b.append("# TYPE ").append(name).append(" gauge\n");
    b.append(name).append(' ').append(v.get()).append('\n');
  }
}
